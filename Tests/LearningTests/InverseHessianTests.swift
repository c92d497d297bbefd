import Foundation
import XCTest
import Numerics
import Learning

/// Conjugate gradient and LiSSA against mathematics: dense solves, a known spectrum, the Neumann
/// series' fixed point with damping, its divergence when the scale is too small.
final class InverseHessianTests: XCTestCase {
    /// A random SPD matrix Q diag(λ) Qᵀ with the given eigenvalues.
    func spd(_ eigenvalues: [Double], seed: UInt64) -> Matrix {
        var rng = RandomSource(seed: seed)
        let q = rng.orthonormalColumns(eigenvalues.count, eigenvalues.count)
        return matmul(matmul(q, Matrix.diagonal(eigenvalues)), q, transB: true)
    }

    func testConjugateGradientMatchesCholesky() throws {
        let a = spd((0..<30).map { 1 + Double($0) }, seed: 1)
        var rng = RandomSource(seed: 2)
        let v = rng.normalVector(30)
        let exact = try CholeskyFactorization(a).solve(v)
        let cg = try InverseHessian.conjugateGradient(v, hvp: { a.apply($0) }, tolerance: 1e-13, maxIterations: 200)
        XCTAssertTrue(cg.converged)
        XCTAssertLessThan(Vector.distance(cg.x, exact) / Vector.norm(exact), 1e-11)
    }

    /// With k distinct eigenvalues CG terminates in k steps (exact arithmetic; here to round-off).
    func testConjugateGradientTerminatesInDistinctEigenvalueCountSteps() throws {
        let a = spd(Array(repeating: 1.0, count: 10) + Array(repeating: 5.0, count: 10) + Array(repeating: 20.0, count: 10), seed: 3)
        var rng = RandomSource(seed: 4)
        let v = rng.normalVector(30)
        let cg = try InverseHessian.conjugateGradient(v, hvp: { a.apply($0) }, tolerance: 1e-10, maxIterations: 200)
        XCTAssertLessThanOrEqual(cg.products, 4)
        XCTAssertTrue(cg.converged)
    }

    func testConjugateGradientRejectsAnIndefiniteMatrix() {
        let a = Matrix.diagonal([1, -1, 2])
        XCTAssertThrowsError(try InverseHessian.conjugateGradient([1, 1, 1], hvp: { a.apply($0) }, maxIterations: 10))
    }

    /// Full-batch LiSSA converges to (H + d s I)⁻¹ v, and along an eigenvector the error after J steps
    /// is exactly (1 − λ/s − d)^J of its start.
    func testLissaFixedPointAndRateOnAKnownSpectrum() throws {
        let lambdas = [0.5, 1.0, 2.0, 4.0]
        let a = spd(lambdas, seed: 5)
        var rng = RandomSource(seed: 6)
        let v = rng.normalVector(4)
        let s = 5.0, d = 0.01
        var damped = a
        for k in 0..<4 { damped[k, k] += d * s }
        let exact = try CholeskyFactorization(damped).solve(v)
        let est = InverseHessian.lissa(v, hvp: { u, _, _ in a.apply(u) }, scale: s, damping: d, depth: 2000)
        XCTAssertTrue(est.converged)
        XCTAssertLessThan(Vector.distance(est.x, exact) / Vector.norm(exact), 1e-12)
        // One eigen-direction: x_J/s error is (1 − λ/s − d)^(J+1) times ‖v‖/(λ + ds) in closed form.
        let e = try symmetricEigen(a)
        let q = e.vectors.column(0), lambda = e.values[0]
        let j = 7
        let one = InverseHessian.lissa(q, hvp: { u, _, _ in a.apply(u) }, scale: s, damping: d, depth: j)
        let target = 1 / (lambda + d * s)
        let predicted = target * (1 - Foundation.pow(1 - lambda / s - d, Double(j + 1)))
        XCTAssertEqual(Vector.dot(one.x, q), predicted, accuracy: 1e-12)
    }

    func testLissaDivergesWhenTheScaleIsBelowHalfTheLargestEigenvalue() {
        let a = Matrix.diagonal([1, 10])
        let est = InverseHessian.lissa([1, 1], hvp: { u, _, _ in a.apply(u) }, scale: 4, depth: 100)   // |1 − 10/4| = 1.5
        XCTAssertGreaterThan(Vector.norm(est.x), 1e15)
    }

    /// Averaging over repeats with unbiased sampled products: the mean of a two-matrix sample is H.
    func testLissaWithSampledProductsConvergesInExpectation() throws {
        let h1 = Matrix.diagonal([1, 3]), h2 = Matrix.diagonal([3, 1])   // E = diag(2, 2)
        var rng = RandomSource(seed: 9)
        let picks = (0..<(400 * 200)).map { _ in rng.int(below: 2) }
        let est = InverseHessian.lissa([1, 1], hvp: { u, r, j in (picks[r * 400 + j - 1] == 0 ? h1 : h2).apply(u) },
                                       scale: 4, depth: 400, repeats: 200)
        XCTAssertEqual(est.x[0], 0.5, accuracy: 0.05)
        XCTAssertEqual(est.x[1], 0.5, accuracy: 0.05)
    }
}
