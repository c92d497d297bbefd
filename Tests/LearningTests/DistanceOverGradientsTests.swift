import Foundation
import XCTest
import Numerics
@testable import Learning

/// DoG, L-DoG and T-DoG (Ivgi, Hinder, Carmon 2023) and the polynomial averager, against steps worked
/// by hand from the definitions.
final class DistanceOverGradientsTests: XCTestCase {
    func testDoGStepsByHand() {
        var dog = DistanceOverGradients(repsRel: 1e-3)
        var x: [Double] = [3, 4]                                     // ||x₀|| = 5, r_ε = 1e-3 · 6
        let g0: [Double] = [1, 0], g1: [Double] = [0, 2]
        dog.step(&x, gradient: g0)
        let eta0 = 6e-3 / (1 + DistanceOverGradients.epsilon).squareRoot()
        XCTAssertEqual(x[0], 3 - eta0, accuracy: 1e-15)
        XCTAssertEqual(x[1], 4, accuracy: 0)
        dog.step(&x, gradient: g1)
        // r̄₁ = max(r_ε, ||x₁ − x₀||) = max(6e-3, η₀) = 6e-3; G₁ = ε + 1 + 4.
        let eta1 = 6e-3 / (5 + DistanceOverGradients.epsilon).squareRoot()
        XCTAssertEqual(dog.stepSizes[1][0], eta1, accuracy: 1e-16)
        XCTAssertEqual(x[1], 4 - 2 * eta1, accuracy: 1e-15)
        // Once the distance exceeds r_ε the numerator follows it.
        var far = DistanceOverGradients(repsRel: 1e-12)
        var y: [Double] = [0]
        for _ in 0..<50 { far.step(&y, gradient: [1]) }
        let expected = Swift.max(1e-12, abs(y[0] + far.stepSizes[49][0])) / (50 + DistanceOverGradients.epsilon).squareRoot()
        XCTAssertEqual(far.stepSizes[49][0], expected, accuracy: 1e-12 * expected)
        XCTAssertGreaterThan(far.stepSizes[49][0], 10 * far.stepSizes[0][0])     // the step grows on a constant gradient
    }

    func testLayerwiseWithOneBlockIsDoGAndBlocksTileTheVector() {
        var rng = RandomSource(seed: 3)
        let net = MLP(sizes: [5, 4, 3], hidden: .relu, rng: &rng)
        let blocks = DistanceOverGradients.layerBlocks(net)
        XCTAssertEqual(blocks.count, 4)
        XCTAssertEqual(blocks.first?.lowerBound, 0)
        XCTAssertEqual(blocks.last?.upperBound, net.parameterCount)
        for (a, b) in zip(blocks, blocks.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
        var one = DistanceOverGradients(repsRel: 1e-4, weightDecay: 0.01, blocks: [0..<net.parameterCount])
        var plain = DistanceOverGradients(repsRel: 1e-4, weightDecay: 0.01)
        var (xa, xb) = (net.parameters, net.parameters)
        for _ in 0..<20 {
            let g = (0..<net.parameterCount).map { _ in rng.normal() }
            one.step(&xa, gradient: g); plain.step(&xb, gradient: g)
        }
        XCTAssertEqual(xa, xb)
    }

    func testTamedFirstStepIsDoGsOver256() {
        var dog = DistanceOverGradients(repsRel: 1e-3), tamed = DistanceOverGradients(variant: .tamed, repsRel: 1e-3)
        var (x, y): ([Double], [Double]) = ([1, 2], [1, 2])
        dog.step(&x, gradient: [3, 4]); tamed.step(&y, gradient: [3, 4])
        // G'₀ = 8⁴·log₊²(1)·(ε + 16·25) and log₊²(1 + 1) = 1: η₀ = r_ε / (64·√(ε + 400)) ≈ r_ε / (256·5).
        XCTAssertEqual(dog.stepSizes[0][0] / tamed.stepSizes[0][0], 256, accuracy: 1e-6)
        XCTAssertEqual(DistanceOverGradients.logPlus(1), 1)
        XCTAssertEqual(DistanceOverGradients.logPlus(exp(3)), 3, accuracy: 1e-15)
    }

    func testAveragerWeights() {
        var uniform = PolynomialAverager(gamma: 0)
        let xs: [[Double]] = [[1, -1], [2, 0], [6, 5], [3, 3]]
        for x in xs { uniform.add(x) }
        XCTAssertEqual(uniform.average[0], 3, accuracy: 1e-15)
        XCTAssertEqual(uniform.average[1], 1.75, accuracy: 1e-15)
        // γ = 8: x̄ is Σ_t c_t x_t with c_T = w_T and c_t = w_t Π_{s>t}(1 − w_s); the weights sum to 1.
        var poly = PolynomialAverager(gamma: 8)
        for x in xs { poly.add(x) }
        let w = (1...4).map { 9.0 / (Double($0) + 8) }
        var expected = 0.0
        for t in 0..<4 {
            var c = w[t]
            for s in (t + 1)..<4 { c *= 1 - w[s] }
            expected += c * xs[t][0]
        }
        XCTAssertEqual(poly.average[0], expected, accuracy: 1e-14)
        var first = PolynomialAverager(); first.add([7]); XCTAssertEqual(first.average, [7])
    }
}
