import Foundation
import XCTest
import Numerics
import Learning

/// The shared optimizers against their definitions: Lion is Lion-K with the ℓ₁ norm, single steps by hand, convex conjugates.
final class OptimizerTests: XCTestCase {

    func testLionEqualsLionKWithL1() {
        var rng = RandomSource(seed: 3)
        var a = Lion(learningRate: 0.03, weightDecay: 0.5), b = LionK(potential: .l1, learningRate: 0.03, weightDecay: 0.5)
        var x = rng.normalVector(7), y = x
        for _ in 0..<50 {
            let g = x.map { 2 * $0 - 1 } .enumerated().map { $0.element + 0.1 * Double($0.offset) }
            a.step(&x, gradient: g)
            b.step(&y, gradient: y.map { 2 * $0 - 1 }.enumerated().map { $0.element + 0.1 * Double($0.offset) })
        }
        XCTAssertEqual(x, y)
    }

    func testOptimizerStepsByHand() {
        // SGD with momentum: v₁ = g, x₁ = x₀ − ηg; v₂ = μg + g.
        var sgd = SGD(learningRate: 0.1, momentum: 0.9)
        var x = [1.0]
        sgd.step(&x, gradient: [2]); XCTAssertEqual(x[0], 0.8, accuracy: 1e-15)
        sgd.step(&x, gradient: [2]); XCTAssertEqual(x[0], 0.8 - 0.1 * 3.8, accuracy: 1e-15)
        // Adam's first step is −η·sign(g) (bias correction), up to δ.
        var adam = Adam(learningRate: 0.01, epsilon: 0)
        var z = [1.0, -1.0]
        adam.step(&z, gradient: [5, -0.001])
        XCTAssertEqual(z[0], 0.99, accuracy: 1e-12); XCTAssertEqual(z[1], -0.99, accuracy: 1e-12)
        // AdamW adds the decoupled decay η·λ·x.
        var adamw = AdamW(learningRate: 0.01, epsilon: 0, weightDecay: 0.1)
        var w = [2.0]
        adamw.step(&w, gradient: [1])
        XCTAssertEqual(w[0], 2 - 0.01 * (1 + 0.1 * 2), accuracy: 1e-12)
    }

    /// K*(y) = sup_v ⟨y, v⟩ − K(v), by brute force on a grid, in one dimension.
    func testConjugatesMatchTheirDefinition() {
        let grid = stride(from: -20.0, through: 20.0, by: 0.001).map { $0 }
        for k in [ConvexPotential.l1, .halfSquaredL2, .huber, .l1PlusHalfSquaredL2] {
            for y in [-3.0, -1.0, -0.4, 0, 0.7, 1.0, 2.5] {
                let sup = grid.map { y * $0 - k.value([$0]) }.max()!
                let exact = k.conjugate([y])
                if exact.isInfinite { XCTAssertGreaterThan(sup, 5, "\(k.name) at y = \(y)") }
                else { XCTAssertEqual(sup, exact, accuracy: 1e-5, "\(k.name) at y = \(y)") }
            }
        }
    }
}
