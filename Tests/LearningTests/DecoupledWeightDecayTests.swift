import Foundation
import XCTest
import Numerics
import Learning

/// SGDW and the paper-form AdamW (Loshchilov & Hutter, 2019) against their update rules in closed
/// form, Proposition 1 (SGDW with λ = SGD + L2 with λ' = λ/α, to round-off) and the relation of the
/// library form `AdamW` to the paper's form.
final class DecoupledWeightDecayOptimizerTests: XCTestCase {
    let x0: [Double] = [1.5, -2.0, 0.25]
    let g0: [Double] = [0.3, 0.1, -4.0]

    func testSGDWFirstStepsInClosedForm() {
        // m₁ = η α g, x₁ = x − m₁ − η λ x; m₂ = β m₁ + η α g₂, x₂ = x₁ − m₂ − η λ x₁.
        let (alpha, eta, lambda, beta) = (0.1, 0.5, 0.02, 0.9)
        var opt = SGDW(learningRate: alpha, momentum: beta, weightDecay: lambda, scheduleMultiplier: eta)
        var x = x0
        opt.step(&x, gradient: g0)
        let m1 = g0.map { eta * alpha * $0 }
        let x1 = (0..<3).map { x0[$0] - m1[$0] - eta * lambda * x0[$0] }
        for i in 0..<3 { XCTAssertEqual(x[i], x1[i], accuracy: 1e-15) }
        let g1: [Double] = [-1, 2, 0.5]
        opt.step(&x, gradient: g1)
        for i in 0..<3 {
            let m2 = beta * m1[i] + eta * alpha * g1[i]
            XCTAssertEqual(x[i], x1[i] - m2 - eta * lambda * x1[i], accuracy: 1e-15)
        }
        XCTAssertEqual(opt.name, "SGDW")
        XCTAssertEqual(SGDW(learningRate: 1, l2: 0.1).name, "SGD + L2")
    }

    func testSGDWithL2InClosedForm() {
        // The L2 coefficient enters the momentum: m₁ = η α (g + λ'x), x₁ = x − m₁.
        let (alpha, eta, l2) = (0.2, 0.7, 0.3)
        var opt = SGDW(learningRate: alpha, momentum: 0.5, l2: l2, scheduleMultiplier: eta)
        var x = x0
        opt.step(&x, gradient: g0)
        for i in 0..<3 { XCTAssertEqual(x[i], x0[i] - eta * alpha * (g0[i] + l2 * x0[i]), accuracy: 1e-15) }
    }

    /// Proposition 1: without momentum, SGDW with λ and SGD + L2 with λ' = λ/α take the same steps,
    /// over many steps of a changing schedule, up to round-off.
    func testProposition1OverManySteps() {
        let (alpha, lambda) = (0.05, 0.01)
        var a = SGDW(learningRate: alpha, momentum: 0, weightDecay: lambda)
        var b = SGDW(learningRate: alpha, momentum: 0, l2: lambda / alpha)
        var xa = x0, xb = x0
        var rng = RandomSource(seed: 11)
        for t in 0..<500 {
            let eta = 0.5 * (1 + cos(Double.pi * Double(t) / 500))
            a.scheduleMultiplier = eta; b.scheduleMultiplier = eta
            let g = xa.map { 2 * $0 + rng.normal() }          // a noisy gradient, the same for both
            a.step(&xa, gradient: g); b.step(&xb, gradient: g)
        }
        XCTAssertLessThan(Vector.distance(xa, xb) / Vector.norm(xa), 1e-13)
    }

    func testAdamWPaperFirstStepInClosedForm() {
        // Step 1: m̂ = g, v̂ = g², so x₁ = x − η(α g/(|g| + δ) + λ x).
        let (alpha, eta, lambda, delta) = (0.01, 0.3, 0.05, 1e-8)
        var opt = AdamWPaper(learningRate: alpha, epsilon: delta, weightDecay: lambda, scheduleMultiplier: eta)
        var x = x0
        opt.step(&x, gradient: g0)
        for i in 0..<3 {
            XCTAssertEqual(x[i], x0[i] - eta * (alpha * g0[i] / (abs(g0[i]) + delta) + lambda * x0[i]), accuracy: 1e-15)
        }
        XCTAssertEqual(opt.name, "AdamW")
    }

    func testAdamWithL2FirstTwoStepsInClosedForm() {
        // The moments of g̃ = g + λ'x with bias correction, no decay outside them.
        let (alpha, eta, l2, b1, b2, delta) = (0.01, 0.8, 0.2, 0.9, 0.999, 1e-8)
        var opt = AdamWPaper(learningRate: alpha, beta1: b1, beta2: b2, epsilon: delta, l2: l2, scheduleMultiplier: eta)
        var x = x0
        opt.step(&x, gradient: g0)
        let gt1 = (0..<3).map { g0[$0] + l2 * x0[$0] }
        let x1 = (0..<3).map { x0[$0] - eta * alpha * gt1[$0] / (abs(gt1[$0]) + delta) }
        for i in 0..<3 { XCTAssertEqual(x[i], x1[i], accuracy: 1e-15) }
        let g1: [Double] = [0.5, -0.5, 1]
        opt.step(&x, gradient: g1)
        for i in 0..<3 {
            let gt2 = g1[i] + l2 * x1[i]
            let m = ((1 - b1) * b1 * gt1[i] + (1 - b1) * gt2) / (1 - b1 * b1)
            let v = ((1 - b2) * b2 * gt1[i] * gt1[i] + (1 - b2) * gt2 * gt2) / (1 - b2 * b2)
            XCTAssertEqual(x[i], x1[i] - eta * alpha * m / (v.squareRoot() + delta), accuracy: 1e-14)
        }
        XCTAssertEqual(opt.name, "Adam + L2")
    }

    /// The library form x ← x − η(m̂/(√v̂+δ) + w x) is the paper's form with α = η, η_t = 1, λ = η·w.
    func testLibraryAdamWIsThePaperFormWithLambdaEqualAlphaTimesW() {
        let (eta, w) = (0.003, 0.1)
        var lib = AdamW(learningRate: eta, weightDecay: w)
        var paper = AdamWPaper(learningRate: eta, weightDecay: eta * w)
        var xa = x0, xb = x0
        var rng = RandomSource(seed: 5)
        for _ in 0..<200 {
            let g = xa.map { $0 + rng.normal() }
            lib.step(&xa, gradient: g); paper.step(&xb, gradient: g)
        }
        XCTAssertLessThan(Vector.distance(xa, xb) / Vector.norm(xa), 1e-13)
    }

    func testResetForgetsState() {
        var s = SGDW(learningRate: 0.1, weightDecay: 0.01)
        var x = x0
        s.step(&x, gradient: g0); s.reset()
        XCTAssertTrue(s.velocity.isEmpty)
        var a = AdamWPaper(learningRate: 0.1, weightDecay: 0.01)
        a.step(&x, gradient: g0); a.reset()
        XCTAssertEqual(a.moments.stepCount, 0)
    }
}
