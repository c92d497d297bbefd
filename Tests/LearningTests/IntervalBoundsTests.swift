import Foundation
import XCTest
import Numerics
import Learning

/// Interval bound propagation and exact region enumeration against hand-computed boxes, random points
/// of the box (soundness) and closed forms (exactness on one linear layer).
final class IntervalBoundsTests: XCTestCase {
    /// A 2-2-1 ReLU network whose boxes are worked out by hand below.
    func handNetwork() -> MLP {
        MLP(sizes: [2, 2, 1], activations: [.relu, .identity],
            weights: [Matrix(rows: 2, cols: 2, elements: [1, -1, 2, 1]), Matrix(rows: 1, cols: 2, elements: [1, -2])],
            biases: [[0, -1], [0.5]])
    }

    func testHandComputedBoxes() {
        // x ∈ [0, 1] x [−1, 1]: center (0.5, 0), radius (0.5, 1).
        // z₀ = x₁ − x₂: center 0.5, radius 0.5 + 1 = 1.5 → [−1, 2]; z₁ = 2x₁ + x₂ − 1: center 0, radius 1 + 1 = 2 → [−2, 2].
        // ReLU: [0, 2] and [0, 2]; output a₀ − 2a₁ + 0.5: center 1 − 2 + 0.5 = −0.5, radius 1 + 2 = 3 → [−3.5, 2.5].
        let b = IntervalBoundPropagation.bounds(handNetwork(), box: IntervalVector(lower: [0, -1], upper: [1, 1]))
        XCTAssertEqual(b[0].lower, [-1, -2]); XCTAssertEqual(b[0].upper, [2, 2])
        XCTAssertEqual(b[1].lower, [-3.5]); XCTAssertEqual(b[1].upper, [2.5])
        // Interval product and the clipped ball.
        XCTAssertEqual(Interval(-1, 2) * Interval(-3, 1), Interval(-6, 3))
        let clipped = IntervalVector(around: [0.05, 0.5, 0.98], radius: 0.1, clippedTo: 0...1)
        XCTAssertEqual(clipped.lower[0], 0); XCTAssertEqual(clipped.upper[2], 1)
        XCTAssertEqual(clipped.lower[1], 0.4, accuracy: 1e-15); XCTAssertEqual(clipped.upper[1], 0.6, accuracy: 1e-15)
    }

    func testMarginElisionByHand() {
        // One linear layer z = W x, x ∈ [−1, 1]²; W rows (1, 1), (1, −1), (0, 0). Label 0:
        // margins z₀ − z₁ = 2x₂ ∈ [−2, 2], z₀ − z₂ = x₁ + x₂ ∈ [−2, 2]; subtracting logit boxes would give [−4, 4] for the first.
        let net = MLP(sizes: [2, 3], activations: [.identity], weights: [Matrix(rows: 3, cols: 2, elements: [1, 1, 1, -1, 0, 0])], biases: [[0, 0, 0]])
        let m = IntervalBoundPropagation.marginBounds(net, box: IntervalVector(lower: [-1, -1], upper: [1, 1]), label: 0)
        XCTAssertEqual(m.lower, [-2, -2]); XCTAssertEqual(m.upper, [2, 2])
        let z = IntervalBoundPropagation.bounds(net, box: IntervalVector(lower: [-1, -1], upper: [1, 1]))[0]
        XCTAssertEqual(z.upper[0] - z.lower[1], 4)
    }

    func testSoundOnRandomPoints() {
        var rng = RandomSource(seed: 11)
        let net = MLP(sizes: [5, 7, 6, 4], hidden: .relu, initialization: .he, rng: &rng)
        for trial in 0..<5 {
            let x = (0..<5).map { _ in rng.uniform() }
            let box = IntervalVector(around: x, radius: 0.05 + 0.1 * Double(trial), clippedTo: 0...1)
            let bounds = IntervalBoundPropagation.bounds(net, box: box)
            let margins = IntervalBoundPropagation.marginBounds(net, box: box, label: trial % 4)
            for _ in 0..<200 {
                let p = (0..<5).map { rng.uniform(box.lower[$0], box.upper[$0]) }
                let pass = net.forwardPass(Matrix(rows: 1, cols: 5, elements: p))
                for l in 0..<3 { XCTAssertTrue(bounds[l].contains(pass.preActivations[l].row(0), tolerance: 1e-12)) }
                let z = pass.output.row(0)
                let m = (0..<4).filter { $0 != trial % 4 }.map { z[trial % 4] - z[$0] }
                XCTAssertTrue(margins.contains(m, tolerance: 1e-12))
            }
            // Elision is never looser than subtracting the logit boxes.
            let zb = bounds[2]
            for (r, j) in (0..<4).filter({ $0 != trial % 4 }).enumerated() {
                XCTAssertGreaterThanOrEqual(margins.lower[r], zb.lower[trial % 4] - zb.upper[j] - 1e-12)
            }
        }
    }

    func testExactOnOneLinearLayer() {
        // For z = W x + b the center-radius box is the exact image: each bound is attained at a corner.
        var rng = RandomSource(seed: 5)
        let w = rng.normalMatrix(4, 6), b = (0..<4).map { _ in rng.normal() }
        let net = MLP(sizes: [6, 4], activations: [.identity], weights: [w], biases: [b])
        let box = IntervalVector(around: (0..<6).map { _ in rng.uniform() }, radius: 0.3, clippedTo: 0...1)
        let z = IntervalBoundPropagation.bounds(net, box: box)[0]
        for i in 0..<4 {
            let corner = (0..<6).map { w[i, $0] >= 0 ? box.upper[$0] : box.lower[$0] }
            let value = zip(w.row(i), corner).reduce(b[i]) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(z.upper[i], value, accuracy: 1e-12)
        }
    }

    func testExactBoundsByRegionsInsideIBPAndAttained() throws {
        var rng = RandomSource(seed: 21)
        let net = MLP(sizes: [2, 5, 4, 3], hidden: .relu, initialization: .he, rng: &rng)
        let box = IntervalVector(lower: [-0.5, -0.3], upper: [0.4, 0.6])
        let spec = IntervalBoundPropagation.marginSpecification(classes: 3, label: 1)
        let (exact, work) = try ActivationRegions.exactBounds(net, box: box, specification: spec, maxLinearPrograms: 100_000)
        XCTAssertGreaterThan(work.regions, 1)
        let ibp = IntervalBoundPropagation.marginBounds(net, box: box, label: 1)
        // A dense grid of the 2-D box: every value inside the exact bounds, and the extremes come close.
        var lo = [Double](repeating: .infinity, count: 2), hi = [Double](repeating: -.infinity, count: 2)
        for a in 0...200 { for c in 0...200 {
            let p = [box.lower[0] + 0.9 * Double(a) / 200, box.lower[1] + 0.9 * Double(c) / 200]
            let z = net.forward(Matrix(rows: 1, cols: 2, elements: p)).row(0)
            for (r, j) in [0, 2].enumerated() { lo[r] = min(lo[r], z[1] - z[j]); hi[r] = max(hi[r], z[1] - z[j]) }
        } }
        for r in 0..<2 {
            XCTAssertLessThanOrEqual(exact.lower[r], lo[r] + 1e-9); XCTAssertGreaterThanOrEqual(exact.upper[r], hi[r] - 1e-9)
            XCTAssertEqual(exact.lower[r], lo[r], accuracy: 0.02 * (hi[r] - lo[r]))
            XCTAssertEqual(exact.upper[r], hi[r], accuracy: 0.02 * (hi[r] - lo[r]))
            XCTAssertLessThanOrEqual(ibp.lower[r], exact.lower[r] + 1e-9); XCTAssertGreaterThanOrEqual(ibp.upper[r], exact.upper[r] - 1e-9)
        }
    }
}
