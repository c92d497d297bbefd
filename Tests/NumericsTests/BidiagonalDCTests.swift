import XCTest
@testable import Numerics

// The bidiagonal divide and conquer (`BidiagonalDC`), alone on hard bidiagonal matrices and inside
// the SVD. Backward stability is the promise: ||B − U Σ Vᵀ||_F ≤ c·n·ε·||B||_F, UᵀU and VᵀV equal
// to I within c·n·ε (c = 10, as in the other decomposition tests), and every σ within c·n·ε·σ_max
// of the implicit QR's (Weyl). A deflation or secular-equation bug gives O(1) residuals or
// orthogonality errors of order √ε or worse.

final class BidiagonalDCTests: XCTestCase {
    /// The dense n x n upper bidiagonal matrix of (d, e).
    func dense(_ d: [Double], _ e: [Double]) -> Matrix {
        let n = d.count
        var b = Matrix(rows: n, cols: n)
        for i in 0..<n { b[i, i] = d[i]; if i + 1 < n { b[i, i + 1] = e[i] } }
        return b
    }

    func check(_ d: [Double], _ e: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let n = d.count
        let (values, uc, vc) = try BidiagonalDC.solve(d: d, e: e)
        XCTAssertEqual(values.count, n, label, file: file, line: line)
        let u = Matrix(rows: n, cols: n, elements: uc), v = Matrix(rows: n, cols: n, elements: vc)
        for i in 0..<n { XCTAssertGreaterThanOrEqual(values[i], 0, "\(label): σ ≥ 0", file: file, line: line) }
        for i in 0..<max(n - 1, 0) { XCTAssertGreaterThanOrEqual(values[i], values[i + 1], "\(label): descending", file: file, line: line) }
        let b = dense(d, e)
        var us = u
        for i in 0..<n { for j in 0..<n { us[i, j] *= values[j] } }
        let bound = 10 * Double(max(n, 1)) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(us, NT.naiveTranspose(v)), b), bound * NT.frob(b), "\(label): ||B − UΣVᵀ||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(u), bound, "\(label): ||UᵀU − I||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(v), bound, "\(label): ||VᵀV − I||_F", file: file, line: line)
        // Against the implicit QR's singular values (on a copy scaled by a power of two to
        // max |entry| ≈ 1, as `SVD` scales its input: unscaled, its rotations underflow at 1e-300).
        let big = (d + e).map(abs).max() ?? 0
        let s = big > 0 ? Double(sign: .plus, exponent: -big.exponent, significand: 1) : 1
        var dq = d.map { $0 * s }, eq = e.map { $0 * s } + [0]
        try SVD.bidiagonalSVD(&dq, &eq, ut: nil, vt: nil)
        let qr = dq.map { abs($0) / s }.sorted(by: >)
        for i in 0..<n { NT.assertClose(values[i], qr[i], tol: bound * max(qr.first ?? 0, 1e-300), "\(label): σ\(i) against the QR", file: file, line: line) }
    }

    func testRandomBidiagonalsAroundTheLeafAndSplitSizes() throws {
        var g = RandomSource(seed: 11)
        for n in [1, 2, 3, 32, 33, 34, 64, 65, 97, 130, 257] {
            let d = (0..<n).map { _ in g.normal() }, e = (0..<max(n - 1, 0)).map { _ in g.normal() }
            try check(d, e, "random n = \(n)")
        }
    }

    func testHardBidiagonals() throws {
        let n = 150
        // Graded both ways, over 30 orders of magnitude.
        try check((0..<n).map { pow(10, -30 * Double($0) / Double(n)) }, (0..<(n - 1)).map { pow(10, -30 * Double($0) / Double(n)) }, "graded down")
        try check((0..<n).map { pow(10, -30 * Double(n - $0) / Double(n)) }, (0..<(n - 1)).map { pow(10, -30 * Double(n - $0) / Double(n)) }, "graded up")
        // All entries equal (singular values cluster near 2 and spread down to near 0).
        try check([Double](repeating: 1, count: n), [Double](repeating: 1, count: n - 1), "all ones")
        // Diagonal (every weight zero: everything deflates), with repeated values.
        try check((0..<n).map { Double($0 % 5) }, [Double](repeating: 0, count: n - 1), "diagonal with zeros and repeats")
        // Zero superdiagonal entries at the split rows and elsewhere (the problem decouples).
        try check((0..<n).map { 1 + Double($0 % 7) }, (0..<(n - 1)).map { $0 % 3 == 0 ? 0 : 0.5 }, "decoupled blocks")
        // Zero diagonal entries: rank deficient (d_k = 0 at the split row, and others).
        try check((0..<n).map { $0 % 4 == 0 || $0 == n / 2 ? 0 : 1 }, [Double](repeating: 1, count: n - 1), "zero diagonal entries")
        // Identity (all singular values equal, maximal deflation by close poles).
        try check([Double](repeating: 1, count: n), [Double](repeating: 0, count: n - 1), "identity")
        // Nearly equal singular values: a perturbed identity.
        try check((0..<n).map { 1 + 1e-14 * Double($0) }, [Double](repeating: 1e-15, count: n - 1), "clustered")
        // Tiny and huge scales (the solver works on a power-of-two scaled copy).
        var g = RandomSource(seed: 12)
        let d = (0..<n).map { _ in g.normal() }, e = (0..<(n - 1)).map { _ in g.normal() }
        try check(d.map { $0 * 1e-300 }, e.map { $0 * 1e-300 }, "tiny")
        try check(d.map { $0 * 1e300 }, e.map { $0 * 1e300 }, "huge")
        try check([Double](repeating: 0, count: n), [Double](repeating: 0, count: n - 1), "zero")
    }

    func checkSVD(_ a: Matrix, _ u: Matrix, _ s: [Double], _ v: Matrix, _ label: String,
                  file: StaticString = #filePath, line: UInt = #line) {
        let (m, n) = (a.rows, a.cols)
        var us = u
        for i in 0..<m { for j in 0..<n { us[i, j] *= s[j] } }
        let bound = 10 * Double(max(m, n)) * NT.eps
        NT.assertBelow(NT.frobDiff(NT.naiveMul(us, NT.naiveTranspose(v)), a), bound * NT.frob(a), "\(label): ||A − UΣVᵀ||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(u), bound, "\(label): ||UᵀU − I||_F", file: file, line: line)
        NT.assertBelow(NT.orthogonalityError(v), bound, "\(label): ||VᵀV − I||_F", file: file, line: line)
        for i in 0..<max(n - 1, 0) { XCTAssertGreaterThanOrEqual(s[i], s[i + 1], "\(label): descending", file: file, line: line) }
    }

    /// The SVD's divide-and-conquer path, forced on small hard matrices: the same singular values as
    /// the QR path bit for bit (below `SVD.divideAndConquerOrder` columns both come from the implicit
    /// QR's arithmetic on the values: `SVD.bidiagonalValues` and the QR path's own sweeps), and a
    /// backward stable decomposition.
    func testSVDPathOnHardMatrices() throws {
        let u = NT.householderOrthogonal(60, seed: 21), w = NT.householderOrthogonal(50, seed: 22)
        let g = NT.gaussian(48, 40, seed: 26)
        let rankDeficient = Matrix(rows: 60, cols: 50) { i, j in 3 * u[i, 0] * w[j, 0] + 2 * u[i, 1] * w[j, 1] + 1e-9 * u[i, 2] * w[j, 2] }
        let cases: [(String, Matrix)] = [
            ("Hilbert 40", NT.hilbert(40)),
            ("rank 3 with σ₃ = 1e-9", rankDeficient),
            ("known σ to 1e-12", NT.matrixWithSingularValues((0..<45).map { pow(10, -12 * Double($0) / 44) }, rows: 55, cols: 45, seed: 23)),
            ("orthogonal", NT.householderOrthogonal(70, seed: 24)),
            ("gaussian 70x70", NT.gaussian(70, 70, seed: 25)),
            ("column graded", Matrix(rows: 48, cols: 40) { i, j in g[i, j] * pow(10, -Double(j) / 4) }),
        ]
        for (label, a) in cases {
            let (uq, sq, vq) = try SVD.bidiagonalQR(a, divideAndConquer: false)
            let (ud, sd, vd) = try SVD.bidiagonalQR(a, divideAndConquer: true)
            XCTAssertEqual(sd.map(\.bitPattern), sq.map(\.bitPattern), "\(label): singular values")
            checkSVD(a, ud, sd, vd, "\(label), divide and conquer")
            checkSVD(a, uq, sq, vq, "\(label), QR")
        }
    }

    /// Above `SVD.divideAndConquerOrder` columns `svd` takes the divide-and-conquer path: a backward
    /// stable result, the values of `singularValues` bit for bit, and the same bits on 1 and 2 threads.
    func testLargeSVDAndThreadCounts() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        for (m, n) in [(SVD.divideAndConquerOrder, SVD.divideAndConquerOrder), (300, 230)] {
            let a = NT.gaussian(m, n, seed: UInt64(m + n))
            Threads.count = 1
            let one = try svd(a)
            Threads.count = 2
            let two = try svd(a)
            checkSVD(a, two.u, two.singularValues, two.v, "\(m)x\(n)")
            XCTAssertEqual(two.singularValues, try singularValues(a), "\(m)x\(n): values")
            XCTAssertEqual(one.u.storage.map(\.bitPattern), two.u.storage.map(\.bitPattern), "\(m)x\(n): U on 1 and 2 threads")
            XCTAssertEqual(one.v.storage.map(\.bitPattern), two.v.storage.map(\.bitPattern), "\(m)x\(n): V on 1 and 2 threads")
        }
    }
}
