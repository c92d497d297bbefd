import XCTest
import Notebook
@testable import Sophia

/// Sophia: the pinned quick-mode verdicts, a failing input that turns every claim, and the paper's
/// formulas against mathematics.
final class SophiaTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(Sophia.info) { try Sophia.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .notReproduced)   // AdamW reaches the quick target in fewer steps
    }

    func testEstimatorClaimTurns() {
        let good = Estimators.Evidence(hutchinsonSlope: -0.49, hutchinsonBias: 1.0, gnbSlope: -0.47, gnbBias: 0.6, points: 5)
        XCTAssertEqual(Estimators.claim(good).verdict, .reproduced)
        let bad = Estimators.Evidence(hutchinsonSlope: -0.2, hutchinsonBias: 40, gnbSlope: -0.1, gnbBias: 300, points: 5)
        XCTAssertEqual(Estimators.claim(bad).verdict, .notReproduced)
        var biased = good; biased.gnbBias = 5
        XCTAssertEqual(Estimators.claim(biased).verdict, .partly)
        let unseen = Estimators.Evidence(hutchinsonSlope: .nan, hutchinsonBias: .nan, gnbSlope: .nan, gnbBias: .nan, points: 2)
        XCTAssertEqual(Estimators.claim(unseen).verdict, .notObserved)
    }

    /// The Jacobian-based diag(GGN) against E over sampled labels of n ĝ ⊙ ĝ computed exactly (Σ_c p_ic g_ic²),
    /// and Hutchinson's target against the dense Hessian's diagonal by Hessian-vector products with eⱼ.
    func testGGNDiagonalMatchesFisherIdentity() throws {
        var c = Sophia.Config.quick; c.networkSamples = 12; c.hidden = 3
        let lab = try Estimators.Lab(c, seed: 7)
        let (n, p) = (lab.x.rows, lab.model.parameterCount)
        var fisher = [Double](repeating: 0, count: p)
        for cls in 0..<10 {
            lab.model.forEachSampleGradient(lab.x, .softmaxCrossEntropy(labels: Array(repeating: cls, count: n))) { i, g in
                for j in 0..<p { fisher[j] += lab.probabilities[i, cls] * g[j] * g[j] / Double(n) }
            }
        }
        let scale = fisher.map(abs).max()!
        for j in 0..<p { XCTAssertEqual(lab.ggnDiagonal[j], fisher[j], accuracy: 1e-10 * scale) }
        let op = lab.model.hessian(lab.x, .softmaxCrossEntropy(labels: lab.labels))
        for j in stride(from: 0, to: p, by: 7) {
            var e = [Double](repeating: 0, count: p); e[j] = 1
            XCTAssertEqual(op.apply(e)[j], lab.hessianDiagonal[j], accuracy: 1e-10 * max(1, abs(lab.hessianDiagonal[j])))
        }
    }

    func testTrainingClaimTurns() {
        typealias M = Training.Method
        let good = Training.Evidence(steps: [.adamw: [400, 420, 380], .sophiaG: [150, 160, 170], .sophiaH: [190, 200, 180], .adahessian: [300, 310, nil]], budget: 1000)
        XCTAssertEqual(Training.claim(good).verdict, .reproduced)
        var slow = good; slow.steps[.sophiaG] = [300, 310, 290]; slow.steps[.sophiaH] = [390, 400, 410]
        XCTAssertEqual(Training.claim(slow).verdict, .notReproduced)
        var half = good; half.steps[.sophiaH] = [300, 310, 290]
        XCTAssertEqual(Training.claim(half).verdict, .partly)
        var missed = good; missed.steps[.adamw] = [400, nil, 380]
        XCTAssertEqual(Training.claim(missed).verdict, .notObserved)
        XCTAssertEqual(Training.meanSteps([1, 3])!.mean, 2)
        XCTAssertNil(Training.meanSteps([1, nil]))
    }

    func testToyClaimTurns() {
        let c = Sophia.Config.quick
        let good = Toy.Evidence(sophiaDistance: 0, newtonToSaddle: 1e-12, gdBest: 1.1, signAdamBest: 0.25)
        XCTAssertEqual(Toy.claim(good, c).verdict, .reproduced)
        var bad = good; bad.sophiaDistance = 0.3; bad.newtonToSaddle = 1; bad.gdBest = 1e-4; bad.signAdamBest = 1e-5
        XCTAssertEqual(Toy.claim(bad, c).verdict, .notReproduced)
        var partly = good; partly.gdBest = 1e-4
        XCTAssertEqual(Toy.claim(partly, c).verdict, .partly)
    }

    func testConditioningClaimTurns() {
        let k = [10.0, 100, 1000, 10_000]
        let good = Conditioning.Evidence(gd: [.quadratic: [180, 1800, 18_000, 180_000], .logistic: [200, 2000, 20_000, 200_000]],
                                         sophia: [.quadratic: [7, 7, 7, 7], .logistic: [12, 12, 12, 12]], kappas: k)
        XCTAssertEqual(Conditioning.claim(good).verdict, .reproduced)
        let bad = Conditioning.Evidence(gd: [.quadratic: [100, 120, 130, 150], .logistic: [100, 120, 130, 150]],
                                        sophia: [.quadratic: [10, 100, 1000, 10_000], .logistic: [10, 50, 300, 2000]], kappas: k)
        XCTAssertEqual(Conditioning.claim(bad).verdict, .notReproduced)
        var unseen = good; unseen.gd = [.quadratic: [180, 1800, 18_000, nil], .logistic: [nil, nil, nil, nil]]
        unseen.sophia = [.quadratic: [7, nil, 7, 7], .logistic: [nil, 1, 1, 1]]
        XCTAssertEqual(Conditioning.claim(unseen).verdict, .notObserved)
    }

    /// The closed-form stationary points are stationary, and the gradient and Hessian match finite differences.
    func testToyDerivatives() {
        for p in [Toy.minimum, Toy.saddle, Toy.localMinimum] {
            XCTAssertLessThan(abs(Toy.gradient(p)[0]) + abs(Toy.gradient(p)[1]), 1e-12)
        }
        XCTAssertLessThan(Toy.hessianDiagonal(Toy.saddle)[0], 0)
        XCTAssertEqual(Toy.hessianDiagonal(Toy.minimum)[0], 68.8, accuracy: 1e-12)
        let h = 1e-6
        for x in [-0.9, -0.2, 0.3, 1.4] {
            let t = [x, 1.7]
            let fd = (Toy.loss([x + h, 1.7]) - Toy.loss([x - h, 1.7])) / (2 * h)
            XCTAssertEqual(Toy.gradient(t)[0], fd, accuracy: 1e-6 * max(1, abs(fd)))
            let fd2 = (Toy.gradient([x + h, 1.7])[0] - Toy.gradient([x - h, 1.7])[0]) / (2 * h)
            XCTAssertEqual(Toy.hessianDiagonal(t)[0], fd2, accuracy: 1e-5 * max(1, abs(fd2)))
        }
    }

    /// φ of the logistic problem against its closed form and finite differences.
    func testLogisticPhi() {
        for u in [-4.0, -0.3, 0, 0.7, 5] {
            let direct = log(1 + exp(u)) + log(1 + exp(-u)) - 2 * log(2.0)
            let q = Conditioning.phi(.logistic, u)
            XCTAssertEqual(q.value, direct, accuracy: 1e-12)
            let h = 1e-5
            XCTAssertEqual(q.d1, (Conditioning.phi(.logistic, u + h).value - Conditioning.phi(.logistic, u - h).value) / (2 * h), accuracy: 1e-8)
            XCTAssertEqual(q.d2, (Conditioning.phi(.logistic, u + h).d1 - Conditioning.phi(.logistic, u - h).d1) / (2 * h), accuracy: 1e-8)
        }
    }
}
