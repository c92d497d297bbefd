import XCTest
@testable import Numerics

// The blocked (recursive, GEMM-based) paths of Cholesky, LU and QR only start above their block
// sizes (32, 16 and 64 columns), beyond most of the other tests' matrices. These tests run them at
// orders that are not multiples of the block sizes, with the same residual bounds as
// FactorizationTests (c = 10 on n·ε·||A||), and check the error paths inside the recursion.
// Products use `matmul` (itself tested against naive products in GEMMTests) to keep them fast.

final class BlockedFactorizationTests: XCTestCase {
    func testBlockedCholeskyResidual() throws {
        for n in [33, 100, 257] {
            let g = NT.gaussian(n, n, seed: 700 + UInt64(n))
            var a = matmul(g, g, transB: true)
            for i in 0..<n { a[i, i] += Double(n) }
            let l = try cholesky(a)
            for i in 0..<n { for j in (i + 1)..<n where l[i, j] != 0 { XCTFail("L[\(i),\(j)] = \(l[i, j]) above the diagonal"); return } }
            NT.assertBelow(NT.frobDiff(matmul(l, l, transB: true), a), 10 * Double(n) * NT.eps * NT.frob(a), "||A − LLᵀ||_F, n = \(n)")
        }
    }

    func testBlockedCholeskyNamesAFailingPivotDeepInTheRecursion() {
        // I with one negative entry at (k, k): the factorization fails exactly at pivot k, value −1.
        let n = 150
        for k in [0, 40, 77, 149] {
            var a = Matrix.identity(n)
            a[k, k] = -1
            NT.assertThrows(.notPositiveDefinite(pivot: k, value: -1), try cholesky(a))
        }
    }

    func testBlockedLUResidualAndPivotBound() throws {
        for n in [17, 100, 203] {
            let a = NT.gaussian(n, n, seed: 800 + UInt64(n))
            let f = try LUFactorization(a)
            let (l, u, order) = f.factors
            var pa = Matrix(rows: n, cols: n)
            for i in 0..<n { for j in 0..<n { pa[i, j] = a[order[i], j] } }
            for i in 0..<n { for j in 0..<i where abs(l[i, j]) > 1 { XCTFail("|L[\(i),\(j)]| > 1"); return } }
            NT.assertBelow(NT.frobDiff(matmul(l, u), pa), 10 * Double(n) * NT.eps * NT.frob(a), "||PA − LU||_F, n = \(n)")
            // Solve against a known solution (κ of a Gaussian matrix is modest; allow 1e4).
            let x = (0..<n).map { Double($0 % 5) - 2 }
            let xh = f.solve(NT.naiveApply(a, x))
            NT.assertBelow(NT.norm2(Vector.subtract(xh, x)), 1e4 * Double(n) * NT.eps * NT.norm2(x), "||x̂ − x||, n = \(n)")
        }
    }

    func testBlockedLUFindsSingularPivotInTheRecursion() throws {
        // Column 90 = column 3 + column 50: the first negligible pivot is at step 90.
        let n = 120
        var a = NT.gaussian(n, n, seed: 900)
        for i in 0..<n { a[i, 90] = a[i, 3] + a[i, 50] }
        NT.assertThrows(.singular(pivot: 90), try LUFactorization(a, singularTolerance: .strict))
        // LAPACK's semantics: only an exactly zero pivot is singular. Column 90 zero makes pivot
        // 90 exactly zero (nothing is ever subtracted from a zero column); the factorization goes
        // on past it, so det = 0 exactly, without an error.
        var z = NT.gaussian(n, n, seed: 900)
        for i in 0..<n { z[i, 90] = 0 }
        NT.assertThrows(.singular(pivot: 90), try LUFactorization(z))
        XCTAssertEqual(try determinant(z), 0)
        let (sign, logAbs) = try logDeterminant(z)
        XCTAssertEqual(sign, 0)
        XCTAssertEqual(logAbs, -.infinity)
    }

    func testBlockedQRTallSquareWide() throws {
        for (m, n) in [(200, 130), (150, 150), (90, 170), (300, 65)] {
            let a = NT.gaussian(m, n, seed: UInt64(1000 + m + n))
            let k = min(m, n)
            let (q, r) = try qr(a)
            for i in 0..<k { for j in 0..<i where r[i, j] != 0 { XCTFail("R[\(i),\(j)] below the diagonal"); return } }
            let scale = Double(max(m, n)) * NT.eps * 10
            NT.assertBelow(NT.frobDiff(matmul(q, r), a), scale * NT.frob(a), "\(m)x\(n): ||A − QR||_F")
            NT.assertBelow(NT.frobDiff(matmul(q, q, transA: true), .identity(k)), scale * Double(k).squareRoot(), "\(m)x\(n): ||QᵀQ − I||_F")
            // Qᵀb by reflectors agrees with the explicit Q.
            let f = try QRFactorization(a)
            let b = (0..<m).map { sin(Double($0)) }
            let qtb = Array(f.applyQTransposed(b).prefix(k))
            NT.assertBelow(NT.norm2(Vector.subtract(qtb, gemv(q, b, transposed: true))), scale * NT.norm2(b), "\(m)x\(n): Qᵀb")
        }
    }

    /// On two threads QR looks ahead (the next panel is factored while the other thread updates the
    /// rest of the trailing matrix, split by columns): the factors are the serial loop's bits (one
    /// thread never looks ahead). Shapes where the look-ahead runs for several panels, where the
    /// remainder piece is ragged, and where it never runs (no next panel wide enough).
    func testLookAheadGivesTheSerialBits() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        for (m, n) in [(500, 500), (420, 333), (700, 300), (300, 700), (200, 200)] {
            let a = NT.gaussian(m, n, seed: UInt64(2000 + m + n))
            Threads.count = 1
            let one = try QRFactorization(a)
            Threads.count = 2
            let two = try QRFactorization(a)
            XCTAssertEqual(one.qr.storage.map(\.bitPattern), two.qr.storage.map(\.bitPattern), "\(m)x\(n): factors")
            XCTAssertEqual(one.tau.map(\.bitPattern), two.tau.map(\.bitPattern), "\(m)x\(n): τ")
        }
        // The pieces: the next panel first, then blocks of 64 with the remainder in the last one;
        // none when the update would fit in fewer than two blocks besides the next panel.
        let pieces = QRFactorization.lookAheadPieces(rows: 436, reflectors: 64, next: 64, rest: 372)
        XCTAssertEqual(pieces.map(\.0), [0, 64, 128, 192, 256])
        XCTAssertEqual(pieces.map(\.1), [64, 64, 64, 64, 116])
        XCTAssertTrue(QRFactorization.lookAheadPieces(rows: 436, reflectors: 64, next: 64, rest: 190).isEmpty)
        XCTAssertTrue(QRFactorization.lookAheadPieces(rows: 436, reflectors: 64, next: 0, rest: 372).isEmpty)
    }

    /// On two threads the Cholesky's symmetric rank-k updates run their three blocks side by side
    /// (C11, C21, C22): the same calls, so the same bits as on one thread, at orders where it happens
    /// at the top of the recursion and deeper (and below, where it does not).
    func testParallelGramUpdateGivesTheSerialBits() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        for n in [1000, 500, 333, 200] {
            let g = NT.gaussian(n, n, seed: UInt64(3000 + n))
            var a = matmul(g, g, transB: true)
            for i in 0..<n { a[i, i] += Double(n) }
            Threads.count = 1
            let one = try CholeskyFactorization(a)
            Threads.count = 2
            let two = try CholeskyFactorization(a)
            XCTAssertEqual(one.l.storage.map(\.bitPattern), two.l.storage.map(\.bitPattern), "n = \(n): L")
        }
    }

    /// A X = B solved four columns at a time gives each column the bits of the one-vector solve,
    /// for column counts with every remainder of four, pivoted and unpivoted, and the inverse.
    func testMatrixSolveIsEachColumnAlone() throws {
        var rng = RandomSource(seed: 77)
        for (n, k) in [(1, 1), (3, 4), (5, 7), (9, 2), (40, 13), (130, 6)] {
            let a = rng.normalMatrix(n, n)
            let b = rng.normalMatrix(n, k)
            let lu = try LUFactorization(a)
            let x = lu.solve(b)
            for j in 0..<k {
                XCTAssertEqual(x.column(j).map(\.bitPattern), lu.solve(b.column(j)).map(\.bitPattern), "n = \(n), column \(j)")
            }
            let inverse = lu.inverse
            for j in 0..<n {
                var e = [Double](repeating: 0, count: n); e[j] = 1
                XCTAssertEqual(inverse.column(j).map(\.bitPattern), lu.solve(e).map(\.bitPattern), "n = \(n), inverse column \(j)")
            }
        }
        XCTAssertEqual(try LUFactorization(Matrix.identity(3)).solve(Matrix(rows: 3, cols: 0)).cols, 0)
    }
}
