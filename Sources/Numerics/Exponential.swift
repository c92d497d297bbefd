import Foundation

// exp(x) for whole arrays, eight lanes at a time, with the bits of the C library's exp on Linux.
//
// The method is the table-driven one of Nagy's exp (used by glibc since 2.28, here with fused
// multiply-adds as in glibc's FMA variant): with N = 128, k = round(x·N/ln 2) and
// r = x − k·ln 2/N (in two parts, |r| ≤ ln 2/(2N)),
//
//     exp(x) = 2^(k/N) · e^r ≈ s · (1 + t + r + r²(c₂ + r c₃) + r⁴(c₄ + r c₅)),
//
// where s = 2^⌊k/N⌋ · H_j and H_j (1 + t) = 2^(j/N), j = k mod N: H_j is the double nearest
// 2^(j/N) and t its relative error, rounded. The table is computed below in 127-bit fixed point
// (the doubles it must hold need about 110 bits); the constants are those of the published
// method. Every operation is an IEEE operation in a fixed order, so the result does not depend on
// the SIMD width, the thread or the CPU (on a CPU without FMA instructions it is only slower).
// Arguments outside 2⁻⁵⁴ ≤ |x| < 512 (tiny, huge, ±∞, NaN) take the C library's exp.
// The test suite checks these bits against the C library's exp where that library is glibc.
public enum Exponential {
    // The constants of the method (N = 128).
    static let invLn2N = 0x1.71547652b82fep7          // N / ln 2
    static let negLn2HiN = -0x1.62e42fefa0000p-8      // −ln 2 / N, leading bits (k·this is exact)
    static let negLn2LoN = -0x1.cf79abc9e3b3ap-47     // −ln 2 / N, the rest
    static let shift = 0x1.8p52                       // adding it rounds x·N/ln 2 to an integer
    static let c2 = 0x1.ffffffffffdbdp-2, c3 = 0x1.555555555543cp-3
    static let c4 = 0x1.55555cf172b91p-5, c5 = 0x1.1111167a4d017p-7

    /// table[2j] = bits of t_j, table[2j + 1] = bits of H_j − j·2⁴⁵ (so that adding k·2⁴⁵ puts
    /// ⌊k/N⌋ into the exponent).
    static let table: [UInt64] = {
        // 2^(j/128) in fixed point with 126 fractional bits: 2^(1/128) by seven exact integer
        // square roots (each ⌊√(a·2¹²⁶)⌋), then products over the bits of j (each rounded down).
        let one: UInt128 = 1 << 126
        func sqrtFixed(_ a: UInt128) -> UInt128 {
            // ⌊√(a·2¹²⁶)⌋ by Newton's iteration from above on the 254-bit integer a·2¹²⁶.
            var y = a  // a ≥ 2¹²⁶, so √(a·2¹²⁶) ≤ a
            while true {
                let (q, _) = y.dividingFullWidth((a >> 2, a << 126))
                let next = (y + q) >> 1
                if next >= y { return y }
                y = next
            }
        }
        func multiplyFixed(_ a: UInt128, _ b: UInt128) -> UInt128 {
            let (high, low) = a.multipliedFullWidth(by: b)
            return (high << 2) | (low >> 126)
        }
        var roots = [UInt128](repeating: 0, count: 7)   // roots[i] = 2^(2^i / 128)
        var r: UInt128 = 2 << 126
        for i in (0..<7).reversed() { r = sqrtFixed(r); roots[i] = r }
        var table = [UInt64](repeating: 0, count: 256)
        for j in 0..<128 {
            var v = one
            for i in 0..<7 where j & (1 << i) != 0 { v = multiplyFixed(v, roots[i]) }
            // H: v rounded to 53 bits (v has its leading bit at 126; keep bits 126...74).
            let dropped: UInt128 = 1 << 74
            var h = v >> 74
            let rest = v & (dropped - 1)
            if rest > dropped >> 1 || (rest == dropped >> 1 && h & 1 == 1) { h += 1 }
            let hFixed = h << 74
            let hDouble = Double(UInt64(h)) * 0x1p-52
            // t = (v − H)/H, rounded once: |v − H|·2¹²⁶/H is an integer of at most 74 bits.
            let negative = v < hFixed
            let d = negative ? hFixed - v : v - hFixed
            let (q, _) = hFixed.dividingFullWidth((d >> 2, d << 126))
            let t = (negative ? -1.0 : 1.0) * Double(q) * 0x1p-126
            table[2 * j] = t.bitPattern
            table[2 * j + 1] = hDouble.bitPattern &- (UInt64(j) << 45)
        }
        return table
    }()

    /// exp of eight arguments; lanes outside 2⁻⁵⁴ ≤ |x| < 512 take the C library's exp.
    @inline(__always)
    static func exp8(_ x: SIMD8<Double>, _ table: UnsafePointer<UInt64>) -> SIMD8<Double> {
        typealias V = SIMD8<Double>
        // 2⁻⁵⁴ ≤ |x| < 512 (the method's range; a NaN compares false), as four compares: the
        // same test on the exponent bits compiles to a loop over the lanes.
        let lo = V(repeating: 0x1p-54), hi = V(repeating: 512)
        let regular = ((x .>= lo) .& (x .< hi)) .| ((x .<= -lo) .& (x .> -hi))
        let shifted = V(repeating: shift).addingProduct(x, V(repeating: invLn2N))
        let ki = unsafeBitCast(shifted, to: SIMD8<UInt64>.self)
        let kd = shifted - V(repeating: shift)
        let r = x.addingProduct(kd, V(repeating: negLn2HiN)).addingProduct(kd, V(repeating: negLn2LoN))
        let index = (ki & 127) &<< 1
        var tail = SIMD8<UInt64>(), head = SIMD8<UInt64>()
        for lane in 0..<8 {
            let j = Int(truncatingIfNeeded: index[lane])
            tail[lane] = table[j]
            head[lane] = table[j + 1]
        }
        let scale = unsafeBitCast(head &+ (ki &<< 45), to: V.self)
        let p23 = V(repeating: c2).addingProduct(r, V(repeating: c3))
        let p45 = V(repeating: c4).addingProduct(r, V(repeating: c5))
        let r2 = r * r
        var tmp = (unsafeBitCast(tail, to: V.self) + r).addingProduct(p23, r2)
        tmp = tmp.addingProduct(r2 * r2, p45)
        var result = scale.addingProduct(scale, tmp)
        if V(repeating: 0).replacing(with: 1, where: .!regular).sum() != 0 {   // any irregular lane
            for lane in 0..<8 where !regular[lane] { result[lane] = Foundation.exp(x[lane]) }
        }
        return result
    }

    /// y[i] = exp(a · x[i]) for i < n (a · x[i] rounded first, as `exp(a * x)` would be).
    public static func exp(_ x: UnsafePointer<Double>, times a: Double, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        table.withUnsafeBufferPointer { tp in
            let t = tp.baseAddress!
            let scale = SIMD8<Double>(repeating: a)
            var i = 0
            while i + 8 <= n {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self)
                UnsafeMutableRawPointer(y + i).storeBytes(of: exp8(scale * v, t), as: SIMD8<Double>.self)
                i += 8
            }
            if i < n {
                var v = SIMD8<Double>(repeating: 1)   // padding lanes: a regular argument
                for k in 0..<(n - i) { v[k] = a * x[i + k] }
                let e = exp8(v, t)
                for k in 0..<(n - i) { y[i + k] = e[k] }
            }
        }
    }

    /// exp(a · xᵢ) for every element.
    public static func exp(_ x: [Double], times a: Double = 1) -> [Double] {
        if x.isEmpty { return [] }
        return [Double](unsafeUninitializedCapacity: x.count) { buffer, count in
            x.withUnsafeBufferPointer { exp($0.baseAddress!, times: a, buffer.baseAddress!, x.count) }
            count = x.count
        }
    }

    /// exp(xᵢ − c) for every element (the shifted exponentials of a softmax).
    public static func exp(_ x: [Double], minus c: Double) -> [Double] {
        exp(x.map { $0 - c })
    }

    /// exp(x) for one argument, the same bits as the array forms.
    public static func exp(_ x: Double) -> Double {
        table.withUnsafeBufferPointer { exp8(SIMD8(repeating: x), $0.baseAddress!)[0] }
    }
}
