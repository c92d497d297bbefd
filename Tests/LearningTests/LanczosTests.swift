import Foundation
import XCTest
import Numerics
import Learning

/// Lanczos with full reorthogonalization against a diagonal operator in closed form and against the
/// dense symmetric eigensolver.
final class LanczosTests: XCTestCase {
    /// A diagonal operator: the top eigenvalues are the largest entries, the eigenvectors unit vectors.
    func testDiagonalClosedForm() throws {
        let n = 200
        let d = (0..<n).map { 1 + Double($0) / Double(n) }     // 1 … 1.995, one negative outlier below
            + [-50]
        let r = try lanczosTop(dimension: n + 1, count: 2, steps: 80) { v in zip(d, v).map { $0 * $1 } }
        XCTAssertEqual(r.values[0], d.max()!, accuracy: 1e-10)
        XCTAssertEqual(r.values[1], d.sorted(by: >)[1], accuracy: 1e-8)
        XCTAssertEqual(abs(r.vectors[0][n - 1]), 1, accuracy: 1e-6)
        // The recurrence's residual β_m |e_mᵀ s| against ‖A y − θ y‖ computed directly.
        let y = r.vectors[0]
        let direct = zip(d, y).map { $0 * $1 }.enumerated().map { $0.element - r.values[0] * y[$0.offset] }
            .reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(r.residuals[0], direct, accuracy: 1e-10 + 1e-3 * direct)
        XCTAssertLessThan(r.residuals[0], 1e-6)
    }

    /// A random symmetric matrix with a few separated top eigenvalues: Lanczos against the dense
    /// spectrum, and the Ritz vector satisfies A y ≈ θ y.
    func testAgainstDenseSpectrum() throws {
        var rng = RandomSource(seed: 11)
        let n = 120
        let g = rng.normalMatrix(n, n)
        var a = (g + g.transposed) * (0.5 / Double(n).squareRoot())
        for i in 0..<3 { a[i, i] += Double(10 - 2 * i) }        // outliers near 10, 8, 6
        let dense = try symmetricEigenvalues(a).reversed().map { $0 }
        let r = try lanczosTop(dimension: n, count: 3, steps: 60) { a.apply($0) }
        for i in 0..<3 { XCTAssertEqual(r.values[i], dense[i], accuracy: 1e-10 * abs(dense[0])) }
        let y = r.vectors[0], ay = a.apply(y)
        let res = zip(ay, y).map { $0 - r.values[0] * $1 }.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertLessThan(res, 1e-8)
    }

    /// A warm start that is already the top eigenvector (an invariant subspace after one step) still
    /// returns the top two eigenvalues, by restarting from a vector orthogonal to the basis.
    func testWarmStartAtAnEigenvector() throws {
        let d: [Double] = [5, 4, 3, 2, 1]
        let r = try lanczosTop(dimension: 5, count: 2, steps: 5, start: [1, 0, 0, 0, 0]) { v in zip(d, v).map { $0 * $1 } }
        XCTAssertEqual(r.values[0], 5, accuracy: 1e-12)
        XCTAssertEqual(r.values[1], 4, accuracy: 1e-12)
    }
}
