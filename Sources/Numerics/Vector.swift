import Foundation

/// Level-1 operations on `[Double]` vectors. The inner loops of the papers call these.
public enum Vector {
    /// xᵀy, accumulated in eight independent SIMD lanes (a fixed order, so results are reproducible).
    @inlinable
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "Vector.dot needs equal lengths")
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in dot(xp.baseAddress, yp.baseAddress, x.count) }
        }
    }

    @inlinable
    public static func dot(_ x: UnsafePointer<Double>?, _ y: UnsafePointer<Double>?, _ n: Int) -> Double {
        guard n > 0, let x = x, let y = y else { return 0 }
        var acc = SIMD8<Double>()
        var i = 0
        while i + 8 <= n {
            let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self)
            let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Double>.self)
            acc.addProduct(a, b)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// out[r] = dot(row r, x) for the four rows at a, a + ld, a + 2ld, a + 3ld, each summed exactly
    /// as `dot` sums it (one SIMD8 accumulator, then its lanes, then the scalar tail), four at once.
    @inline(__always)
    public static func dot4(_ a: UnsafePointer<Double>, _ ld: Int, _ x: UnsafePointer<Double>, _ n: Int,
                            _ out: UnsafeMutablePointer<Double>) {
        typealias V = SIMD8<Double>
        let a0 = a, a1 = a + ld, a2 = a + 2 * ld, a3 = a + 3 * ld
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var i = 0
        while i + 8 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            c0.addProduct(UnsafeRawPointer(a0 + i).loadUnaligned(as: V.self), xv)
            c1.addProduct(UnsafeRawPointer(a1 + i).loadUnaligned(as: V.self), xv)
            c2.addProduct(UnsafeRawPointer(a2 + i).loadUnaligned(as: V.self), xv)
            c3.addProduct(UnsafeRawPointer(a3 + i).loadUnaligned(as: V.self), xv)
            i += 8
        }
        var s0 = c0.sum(), s1 = c1.sum(), s2 = c2.sum(), s3 = c3.sum()
        while i < n {
            s0 += a0[i] * x[i]; s1 += a1[i] * x[i]; s2 += a2[i] * x[i]; s3 += a3[i] * x[i]
            i += 1
        }
        out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3
    }

    /// `dot4` for two vectors at once: out0[r] = dot(row r, x0), out1[r] = dot(row r, x1), each summed
    /// exactly as `dot` sums it. Each load of a row serves both vectors, and the eight accumulators
    /// are independent chains (four keep a fused multiply-add unit waiting on its own latency).
    @inline(__always)
    public static func dot4x2(_ a: UnsafePointer<Double>, _ ld: Int, _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>,
                              _ n: Int, _ out0: UnsafeMutablePointer<Double>, _ out1: UnsafeMutablePointer<Double>) {
        typealias V = SIMD8<Double>
        let a0 = a, a1 = a + ld, a2 = a + 2 * ld, a3 = a + 3 * ld
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), d0 = V(), d1 = V(), d2 = V(), d3 = V()
        var i = 0
        while i + 8 <= n {
            let u = UnsafeRawPointer(x0 + i).loadUnaligned(as: V.self), w = UnsafeRawPointer(x1 + i).loadUnaligned(as: V.self)
            let r0 = UnsafeRawPointer(a0 + i).loadUnaligned(as: V.self), r1 = UnsafeRawPointer(a1 + i).loadUnaligned(as: V.self)
            let r2 = UnsafeRawPointer(a2 + i).loadUnaligned(as: V.self), r3 = UnsafeRawPointer(a3 + i).loadUnaligned(as: V.self)
            c0.addProduct(r0, u); c1.addProduct(r1, u); c2.addProduct(r2, u); c3.addProduct(r3, u)
            d0.addProduct(r0, w); d1.addProduct(r1, w); d2.addProduct(r2, w); d3.addProduct(r3, w)
            i += 8
        }
        var s0 = c0.sum(), s1 = c1.sum(), s2 = c2.sum(), s3 = c3.sum()
        var t0 = d0.sum(), t1 = d1.sum(), t2 = d2.sum(), t3 = d3.sum()
        while i < n {
            s0 += a0[i] * x0[i]; s1 += a1[i] * x0[i]; s2 += a2[i] * x0[i]; s3 += a3[i] * x0[i]
            t0 += a0[i] * x1[i]; t1 += a1[i] * x1[i]; t2 += a2[i] * x1[i]; t3 += a3[i] * x1[i]
            i += 1
        }
        out0[0] = s0; out0[1] = s1; out0[2] = s2; out0[3] = s3
        out1[0] = t0; out1[1] = t1; out1[2] = t2; out1[3] = t3
    }

    /// y += a x.
    @inlinable
    public static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "Vector.axpy needs equal lengths")
        let n = x.count
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for i in 0..<n { yp[i] += a * xp[i] }
            }
        }
    }

    /// y[0..<n] += a · x[0..<n] on raw storage: SIMD8 fused multiply-adds over whole blocks of 8,
    /// then a scalar tail. Every row update of the kernel (GEMM edges, gemv, triangular solves,
    /// bidiagonalization) goes through this one loop.
    @inline(__always)
    public static func axpy(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        let av = SIMD8<Double>(repeating: a)
        var j = 0
        while j + 8 <= n {
            var acc = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Double>.self)
            acc.addProduct(av, UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Double>.self))
            UnsafeMutableRawPointer(y + j).storeBytes(of: acc, as: SIMD8<Double>.self)
            j += 8
        }
        while j < n { y[j] += a * x[j]; j += 1 }
    }

    /// y_r[0..<n] += a[r] · x[0..<n] for the four rows y_r = y + r·ld: one row x into four targets,
    /// each with the roundings of `axpy` (SIMD8 fused multiply-adds, then the same scalar tail), so
    /// each load of x serves four updates.
    @inline(__always)
    public static func axpyToRows4(_ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>,
                                   _ y: UnsafeMutablePointer<Double>, _ ld: Int, _ n: Int) {
        typealias V = SIMD8<Double>
        let a0 = V(repeating: a[0]), a1 = V(repeating: a[1]), a2 = V(repeating: a[2]), a3 = V(repeating: a[3])
        let y0 = y, y1 = y + ld, y2 = y + 2 * ld, y3 = y + 3 * ld
        var j = 0
        while j + 8 <= n {
            let xv = UnsafeRawPointer(x + j).loadUnaligned(as: V.self)
            var t0 = UnsafeRawPointer(y0 + j).loadUnaligned(as: V.self), t1 = UnsafeRawPointer(y1 + j).loadUnaligned(as: V.self)
            var t2 = UnsafeRawPointer(y2 + j).loadUnaligned(as: V.self), t3 = UnsafeRawPointer(y3 + j).loadUnaligned(as: V.self)
            t0.addProduct(a0, xv); t1.addProduct(a1, xv); t2.addProduct(a2, xv); t3.addProduct(a3, xv)
            UnsafeMutableRawPointer(y0 + j).storeBytes(of: t0, as: V.self)
            UnsafeMutableRawPointer(y1 + j).storeBytes(of: t1, as: V.self)
            UnsafeMutableRawPointer(y2 + j).storeBytes(of: t2, as: V.self)
            UnsafeMutableRawPointer(y3 + j).storeBytes(of: t3, as: V.self)
            j += 8
        }
        while j < n {
            y0[j] += a[0] * x[j]; y1[j] += a[1] * x[j]; y2[j] += a[2] * x[j]; y3[j] += a[3] * x[j]
            j += 1
        }
    }

    /// The Euclidean norm, scaled to avoid overflow and underflow; NaN if any element is NaN.
    public static func norm(_ x: [Double]) -> Double {
        var scale = 0.0, ssq = 1.0
        for v in x where v != 0 {
            let a = abs(v)
            if a.isNaN { return .nan }
            if scale < a { ssq = 1 + ssq * (scale / a) * (scale / a); scale = a } else { ssq += (a / scale) * (a / scale) }
        }
        return scale == 0 ? 0 : (scale.isInfinite ? .infinity : scale * ssq.squareRoot())
    }

    /// max |x_i| (0 for an empty vector); NaN if any element is NaN.
    public static func normInf(_ x: [Double]) -> Double { nanPropagatingMax(x.lazy.map { abs($0) }) }
    /// Σ |x_i|; NaN if any element is NaN.
    public static func norm1(_ x: [Double]) -> Double { x.reduce(0) { $0 + abs($1) } }

    public static func scaled(_ x: [Double], _ a: Double) -> [Double] { x.map { a * $0 } }
    public static func add(_ x: [Double], _ y: [Double]) -> [Double] {
        precondition(x.count == y.count); return zip(x, y).map { $0 + $1 }
    }
    public static func subtract(_ x: [Double], _ y: [Double]) -> [Double] {
        precondition(x.count == y.count); return zip(x, y).map { $0 - $1 }
    }
    public static func distance(_ x: [Double], _ y: [Double]) -> Double { norm(subtract(x, y)) }
}

// Several rows at once, four per pass (the blocked reductions' corrections).
extension Vector {
    /// y[0..<w] += Σ_{l < count} coef[l] · (row l at `rows`, stride `ld`), four rows at a time.
    @inline(__always)
    static func combineRows(_ coef: UnsafePointer<Double>, _ rows: UnsafePointer<Double>, _ ld: Int, _ count: Int,
                            _ y: UnsafeMutablePointer<Double>, _ w: Int) {
        var l = 0
        while l + 4 <= count { axpy4(coef + l, rows + l * ld, ld, y, w); l += 4 }
        while l < count { Vector.axpy(coef[l], rows + l * ld, y, w); l += 1 }
    }

    /// out[l] = (row l at `rows`, stride `ld`) · x[0..<w] for l < count, four rows at a time.
    @inline(__always)
    static func dotRows(_ rows: UnsafePointer<Double>, _ ld: Int, _ count: Int, _ x: UnsafePointer<Double>, _ w: Int,
                        _ out: UnsafeMutablePointer<Double>) {
        var l = 0
        while l + 4 <= count { Vector.dot4(rows + l * ld, ld, x, w, out + l); l += 4 }
        while l < count { out[l] = Vector.dot(rows + l * ld, x, w); l += 1 }
    }
}
