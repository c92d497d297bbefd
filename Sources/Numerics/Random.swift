import Foundation

/// Reprise's seeded random generator: xoshiro256** (Blackman & Vigna, 2018), seeded through
/// SplitMix64. Every experiment draws from one of these and prints its seed; the system
/// generator is never used.
///
/// Independent streams: `stream(k)` advances a copy of the seeded state by k+1 jumps of 2¹²⁸
/// steps, so streams never overlap in any practical run.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    /// The seed this generator (or its parent) was created from.
    public let seed: UInt64
    private var spareNormal: Double?

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
        spareNormal = nil
    }

    /// A generator at a given raw state (for building the jump's matrix from unit states).
    fileprivate init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        seed = 0
        spareNormal = nil
    }

    fileprivate var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// An independent generator: the state of `RandomSource(seed:)` advanced by (k+1)·2¹²⁸ steps,
    /// that is k+1 calls of `jump()`. For large k the jumps are composed: the jump is linear over
    /// GF(2), so k+1 jumps are the product of the precomputed powers J^(2^i) for the bits of k+1
    /// (`JumpPowers`), the same state in O(log k) matrix-vector products.
    public static func stream(seed: UInt64, _ k: Int) -> RandomSource {
        precondition(k >= 0, "RandomSource.stream: negative stream index \(k)")
        var r = RandomSource(seed: seed)
        if k < 8 {
            for _ in 0...k { r.jump() }
        } else {
            (r.s0, r.s1, r.s2, r.s3) = JumpPowers.shared.jump(r.s0, r.s1, r.s2, r.s3, times: UInt64(k) + 1)
        }
        return r
    }

    /// The k-th independent stream derived from this generator's seed.
    public func stream(_ k: Int) -> RandomSource { RandomSource.stream(seed: seed, k) }

    /// The stream named by a case of a paper's stream declaration
    /// (`enum Stream: UInt64, CaseIterable { case problem, initialization }`).
    public static func stream<S: RawRepresentable>(seed: UInt64, _ name: S) -> RandomSource where S.RawValue: BinaryInteger {
        stream(seed: seed, Int(name.rawValue))
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = RandomSource.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = RandomSource.rotl(s3, 45)
        return result
    }

    /// Advances the state by 2¹²⁸ steps (the published jump polynomial).
    public mutating func jump() {
        let table: [UInt64] = [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C, 0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C]
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        for word in table {
            for b in 0..<64 {
                if word & (1 << UInt64(b)) != 0 { t0 ^= s0; t1 ^= s1; t2 ^= s2; t3 ^= s3 }
                _ = next()
            }
        }
        s0 = t0; s1 = t1; s2 = t2; s3 = t3
        spareNormal = nil
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform on [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// A uniform integer in 0..<n (unbiased, by rejection).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = next()
            if x < limit { return Int(x % bound) }
        }
    }

    /// A standard normal deviate (Marsaglia's polar method; the second value is kept for the next call).
    public mutating func normal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * Foundation.log(s) / s).squareRoot()
                spareNormal = v * f
                return u * f
            }
        }
    }

    public mutating func normal(mean: Double, std: Double) -> Double { mean + std * normal() }

    /// out[i] = scale · (the i-th of `count` successive `normal()` draws): the same values and the
    /// same state afterwards (a spare value included). The accepted points of the polar method are
    /// drawn first, a block at a time and without a branch on the rejection test, and their
    /// logarithms and square roots taken afterwards in a loop of their own.
    public mutating func fillNormal(_ out: UnsafeMutablePointer<Double>, _ count: Int, scale: Double = 1) {
        var i = 0
        if count > 0, let z = spareNormal { out[0] = scale * z; spareNormal = nil; i = 1 }
        let block = 64
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 3 * block)
        defer { buffer.deallocate() }
        let us = (buffer, buffer + block, buffer + 2 * block)     // the accepted u, v and s
        while i < count {
            let pairs = Swift.min(block, (count - i + 1) / 2)
            // Candidates are written unconditionally and kept by advancing q (no branch on the
            // rejection test, which fails for about one candidate in five at random).
            var q = 0
            while q < pairs {
                let u = 2 * uniform() - 1, v = 2 * uniform() - 1
                let s = u * u + v * v
                us.0[q] = u; us.1[q] = v; us.2[q] = s
                q &+= (s > 0 && s < 1) ? 1 : 0
            }
            for q in 0..<pairs {
                let f = (-2 * Foundation.log(us.2[q]) / us.2[q]).squareRoot()
                out[i] = scale * (us.0[q] * f); i += 1
                if i < count { out[i] = scale * (us.1[q] * f); i += 1 } else { spareNormal = us.1[q] * f }
            }
        }
    }

    /// ±1 with probability 1/2 each.
    public mutating func rademacher() -> Double { (next() >> 63) == 0 ? -1 : 1 }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) }
        return p
    }

    public mutating func normalVector(_ n: Int, std: Double = 1) -> [Double] {
        var v = [Double](repeating: 0, count: n)
        v.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { fillNormal(p, n, scale: std) } }
        return v
    }

    /// A matrix of independent N(0, std²) entries, drawn row by row.
    public mutating func normalMatrix(_ rows: Int, _ cols: Int, std: Double = 1) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        let n = m.storage.count
        m.storage.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { fillNormal(p, n, scale: std) } }
        return m
    }

    public mutating func uniformMatrix(_ rows: Int, _ cols: Int, _ a: Double = 0, _ b: Double = 1) -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.storage.count { m.storage[i] = uniform(a, b) }
        return m
    }

    /// A random matrix with orthonormal columns (n x k, k ≤ n): Q of the QR of a Gaussian matrix,
    /// with signs fixed so that R has a positive diagonal (the Haar measure).
    public mutating func orthonormalColumns(_ n: Int, _ k: Int) -> Matrix {
        precondition(k <= n)
        let g = normalMatrix(n, k)
        guard let f = try? QRFactorization(g) else { return Matrix.identity(n).submatrix(rows: 0..<n, cols: 0..<k) }
        var q = f.q
        let r = f.r
        for j in 0..<k where r[j, j] < 0 { for i in 0..<n { q[i, j] = -q[i, j] } }
        return q
    }
}

/// The powers J, J², J⁴, … of the jump as 256 x 256 matrices over GF(2), each stored as the images
/// of the 256 unit states (column b = J^(2^i) applied to the state with only bit b set), built on
/// first use under a lock and extended as larger powers are needed.
final class JumpPowers: @unchecked Sendable {
    static let shared = JumpPowers()

    private typealias State = (UInt64, UInt64, UInt64, UInt64)
    /// powers[i][b]: the image of unit state b under J^(2^i).
    private var powers: [[State]] = []
    private let lock = NSLock()

    private static func apply(_ columns: [State], _ x: State) -> State {
        var r: State = (0, 0, 0, 0)
        for (w, word) in [x.0, x.1, x.2, x.3].enumerated() {
            var bits = word
            while bits != 0 {
                let c = columns[w * 64 + bits.trailingZeroBitCount]
                r.0 ^= c.0; r.1 ^= c.1; r.2 ^= c.2; r.3 ^= c.3
                bits &= bits - 1
            }
        }
        return r
    }

    private func power(_ i: Int) -> [State] {
        lock.lock(); defer { lock.unlock() }
        if powers.isEmpty {
            powers.append((0..<256).map { b in
                var unit: [UInt64] = [0, 0, 0, 0]
                unit[b / 64] = 1 << UInt64(b % 64)
                var g = RandomSource(state: (unit[0], unit[1], unit[2], unit[3]))
                g.jump()
                return g.state
            })
        }
        while powers.count <= i {
            let last = powers[powers.count - 1]
            powers.append(last.map { JumpPowers.apply(last, $0) })
        }
        return powers[i]
    }

    /// The state (s0, s1, s2, s3) after `times` jumps.
    func jump(_ s0: UInt64, _ s1: UInt64, _ s2: UInt64, _ s3: UInt64, times: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var x: State = (s0, s1, s2, s3), n = times, i = 0
        while n != 0 {
            if n & 1 != 0 { x = JumpPowers.apply(power(i), x) }
            n >>= 1; i += 1
        }
        return x
    }
}
