import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import IBPTightness

/// IBPTightness: the pinned quick-mode verdicts, a failing input that turns each claim, and the paper's
/// own pieces (tightness, its closed form, the differentiable IBP loss, the PGD attack) against mathematics.
final class IBPTightnessTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(IBPTightness.info) { try IBPTightness.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        // C2: IBP is the tightest on every seed, but by less than 5x at the small quick widths, and flat or falling in width.
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        // C3: 4 epochs at widths 8-32 are too short for width to pay off in certified accuracy.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .notReproduced)
    }

    // MARK: - Each claim turns on failing evidence

    static let goodInit = Initialization.Evidence(
        widthSlope: -0.499, widthSlopeSE: 0.001, widthPoints: 7, closedFormMaxRelative: 0.008, closedFormMaxZ: 1.1,
        depthFactorRatio: 1.002, depthRSquared: 0.9999, depthPoints: 7, localOverDeepLinear: 1.41,
        exactContained: 12, exactCases: 12, stableMaxGap: 1e-14, stableCases: 4)

    func testClaim1Turns() {
        XCTAssertEqual(Initialization.claim(Self.goodInit).verdict, .reproduced)
        var e = Self.goodInit
        e.widthSlope = -0.3; e.closedFormMaxRelative = 0.2; e.closedFormMaxZ = 9; e.depthFactorRatio = 1.5
        e.depthRSquared = 0.8; e.localOverDeepLinear = 1; e.exactContained = 11; e.stableMaxGap = 0.1
        XCTAssertEqual(Initialization.claim(e).verdict, .notReproduced)
        var few = Self.goodInit
        few.widthPoints = 2
        XCTAssertEqual(Initialization.claim(few).verdict, .partly)
    }

    static let goodTrained = TrainedNetworks.Evidence(ibpOverPGD: 12, ibpOverStandard: 15, seedWins: 24, seedCases: 24,
                                                      tightnessWidthT: [3, 4], certifiedWidthT: [5, 6], widths: 4, discordantPairs: 3)

    func testClaim2Turns() {
        XCTAssertEqual(TrainedNetworks.claim2(Self.goodTrained, epsilons: [0.05, 0.1]).verdict, .reproduced)
        var e = Self.goodTrained
        e.ibpOverPGD = 1.2; e.ibpOverStandard = 0.8; e.seedWins = 20; e.tightnessWidthT = [-1, 0.5]
        XCTAssertEqual(TrainedNetworks.claim2(e, epsilons: [0.05, 0.1]).verdict, .notReproduced)
        var few = Self.goodTrained
        few.widths = 2
        XCTAssertEqual(TrainedNetworks.claim2(few, epsilons: [0.05, 0.1]).verdict, .partly)
    }

    func testClaim3Turns() {
        XCTAssertEqual(TrainedNetworks.claim3(Self.goodTrained, epsilons: [0.05, 0.1]).verdict, .reproduced)
        var e = Self.goodTrained
        e.certifiedWidthT = [0.5, -2]; e.discordantPairs = 0
        XCTAssertEqual(TrainedNetworks.claim3(e, epsilons: [0.05, 0.1]).verdict, .notReproduced)
        var few = Self.goodTrained
        few.widths = 2; few.discordantPairs = 0
        XCTAssertEqual(TrainedNetworks.claim3(few, epsilons: [0.05, 0.1]).verdict, .notReproduced)
    }

    // MARK: - The paper's pieces against mathematics

    func testClosedFormSmallCasesAndAsymptotics() {
        XCTAssertEqual(Tightness.twoLayerClosedForm(1), 1, accuracy: 1e-12)              // one path: no cancellation
        XCTAssertEqual(Tightness.twoLayerClosedForm(2), Double.pi / 4, accuracy: 1e-12)  // √π Γ(3/2) / (2 Γ(1))
        let n = 1000.0
        XCTAssertEqual(Tightness.twoLayerClosedForm(1000), (Double.pi / (2 * n)).squareRoot() * (1 - 1 / (4 * n)), accuracy: 1e-8)
    }

    func testTightnessIsOneWithoutCancellation() {
        // Nonnegative weights: |Π W| = Π |W|, so τ = 1; a single layer is exact as well.
        var rng = RandomSource(seed: 3)
        let w = [rng.uniformMatrix(5, 4, 0, 1), rng.uniformMatrix(3, 5, 0, 1)]
        let (num, den) = Tightness.deepLinear(w, top: Matrix.identity(3), radius: [1, 2, 3, 4])
        for i in 0..<3 { XCTAssertEqual(num[i] / den[i], 1, accuracy: 1e-12) }
        let g = [rng.normalMatrix(3, 4)]
        let (n1, d1) = Tightness.deepLinear(g, top: Matrix.identity(3), radius: [1, 1, 1, 1])
        for i in 0..<3 { XCTAssertEqual(n1[i] / d1[i], 1, accuracy: 1e-12) }
        // A 2x2 example by hand: W₂W₁ = [[1, 1], [1, −1]]·[[1, 1], [1, −1]] = 2I, |W₂||W₁| = 2·ones: τ = 2/4.
        let h = Matrix(rows: 2, cols: 2, elements: [1, 1, 1, -1])
        let (n2, d2) = Tightness.deepLinear([h, h], top: Matrix.identity(2), radius: [1, 1])
        XCTAssertEqual(n2, [2, 2]); XCTAssertEqual(d2, [4, 4])
    }

    func testIBPLossMatchesSharedBoundsAndFiniteDifferences() {
        var rng = RandomSource(seed: 7)
        var net = MLP(sizes: [6, 5, 4, 3], hidden: .relu, initialization: .he, rng: &rng)
        // Nonzero biases: with zero biases a dead layer gives bounds exactly at ReLU's kink, where differences are one-sided.
        for l in 0..<net.layerCount { net.biases[l] = (0..<net.sizes[l + 1]).map { _ in rng.normal(mean: 0, std: 0.3) } }
        let x = rng.uniformMatrix(4, 6, 0, 1), labels = [0, 2, 1, 2], eps = 0.15
        // The loss from the shared single-sample IBP: CE of (0 for y, −lower margin for j ≠ y).
        let shared = (0..<4).map { i -> Double in
            let m = IntervalBoundPropagation.marginBounds(net, box: IntervalVector(around: x.row(i), radius: eps, clippedTo: 0...1), label: labels[i])
            return Foundation.log(1 + m.lower.reduce(0) { $0 + Foundation.exp(-$1) })
        }.reduce(0, +) / 4
        let (loss, g) = CertifiedTraining.ibpLossAndGradient(net, x: x, labels: labels, epsilon: eps)
        XCTAssertEqual(loss, shared, accuracy: 1e-12)
        let theta = net.parameters, h = 1e-6
        let fd = (0..<theta.count).map { j -> Double in
            var p = theta, m = theta
            p[j] += h; m[j] -= h
            return (CertifiedTraining.ibpLossAndGradient(net.with(parameters: p), x: x, labels: labels, epsilon: eps).loss
                    - CertifiedTraining.ibpLossAndGradient(net.with(parameters: m), x: x, labels: labels, epsilon: eps).loss) / (2 * h)
        }
        XCTAssertLessThan(Vector.distance(g, fd) / Vector.norm(g), 1e-5)
    }

    func testInputGradientAndAttackStayInTheBox() {
        var rng = RandomSource(seed: 9)
        let net = MLP(sizes: [5, 6, 3], hidden: .relu, initialization: .he, rng: &rng)
        let x = rng.uniformMatrix(3, 5, 0.2, 0.8), labels = [0, 1, 2]
        let g = CertifiedTraining.inputGradient(net, x: x, labels: labels)
        let loss = Loss.softmaxCrossEntropy(labels: labels), h = 1e-6
        for i in 0..<x.storage.count {
            var p = x, m = x
            p.storage[i] += h; m.storage[i] -= h
            XCTAssertEqual(g.storage[i], (net.loss(p, loss) - net.loss(m, loss)) / (2 * h), accuracy: 1e-6)
        }
        let adv = CertifiedTraining.pgd(net, x: x, labels: labels, epsilon: 0.3, steps: 5, rng: &rng)
        for i in 0..<x.storage.count {
            XCTAssertLessThanOrEqual(abs(adv.storage[i] - x.storage[i]), 0.3 + 1e-12)
            XCTAssertTrue((0...1).contains(adv.storage[i]))
        }
        XCTAssertGreaterThanOrEqual(net.loss(adv, loss), net.loss(x, loss))
    }
}
