import XCTest
@testable import Numerics

// Singular values of bidiagonal matrices by dqds (`Dqds`), against a closed form and against the
// implicit QR. dqds is relatively accurate: every σ, however small, to a few ulps times n of
// itself (Fernando & Parlett), so the checks below are relative to each σ, not to σ_max, wherever
// the reference is relatively accurate too. A wrong transform, shift bookkeeping or deflation
// test gives errors of order 1e-10 or worse (a deflation test loosened to 1e-10 fails them).

final class DqdsTests: XCTestCase {
    func values(_ d: [Double], _ e: [Double], file: StaticString = #filePath, line: UInt = #line) throws -> [Double] {
        let s = try XCTUnwrap(Dqds.singularValues(d: d, e: e), "dqds broke down", file: file, line: line)
        XCTAssertEqual(s.count, d.count, file: file, line: line)
        for i in 0..<max(s.count - 1, 0) { XCTAssertGreaterThanOrEqual(s[i], s[i + 1], "descending", file: file, line: line) }
        return s
    }

    /// The implicit QR's values (relatively accurate too), on a copy scaled by a power of two as `SVD` does.
    func qrValues(_ d: [Double], _ e: [Double]) throws -> [Double] {
        let big = (d + e).map(abs).max() ?? 0
        let s = big > 0 ? Double(sign: .plus, exponent: -big.exponent, significand: 1) : 1
        var dq = d.map { $0 * s }, eq = e.map { $0 * s } + [0]
        try SVD.bidiagonalSVD(&dq, &eq, ut: nil, vt: nil)
        return dq.map { abs($0) / s }.sorted(by: >)
    }

    /// B with ones on the diagonal and the superdiagonal: BBᵀ = tridiag(1, [2, …, 2, 1], 1), whose
    /// eigenvalues are 2 + 2cos(2kπ/(2n + 1)), so σ_k = 2 sin((2n + 1 − 2k)π / (2(2n + 1))), k = 1…n
    /// (the sine form keeps the smallest, about π/(2n), accurate in the reference itself).
    func testAllOnesAgainstTheClosedForm() throws {
        for n in [1, 2, 3, 10, 255, 700] {
            let s = try values([Double](repeating: 1, count: n), [Double](repeating: 1, count: max(n - 1, 0)))
            for k in 1...n {
                let exact = 2 * sin(Double(2 * n + 1 - 2 * k) * Double.pi / Double(2 * (2 * n + 1)))
                NT.assertClose(s[k - 1], exact, tol: 10 * Double(n) * NT.eps * exact, "ones n = \(n): σ\(k)")
            }
        }
    }

    func testTwoByTwoClosedForm() throws {
        // σ₁σ₂ = |a c| and σ₁² + σ₂² = a² + b² + c² for [[a, b], [0, c]].
        for (a, b, c) in [(3.0, 4.0, 5.0), (1e-8, 1, 1e8), (-2, 1e-20, 7), (1, 1, 1e-280), (0, 1, 2)] {
            let s = try values([a, c], [b])
            NT.assertClose(s[0] * s[1], abs(a * c), tol: 4 * NT.eps * abs(a * c), "(\(a), \(b), \(c)): σ₁σ₂")
            NT.assertClose(s[0] * s[0] + s[1] * s[1], a * a + b * b + c * c, tol: 4 * NT.eps * (a * a + b * b + c * c), "(\(a), \(b), \(c)): σ₁² + σ₂²")
        }
    }

    func testRandomAndGradedAgainstTheImplicitQR() throws {
        var g = RandomSource(seed: 31)
        var cases: [(String, [Double], [Double])] = []
        for n in [3, 4, 17, 100, 257, 600] {
            cases.append(("random \(n)", (0..<n).map { _ in g.normal() }, (0..<(n - 1)).map { _ in g.normal() }))
        }
        let n = 200
        let down = (0..<n).map { pow(10, -30 * Double($0) / Double(n)) }
        cases.append(("graded down", down, Array(down.dropLast())))
        cases.append(("graded up", down.reversed(), Array(down.reversed().dropLast())))
        cases.append(("graded diagonal, random superdiagonal", down, (0..<(n - 1)).map { _ in g.normal() * 1e-3 }))
        cases.append(("signs", (0..<n).map { $0 % 2 == 0 ? -1.5 : 2 }, (0..<(n - 1)).map { $0 % 3 == 0 ? -1 : 0.25 }))
        cases.append(("clustered", (0..<n).map { 1 + 1e-14 * Double($0) }, [Double](repeating: 1e-15, count: n - 1)))
        cases.append(("decoupled blocks", (0..<n).map { 1 + Double($0 % 7) }, (0..<(n - 1)).map { $0 % 3 == 0 ? 0 : 0.5 }))
        for (label, d, e) in cases {
            let s = try values(d, e), r = try qrValues(d, e)
            for i in 0..<d.count {
                NT.assertClose(s[i], r[i], tol: 20 * Double(d.count) * NT.eps * r[i], "\(label): σ\(i) relative to itself")
            }
        }
    }

    func testZerosScalesAndDiagonals() throws {
        let n = 150
        // Diagonal: σ = |d| exactly.
        let diag = (0..<n).map { Double(($0 * 7) % 11) - 5 }
        XCTAssertEqual(try values(diag, [Double](repeating: 0, count: n - 1)), diag.map(abs).sorted(by: >))
        XCTAssertEqual(try values([Double](repeating: 0, count: n), [Double](repeating: 0, count: n - 1)), [Double](repeating: 0, count: n))
        // Zero diagonal entries (rank deficient): σ within c·n·ε·σ_max of the QR's, zeros included.
        let dz = (0..<n).map { $0 % 4 == 0 || $0 == n / 2 ? 0.0 : 1 }, ez = [Double](repeating: 1, count: n - 1)
        let s = try values(dz, ez), r = try qrValues(dz, ez)
        for i in 0..<n { NT.assertClose(s[i], r[i], tol: 10 * Double(n) * NT.eps * r[0], "zero diagonal entries: σ\(i)") }
        // Huge and tiny scales: the same values, scaled (the power-of-two scaling is exact).
        var g = RandomSource(seed: 32)
        let d = (0..<n).map { _ in g.normal() }, e = (0..<(n - 1)).map { _ in g.normal() }
        let base = try values(d, e)
        for scale in [0x1p-1000, 0x1p1000] {
            let scaled = try values(d.map { $0 * scale }, e.map { $0 * scale })
            XCTAssertEqual(scaled, base.map { $0 * scale }, "scale \(scale)")
        }
    }

    /// `singularValues` and `svd` use dqds from `SVD.divideAndConquerOrder` columns: against known σ
    /// (backward stable: within c·n·ε·σ_max), and equal to each other bit for bit.
    func testThroughTheSVD() throws {
        let n = SVD.divideAndConquerOrder + 10
        let sigma = (0..<n).map { pow(10, -8 * Double($0) / Double(n - 1)) }
        let a = NT.matrixWithSingularValues(sigma, rows: n + 20, cols: n, seed: 33)
        let s = try singularValues(a)
        for i in 0..<n { NT.assertClose(s[i], sigma[i], tol: 10 * Double(n + 20) * NT.eps, "σ\(i)") }
        XCTAssertEqual(s, try svd(a).singularValues)
    }
}
