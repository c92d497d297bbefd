import XCTest
@testable import Numerics

// LU with LAPACK's semantics (only an exactly zero pivot is singular), the strict mode, the
// reciprocal condition estimates of LU and Cholesky (dgecon, dpocon), Aᵀ x = b by LU, determinants
// and log-determinants, each checked against closed forms.

final class ConditioningTests: XCTestCase {
    /// ||A||₁ by the definition.
    static func norm1(_ a: Matrix) -> Double {
        (0..<a.cols).map { j in (0..<a.rows).reduce(0.0) { $0 + abs(a[$1, j]) } }.max() ?? 0
    }

    /// The inverse of the n x n Hilbert matrix, entry by entry from the closed form (1-based i, j)
    /// (H⁻¹)_ij = (−1)^(i+j) (i+j−1) C(n+i−1, n−j) C(n+j−1, n−i) C(i+j−2, i−1)².
    /// Integers below 2⁵³ for n ≤ 10 (every partial product is below the final entry), so exact.
    static func inverseHilbert(_ n: Int) -> Matrix {
        func choose(_ a: Int, _ b: Int) -> Double {
            if b < 0 || b > a { return 0 }
            var r = 1.0
            for k in 0..<b { r = r * Double(a - k) / Double(k + 1) }
            return r.rounded()
        }
        return Matrix(rows: n, cols: n) { i0, j0 in
            let i = i0 + 1, j = j0 + 1
            let c = choose(i + j - 2, i - 1)
            let v = Double(i + j - 1) * choose(n + i - 1, n - j) * choose(n + j - 1, n - i) * c * c
            return (i + j) % 2 == 0 ? v : -v
        }
    }

    /// log det H_n = log(c_n⁴ / c_2n), c_n = Π_{k<n} k! (Hilbert 1894).
    static func logDetHilbert(_ n: Int) -> Double {
        func logC(_ m: Int) -> Double { (1..<max(m, 1)).reduce(0.0) { $0 + lgamma(Double($1 + 1)) } }
        return 4 * logC(n) - logC(2 * n)
    }

    /// κ₂(H_n) = λ_max/λ_min, computed with mpmath's eigsy at 50 digits.
    static let hilbertCond2: [Int: Double] = [4: 15513.738738932588, 6: 14951058.640131217,
                                              8: 15257575741.646943, 10: 16026286870216.883]

    // MARK: - LAPACK semantics and the strict mode

    func testGradedMatrixIsSolvedBackwardStably() throws {
        // A = D Q, D = diag(10^(−24 i/(n−1))), Q orthogonal: κ(A) ≈ 1e24. Not singular, and GEPP
        // (which pivots in the grading order here) solves it as accurately as Q x = D⁻¹ b: LAPACK
        // returns that solution, and so must `solve`. The strict mode refuses it, as before.
        let n = 8
        let q = NT.householderOrthogonal(n, seed: 77)
        let d = (0..<n).map { pow(10, -24 * Double($0) / Double(n - 1)) }
        var a = q
        for i in 0..<n { for j in 0..<n { a[i, j] *= d[i] } }
        let x = (0..<n).map { Double($0 % 3) - 1.25 }
        let b = NT.naiveApply(a, x)
        NT.assertThrowsMatching(try solve(a, b, singularTolerance: .strict), "strict: singular") {
            if case .singular = $0 { return true } else { return false }
        }
        let xh = try solve(a, b)
        NT.assertBelow(NT.norm2(Vector.subtract(xh, x)), 1e3 * Double(n) * NT.eps * NT.norm2(x), "forward error, κ ≈ 1e24")
        // Backward error row by row (the rows are scaled by d_i): |b − A x̂|_i ≤ c·n·ε·d_i·||x̂||.
        let r = Vector.subtract(b, NT.naiveApply(a, xh))
        for i in 0..<n { NT.assertBelow(abs(r[i]), 1e3 * Double(n) * NT.eps * d[i] * NT.norm2(xh), "residual row \(i)") }
        // rcond: A⁻¹ = Qᵀ D⁻¹, so ||A⁻¹||₁ = max_j ||row j of Q||₁ / d_j.
        let f = try LUFactorization(a)
        let inverseNorm = (0..<n).map { j in (0..<n).reduce(0.0) { $0 + abs(q[j, $1]) } / d[j] }.max()!
        let exact = 1 / (ConditioningTests.norm1(a) * inverseNorm)
        XCTAssertLessThan(exact, 1e-23)
        assertEstimate(f.reciprocalCondition, exact, slack: 1e-6, "rcond of D Q")
        let (x2, rcond) = try solveWithCondition(a, b)
        XCTAssertEqual(x2, xh)
        XCTAssertEqual(rcond, f.reciprocalCondition)
    }

    /// The estimate is ≥ the true reciprocal condition number (it estimates ||A⁻¹||₁ from below)
    /// and at most about 3 times it; `slack` allows for the rounding of the solves.
    func assertEstimate(_ estimate: Double, _ exact: Double, slack: Double, _ what: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThanOrEqual(estimate, exact * (1 - slack), "\(what): \(estimate) below the true \(exact)", file: file, line: line)
        XCTAssertLessThanOrEqual(estimate, 3 * exact * (1 + slack), "\(what): \(estimate) over 3x the true \(exact)", file: file, line: line)
    }

    func testReciprocalConditionOfDiagonalOrthogonalAndHilbert() throws {
        // diag(d): rcond = min|d| / max|d|, and the estimator is exact on it.
        let d: [Double] = [3, -1e-8, 2, 5e3, 0.5]
        XCTAssertEqual(try solveWithCondition(Matrix.diagonal(d), [3, 1, 2, 5, 0.5]).x[3], 1e-3)
        let fd = try LUFactorization(Matrix.diagonal(d))
        NT.assertClose(fd.reciprocalCondition, 1e-8 / 5e3, tol: 4 * NT.eps * 1e-8 / 5e3, "rcond of a diagonal matrix")
        let cd = try CholeskyFactorization(Matrix.diagonal(d.map(abs)))
        NT.assertClose(cd.reciprocalCondition(norm1: 5e3), 1e-8 / 5e3, tol: 4 * NT.eps * 1e-8 / 5e3, "Cholesky rcond of a diagonal matrix")
        // Q orthogonal: Q⁻¹ = Qᵀ, κ₁ = ||Q||₁ ||Q||_∞.
        for n in [12, 150] {
            let q = NT.householderOrthogonal(n, seed: UInt64(n))
            let exact = 1 / (ConditioningTests.norm1(q) * ConditioningTests.norm1(NT.naiveTranspose(q)))
            assertEstimate(try LUFactorization(q).reciprocalCondition, exact, slack: 1e-10, "rcond of an orthogonal \(n)x\(n)")
        }
        // Hilbert, against its exact inverse; the solves are accurate to about κ·ε.
        for n in [4, 6, 8, 10] {
            let h = NT.hilbert(n)
            let exact = 1 / (ConditioningTests.norm1(h) * ConditioningTests.norm1(ConditioningTests.inverseHilbert(n)))
            let slack = 100 * Double(n) * NT.eps / exact
            assertEstimate(try LUFactorization(h).reciprocalCondition, exact, slack: slack, "LU rcond of H\(n)")
            assertEstimate(try CholeskyFactorization(h).reciprocalCondition(norm1: ConditioningTests.norm1(h)), exact, slack: slack, "Cholesky rcond of H\(n)")
        }
        XCTAssertEqual(try LUFactorization(Matrix(rows: 0, cols: 0)).reciprocalCondition, 1)
        XCTAssertEqual(try LUFactorization(Matrix([[-4]])).reciprocalCondition, 1)
    }

    func testSolveTransposed() throws {
        for n in [1, 7, 40, 130] {
            let a = NT.gaussian(n, n, seed: UInt64(300 + n))
            let x = (0..<n).map { Double($0 % 7) - 3 }
            let b = NT.naiveApply(NT.naiveTranspose(a), x)
            let xh = try LUFactorization(a).solveTransposed(b)
            let r = Vector.subtract(b, NT.naiveApply(NT.naiveTranspose(a), xh))
            NT.assertBelow(NT.norm2(r), 10 * Double(n) * NT.eps * NT.frob(a) * NT.norm2(xh), "||Aᵀx̂ − b||, n = \(n)")
        }
    }

    // MARK: - Determinants

    func testHilbertDeterminantClosedForm() throws {
        for n in 2...10 {
            let (sign, logAbs) = try logDeterminant(NT.hilbert(n))
            XCTAssertEqual(sign, 1, "det H\(n) > 0")
            // |δ log|det|| ≤ n·||A⁻¹||·||δA|| with ||δA|| ≤ c·n·ε·||A||: at most c·n²·κ·ε.
            let kappa = ConditioningTests.norm1(NT.hilbert(n)) * ConditioningTests.norm1(ConditioningTests.inverseHilbert(n))
            let tol = min(10 * Double(n * n) * NT.eps * kappa, 0.5)
            NT.assertClose(logAbs, ConditioningTests.logDetHilbert(n), tol: tol, "log det H\(n)")
            if n <= 6 {
                let det = exp(ConditioningTests.logDetHilbert(n))
                NT.assertClose(try determinant(NT.hilbert(n)), det, tol: tol * det, "det H\(n)")
            }
        }
        // det H₃ = 1/2160 exactly.
        NT.assertClose(try determinant(NT.hilbert(3)), 1.0 / 2160, tol: 1e-13 / 2160, "det H3")
    }

    func testTriangularDiagonalOrthogonalAndSingularDeterminants() throws {
        // Upper triangular: no row swap, no elimination; det = Π u_ii exactly.
        var u = NT.gaussian(4, 4, seed: 41)
        let diag: [Double] = [2, -3, 0.5, 4]
        for i in 0..<4 { for j in 0..<4 { if j < i { u[i, j] = 0 } else if j == i { u[i, j] = diag[i] } } }
        XCTAssertEqual(try determinant(u), -12)
        let lu = try logDeterminant(u)
        XCTAssertEqual(lu.sign, -1)
        NT.assertClose(lu.logAbs, log(12), tol: 4 * NT.eps * log(12), "log 12")
        // Huge and tiny diagonal entries: the product overflows, log|det| does not.
        let big: [Double] = [1e300, 1e300, 1e-300, -1e-300, 1e200]
        let lb = try logDeterminant(Matrix.diagonal(big))
        XCTAssertEqual(lb.sign, -1)
        let expected = big.reduce(0) { $0 + log(abs($1)) }
        NT.assertClose(lb.logAbs, expected, tol: 10 * NT.eps * 2000, "log|det| of diag with 1e±300")
        // c·Q with Q a product of 7 reflectors: det = −c¹⁰; with c = 1e−200 the product underflows.
        let q = NT.householderOrthogonal(10, seed: 9, count: 7)
        let lq = try logDeterminant(q * 1e-200)
        XCTAssertEqual(lq.sign, -1)
        NT.assertClose(lq.logAbs, 10 * log(1e-200), tol: 100 * 10 * NT.eps * 4605, "log|det| of 1e-200·Q")
        let lq1 = try logDeterminant(q)
        XCTAssertEqual(lq1.sign, -1)
        NT.assertClose(lq1.logAbs, 0, tol: 10 * 10 * NT.eps * 10, "log|det Q| = 0")
        // A permutation; exactly singular matrices; the empty matrix.
        XCTAssertEqual(try logDeterminant(Matrix([[0, 1], [1, 0]])).sign, -1)
        XCTAssertEqual(try logDeterminant(Matrix([[0, 1], [1, 0]])).logAbs, 0)
        for s in [Matrix([[1, 2], [2, 4]]), Matrix(rows: 3, cols: 3), Matrix([[0, 1], [0, 1]])] {
            XCTAssertEqual(try determinant(s), 0)
            XCTAssertEqual(try determinant(s).sign, .plus, "det of a singular matrix is +0")
            let l = try logDeterminant(s)
            XCTAssertEqual(l.sign, 0)
            XCTAssertEqual(l.logAbs, -.infinity)
        }
        let e = try logDeterminant(Matrix(rows: 0, cols: 0))
        XCTAssertEqual(e.sign, 1); XCTAssertEqual(e.logAbs, 0)
        NT.assertThrowsMatching(try logDeterminant(Matrix(rows: 2, cols: 3)), "dimension") {
            if case .dimensionMismatch = $0 { return true } else { return false }
        }
    }
}
