import XCTest
@testable import Numerics

// Singular values without vectors, and κ₂ = σ_max/σ_min, against closed forms: matrices built as
// U diag(σ) Vᵀ, orthogonal and diagonal matrices, rank-deficient ones, Hilbert matrices (trace and
// determinant), huge and tiny scales.

final class SingularValuesTests: XCTestCase {
    func testKnownSingularValuesAllShapes() throws {
        // σ from 1 down to 1e−10; U, V independent Householder products. Backward stability gives
        // |σ̂_i − σ_i| ≤ c·max(m, n)·ε·σ_max.
        for (m, n) in [(30, 20), (20, 30), (60, 20), (20, 45), (25, 25), (1, 6), (6, 1)] {
            let p = min(m, n)
            let sigma = (0..<p).map { pow(10, -10 * Double($0) / Double(max(p - 1, 1))) }
            let a = NT.matrixWithSingularValues(sigma, rows: m, cols: n, seed: UInt64(m * 100 + n))
            let s = try singularValues(a)
            XCTAssertEqual(s.count, p)
            for i in 0..<p {
                NT.assertClose(s[i], sigma[i], tol: 10 * Double(max(m, n)) * NT.eps, "\(m)x\(n) σ\(i)")
            }
            for i in 0..<(p - 1) { XCTAssertGreaterThanOrEqual(s[i], s[i + 1], "descending") }
        }
    }

    func testSameValuesAsTheFullSVD() throws {
        // The values-only path runs the same arithmetic on the values as `SVD` (it only skips the
        // vectors: the implicit QR's, or from `SVD.divideAndConquerOrder` columns dqds), so the two
        // agree bit for bit: code that switched from one to the other gets the same numbers.
        let shapes = [(40, 40), (70, 30), (30, 70), (100, 40), (9, 9), (130, 129), (280, 260)]
        for (m, n) in shapes {
            let a = NT.gaussian(m, n, seed: UInt64(m + 7 * n))
            for scale in [1.0, 1e300, 1e-300] {
                let b = a * scale
                XCTAssertEqual(try singularValues(b), try SVD(b).singularValues, "\(m)x\(n) at scale \(scale)")
            }
        }
        let h = NT.hilbert(12)
        XCTAssertEqual(try singularValues(h), try SVD(h).singularValues, "Hilbert 12")
    }

    func testOrthogonalDiagonalAndRankDeficient() throws {
        for n in [5, 64, 200] {
            let q = NT.householderOrthogonal(n, seed: UInt64(n + 1))
            let s = try singularValues(q)
            for i in 0..<n { NT.assertClose(s[i], 1, tol: 10 * Double(n) * NT.eps, "orthogonal \(n): σ\(i)") }
            NT.assertClose(try cond2(q), 1, tol: 20 * Double(n) * NT.eps, "κ₂ of an orthogonal \(n)x\(n)")
        }
        // A diagonal matrix: σ = |d| sorted, exactly, however graded.
        let d: [Double] = [1e-150, -3, 1e150, 1, -2.5e-7]
        XCTAssertEqual(try singularValues(Matrix.diagonal(d)), d.map(abs).sorted(by: >))
        XCTAssertEqual(try cond2(Matrix.diagonal(d)), 1e150 / 1e-150)
        // Rank 5 in a 12 x 8 matrix: three σ at rounding level, κ₂ beyond 1/(c·n·ε) (or ∞).
        let sigma: [Double] = [5, 4, 3, 2, 1]
        let a = NT.matrixWithSingularValues(sigma, rows: 12, cols: 8, seed: 3)
        let s = try singularValues(a)
        for i in 0..<5 { NT.assertClose(s[i], sigma[i], tol: 10 * 12 * NT.eps * 5, "rank 5: σ\(i)") }
        for i in 5..<8 { NT.assertBelow(s[i], 10 * 12 * NT.eps * 5, "rank 5: σ\(i) ≈ 0") }
        XCTAssertGreaterThan(try cond2(a), 1 / (10 * 12 * NT.eps))
        // Exactly singular: κ₂ = ∞.
        XCTAssertEqual(try cond2(Matrix(rows: 4, cols: 3)), .infinity)
        XCTAssertEqual(try singularValues(Matrix(rows: 4, cols: 3)), [0, 0, 0])
        XCTAssertEqual(try cond2(Matrix([[1, 2], [2, 4]])), .infinity, "σ_min of [1 2; 2 4] is exactly 0 after one rotation")
        XCTAssertEqual(try singularValues(Matrix(rows: 0, cols: 3)), [])
        NT.assertThrowsMatching(try cond2(Matrix(rows: 0, cols: 3)), "dimension") {
            if case .dimensionMismatch = $0 { return true } else { return false }
        }
    }

    func testHilbertTraceDeterminantAndCondition() throws {
        // H_n is symmetric positive definite: its σ are its eigenvalues, so Σσ = tr H and
        // Π σ = det H (closed form). Each σ_i is within c·n·ε·σ_max of the truth, so
        // |δ log σ_i| ≤ c·n·ε·σ_max/σ_i.
        for n in [4, 6, 8, 10] {
            let s = try singularValues(NT.hilbert(n))
            let trace = (0..<n).reduce(0.0) { (sum: Double, i: Int) -> Double in sum + 1 / Double(2 * i + 1) }
            NT.assertClose(s.reduce(0, +), trace, tol: 10 * Double(n * n) * NT.eps * s[0], "Σσ = tr H\(n)")
            let tol = s.reduce(0.0) { $0 + 10 * Double(n) * NT.eps * s[0] / $1 }
            NT.assertClose(s.reduce(0.0) { $0 + log($1) }, ConditioningTests.logDetHilbert(n), tol: tol, "Σ log σ = log det H\(n)")
            let k = ConditioningTests.hilbertCond2[n]!
            // σ_min is within c·n·ε·σ_max of the truth: κ₂ to a relative c·n·ε·κ₂.
            NT.assertClose(try cond2(NT.hilbert(n)), k, tol: 10 * Double(n) * NT.eps * k * k, "κ₂(H\(n))")
        }
    }

    func testHugeAndTinyScales() throws {
        let sigma: [Double] = [3, 2, 1, 0.5, 0.25, 1e-3]
        let a = NT.matrixWithSingularValues(sigma, rows: 9, cols: 6, seed: 17)
        for scale in [0x1p1000, 0x1p-1000, 1e300, 1e-300, 0x1.2p-1030] {
            let s = try singularValues(a * scale)
            // 1.125·2⁻¹⁰³⁰ ≈ 9e−311 is subnormal: the scaled entries themselves carry an absolute
            // error of up to half a subnormal ulp (`leastNonzeroMagnitude` / 2) each.
            let tol = 10 * 9 * NT.eps * 3 * scale + 9 * Double.leastNonzeroMagnitude
            for i in 0..<6 {
                NT.assertClose(s[i], sigma[i] * scale, tol: tol, "σ\(i) at scale \(scale)")
            }
            let relative = tol / (sigma[5] * scale) + tol / (sigma[0] * scale)
            NT.assertClose(try cond2(a * scale), 3e3, tol: 3e3 * relative, "κ₂ at scale \(scale)")
        }
        // A largest entry that is subnormal: the power-of-two scaling must not overflow (2^1030).
        let tiny = 0x1p-1030   // ≈ 8.3e−311
        XCTAssertEqual(try singularValues(Matrix.diagonal([tiny, -3 * tiny])), [3 * tiny, tiny])
        XCTAssertEqual(try symmetricEigenvalues(Matrix.diagonal([tiny, -3 * tiny])), [-3 * tiny, tiny])
    }
}
