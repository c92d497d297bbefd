import Foundation
import XCTest
import Numerics
@testable import Learning

/// Sophia and AdaHessian steps and the diagonal-curvature estimators, against steps worked by hand
/// and dense Hessians.
final class SophiaOptimizerTests: XCTestCase {
    /// The clipped step: a Newton step when it is small, ρ η sign(m) when h ≤ 0 or the ratio is large.
    func testClippedStep() {
        var x = [1.0, 1.0, 1.0]
        SophiaOptimizer.clippedStep(&x, m: [0.2, -3, 2], h: [1, 1, -5], eta: 1, rho: 0.5, epsilon: 1e-12)
        XCTAssertEqual(x[0], 0.8, accuracy: 1e-15)
        XCTAssertEqual(x[1], 1.5, accuracy: 1e-15)
        XCTAssertEqual(x[2], 0.5, accuracy: 1e-15)
    }

    /// Two curvature updates and two steps, by hand: h = β₂(1 − β₂)ĥ₁ + (1 − β₂)ĥ₂, m likewise, then
    /// decoupled decay and the clipped step.
    func testMovingAveragesAndDecayByHand() {
        var s = SophiaOptimizer(learningRate: 0.5, beta1: 0.9, beta2: 0.8, rho: 10, epsilon: 1e-12, weightDecay: 0.1)
        var x = [2.0]
        s.updateCurvature([4]); s.step(&x, gradient: [1])
        // m = 0.1, h = 0.8; x = 2 − 0.5·0.1·2 = 1.9, then − 0.5·clip(0.1/0.8, 10) = 1.9 − 0.0625.
        XCTAssertEqual(x[0], 1.8375, accuracy: 1e-15)
        s.updateCurvature([2]); s.step(&x, gradient: [3])
        let m = 0.9 * 0.1 + 0.1 * 3, h = 0.8 * 0.8 + 0.2 * 2
        XCTAssertEqual(s.curvature[0], h, accuracy: 1e-15)
        XCTAssertEqual(x[0], 1.8375 * (1 - 0.05) - 0.5 * (m / h), accuracy: 1e-15)
        s.reset(); XCTAssertTrue(s.momentum.isEmpty && s.curvature.isEmpty)
    }

    /// AdaHessian's first step is η g / (|D| + ε) (both bias corrections are exact at t = 1): with the
    /// exact curvature of a 1-D quadratic and η = 1 it is the Newton step.
    func testAdaHessianFirstStepIsNewtonOnAQuadratic() {
        var a = AdaHessian(learningRate: 1, epsilon: 0)
        var x = [3.0]
        a.step(&x, gradient: [5 * 3.0], curvature: [-5])      // f = 2.5 x², D of either sign
        XCTAssertEqual(x[0], 0, accuracy: 1e-15)
    }

    /// Hutchinson with a coordinate probe u = e_j reads H_jj exactly; the mean over Rademacher probes
    /// of all sign patterns on a 3-parameter-block is diag(H) exactly (E[u uᵀ] = I holds for the set).
    func testHutchinsonAgainstTheDenseHessian() {
        var rng = RandomSource(seed: 4)
        let net = MLP(sizes: [3, 2, 2], hidden: .tanh, initialization: .lecun, rng: &rng)
        let x = Matrix(rows: 4, cols: 3, elements: (0..<12).map { _ in rng.normal() })
        let loss = Loss.softmaxCrossEntropy(labels: [0, 1, 1, 0])
        let h = net.fullHessian(x, loss)
        let p = net.parameterCount
        for j in 0..<p {
            var e = [Double](repeating: 0, count: p); e[j] = 1
            let d = net.hutchinsonDiagonal(x, loss, probe: e)
            XCTAssertEqual(d[j], h[j, j], accuracy: 1e-12)
            for i in 0..<p where i != j { XCTAssertEqual(d[i], 0) }
        }
    }

    /// Gauss-Newton-Bartlett with a one-class model is zero (the softmax is certain, so every sampled
    /// label has zero gradient in z), and it is B ĝ ⊙ ĝ for the labels it draws.
    func testGaussNewtonBartlettShape() {
        var rng = RandomSource(seed: 8)
        let net = MLP(sizes: [3, 4, 2], hidden: .tanh, initialization: .lecun, rng: &rng)
        let x = Matrix(rows: 5, cols: 3, elements: (0..<15).map { _ in rng.normal() })
        var r1 = RandomSource(seed: 1), r2 = RandomSource(seed: 1)
        let d = net.gaussNewtonBartlettDiagonal(x, rng: &r1)
        let p = Loss.softmax(net.forward(x))
        let labels = (0..<5).map { i -> Int in r2.uniform() < p[i, 0] ? 0 : 1 }
        let g = net.lossAndGradient(x, .softmaxCrossEntropy(labels: labels)).gradient
        for j in 0..<net.parameterCount { XCTAssertEqual(d[j], 5 * g[j] * g[j], accuracy: 1e-15) }
        XCTAssertTrue(d.allSatisfy { $0 >= 0 })
    }
}
