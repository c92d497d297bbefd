import XCTest
@testable import Numerics

// Tolerances: a backward-stable factorization of an n x n matrix has a residual of order
// c·n·ε·||A||. The constant c is taken as 10 unless stated (the a-priori bounds are c ≈ 1–3 on
// |L||U|-type quantities; 10 leaves room for the residual's own rounding without hiding a bug,
// which shows up as an O(1) or O(√ε) residual). Forward errors add a factor κ(A), which every
// test constructs or states.

final class CholeskyTests: XCTestCase {
    /// SPD with spectrum spread evenly (in log) over [1, 100]: κ₂ = 100 exactly.
    func spd(_ n: Int, seed: UInt64) -> Matrix {
        NT.symmetricWithSpectrum((0..<n).map { pow(100, Double($0) / Double(max(n - 1, 1))) }, seed: seed)
    }

    func testFactorReproducesMatrixAndIsLowerWithPositiveDiagonal() throws {
        for n in [1, 2, 5, 31, 64] {
            let a = spd(n, seed: UInt64(n))
            let l = try cholesky(a)
            for i in 0..<n {
                XCTAssertGreaterThan(l[i, i], 0)
                for j in (i + 1)..<max(n, i + 1) { XCTAssertEqual(l[i, j], 0, "L[\(i),\(j)] above the diagonal") }
            }
            let r = NT.frobDiff(NT.naiveMul(l, NT.naiveTranspose(l)), a)
            NT.assertBelow(r, 10 * Double(n) * NT.eps * NT.frob(a), "||A − LLᵀ||_F, n = \(n)")
        }
    }

    func testOnlyTheLowerTriangleIsRead() throws {
        let a = spd(6, seed: 9)
        var garbage = a
        for i in 0..<6 { for j in (i + 1)..<6 { garbage[i, j] = 1e6 * Double(i - j) } }
        XCTAssertEqual(try cholesky(garbage), try cholesky(a))
    }

    func testSolveRecoversKnownSolution() throws {
        // Forward error ≤ c·n·ε·κ(A)·||x|| with κ = 100.
        let n = 40
        let a = spd(n, seed: 11)
        let x = (0..<n).map { Double($0 % 7) - 3.0 + 0.25 }
        let b = NT.naiveApply(a, x)
        let f = try CholeskyFactorization(a)
        let xh = f.solve(b)
        NT.assertBelow(NT.norm2(Vector.subtract(xh, x)), 10 * Double(n) * NT.eps * 100 * NT.norm2(x), "||x̂ − x||")
        // Matrix right-hand side, column by column.
        let bm = Matrix(rows: n, cols: 2) { i, j in j == 0 ? b[i] : 2 * b[i] }
        let xm = f.solve(bm)
        for i in 0..<n { NT.assertClose(xm[i, 1], 2 * x[i], tol: 10 * Double(n) * NT.eps * 100 * 2 * NT.norm2(x), "X[\(i),1]") }
        // A A⁻¹ = I to c·n·ε·κ.
        NT.assertBelow(NT.frobDiff(NT.naiveMul(a, f.inverse), .identity(n)), 10 * Double(n) * NT.eps * 100 * Double(n).squareRoot(), "||A A⁻¹ − I||")
    }

    func testLogDeterminantClosedForms() throws {
        // Diagonal: log det = Σ log d_i, with a product (10^±150 each) that would overflow/underflow.
        let d: [Double] = [1e150, 1e150, 1e150, 3, 1e-150, 0.5]
        let fd = try CholeskyFactorization(Matrix.diagonal(d))
        let expected = d.reduce(0) { $0 + log($1) }
        NT.assertClose(fd.logDeterminant, expected, tol: 16 * NT.eps * d.reduce(0) { $0 + abs(log($1)) }, "log det diag")

        // A = I + u uᵀ: det = 1 + |u|² (matrix determinant lemma). Perturbation theory:
        // |δ log det| ≤ ||A⁻¹||·||δA||·n ≤ c·n²·ε·κ with κ = 1 + |u|².
        var rng = RandomSource(seed: 5)
        let n = 20
        let u = rng.normalVector(n)
        let a = Matrix(rows: n, cols: n) { i, j in (i == j ? 1 : 0) + u[i] * u[j] }
        let uu = u.reduce(0) { $0 + $1 * $1 }
        let f = try CholeskyFactorization(a)
        NT.assertClose(f.logDeterminant, log1p(uu), tol: 10 * Double(n * n) * NT.eps * (1 + uu), "log det(I + uuᵀ)")
    }

    func testIndefiniteMatrixThrowsAndNamesThePivot() {
        // [[1, 2], [2, 1]]: pivot 0 is 1, pivot 1 is 1 − 2² = −3 (exact arithmetic).
        NT.assertThrows(.notPositiveDefinite(pivot: 1, value: -3), try cholesky(Matrix([[1, 2], [2, 1]])))
        // A leading 2x2 block that is SPD, then a third pivot 1 − (1 + 1) = −1.
        NT.assertThrows(.notPositiveDefinite(pivot: 2, value: -1),
                        try cholesky(Matrix([[1, 0, 1], [0, 1, 1], [1, 1, 1]])))
        // Singular positive semidefinite: the last pivot is exactly 0.
        NT.assertThrows(.notPositiveDefinite(pivot: 1, value: 0), try cholesky(Matrix([[1, 1], [1, 1]])))
        NT.assertThrows(.notPositiveDefinite(pivot: 0, value: -1), try cholesky(Matrix([[-1]])))
        // The message says which pivot failed.
        let message = LinearAlgebraError.notPositiveDefinite(pivot: 1, value: -3).description
        XCTAssert(message.contains("pivot 1"), message)
    }

    func testNonFiniteAndNonSquareInputThrow() {
        NT.assertThrows(.nonFiniteInput(routine: "Cholesky"), try cholesky(Matrix([[1, .nan], [.nan, 1]])))
        NT.assertThrows(.nonFiniteInput(routine: "Cholesky"), try cholesky(Matrix([[.infinity]])))
        NT.assertThrowsMatching(try cholesky(Matrix(rows: 2, cols: 3)), "dimension mismatch") {
            if case .dimensionMismatch = $0 { return true } else { return false }
        }
    }

    func testEmptyAndOneByOne() throws {
        let f0 = try CholeskyFactorization(Matrix(rows: 0, cols: 0))
        XCTAssertEqual(f0.l.count, 0)
        XCTAssertEqual(f0.logDeterminant, 0)           // det of the empty matrix is 1
        XCTAssertEqual(f0.solve([Double]()), [])
        let f1 = try CholeskyFactorization(Matrix([[4]]))
        XCTAssertEqual(f1.l, Matrix([[2]]))
        XCTAssertEqual(f1.solve([8]), [2])
        NT.assertClose(f1.logDeterminant, log(4), tol: 2 * NT.eps, "log det [[4]]")
    }

    func testHilbertEightHasSmallBackwardError() throws {
        // H₈ is SPD with κ₂ ≈ 1.5e10. Cholesky is backward stable regardless of κ:
        // ||H − LLᵀ|| ≤ c·n·ε·||H||, and the solve has a residual ||H x̂ − b|| ≤ c·n·ε·||H||·||x̂||,
        // while the forward error may be as large as n·ε·κ ≈ 3e-5.
        let n = 8
        let h = NT.hilbert(n)
        let f = try CholeskyFactorization(h)
        NT.assertBelow(NT.frobDiff(NT.naiveMul(f.l, NT.naiveTranspose(f.l)), h), 10 * Double(n) * NT.eps * NT.frob(h), "||H − LLᵀ||_F")
        let x = [Double](repeating: 1, count: n)
        let b = NT.naiveApply(h, x)
        let xh = f.solve(b)
        let residual = NT.norm2(Vector.subtract(NT.naiveApply(h, xh), b))
        NT.assertBelow(residual, 10 * Double(n) * NT.eps * NT.frob(h) * NT.norm2(xh), "||H x̂ − b||")
        NT.assertBelow(NT.norm2(Vector.subtract(xh, x)), 10 * Double(n) * NT.eps * 1.6e10 * NT.norm2(x), "||x̂ − x||")
    }
}

final class TriangularTests: XCTestCase {
    func testTriangularSolvesAgainstKnownSolutions() {
        // Entries are small integers and powers of two, so b = T x is exact and so is every solve.
        let l = Matrix([[2, 0, 0], [1, 4, 0], [-3, 2, 1]])
        let x = [1.0, -2, 3]
        XCTAssertEqual(Triangular.solveLower(l, NT.naiveApply(l, x)), x)
        let lt = NT.naiveTranspose(l)
        XCTAssertEqual(Triangular.solveUpper(lt, NT.naiveApply(lt, x)), x)
        XCTAssertEqual(Triangular.solveUpperTransposed(l, NT.naiveApply(lt, x)), x)
        var unit = l
        for i in 0..<3 { unit[i, i] = 1 }
        XCTAssertEqual(Triangular.solveLower(l, NT.naiveApply(unit, x), unitDiagonal: true), x)
    }
}

final class LUTests: XCTestCase {
    func testPermutedProductEqualsLUWithPartialPivotingProperties() throws {
        // Higham, Thm 9.3: the computed factors satisfy P A + ΔA = L U with |ΔA| ≤ γ_n |L||U|,
        // γ_n ≈ n·ε; the residual's own rounding adds as much again, hence 2·n·ε·|| |L||U| ||_F.
        for n in [1, 2, 7, 60] {
            let a = NT.gaussian(n, n, seed: 100 + UInt64(n))
            let f = try LUFactorization(a)
            let (l, u, order) = f.factors
            XCTAssertEqual(order.sorted(), Array(0..<n), "row order is a permutation")
            var pa = Matrix(rows: n, cols: n)
            for i in 0..<n { pa.setRow(i, a.row(order[i])) }
            for i in 0..<n {
                XCTAssertEqual(l[i, i], 1)
                for j in 0..<n {
                    if j > i { XCTAssertEqual(l[i, j], 0) }
                    if j < i { XCTAssertEqual(u[i, j], 0); XCTAssertLessThanOrEqual(abs(l[i, j]), 1, "partial pivoting bounds |l_ij| by 1") }
                }
            }
            let absLU = NT.naiveMul(l.map(abs), u.map(abs))
            NT.assertBelow(NT.frobDiff(NT.naiveMul(l, u), pa), 2 * Double(n) * NT.eps * NT.frob(absLU), "||PA − LU||_F, n = \(n)")
            // The sign is the parity of the row order.
            XCTAssertEqual(f.permutationSign, permutationParity(order))
        }
    }

    func testSolveRecoversKnownSolution() throws {
        // A = U diag(σ) Vᵀ with σ ∈ [1, 100]: κ₂ = 100, forward error ≤ c·n·ε·κ·||x||.
        let n = 50
        let sigma = (0..<n).map { pow(100, Double($0) / Double(n - 1)) }
        let a = NT.matrixWithSingularValues(sigma, rows: n, cols: n, seed: 21)
        let x = (0..<n).map { sin(Double($0)) }
        let b = NT.naiveApply(a, x)
        let xh = try solve(a, b)
        NT.assertBelow(NT.norm2(Vector.subtract(xh, x)), 10 * Double(n) * NT.eps * 100 * NT.norm2(x), "||x̂ − x||")
        let f = try LUFactorization(a)
        NT.assertBelow(NT.frobDiff(NT.naiveMul(a, f.inverse), .identity(n)), 10 * Double(n) * NT.eps * 100 * Double(n).squareRoot(), "||A A⁻¹ − I||")
        let xm = f.solve(Matrix.column(b))
        NT.assertBelow(NT.norm2(Vector.subtract(xm.storage, x)), 10 * Double(n) * NT.eps * 100 * NT.norm2(x), "matrix rhs")
    }

    func testDeterminantOfTriangularMatrixIsProductOfDiagonal() throws {
        // Powers of two on the diagonal: the product is exact. No row swaps are needed, so the
        // sign is +1 and det must be exactly 2·(−4)·0.5·8·(−0.25) = 8.
        let u = Matrix([[2, 3, -1, 5, 7], [0, -4, 2, 1, 1], [0, 0, 0.5, 3, 2], [0, 0, 0, 8, -6], [0, 0, 0, 0, -0.25]])
        XCTAssertEqual(try determinant(u), 8)
        // Lower triangular: partial pivoting now reorders rows and eliminates, so the product is
        // no longer exact; relative error ≤ c·n·ε·κ, κ₂(Uᵀ) ≈ 412 here.
        NT.assertClose(try determinant(NT.naiveTranspose(u)), 8, tol: 10 * 5 * NT.eps * 420 * 8, "det Uᵀ")
        XCTAssertEqual(try determinant(Matrix.identity(6)), 1)
        XCTAssertEqual(try determinant(Matrix(rows: 0, cols: 0)), 1)   // empty product
        XCTAssertEqual(try determinant(Matrix([[-3]])), -3)
    }

    func testDeterminantOfPermutationMatricesIsTheirSign() throws {
        var rng = RandomSource(seed: 77)
        for n in [2, 3, 5, 8, 13] {
            for _ in 0..<5 {
                let p = rng.permutation(n)
                let m = Matrix(rows: n, cols: n) { i, j in p[i] == j ? 1 : 0 }
                XCTAssertEqual(try determinant(m), permutationParity(p), "permutation \(p)")
            }
        }
        // A single transposition and a 5-cycle.
        XCTAssertEqual(try determinant(Matrix([[0, 1], [1, 0]])), -1)
        XCTAssertEqual(try determinant(Matrix(rows: 5, cols: 5) { i, j in (i + 1) % 5 == j ? 1 : 0 }), 1)
    }

    func testVandermondeDeterminant() throws {
        // det V = Π_{i<j} (x_j − x_i) = −126.5625 for these nodes (exact in binary).
        // κ₂(V) ≈ 6.1e3, so the relative error is ≤ c·n·ε·κ.
        let x: [Double] = [0.5, 1, 1.5, 2, 3, -1]
        let n = x.count
        let v = Matrix(rows: n, cols: n) { i, j in pow(x[i], Double(j)) }
        var expected = 1.0
        for i in 0..<n { for j in (i + 1)..<n { expected *= x[j] - x[i] } }
        XCTAssertEqual(expected, -126.5625)
        NT.assertClose(try determinant(v), expected, tol: 10 * Double(n) * NT.eps * 6.2e3 * abs(expected), "det Vandermonde")
        let f = try LUFactorization(v)
        XCTAssertEqual(f.determinantSign, -1)
        NT.assertClose(f.logAbsDeterminant, log(126.5625), tol: 10 * Double(n) * NT.eps * 6.2e3, "log|det V|")
    }

    func testLogAbsDeterminantWhereDeterminantOverflows() throws {
        // A = c·Q₁ diag(s) Q₂ with Householder products Q₁ (7 reflectors) and Q₂ (4 reflectors):
        // |det A| = cⁿ Π s_i and sign = (−1)^(7+4) = −1. With c = 1e150 and n = 10, det ≈ 1e1500.
        let n = 10, c = 1e150
        let s = (0..<n).map { 1 + Double($0) }
        let q1 = NT.householderOrthogonal(n, seed: 31, count: 7), q2 = NT.householderOrthogonal(n, seed: 32, count: 4)
        var a = NT.naiveMul(q1, Matrix.diagonal(s.map { c * $0 }))
        a = NT.naiveMul(a, q2)
        let f = try LUFactorization(a)
        XCTAssertFalse(f.determinant.isFinite, "the plain determinant overflows (that is why log|det| exists)")
        let expected = Double(n) * log(c) + s.reduce(0) { $0 + log($1) }
        // κ(A) = 10; |δ log|det|| ≤ n·||A⁻¹||·||δA|| ≤ c·n²·ε·κ.
        NT.assertClose(f.logAbsDeterminant, expected, tol: 10 * Double(n * n) * NT.eps * 10, "log|det A|")
        XCTAssertEqual(f.determinantSign, -1)
    }

    func testSingularMatrixThrows() throws {
        // Exactly zero pivots (4 − 2·2 = 0 in floating point): singular in either mode.
        NT.assertThrows(.singular(pivot: 1), try LUFactorization(Matrix([[1, 2], [2, 4]])))
        NT.assertThrows(.singular(pivot: 1), try LUFactorization(Matrix([[1, 2], [2, 4]]), singularTolerance: .strict))
        // Third row = first + second: the last pivot is zero up to rounding. The strict mode calls
        // that singular; LAPACK's semantics (the default) factor it, with a tiny last pivot and a
        // reciprocal condition estimate at rounding level.
        let a = Matrix([[1, 2, 3], [4, 5, 6], [5, 7, 9]])
        NT.assertThrows(.singular(pivot: 2), try LUFactorization(a, singularTolerance: .strict))
        if let f = try? LUFactorization(a) {
            NT.assertBelow(abs(f.lu[2, 2]), 10 * 3 * NT.eps * 9, "the rounding-level last pivot")
            NT.assertBelow(f.reciprocalCondition, 10 * 3 * NT.eps, "rcond of a matrix singular to rounding")
        }
        // det A = 0; the computed one is the exact determinant of A + ΔA, |ΔA| ≤ c·n·ε|L||U|.
        NT.assertBelow(abs(try determinant(a)), 10 * 3 * NT.eps * 9 * 9 * 9, "|det| of a singular matrix")
        NT.assertThrows(.singular(pivot: 0), try LUFactorization(Matrix(rows: 3, cols: 3)))
        NT.assertThrows(.singular(pivot: 0), try solve(Matrix([[0, 1], [0, 1]]), [1, 1]))   // column 0 is zero
        NT.assertThrows(.nonFiniteInput(routine: "LU"), try LUFactorization(Matrix([[1, .nan], [0, 1]])))
    }

    func testBadlyScaledButRegularMatrixIsNotSingular() throws {
        // diag(1e20, 1) is perfectly conditioned column by column: LU must not call it singular.
        let f = try LUFactorization(Matrix([[1e20, 0], [0, 1]]))
        XCTAssertEqual(f.determinant, 1e20)
        XCTAssertEqual(f.solve([1e20, 3]), [1, 3])
    }

    func testSolveNeedsPivoting() throws {
        // A zero in the (0,0) position: without row exchanges LU breaks down.
        let a = Matrix([[0, 1], [1, 0]])
        XCTAssertEqual(try solve(a, [2, 3]), [3, 2])
        // A tiny (0,0) entry: without pivoting the growth factor is 1e20 and the answer is garbage.
        let b = Matrix([[1e-20, 1], [1, 1]])
        let x = try solve(b, [1, 2])     // exact solution ≈ (1, 1)
        NT.assertClose(x[0], 1, tol: 4 * NT.eps, "x0")
        NT.assertClose(x[1], 1, tol: 4 * NT.eps, "x1")
    }

    /// The sign of a permutation given as a list of images, by counting cycles.
    func permutationParity(_ p: [Int]) -> Double {
        var seen = [Bool](repeating: false, count: p.count)
        var sign = 1.0
        for i in 0..<p.count where !seen[i] {
            var j = i, length = 0
            while !seen[j] { seen[j] = true; j = p[j]; length += 1 }
            if length % 2 == 0 { sign = -sign }
        }
        return sign
    }
}

final class QRTests: XCTestCase {
    /// Checks A = QR, QᵀQ = I and R upper triangular with the shapes of the thin factorization.
    /// Householder QR is columnwise backward stable (Higham, Thm 19.4): ||Δa_j|| ≤ γ̃_{mn}||a_j||,
    /// γ̃_{mn} ≈ c·m·n·ε; we use c = 1 on ||A||_F (a residual of O(√ε) or O(1) indicates a bug).
    func checkQR(_ a: Matrix, _ label: String) throws {
        let (m, n) = (a.rows, a.cols), k = min(m, n)
        let (q, r) = try qr(a)
        XCTAssertEqual(q.rows, m, label); XCTAssertEqual(q.cols, k, label)
        XCTAssertEqual(r.rows, k, label); XCTAssertEqual(r.cols, n, label)
        for i in 0..<k { for j in 0..<min(i, n) { XCTAssertEqual(r[i, j], 0, "\(label): R[\(i),\(j)]") } }
        let scale = Double(max(m * n, 1)) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(q, r), a), scale * max(NT.frob(a), 1e-300), "\(label): ||A − QR||_F")
        NT.assertBelow(NT.orthogonalityError(q), scale, "\(label): ||QᵀQ − I||_F")
    }

    func testTallSquareAndWide() throws {
        try checkQR(NT.gaussian(40, 15, seed: 1), "tall 40x15")
        try checkQR(NT.gaussian(20, 20, seed: 2), "square 20x20")
        try checkQR(NT.gaussian(8, 13, seed: 3), "wide 8x13")
        try checkQR(NT.gaussian(1, 5, seed: 4), "row 1x5")
        try checkQR(NT.gaussian(5, 1, seed: 5), "column 5x1")
        try checkQR(Matrix([[-3]]), "1x1")
    }

    func testRankDeficientAndDegenerateInputs() throws {
        // Columns 3 = 0 + 1, column 5 = 0, column 4 = 2·column 2.
        var a = NT.gaussian(10, 6, seed: 6)
        for i in 0..<10 { a[i, 3] = a[i, 0] + a[i, 1]; a[i, 5] = 0; a[i, 4] = 2 * a[i, 2] }
        try checkQR(a, "rank-deficient 10x6")
        try checkQR(Matrix(rows: 6, cols: 4), "zero 6x4")
        // Already upper triangular (every reflector is trivial in exact arithmetic).
        try checkQR(Matrix([[2, 1, 1], [0, -3, 1], [0, 0, 4]]), "triangular")
        let (q0, r0) = try qr(Matrix(rows: 0, cols: 3))
        XCTAssertEqual(q0.count, 0); XCTAssertEqual(r0.count, 0)
        NT.assertThrows(.nonFiniteInput(routine: "QR"), try qr(Matrix([[.nan]])))
    }

    func testApplyQTransposedMatchesExplicitQ() throws {
        let a = NT.gaussian(12, 12, seed: 8)
        let f = try QRFactorization(a)
        let b = (0..<12).map { Double($0) - 5.5 }
        let qtb = NT.naiveApply(NT.naiveTranspose(f.q), b)
        NT.assertBelow(NT.norm2(Vector.subtract(f.applyQTransposed(b), qtb)), 10 * 144 * NT.eps * NT.norm2(b), "||Qᵀb − Qᵀb||")
    }

    func testLeastSquaresAgainstClosedForm() throws {
        // A = U diag(σ) Vᵀ (30x5, σ ∈ [1, 10]) so that x* = V diag(1/σ) Uᵀ b is known in closed
        // form: it is the solution of the normal equations AᵀA x = Aᵀb. Sensitivity (Wedin):
        // ||δx||/||x|| ≲ c·m·n·ε·(κ + κ²·||r||/(||A||·||x||)), κ = 10.
        let (m, n) = (30, 5)
        let sigma: [Double] = [10, 6, 3, 2, 1]
        let u = NT.householderOrthogonal(m, seed: 40), v = NT.householderOrthogonal(n, seed: 41)
        var a = Matrix(rows: m, cols: n)
        for i in 0..<m { for j in 0..<n { a[i, j] = (0..<n).reduce(0.0) { $0 + u[i, $1] * sigma[$1] * v[j, $1] } } }
        let b = (0..<m).map { cos(Double($0)) }
        let utb = NT.naiveApply(NT.naiveTranspose(leading(u, n)), b)
        let xStar = NT.naiveApply(v, (0..<n).map { utb[$0] / sigma[$0] })
        let x = try leastSquares(a, b)
        let r = Vector.subtract(b, NT.naiveApply(a, x))
        let kappa = 10.0
        let bound = Double(m * n) * NT.eps * (kappa + kappa * kappa * NT.norm2(r) / (sigma[0] * NT.norm2(xStar)))
        NT.assertBelow(NT.norm2(Vector.subtract(x, xStar)) / NT.norm2(xStar), bound, "relative error vs closed form")
        // The normal equations: the residual is orthogonal to range(A).
        NT.assertBelow(NT.norm2(NT.naiveApply(NT.naiveTranspose(a), r)), Double(m * n) * NT.eps * sigma[0] * NT.norm2(b), "||Aᵀ r||")
    }

    func testLeastSquaresOfConsistentSystemIsExact() throws {
        let (m, n) = (25, 6)
        let sigma: [Double] = [8, 5, 4, 2, 1.5, 1]
        let a = NT.matrixWithSingularValues(sigma, rows: m, cols: n, seed: 44)
        let xTrue = [1.0, -2, 3, -4, 5, -6]
        let x = try leastSquares(a, NT.naiveApply(a, xTrue))
        NT.assertBelow(NT.norm2(Vector.subtract(x, xTrue)), Double(m * n) * NT.eps * 8 * NT.norm2(xTrue), "consistent system, κ = 8")
        // Square and nonsingular: least squares is the solution.
        let sq = NT.matrixWithSingularValues([3, 2, 1], rows: 3, cols: 3, seed: 45)
        let xs = try leastSquares(sq, NT.naiveApply(sq, [1, 2, 3]))
        NT.assertBelow(NT.norm2(Vector.subtract(xs, [1, 2, 3])), 9 * 10 * NT.eps * 3 * 14.0.squareRoot(), "square")
    }

    func testPolynomialFitRecoversExactCoefficients() throws {
        // y = 1 − 2t + 0.5t² + 3t³ sampled at t = 0, 0.1, …, 2: the residual is zero, so the
        // coefficients come back to c·m·n·ε·κ(V); κ₂(V) ≈ 93 for this 21x4 Vandermonde matrix.
        let t = (0...20).map { Double($0) / 10 }
        let coefficients = [1.0, -2, 0.5, 3]
        let v = Matrix(rows: t.count, cols: 4) { i, j in pow(t[i], Double(j)) }
        let y = t.map { s in coefficients.enumerated().reduce(0.0) { $0 + $1.element * pow(s, Double($1.offset)) } }
        let c = try leastSquares(v, y)
        for j in 0..<4 {
            NT.assertClose(c[j], coefficients[j], tol: Double(21 * 4) * NT.eps * 100 * NT.norm2(coefficients), "coefficient \(j)")
        }
    }

    func testLeastSquaresRefusals() {
        NT.assertThrowsMatching(try leastSquares(NT.gaussian(3, 5, seed: 1), [1, 2, 3]), "wide") {
            if case .dimensionMismatch = $0 { return true } else { return false }
        }
        var a = NT.gaussian(8, 3, seed: 2)
        for i in 0..<8 { a[i, 2] = a[i, 0] - a[i, 1] }
        NT.assertThrows(.singular(pivot: 2), try leastSquares(a, [Double](repeating: 1, count: 8)))
    }

    func leading(_ q: Matrix, _ k: Int) -> Matrix { NT.leadingColumns(q, k) }
}
