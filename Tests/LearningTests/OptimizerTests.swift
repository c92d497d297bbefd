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

    /// Adam and AdamW take eight coordinates at a time; every coordinate keeps the bits of the
    /// coordinate-by-coordinate formulas (lengths with every remainder of eight, five steps).
    func testAdamAndAdamWAreTheCoordinateFormulasBitForBit() {
        var rng = RandomSource(seed: 19)
        for n in [1, 7, 8, 9, 17, 40] {
            var adam = Adam(learningRate: 0.01, weightDecay: 0.1), adamW = AdamW(learningRate: 0.01, weightDecay: 0.1)
            var x1 = (0..<n).map { _ in rng.normal() }, x2 = x1
            var r1 = x1, r2 = x1
            var m1 = [Double](repeating: 0, count: n), v1 = m1, m2 = m1, v2 = m1
            for t in 1...5 {
                let g = (0..<n).map { _ in rng.normal() }
                adam.step(&x1, gradient: g)
                adamW.step(&x2, gradient: g)
                let (c1, c2) = (1 - Foundation.pow(0.9, Double(t)), 1 - Foundation.pow(0.999, Double(t)))
                for i in 0..<n {
                    let ga = g[i] + 0.1 * r1[i]
                    m1[i] = 0.9 * m1[i] + (1 - 0.9) * ga
                    v1[i] = 0.999 * v1[i] + (1 - 0.999) * ga * ga
                    r1[i] -= 0.01 * (m1[i] / c1) / ((v1[i] / c2).squareRoot() + 1e-8)
                    m2[i] = 0.9 * m2[i] + (1 - 0.9) * g[i]
                    v2[i] = 0.999 * v2[i] + (1 - 0.999) * g[i] * g[i]
                    r2[i] -= 0.01 * ((m2[i] / c1) / ((v2[i] / c2).squareRoot() + 1e-8) + 0.1 * r2[i])
                }
                XCTAssertEqual(x1.map(\.bitPattern), r1.map(\.bitPattern), "Adam, n = \(n), step \(t)")
                XCTAssertEqual(x2.map(\.bitPattern), r2.map(\.bitPattern), "AdamW, n = \(n), step \(t)")
            }
        }
    }
}
