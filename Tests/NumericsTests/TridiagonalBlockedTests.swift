import XCTest
@testable import Numerics

// The blocked tridiagonalization (TridiagonalBlocked.swift) against the mathematics of a
// Householder reduction: Q T Qᵀ = A and QᵀQ = I to c·n·ε (backward stability), and T's eigenvalues
// against those of the unblocked reduction's T (an independent computation of the same similarity)
// within c·n·ε·||A||. Orders around the panel width (32 steps; n − 2 steps in all) make the last
// panel full, one short, or a single step.

final class TridiagonalBlockedTests: XCTestCase {
    /// Q T Qᵀ − A, QᵀQ − I and T's eigenvalues for one reduction.
    func reduce(_ a: Matrix, blocked: Bool) throws -> (residual: Double, orthogonality: Double, values: [Double]) {
        let n = a.rows
        let (d, e, reduced, taus) = SymmetricEigen.tridiagonalize(a, blocked: blocked)
        let q = SymmetricEigen.formQ(reflectors: reduced, taus: taus)
        var t = Matrix(rows: n, cols: n)
        for i in 0..<n {
            t[i, i] = d[i]
            if i + 1 < n { t[i, i + 1] = e[i]; t[i + 1, i] = e[i] }
        }
        let back = NT.naiveMul(NT.naiveMul(q, t), NT.naiveTranspose(q))
        var dd = d, ee = e
        try SymmetricEigen.implicitQL(&dd, &ee, AlignedRows(Matrix(rows: 0, cols: 0)), computeVectors: false)
        return (NT.frobDiff(back, a.symmetrized), NT.orthogonalityError(q), dd.sorted())
    }

    func testBlockedReductionIsABackwardStableTridiagonalization() throws {
        for n in [3, 4, 33, 34, 35, 66, 67, 99, 130] {
            let g = NT.gaussian(n, n, seed: 4100 + UInt64(n))
            let low = NT.gaussian(n, 5, seed: 4200 + UInt64(n))
            var zeroRow = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
            for k in 0..<n { zeroRow[n / 2, k] = 0; zeroRow[k, n / 2] = 0 }
            let cases: [(String, Matrix)] = [
                ("random", Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }),
                ("rank 5 PSD", NT.naiveMul(low, NT.naiveTranspose(low))),
                ("zero row and column", zeroRow),
                ("diagonal", Matrix(rows: n, cols: n) { i, j in i == j ? Double(i % 5) - 2 : 0 }),
                ("graded", Matrix(rows: n, cols: n) { i, j in (i == j ? 1 : 0.3 * g[min(i, j), max(i, j)]) * pow(2, -Double(i + j) / 4) }),
                ("non-symmetric input", g),
            ]
            for (label, a) in cases {
                let blocked = try reduce(a, blocked: true), plain = try reduce(a, blocked: false)
                let normA = NT.frob(a.symmetrized), bound = 10 * Double(n) * NT.eps
                NT.assertBelow(blocked.residual, bound * normA, "\(label), n = \(n): ||QTQᵀ − A||_F")
                NT.assertBelow(blocked.orthogonality, bound, "\(label), n = \(n): ||QᵀQ − I||_F")
                for i in 0..<n {
                    NT.assertClose(blocked.values[i], plain.values[i], tol: bound * normA, "\(label), n = \(n): λ\(i) blocked vs unblocked")
                }
            }
        }
        // The zero matrix: every reflector is the identity, T = 0 exactly.
        let (d, e, _, taus) = SymmetricEigen.tridiagonalize(Matrix(rows: 40, cols: 40), blocked: true)
        XCTAssertEqual(d, [Double](repeating: 0, count: 40))
        XCTAssertEqual(e, [Double](repeating: 0, count: 40))
        XCTAssertEqual(taus, [Double](repeating: 0, count: 40))
    }

    /// From `blockedOrder` rows `symmetricEigen` takes the blocked path; at 300 its decomposition is
    /// still backward stable with orthonormal vectors.
    func testEigenAtBlockedOrders() throws {
        let n = 300
        XCTAssertGreaterThanOrEqual(n, SymmetricEigen.blockedOrder)
        let g = NT.gaussian(n, n, seed: 4300)
        let a = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
        let e = try symmetricEigen(a)
        var vl = e.vectors
        for i in 0..<n { for j in 0..<n { vl[i, j] *= e.values[j] } }
        let bound = 10 * Double(n) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(a, e.vectors), vl), bound * NT.frob(a), "||AV − VΛ||_F")
        NT.assertBelow(NT.orthogonalityError(e.vectors), bound, "||VᵀV − I||_F")
        let plain = try reduce(a, blocked: false).values
        for i in 0..<n { NT.assertClose(e.values[i], plain[i], tol: bound * NT.frob(a), "λ\(i) against the unblocked reduction") }
    }

    /// S v from the upper triangle only: the lower triangle is filled with NaN, which would show in
    /// p if it were read; lengths around the four-row groups, the SIMD width and the piece threshold.
    func testSymmetricProductReadsTheUpperTriangleAndMatchesTheDenseProduct() {
        for len in [1, 2, 3, 4, 5, 7, 8, 9, 13, 95, 96, 97, 200] {
            let ld = len + 3
            let g = NT.gaussian(len, len, seed: 4400 + UInt64(len))
            let full = Matrix(rows: len, cols: len) { i, j in g[min(i, j), max(i, j)] }
            var stored = [Double](repeating: .nan, count: len * ld)
            for i in 0..<len { for j in i..<len { stored[i * ld + j] = full[i, j] } }
            let v = NT.gaussian(len, 1, seed: 4500 + UInt64(len)).storage
            var p = [Double](repeating: 0, count: len)
            var partials = [Double](repeating: .nan, count: SymmetricEigen.productPieces(len) * len)
            stored.withUnsafeMutableBufferPointer { s in
                v.withUnsafeBufferPointer { vp in
                    p.withUnsafeMutableBufferPointer { pp in
                        partials.withUnsafeMutableBufferPointer { qp in
                            SymmetricEigen.symmetricProduct(UnsafePointer(s.baseAddress!), ld, len, vp.baseAddress!, pp.baseAddress!, qp.baseAddress!)
                        }
                    }
                }
            }
            let reference = NT.naiveApply(full, v)
            for i in 0..<len {
                let scale = (0..<len).reduce(0.0) { $0 + abs(full[i, $1] * v[$1]) }
                NT.assertClose(p[i], reference[i], tol: 2 * Double(len) * NT.eps * scale, "len \(len): p\(i)")
            }
        }
    }

    /// The product's row pieces are fixed by the trailing size, and the trailing update is GEMM
    /// (the same bits on any thread count), so one and two threads give the same reduction bit for bit.
    func testBlockedReductionGivesTheSameBitsOnOneAndTwoThreads() {
        let saved = Threads.count
        defer { Threads.count = saved }
        for n in [300, 257] {
            let g = NT.gaussian(n, n, seed: 4600 + UInt64(n))
            let a = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
            Threads.count = 1
            let one = SymmetricEigen.tridiagonalize(a)
            Threads.count = 2
            let two = SymmetricEigen.tridiagonalize(a)
            XCTAssertEqual(one.0.map(\.bitPattern), two.0.map(\.bitPattern), "n = \(n): d")
            XCTAssertEqual(one.1.map(\.bitPattern), two.1.map(\.bitPattern), "n = \(n): e")
            XCTAssertEqual(one.2.storage.map(\.bitPattern), two.2.storage.map(\.bitPattern), "n = \(n): reflectors")
            XCTAssertEqual(one.3.map(\.bitPattern), two.3.map(\.bitPattern), "n = \(n): τ")
        }
    }
}
