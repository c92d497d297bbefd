import XCTest
@testable import Numerics

// The blocked Golub–Kahan bidiagonalization (panels of nb columns, trailing update by GEMM)
// against the unblocked one, on shapes around the panel edges: n = nb − 1, nb, nb + 1, 2nb + 3,
// square and tall (m ≈ 1.4 n). Q and P are formed here from the stored reflectors by plain loops,
// so the checks are against the mathematics, not against the kernel's own formation of Q and P.

final class BlockedBidiagonalizationTests: XCTestCase {
    struct Reduction {
        var a: [Double], d: [Double], e: [Double], tauQ: [Double], tauP: [Double]
        /// Every output, bit for bit.
        var bits: [UInt64] { (a + d + e + tauQ + tauP).map(\.bitPattern) }
    }

    /// Bidiagonalizes a copy of `a`: blocked with panel width `nb` and crossover `tail`, or
    /// unblocked when `nb` is nil.
    static func reduce(_ a: Matrix, nb: Int?, tail: Int = 0) -> Reduction {
        let (m, n) = (a.rows, a.cols)
        var r = Reduction(a: a.storage, d: [Double](repeating: 0, count: n), e: [Double](repeating: 0, count: n),
                          tauQ: [Double](repeating: 0, count: n), tauP: [Double](repeating: 0, count: n))
        r.a.withUnsafeMutableBufferPointer { ap in
            r.d.withUnsafeMutableBufferPointer { dp in
                r.e.withUnsafeMutableBufferPointer { ep in
                    r.tauQ.withUnsafeMutableBufferPointer { qp in
                        r.tauP.withUnsafeMutableBufferPointer { pp in
                            if let nb = nb {
                                SVD.bidiagonalizeBlocked(ap.baseAddress!, m: m, n: n, nb: nb, tail: tail,
                                                         d: dp.baseAddress!, e: ep.baseAddress!,
                                                         tauQ: qp.baseAddress!, tauP: pp.baseAddress!)
                            } else {
                                SVD.bidiagonalizeUnblocked(ap.baseAddress!, m: m, n: n, ld: n,
                                                           d: dp.baseAddress!, e: ep.baseAddress!,
                                                           tauQ: qp.baseAddress!, tauP: pp.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        return r
    }

    /// Q (m x n) = H_0 H_1 ⋯ H_{n−1} I[:, 0..<n] and P (n x n) = G_0 G_1 ⋯ G_{n−2}, each reflector
    /// applied by its definition I − τ v vᵀ, last first.
    static func factors(_ r: Reduction, m: Int, n: Int) -> (q: Matrix, p: Matrix) {
        var q = Matrix(rows: m, cols: n)
        for i in 0..<n { q[i, i] = 1 }
        for k in stride(from: n - 1, through: 0, by: -1) where r.tauQ[k] != 0 {
            var v = [Double](repeating: 0, count: m)
            v[k] = 1
            for i in (k + 1)..<m { v[i] = r.a[i * n + k] }
            for c in 0..<n {
                var s = 0.0
                for i in k..<m { s += v[i] * q[i, c] }
                s *= r.tauQ[k]
                for i in k..<m { q[i, c] -= s * v[i] }
            }
        }
        var p = Matrix.identity(n)
        for k in stride(from: n - 2, through: 0, by: -1) where r.tauP[k] != 0 {
            var v = [Double](repeating: 0, count: n)
            v[k + 1] = 1
            for j in (k + 2)..<n { v[j] = r.a[k * n + j] }
            for c in 0..<n {
                var s = 0.0
                for i in (k + 1)..<n { s += v[i] * p[i, c] }
                s *= r.tauP[k]
                for i in (k + 1)..<n { p[i, c] -= s * v[i] }
            }
        }
        return (q, p)
    }

    static func values(of r: Reduction) throws -> [Double] {
        var d = r.d, e = r.e
        try SVD.bidiagonalSVD(&d, &e, ut: nil, vt: nil)
        return d.map(abs).sorted(by: >)
    }

    static let shapes: [(Int, Int)] = {
        var s: [(Int, Int)] = []
        for n in [31, 32, 33, 67] { s.append((n, n)); s.append(((14 * n + 5) / 10, n)) }
        return s
    }()

    func testReconstructionOrthogonalityAndValuesAgainstUnblocked() throws {
        for (nb, tail) in [(32, 32), (16, 16), (5, 8), (8, 20)] {
            for (m, n) in BlockedBidiagonalizationTests.shapes {
                let a = NT.gaussian(m, n, seed: UInt64(1000 * m + n + nb))
                let blocked = BlockedBidiagonalizationTests.reduce(a, nb: nb, tail: tail)
                let plain = BlockedBidiagonalizationTests.reduce(a, nb: nil)
                let label = "\(m)x\(n), nb = \(nb), tail = \(tail)"
                // (a) A = Q B Pᵀ to O(ε)||A||, Q and P orthonormal to O(ε).
                let (q, p) = BlockedBidiagonalizationTests.factors(blocked, m: m, n: n)
                var b = Matrix(rows: n, cols: n)
                for i in 0..<n { b[i, i] = blocked.d[i]; if i + 1 < n { b[i, i + 1] = blocked.e[i] } }
                let qbpt = NT.naiveMul(NT.naiveMul(q, b), NT.naiveTranspose(p))
                let normA = NT.frob(a)
                NT.assertBelow(NT.frobDiff(qbpt, a), 10 * Double(m) * NT.eps * normA, "\(label): ||A − Q B Pᵀ||")
                NT.assertBelow(NT.orthogonalityError(q), 10 * Double(m) * NT.eps, "\(label): ||QᵀQ − I||")
                NT.assertBelow(NT.orthogonalityError(p), 10 * Double(n) * NT.eps, "\(label): ||PᵀP − I||")
                // (b) the same singular values as the unblocked reduction, to a few ε·σ_max.
                let sb = try BlockedBidiagonalizationTests.values(of: blocked)
                let su = try BlockedBidiagonalizationTests.values(of: plain)
                for i in 0..<n {
                    NT.assertClose(sb[i], su[i], tol: 4 * Double(n).squareRoot() * NT.eps * su[0], "\(label): σ\(i)")
                }
            }
        }
    }

    func testBitIdenticalForAnyThreadCount() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        // The small shapes with small panels (passes split in halves), and one large enough for
        // the production panel width, a parallel GEMM and the dispatch through `bidiagonalize`.
        var cases: [(Matrix, Int, Int)] = []
        for (m, n) in BlockedBidiagonalizationTests.shapes { cases.append((NT.gaussian(m, n, seed: UInt64(m + 31 * n)), 5, 8)) }
        let big = NT.gaussian(340, 300, seed: 7)
        cases.append((big, SVD.bidiagonalBlock, SVD.bidiagonalBlockedFrom))
        for (a, nb, tail) in cases {
            var results: [Reduction] = []
            for t in [1, 2] {
                Threads.count = t
                results.append(BlockedBidiagonalizationTests.reduce(a, nb: nb, tail: tail))
            }
            XCTAssertEqual(results[0].bits, results[1].bits, "\(a.rows)x\(a.cols), nb = \(nb): 1 thread vs 2")
        }
        var values: [[Double]] = [], svds: [SVD] = []
        for t in [1, 2] {
            Threads.count = t
            values.append(try singularValues(big))
            svds.append(try SVD(big))
        }
        XCTAssertEqual(values[0].map(\.bitPattern), values[1].map(\.bitPattern), "singular values, 1 thread vs 2")
        XCTAssertEqual(svds[0].u.storage.map(\.bitPattern), svds[1].u.storage.map(\.bitPattern), "U, 1 thread vs 2")
        XCTAssertEqual(svds[0].v.storage.map(\.bitPattern), svds[1].v.storage.map(\.bitPattern), "V, 1 thread vs 2")
        XCTAssertEqual(values[0], svds[0].singularValues, "values-only path equals the full SVD")
    }
}
