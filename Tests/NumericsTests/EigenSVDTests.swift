import XCTest
@testable import Numerics

// Tolerances: Householder tridiagonalization + implicit QL, and one-sided Jacobi, are backward
// stable: the computed decomposition is exact for A + ΔA with ||ΔA|| ≤ c·n·ε·||A||. By Weyl's
// theorem every eigenvalue (singular value) is then within ||ΔA||₂ of the true one, and the
// residual ||AV − VΛ|| is of the same order. We use c = 10 on Frobenius norms throughout
// (a bug gives an O(1) residual, or O(√ε) for a wrong convergence test).

final class SymmetricEigenTests: XCTestCase {
    func checkDecomposition(_ a: Matrix, _ e: SymmetricEigen, _ label: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let n = a.rows
        XCTAssertEqual(e.values.count, n, label, file: file, line: line)
        XCTAssertEqual(e.vectors.rows, n, label, file: file, line: line)
        XCTAssertEqual(e.vectors.cols, n, label, file: file, line: line)
        for i in 0..<max(n - 1, 0) {
            XCTAssertLessThanOrEqual(e.values[i], e.values[i + 1], "\(label): ascending", file: file, line: line)
        }
        var vl = e.vectors
        for i in 0..<n { for j in 0..<n { vl[i, j] *= e.values[j] } }
        let bound = 10 * Double(max(n, 1)) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(a, e.vectors), vl), bound * NT.frob(a), "\(label): ||AV − VΛ||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(e.vectors), bound, "\(label): ||VᵀV − I||_F", file: file, line: line)
    }

    func testRandomSymmetricResidualAndOrthogonality() throws {
        for n in [2, 3, 10, 41] {
            let g = NT.gaussian(n, n, seed: 200 + UInt64(n))
            let a = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
            checkDecomposition(a, try symmetricEigen(a), "random n = \(n)")
        }
    }

    func testLargeRandomSymmetric() throws {
        let n = 300
        let g = NT.gaussian(n, n, seed: 300)
        let a = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
        let e = try symmetricEigen(a)
        checkDecomposition(a, e, "random n = 300")
        // Invariants of the spectrum: Σλ = tr A and Σλ² = ||A||_F².
        NT.assertClose(e.values.reduce(0, +), a.trace, tol: 10 * Double(n) * NT.eps * NT.frob(a) * Double(n).squareRoot(), "Σλ = tr A")
        let f2 = NT.frob(a) * NT.frob(a)
        NT.assertClose(e.values.reduce(0) { $0 + $1 * $1 }, f2, tol: 20 * Double(n) * NT.eps * f2, "Σλ² = ||A||_F²")
    }

    /// Divide and conquer (n > TridiagonalDC.leafSize) on the cases that exercise its deflation:
    /// repeated eigenvalues (weights deflate), tight clusters (close poles rotate together), a
    /// decoupled tridiagonal (β = 0 at a split), grading, and singular PSD matrices. Each is
    /// checked for residual and orthogonality, and its eigenvalues against the values-only path,
    /// which is an independent algorithm (implicit QL) on the same tridiagonal.
    func testDivideAndConquerHardCases() throws {
        for n in [33, 64, 150, 257] {
            var cases: [(String, Matrix)] = []
            let g = NT.gaussian(n, n, seed: 900 + UInt64(n))
            cases.append(("random", Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }))
            let low = NT.gaussian(n, 5, seed: 950 + UInt64(n))
            cases.append(("rank 5 PSD", NT.naiveMul(low, NT.naiveTranspose(low))))
            cases.append(("three eigenvalues", NT.symmetricWithSpectrum((0..<n).map { Double($0 % 3) * 2 - 1 }, seed: UInt64(n))))
            cases.append(("cluster 1e-13", NT.symmetricWithSpectrum((0..<n).map { 1 + Double($0 % 4) * 1e-13 }, seed: UInt64(n) + 1)))
            cases.append(("identity", Matrix.identity(n)))
            cases.append(("decoupled tridiagonal", Matrix(rows: n, cols: n) { i, j in
                i == j ? Double(i % 7) : (abs(i - j) == 1 && min(i, j) != n / 2 - 1 ? 1 : 0) }))
            cases.append(("Wilkinson", Matrix(rows: n, cols: n) { i, j in i == j ? Double(abs(i - n / 2)) : (abs(i - j) == 1 ? 1 : 0) }))
            cases.append(("graded", Matrix(rows: n, cols: n) { i, j in (i == j ? 1 : 0.3 * g[min(i, j), max(i, j)]) * pow(2, -Double(i + j) / 8) }))
            for (label, a) in cases {
                let e = try symmetricEigen(a)
                checkDecomposition(a, e, "\(label), n = \(n)")
                let only = try symmetricEigenvalues(a)
                let tol = 10 * Double(n) * NT.eps * NT.frob(a)
                for i in 0..<n { NT.assertClose(e.values[i], only[i], tol: tol, "\(label), n = \(n): λ\(i) D&C vs QL") }
            }
        }
    }

    /// Implicit QL once gave up ("did not converge in 60 iterations") on the numerically zero
    /// eigenvalues of a singular PSD matrix (found with a rank-5 matrix of order 64: it crept
    /// towards an eigenvalue of 5e-17 whose coupling 1e-19 was never small *relative* to it).
    /// These are matrices of the same kind; not every one of them tripped the old test.
    func testEigenvaluesOfSingularPSDMatricesConverge() throws {
        for (n, rank) in [(64, 5), (100, 3), (200, 10), (64, 1)] {
            for seed in 0..<4 as Range<UInt64> {
                let low = NT.gaussian(n, rank, seed: 7000 + seed * 31 + UInt64(n))
                let a = NT.naiveMul(low, NT.naiveTranspose(low))
                let values = try symmetricEigenvalues(a)
                let tol = 10 * Double(n) * NT.eps * NT.frob(a)
                for i in 0..<(n - rank) { NT.assertClose(values[i], 0, tol: tol, "n = \(n), rank \(rank): λ\(i) = 0") }
                NT.assertClose(values.reduce(0, +), a.trace, tol: tol * Double(n).squareRoot(), "Σλ = tr A")
            }
        }
    }

    func testEigenvaluesOnlyPathAgreesWithFullPath() throws {
        let n = 60
        let g = NT.gaussian(n, n, seed: 60)
        let a = Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
        let full = try symmetricEigen(a).values
        let only = try symmetricEigenvalues(a)
        XCTAssertEqual(only.count, n)
        let scale = full.map(abs).max()!
        for i in 0..<n { NT.assertClose(only[i], full[i], tol: 1e-12 * scale, "λ\(i)") }
        XCTAssertEqual(try SymmetricEigen(a, computeVectors: false).vectors.count, 0)
    }

    func testSecondDifferenceMatrixClosedForm() throws {
        // tridiag(−1, 2, −1) of order n has λ_k = 2 − 2cos(kπ/(n+1)), k = 1…n, eigenvectors
        // v_k(j) ∝ sin(jkπ/(n+1)). ||A||₂ < 4.
        for n in [1, 2, 5, 20, 64] {
            let a = Matrix(rows: n, cols: n) { i, j in i == j ? 2 : (abs(i - j) == 1 ? -1 : 0) }
            let e = try symmetricEigen(a)
            checkDecomposition(a, e, "second difference n = \(n)")
            for k in 1...n {
                let exact = 2 - 2 * cos(Double(k) * Double.pi / Double(n + 1))
                NT.assertClose(e.values[k - 1], exact, tol: 10 * Double(n) * NT.eps * 4, "n = \(n), λ\(k)")
            }
            // The eigenvector of the smallest eigenvalue, up to sign.
            let v = e.vectors.column(0)
            let exact = (1...n).map { sin(Double($0) * Double.pi / Double(n + 1)) }
            let en = NT.norm2(exact)
            let sign = v[0] * exact[0] >= 0 ? 1.0 : -1.0
            // Eigenvector error ≤ ||ΔA||/gap, gap = λ₂ − λ₁.
            let gap = n > 1 ? 2 * cos(Double.pi / Double(n + 1)) - 2 * cos(2 * Double.pi / Double(n + 1)) : 1
            NT.assertBelow(NT.norm2((0..<n).map { sign * v[$0] - exact[$0] / en }), 10 * Double(n) * NT.eps * 4 * 2 / gap, "n = \(n): v₁")
        }
    }

    func testRepeatedEigenvalues() throws {
        // A = Q diag(1,1,1,5,5) Qᵀ. The eigenvectors of a repeated eigenvalue are not unique, but
        // the spectral projector onto each eigenspace is: compare V₁V₁ᵀ with Q₁Q₁ᵀ. Projector
        // error ≤ ||ΔA||/gap with gap = 4.
        let lambda: [Double] = [1, 5, 1, 5, 1]
        let q = NT.householderOrthogonal(5, seed: 7)
        let a = NT.symmetricWithSpectrum(lambda, seed: 7)
        let e = try symmetricEigen(a)
        checkDecomposition(a, e, "repeated")
        for (i, exact) in [1.0, 1, 1, 5, 5].enumerated() { NT.assertClose(e.values[i], exact, tol: 10 * 5 * NT.eps * 5 * 5.0.squareRoot(), "λ\(i)") }
        var q1 = Matrix(rows: 5, cols: 3)
        for (c, k) in [0, 2, 4].enumerated() { q1.setColumn(c, q.column(k)) }
        let v1 = NT.leadingColumns(e.vectors, 3)
        let p = NT.naiveMul(v1, NT.naiveTranspose(v1)), pExact = NT.naiveMul(q1, NT.naiveTranspose(q1))
        NT.assertBelow(NT.frobDiff(p, pExact), 10 * 5 * NT.eps * NT.frob(a) / 4 * 2, "projector onto the λ = 1 eigenspace")
    }

    func testRankOneMatrix() throws {
        // u uᵀ has eigenvalues 0 (n − 1 times) and |u|², with eigenvector ±u/|u|.
        var rng = RandomSource(seed: 13)
        let n = 12
        let u = rng.normalVector(n)
        let a = Matrix(rows: n, cols: n) { i, j in u[i] * u[j] }
        let uu = u.reduce(0) { $0 + $1 * $1 }
        let e = try symmetricEigen(a)
        checkDecomposition(a, e, "rank one")
        let tol = 10 * Double(n) * NT.eps * uu
        for i in 0..<(n - 1) { NT.assertClose(e.values[i], 0, tol: tol, "λ\(i)") }
        NT.assertClose(e.values[n - 1], uu, tol: tol, "λmax = |u|²")
        let v = e.vectors.column(n - 1)
        let cosine = abs(Vector.dot(v, u)) / uu.squareRoot()
        NT.assertClose(cosine, 1, tol: 10 * Double(n) * NT.eps, "top eigenvector ∥ u")
    }

    func testDiagonalMatrixIsReturnedExactly() throws {
        // Nothing to reduce or iterate on: values are the sorted diagonal, vectors a permutation.
        let d: [Double] = [3, -1, 7, 0, -1e-3, 2]
        let e = try symmetricEigen(Matrix.diagonal(d))
        XCTAssertEqual(e.values, d.sorted())
        for (col, value) in e.values.enumerated() {
            let src = d.firstIndex(of: value)!
            for i in 0..<d.count { XCTAssertEqual(abs(e.vectors[i, col]), i == src ? 1 : 0) }
        }
    }

    func testTinyAndEmpty() throws {
        let e1 = try symmetricEigen(Matrix([[-4.5]]))
        XCTAssertEqual(e1.values, [-4.5])
        XCTAssertEqual(abs(e1.vectors[0, 0]), 1)
        let e0 = try symmetricEigen(Matrix(rows: 0, cols: 0))
        XCTAssertEqual(e0.values, [])
        XCTAssertEqual(e0.vectors.count, 0)
        // 2x2 closed form: [[a, b], [b, a]] has a ± b.
        let e2 = try symmetricEigen(Matrix([[2, 3], [3, 2]]))
        NT.assertClose(e2.values[0], -1, tol: 10 * NT.eps * 5, "2x2 λ₁")
        NT.assertClose(e2.values[1], 5, tol: 10 * NT.eps * 5, "2x2 λ₂")
    }

    func testGradedMatrixLargeEigenvaluesAreRelativelyAccurate() throws {
        // A = D M D with D = diag(1e5, 1e3, …, 1e-5): entries span 1e10 … 1e-10. The reference
        // eigenvalues are those of this exact double matrix, computed by mpmath.eigsy at 50
        // digits (an independent implementation). The normwise bound |δλ| ≤ c·n·ε·||A|| holds for
        // every eigenvalue and gives relative accuracy c·n·ε·||A||/|λ| for the large ones.
        let dScale: [Double] = [1e5, 1e3, 1e1, 1e-1, 1e-3, 1e-5]
        let n = 6
        var a = Matrix(rows: n, cols: n)
        for i in 0..<n {
            for j in i..<n {
                let m = i == j ? 2.0 : 1.0 / Double(i + j + 2)
                let v = (dScale[i] * m) * dScale[j]
                a[i, j] = v; a[j, i] = v
            }
        }
        let reference: [Double] = [1.9758402298847007537e-10, 1.9713363615765799645e-6, 0.019650031920839576618,
                                   195.585643109443478, 1944440.332140573485, 20000055564.082566314]
        let e = try symmetricEigen(a)
        checkDecomposition(a, e, "graded")
        let normA = NT.frob(a)
        for i in 0..<n {
            NT.assertClose(e.values[i], reference[i], tol: 10 * Double(n) * NT.eps * normA, "graded λ\(i) (normwise)")
        }
        // The two largest: relative error well below 1e-9.
        for i in [4, 5] {
            NT.assertBelow(abs(e.values[i] - reference[i]) / reference[i], 10 * Double(n) * NT.eps * normA / reference[i], "graded λ\(i) relative")
        }
        NT.assertBelow(abs(e.values[5] - reference[5]) / reference[5], 1e-14, "graded λmax relative")
    }

    func testWilkinsonMatrixWithNearlyEqualEigenvaluePairs() throws {
        // W₂₁⁺ = tridiag(1, |10 − i|, 1): its eigenvalues come in pairs that agree to ~7e-14 at the
        // top. Reference: mpmath.eigsy at 50 digits. Normwise bound c·n·ε·||W||.
        let n = 21
        let w = Matrix(rows: n, cols: n) { i, j in i == j ? Double(abs(10 - i)) : (abs(i - j) == 1 ? 1 : 0) }
        let reference: [Double] = [-1.1254415221199842223, 0.25380581709667816771, 0.94753436752929327885, 1.789321352695081406,
                                   2.1302092193625059945, 2.9610588841857266916, 3.0430992925788237393, 3.9960482013836250307,
                                   4.0043540234408567351, 4.99978247774290186, 5.0002444250019130081, 6.00021752225709814,
                                   6.0002340315841670166, 7.0039517986163749693, 7.0039522095286756738, 8.0389411158142733084,
                                   8.0389411228290232363, 9.210678647304918594, 9.2106786473613321079, 10.746194182903321832,
                                   10.746194182903393432]
        let e = try symmetricEigen(w)
        checkDecomposition(w, e, "Wilkinson W21+")
        for i in 0..<n { NT.assertClose(e.values[i], reference[i], tol: 10 * Double(n) * NT.eps * NT.frob(w), "W21+ λ\(i)") }
    }

    func testStructuredHardCases() throws {
        // Graded the other way (tiny top-left, huge bottom-right), a matrix with a zero row and
        // column, a tridiagonal with off-diagonals far below ε (already converged), and an arrow.
        let n = 8
        let graded = Matrix(rows: n, cols: n) { i, j in pow(10, Double(i + j) - 7) * (i == j ? 2 : 1) }
        var zeroRow = NT.symmetricWithSpectrum([1, 2, 3, 4, 5, 6, 7, 8], seed: 3)
        for k in 0..<n { zeroRow[3, k] = 0; zeroRow[k, 3] = 0 }
        let tinyOff = Matrix(rows: n, cols: n) { i, j in i == j ? Double(i) : (abs(i - j) == 1 ? 1e-300 : 0) }
        let arrow = Matrix(rows: n, cols: n) { i, j in i == j ? Double(i + 1) : (i == 0 || j == 0 ? 1 : 0) }
        for (a, label) in [(graded, "reverse graded"), (zeroRow, "zero row"), (tinyOff, "tiny off-diagonal"), (arrow, "arrow")] {
            let e = try symmetricEigen(a)
            checkDecomposition(a, e, label)
            let f2 = NT.frob(a) * NT.frob(a)
            NT.assertClose(e.values.reduce(0) { $0 + $1 * $1 }, f2, tol: 20 * Double(n) * NT.eps * f2, "\(label): Σλ² = ||A||_F²")
        }
        XCTAssert(try symmetricEigenvalues(zeroRow).contains(0) || (try symmetricEigenvalues(zeroRow).contains { abs($0) <= 10 * 8 * NT.eps * 8 }))
    }

    func testNonSymmetricInputIsSymmetrized() throws {
        // The solver works on (A + Aᵀ)/2 (documented): a skew part must not change the result.
        let s = NT.symmetricWithSpectrum([1, 2, 4, 8], seed: 4)
        let k = Matrix(rows: 4, cols: 4) { i, j in Double(i - j) }       // skew-symmetric
        let e = try symmetricEigen(s + k), f = try symmetricEigen(s)
        for i in 0..<4 { NT.assertClose(e.values[i], f.values[i], tol: 10 * 4 * NT.eps * 8, "λ\(i)") }
    }

    func testExtremeScalesNeitherOverflowNorUnderflow() throws {
        // λ(2ᵏA) = 2ᵏλ(A) exactly in real arithmetic, and scaling by a power of two is exact in
        // floating point; entries near 2^±600 have squares outside the double range.
        let a = NT.symmetricWithSpectrum([-3, -1, 0.5, 2, 4, 7, 9], seed: 17)
        let base = try symmetricEigenvalues(a)
        for k in [600.0, -600.0] {
            let s = pow(2.0, k)
            let e = try symmetricEigen(a * s)
            for i in 0..<7 { NT.assertClose(e.values[i] / s, base[i], tol: 10 * 7 * NT.eps * 9 * 7.0.squareRoot(), "2^\(k): λ\(i)") }
            NT.assertBelow(NT.orthogonalityError(e.vectors), 10 * 7 * NT.eps, "2^\(k): ||VᵀV − I||")
        }
        // The same through divide and conquer (n > TridiagonalDC.leafSize).
        let spectrum = (0..<70).map { Double($0 % 10) - 4.5 }
        let big = NT.symmetricWithSpectrum(spectrum, seed: 18)
        let bigBase = try symmetricEigenvalues(big)
        for k in [600.0, -600.0] {
            let s = pow(2.0, k)
            let e = try symmetricEigen(big * s)
            for i in 0..<70 { NT.assertClose(e.values[i] / s, bigBase[i], tol: 10 * 70 * NT.eps * 4.5 * 70.0.squareRoot(), "n = 70, 2^\(k): λ\(i)") }
            NT.assertBelow(NT.orthogonalityError(e.vectors), 10 * 70 * NT.eps, "n = 70, 2^\(k): ||VᵀV − I||")
        }
    }

    func testRefusals() {
        NT.assertThrows(.nonFiniteInput(routine: "symmetric eigensolver"), try symmetricEigen(Matrix([[1, .nan], [.nan, 1]])))
        NT.assertThrows(.nonFiniteInput(routine: "symmetric eigensolver"), try symmetricEigenvalues(Matrix([[.infinity]])))
        NT.assertThrowsMatching(try symmetricEigen(Matrix(rows: 2, cols: 3)), "dimension mismatch") {
            if case .dimensionMismatch = $0 { return true } else { return false }
        }
    }
}

final class SVDTests: XCTestCase {
    /// The divide-and-conquer solvers' work arrays come from a heap that glibc keeps (`MemoryTuning`):
    /// in force after the first decomposition, and the results are those of the untuned allocator
    /// (the reports, computed with it, are byte-identical to the ones computed before it).
    func testMemoryTuningIsInForceOnGlibc() throws {
        _ = try SymmetricEigen(NT.hilbert(4))
        #if canImport(Glibc)
        XCTAssertTrue(MemoryTuning.applied, "mallopt was found and accepted both settings")
        #endif
    }

    func checkSVD(_ a: Matrix, _ s: SVD, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let (m, n) = (a.rows, a.cols), p = min(m, n)
        XCTAssertEqual(s.u.rows, m, label, file: file, line: line); XCTAssertEqual(s.u.cols, p, label, file: file, line: line)
        XCTAssertEqual(s.v.rows, n, label, file: file, line: line); XCTAssertEqual(s.v.cols, p, label, file: file, line: line)
        XCTAssertEqual(s.singularValues.count, p, label, file: file, line: line)
        for i in 0..<p { XCTAssertGreaterThanOrEqual(s.singularValues[i], 0, "\(label): σ ≥ 0", file: file, line: line) }
        for i in 0..<max(p - 1, 0) {
            XCTAssertGreaterThanOrEqual(s.singularValues[i], s.singularValues[i + 1], "\(label): descending", file: file, line: line)
        }
        var us = s.u
        for i in 0..<m { for j in 0..<p { us[i, j] *= s.singularValues[j] } }
        let bound = 10 * Double(max(m, n, 1)) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(us, NT.naiveTranspose(s.v)), a), bound * NT.frob(a), "\(label): ||A − UΣVᵀ||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(s.u), bound, "\(label): ||UᵀU − I||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(s.v), bound, "\(label): ||VᵀV − I||_F", file: file, line: line)
    }

    func testShapes() throws {
        // 40x10 goes through the QR reduction, 12x10 straight to Jacobi, 10x25 through the transpose.
        for (m, n) in [(40, 10), (12, 10), (20, 20), (10, 25), (1, 6), (6, 1), (3, 2)] {
            let a = NT.gaussian(m, n, seed: UInt64(1000 + 31 * m + n))
            checkSVD(a, try svd(a), "\(m)x\(n)")
        }
    }

    func testKnownSingularValues() throws {
        // A = U diag(σ) Vᵀ: Weyl gives |σ̂_i − σ_i| ≤ ||ΔA||₂ ≤ c·n·ε·||A||.
        let sigma: [Double] = [10, 5, 3, 1, 0.1, 1e-3, 1e-6]
        for (m, n) in [(7, 7), (9, 7), (15, 7), (7, 12)] {
            let a = NT.matrixWithSingularValues(sigma, rows: m, cols: n, seed: UInt64(m * 100 + n))
            let s = try svd(a)
            checkSVD(a, s, "known σ \(m)x\(n)")
            for i in 0..<7 { NT.assertClose(s.singularValues[i], sigma[i], tol: 10 * Double(max(m, n)) * NT.eps * 10, "\(m)x\(n) σ\(i)") }
            for i in 7..<min(m, n) { NT.assertClose(s.singularValues[i], 0, tol: 10 * Double(max(m, n)) * NT.eps * 10, "\(m)x\(n) σ\(i)") }
        }
    }

    func testRankDeficient() throws {
        // A = 3·u₁v₁ᵀ + 2·u₂v₂ᵀ (7x5, orthonormal u's and v's): σ = (3, 2, 0, 0, 0).
        let u = NT.householderOrthogonal(7, seed: 50), v = NT.householderOrthogonal(5, seed: 51)
        let a = Matrix(rows: 7, cols: 5) { i, j in 3 * u[i, 0] * v[j, 0] + 2 * u[i, 1] * v[j, 1] }
        let s = try svd(a)
        checkSVD(a, s, "rank 2")
        NT.assertClose(s.singularValues[0], 3, tol: 10 * 7 * NT.eps * 3, "σ₀")
        NT.assertClose(s.singularValues[1], 2, tol: 10 * 7 * NT.eps * 3, "σ₁")
        // The zero singular values are zero to c·n·ε·σ₀ ≈ 1.4e-14·σ₀; the brief asks for 1e-14.
        for i in 2..<5 { NT.assertBelow(s.singularValues[i], 1e-14 * s.singularValues[0], "σ\(i) of a rank-2 matrix") }
        XCTAssertEqual(s.rank(), 2)
        // Also a rank-1 wide matrix with an exactly zero column.
        let w = Matrix(rows: 3, cols: 6) { i, j in j == 4 ? 0 : Double(i + 1) * Double(j + 1) }
        let sw = try svd(w)
        checkSVD(w, sw, "rank 1 wide")
        XCTAssertEqual(sw.rank(), 1)
    }

    func testZeroEmptyAndOneByOne() throws {
        let z = Matrix(rows: 4, cols: 3)
        let sz = try svd(z)
        XCTAssertEqual(sz.singularValues, [0, 0, 0])
        checkSVD(z, sz, "zero 4x3")
        XCTAssertEqual(sz.rank(), 0)
        let s1 = try svd(Matrix([[-3]]))
        XCTAssertEqual(s1.singularValues, [3])
        XCTAssertEqual(s1.u[0, 0] * 3 * s1.v[0, 0], -3)
        for (m, n) in [(0, 4), (4, 0), (0, 0)] {
            let s = try svd(Matrix(rows: m, cols: n))
            XCTAssertEqual(s.singularValues, [])
            XCTAssertEqual(s.u.rows, m); XCTAssertEqual(s.u.cols, 0)
            XCTAssertEqual(s.v.rows, n); XCTAssertEqual(s.v.cols, 0)
        }
    }

    func testHilbertSingularValuesAreItsEigenvalues() throws {
        // H₁₀ is SPD, so σ_i = λ_i. Reference: mpmath.eigsy at 50 digits on the exact double
        // matrix. Normwise accuracy c·n·ε·||H|| for both routines.
        let reference: [Double] = [1.093252433497455222e-13, 2.2667455503810731916e-11, 2.1474388217975422457e-9,
                                   1.2289677387429185853e-7, 4.7296892931900962987e-6, 0.00012874961427637339136,
                                   0.0025308907686700285995, 0.035741816271639232787, 0.34292954848350909963,
                                   1.7519196702651775066]
        let h = NT.hilbert(10)
        let s = try svd(h)
        checkSVD(h, s, "Hilbert 10")
        let lambda = try symmetricEigenvalues(h)
        let tol = 10 * 10 * NT.eps * 1.76
        for i in 0..<10 {
            NT.assertClose(s.singularValues[9 - i], lambda[i], tol: 2 * tol, "σ vs λ \(i)")
            NT.assertClose(s.singularValues[9 - i], reference[i], tol: tol, "σ\(9 - i) vs mpmath")
            NT.assertClose(lambda[i], reference[i], tol: tol, "λ\(i) vs mpmath")
        }
    }

    func testSmallSingularValuesOfColumnScaledMatrixAreRelativelyAccurate() throws {
        // A = B D with B well conditioned and D = diag(1, 1e-5, 1e-10, 1e-15). One-sided Jacobi
        // (and Householder QR before it) is column-scaling invariant, so every σ_i has relative
        // error ≤ c·n·ε·κ(B) (Demmel & Veselić 1992), κ(B) ≈ 2.5 here (bound uses 10). Reference: mpmath.svd_r at
        // 60 digits on the exact double matrix. 4x4 runs Jacobi directly, 7x4 goes through QR.
        let d: [Double] = [1.0, 1e-5, 1e-10, 1e-15]
        let references: [Int: [Double]] = [
            4: [2.103238244038072456, 0.000011823047393788896625, 1.1040473681240942289e-10, 1.0720058898684774697e-15],
            7: [2.1240991154445019738, 0.000011894878994535603362, 1.1089643730827249391e-10, 1.0755089835075895385e-15],
        ]
        for m in [4, 7] {
            let a = Matrix(rows: m, cols: 4) { i, j in (1.0 / Double(i + j + 1) + (i == j ? 1.0 : 0.0)) * d[j] }
            let s = try svd(a)
            for i in 0..<4 {
                let r = references[m]![i]
                NT.assertBelow(abs(s.singularValues[i] - r) / r, 10 * 7 * NT.eps * 10, "\(m)x4 σ\(i) relative")
            }
        }
    }

    func testExtremeScalesNeitherOverflowNorUnderflow() throws {
        // σ(2ᵏA) = 2ᵏσ(A); entries near 2^±600 have squares outside the double range.
        let sigma: [Double] = [9, 4, 2, 1, 0.5]
        for (m, n) in [(5, 5), (6, 5), (12, 5), (5, 9)] {
            let a = NT.matrixWithSingularValues(sigma, rows: m, cols: n, seed: 60)
            for k in [600.0, -600.0] {
                let s = pow(2.0, k)
                let f = try svd(a * s)
                for i in 0..<5 {
                    NT.assertClose(f.singularValues[i] / s, sigma[i], tol: 10 * Double(max(m, n)) * NT.eps * 9, "\(m)x\(n) 2^\(k): σ\(i)")
                }
                NT.assertBelow(NT.orthogonalityError(f.u), 10 * Double(max(m, n)) * NT.eps, "\(m)x\(n) 2^\(k): ||UᵀU − I||")
                NT.assertBelow(NT.orthogonalityError(f.v), 10 * Double(max(m, n)) * NT.eps, "\(m)x\(n) 2^\(k): ||VᵀV − I||")
            }
        }
    }

    func testColumnFarBelowTheOthersStillGivesOrthonormalU() throws {
        // One column of size 1e-170 next to O(1) columns: its squared norm underflows to 0. It is
        // negligible (1e-170 ≪ ε·||A||), but the factors must still be A = UΣVᵀ with orthonormal U.
        var a = NT.gaussian(6, 4, seed: 90)
        for i in 0..<6 { a[i, 2] *= 1e-170; a[i, 3] *= 1e-158 }     // 1e-316: squares are subnormal
        for b in [a, NT.naiveTranspose(a), NT.gaussian(12, 4, seed: 91).hadamard(Matrix(rows: 12, cols: 4) { _, j in j == 1 ? 1e-170 : 1 })] {
            let s = try svd(b)
            checkSVD(b, s, "tiny column \(b.rows)x\(b.cols)")
            XCTAssertLessThanOrEqual(s.singularValues.last!, 10 * 6 * NT.eps * NT.frob(b))
        }
    }

    func testOrthogonalMatrixHasUnitSingularValues() throws {
        // All σ equal (= 1): maximally repeated singular values.
        let q = NT.householderOrthogonal(9, seed: 95)
        let s = try svd(q)
        checkSVD(q, s, "orthogonal")
        for i in 0..<9 { NT.assertClose(s.singularValues[i], 1, tol: 10 * 9 * NT.eps, "σ\(i)") }
    }

    func testPseudoInverseSatisfiesMoorePenroseConditions() throws {
        // Rank-2 6x4 matrix with nonzero σ = (3, 2): the computed A⁺ must satisfy the four
        // Penrose identities to c·n·ε·κ, where κ = σ₁/σ_r = 1.5 is the conditioning of the
        // retained part (the dropped σ are at roundoff level, far below the cut-off).
        let u = NT.householderOrthogonal(6, seed: 70), v = NT.householderOrthogonal(4, seed: 71)
        let a = Matrix(rows: 6, cols: 4) { i, j in 3 * u[i, 0] * v[j, 0] + 2 * u[i, 1] * v[j, 1] }
        let p = try pseudoInverse(a)
        XCTAssertEqual(p.rows, 4); XCTAssertEqual(p.cols, 6)
        let ap = NT.naiveMul(a, p), pa = NT.naiveMul(p, a)
        let tol = 10 * 6 * NT.eps * 1.5
        NT.assertBelow(NT.frobDiff(NT.naiveMul(ap, a), a), tol * NT.frob(a), "A A⁺ A = A")
        NT.assertBelow(NT.frobDiff(NT.naiveMul(pa, p), p), tol * NT.frob(p), "A⁺ A A⁺ = A⁺")
        NT.assertBelow(NT.frobDiff(ap, NT.naiveTranspose(ap)), tol, "A A⁺ symmetric")
        NT.assertBelow(NT.frobDiff(pa, NT.naiveTranspose(pa)), tol, "A⁺ A symmetric")
        // Closed form: A⁺ = (1/3) v₁u₁ᵀ + (1/2) v₂u₂ᵀ.
        let exact = Matrix(rows: 4, cols: 6) { i, j in v[i, 0] * u[j, 0] / 3 + v[i, 1] * u[j, 1] / 2 }
        NT.assertBelow(NT.frobDiff(p, exact), tol * NT.frob(exact), "A⁺ closed form")
        // Full column rank: A⁺A = I.
        let b = NT.matrixWithSingularValues([4, 3, 2], rows: 8, cols: 3, seed: 72)
        NT.assertBelow(NT.frobDiff(NT.naiveMul(try pseudoInverse(b), b), .identity(3)), 10 * 8 * NT.eps * 2, "A⁺A = I")
        // The zero matrix: A⁺ = 0.
        XCTAssertEqual(try pseudoInverse(Matrix(rows: 3, cols: 2)), Matrix(rows: 2, cols: 3))
        XCTAssertEqual(try pseudoInverse(Matrix(rows: 0, cols: 3)).shape.rows, 3)
        XCTAssertEqual(try pseudoInverse(Matrix(rows: 0, cols: 3)).shape.cols, 0)
    }

    func testSpectralAndNuclearNorms() throws {
        // [[3, 0], [4, 5]]: AᵀA = [[25, 20], [20, 25]], eigenvalues 45 and 5, so σ = (3√5, √5).
        let a = Matrix([[3, 0], [4, 5]])
        let r5 = 5.0.squareRoot()
        NT.assertClose(try a.spectralNorm(), 3 * r5, tol: 10 * 2 * NT.eps * 7, "||A||₂")
        NT.assertClose(try a.nuclearNorm(), 4 * r5, tol: 10 * 2 * NT.eps * 7, "||A||_*")
        // For SPD A, σ = λ and so ||A||_* = tr A.
        let g = NT.gaussian(15, 9, seed: 80)
        let spd = NT.naiveMul(NT.naiveTranspose(g), g)
        NT.assertClose(try spd.nuclearNorm(), spd.trace, tol: 10 * 9 * NT.eps * 9 * NT.frob(spd), "||A||_* = tr A")
        XCTAssertEqual(try Matrix(rows: 0, cols: 3).spectralNorm(), 0)
        NT.assertThrows(.nonFiniteInput(routine: "SVD"), try Matrix([[.nan]]).spectralNorm())
    }
}

final class MatrixFunctionTests: XCTestCase {
    /// SPD with κ = 100.
    let spd = NT.symmetricWithSpectrum([1, 2, 5, 10, 30, 60, 100], seed: 90)

    func testSquareRootSquaresBack() throws {
        // If S = √A is computed from an eigendecomposition of A + ΔA, then S² − A = O(||ΔA||) and
        // S is perturbed by at most ||ΔA||/(2√λ_min): tolerance c·n·ε·||A||·√κ.
        let s = try SymmetricFunctions.sqrt(spd)
        XCTAssertEqual(s, s.symmetrized, "√A is symmetric")
        let n = spd.rows
        NT.assertBelow(NT.frobDiff(NT.naiveMul(s, s), spd), 10 * Double(n) * NT.eps * NT.frob(spd) * 10, "||S² − A||")
        // √A is positive definite: its eigenvalues are √λ.
        let values = try symmetricEigenvalues(s)
        for (i, l) in [1.0, 2, 5, 10, 30, 60, 100].enumerated() {
            NT.assertClose(values[i], l.squareRoot(), tol: 10 * Double(n) * NT.eps * 100, "√λ\(i)")
        }
        // Closed forms: √diag(4, 9) = diag(2, 3); √[[2, 1], [1, 2]] = ½[[1+√3, √3−1], [√3−1, 1+√3]].
        XCTAssertEqual(try SymmetricFunctions.sqrt(Matrix.diagonal([4, 9])), Matrix.diagonal([2, 3]))
        let r3 = 3.0.squareRoot()
        let s2 = try SymmetricFunctions.sqrt(Matrix([[2, 1], [1, 2]]))
        let e2 = Matrix([[1 + r3, r3 - 1], [r3 - 1, 1 + r3]]) / 2
        NT.assertBelow(NT.frobDiff(s2, e2), 10 * 2 * NT.eps * 3, "√[[2,1],[1,2]]")
    }

    func testSquareRootOfSemidefiniteMatrix() throws {
        // √(u uᵀ) = u uᵀ/|u|; the zero eigenvalues may come out as tiny negatives and are clamped.
        let u: [Double] = [1, -2, 2, 0.5]
        let a = Matrix(rows: 4, cols: 4) { i, j in u[i] * u[j] }
        let nu = NT.norm2(u)
        let s = try SymmetricFunctions.sqrt(a)
        // Perturbing a zero eigenvalue by δ moves its square root by √δ: error O(√(n·ε)·||A||^½).
        NT.assertBelow(NT.frobDiff(s, a / nu), (10 * 4 * NT.eps).squareRoot() * nu.squareRoot() * 4, "√(uuᵀ)")
    }

    func testInverseSquareRoot() throws {
        // Z = A^{-1/2}: Z A Z = I to c·n·ε·κ.
        let z = try SymmetricFunctions.inverseSqrt(spd)
        let n = spd.rows
        NT.assertBelow(NT.frobDiff(NT.naiveMul(NT.naiveMul(z, spd), z), .identity(n)), 10 * Double(n) * NT.eps * 100, "||ZAZ − I||")
        NT.assertBelow(NT.frobDiff(NT.naiveMul(z, z), try CholeskyFactorization(spd).inverse), 10 * Double(n) * NT.eps * 100, "Z² = A⁻¹")
    }

    func testApplyIsTheSpectralCalculus() throws {
        // f(A) = A for f = id, and exp on a diagonal matrix is elementwise.
        let n = spd.rows
        NT.assertBelow(NT.frobDiff(try SymmetricFunctions.apply(spd) { $0 }, spd), 10 * Double(n) * NT.eps * NT.frob(spd), "id(A)")
        let ex = try SymmetricFunctions.apply(Matrix.diagonal([0, 1, -1])) { exp($0) }
        XCTAssertEqual(ex, Matrix.diagonal([1, exp(1), exp(-1)]))
        // A² through the calculus equals A·A.
        NT.assertBelow(NT.frobDiff(try SymmetricFunctions.apply(spd) { $0 * $0 }, NT.naiveMul(spd, spd)), 10 * Double(n) * NT.eps * 100 * NT.frob(spd), "f(A) = A²")
    }

    func testRefusals() {
        let indefinite = Matrix([[1, 2], [2, 1]])     // eigenvalues −1 and 3
        NT.assertThrowsMatching(try SymmetricFunctions.sqrt(indefinite), "not positive definite, λ₀ = −1") {
            if case let .notPositiveDefinite(pivot: 0, value: v) = $0 { return abs(v + 1) <= 10 * NT.eps } else { return false }
        }
        NT.assertThrowsMatching(try SymmetricFunctions.inverseSqrt(indefinite), "not positive definite") {
            if case .notPositiveDefinite(pivot: 0, _) = $0 { return true } else { return false }
        }
        // Semidefinite is fine for √ but not for A^{-1/2}.
        NT.assertThrowsMatching(try SymmetricFunctions.inverseSqrt(Matrix([[1, 1], [1, 1]])), "singular") {
            if case .notPositiveDefinite = $0 { return true } else { return false }
        }
        NT.assertThrows(.nonFiniteInput(routine: "symmetric eigensolver"), try SymmetricFunctions.sqrt(Matrix([[.nan]])))
    }
}
