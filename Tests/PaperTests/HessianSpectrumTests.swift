import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import HessianSpectrum

/// The Hessian-spectrum paper in quick mode (verdicts pinned), each claim's verdict turning on
/// failing evidence, the paper's own methods against exact cases, and the shared MLP's derivatives.
final class HessianSpectrumTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(HessianSpectrum.info) { try HessianSpectrum.run(options: $0, report: $1) }
    }

    // MARK: - the paper

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        // C1: with 40 samples per class the rule rarely finds k − 1 (softmax) or k (squared error).
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .notReproduced)
        // C2: the outliers and the bulk's shape in units of λ₁ stay, the outlier count does not.
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        // C3: at matched loss the outliers move and the bulk stays; more clusters do not add outliers.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
        // C4: the continued run does not leave θ_LB (not observed); one-initialization segments pass.
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .partly)
    }

    // MARK: - each claim turns on failing evidence

    func testClaim1TurnsOnWrongCountsAndASmallBulk() {
        let good = OutliersExperiment.Evidence(classes: [2, 4], softmaxCounts: [[1, 1, 1], [3, 3, 2]],
                                               squaredCounts: [[2, 2, 2], [4, 4, 4]], bulkFractions: [0.95, 0.93, 0.94], required: 2)
        XCTAssertEqual(OutliersExperiment.claim(good).verdict, .reproduced)
        var bad = good
        bad.softmaxCounts = [[2, 2, 1], [4, 4, 4]]            // k outliers, not k − 1, on most seeds
        bad.squaredCounts = [[4, 4, 4], [16, 9, 0]]
        bad.bulkFractions = [0.7, 0.8, 0.75]
        XCTAssertEqual(OutliersExperiment.claim(bad).verdict, .notReproduced)
        var none = good
        none.softmaxCounts = [[], []]; none.squaredCounts = [[], []]; none.bulkFractions = []
        XCTAssertEqual(OutliersExperiment.claim(none).verdict, .notObserved)
    }

    func testClaim2TurnsOnAMovingBulk() {
        let good = WidthExperiment.Evidence(classes: 4, parameterCounts: [196, 516], counts: [[3, 3, 3], [3, 3, 3]],
                                            outlierRatios: [1, 1.1, 0.9], normalizedSpreadRatios: [0.8, 1.2, 1],
                                            bulkShareChanges: [0.05, 0.04, 0.06], required: 2)
        XCTAssertEqual(WidthExperiment.claim(good).verdict, .reproduced)
        var bad = good
        bad.counts = [[2, 2, 3], [3, 4, 3]]
        bad.outlierRatios = [3, 4, 5]
        bad.normalizedSpreadRatios = [0.1, 0.2, 0.1]
        bad.bulkShareChanges = [-0.1, -0.2, -0.1]
        XCTAssertEqual(WidthExperiment.claim(bad).verdict, .notReproduced)
    }

    func testClaim3TurnsOnAStillOutlierAndIsNotObservedWithoutMatchedLosses() {
        let good = DataExperiment.Evidence(classes: 4, lossRatios: [0.9, 1, 0.95], outlierRatios: [2, 2.5, 1.8],
                                           spreadRatios: [1.2, 0.9, 1.5], fewClasses: 2, manyClasses: 4,
                                           fewCounts: [1, 1, 1], manyCounts: [3, 3, 3], required: 2)
        XCTAssertEqual(DataExperiment.claim(good).verdict, .reproduced)
        var bad = good
        bad.outlierRatios = [1.05, 0.95, 1]
        bad.spreadRatios = [10, 20, 8]
        bad.manyCounts = [1, 0, 1]
        XCTAssertEqual(DataExperiment.claim(bad).verdict, .notReproduced)
        var unmatched = good
        unmatched.lossRatios = [0.01, 0.02, 0.01]
        let c = DataExperiment.claim(unmatched)
        XCTAssertEqual(c.checks.filter { $0.status == .notObserved }.count, 2, "both spectral ratios need matched losses")
        XCTAssertNotEqual(c.verdict, .reproduced)
    }

    func testClaim4TurnsOnABarrierAndIsNotObservedWhenTheContinuedRunStalls() {
        let good = BasinExperiment.Evidence(continued: [0, 0.01, -0.1], sameStart: [0, 0.05, 0.02],
                                            continuedTravel: [0.5, 0.4, 0.6], tolerance: 0.1, required: 2)
        XCTAssertEqual(BasinExperiment.claim(good).verdict, .reproduced)
        var bad = good
        bad.continued = [3, 0.5, 0]
        bad.sameStart = [100, 0.2, 0]
        XCTAssertEqual(BasinExperiment.claim(bad).verdict, .notReproduced)
        var stalled = good
        stalled.continuedTravel = [0.01, 0.02, 0.01]
        stalled.sameStart = [100, 0.2, 0]
        XCTAssertEqual(BasinExperiment.claim(stalled).verdict, .notReproduced)
        XCTAssertEqual(BasinExperiment.claim(stalled).checks[0].status, .notObserved)
    }

    // MARK: - the paper's methods

    func testOutlierRuleOnHandMadeSpectra() {
        // Three eigenvalues well above a bulk near zero: the largest ratio above the edge (0.05) is after the third.
        let spectrum: [Double] = [5, 4, 3, 0.2, 0.15, 0.1, 0.01, 0, -0.01]
        let (count, gap) = SpectrumSummary.outliers(spectrum, window: 6, edge: 0.01, minimumGap: 2)
        XCTAssertEqual(count, 3)
        XCTAssertEqual(gap, 15, accuracy: 1e-12)
        XCTAssertEqual(SpectrumSummary.outliers(spectrum, window: 6, edge: 0.01, minimumGap: 20).count, 0, "a gap below the minimum is no gap")
        XCTAssertEqual(SpectrumSummary.outliers(spectrum, window: 2, edge: 0.01, minimumGap: 1).count, 2, "the window bounds the search")
        // A zero or negative neighbour is floored at the edge: the ratio stays finite.
        let (c1, g1) = SpectrumSummary.outliers([1, 0, -3], window: 5, edge: 0.01, minimumGap: 2)
        XCTAssertEqual(c1, 1)
        XCTAssertEqual(g1, 100, accuracy: 1e-9)
        // The search stops at the bulk edge: a gap inside the bulk is never the cut.
        XCTAssertEqual(SpectrumSummary.outliers([1, 0.9, 0.8, 0.001, 1e-9], window: 5, edge: 0.01, minimumGap: 2).count, 3)
        XCTAssertEqual(SpectrumSummary.outliers([-1, -2], window: 3, edge: 0.01, minimumGap: 2).count, 0, "no positive eigenvalue, no outlier")
        XCTAssertEqual(SpectrumSummary.outliers([.nan, 1], window: 3, edge: 0.01, minimumGap: 2).count, 0)
        let s = SpectrumSummary(spectrum, classes: 3, window: 6, edge: 0.01, minimumGap: 2)
        XCTAssertEqual(s.nearZeroFraction, 3.0 / 9.0, accuracy: 1e-12)   // |λ| < 0.05: 0.01, 0, −0.01
        XCTAssertEqual(s.topMean(2), 4.5)
    }

    func testRelativeBarrier() {
        XCTAssertEqual(Analysis.relativeBarrier([1, 0.5, 2]), 0)
        XCTAssertEqual(Analysis.relativeBarrier([1, 3, 2]), 0.5)
        XCTAssertLessThan(Analysis.relativeBarrier([1, 0.5, 1]), 1e-15)
        XCTAssertTrue(Analysis.relativeBarrier([0, 1, 0]).isNaN, "zero end losses: no relative scale")
        XCTAssertEqual(Seeds.geometricMean([2, 8]), 4, accuracy: 1e-12)
        XCTAssertTrue(Seeds.geometricMean([2, -1]).isNaN)
        XCTAssertEqual(Seeds.tally([3, 2, 3]), "3 (×2), 2 (×1)")
    }

    func testTrainingStopsAtTheTargetLossAndProbesThePath() throws {
        let (net, x, loss) = smallProblem(.relu)
        var rng = RandomSource(seed: 1)
        let full = try Training.sgd(net, x: x, loss: loss, batch: 7, learningRate: 0.1, epochs: 20, rng: &rng, label: "full", probeEvery: 3)
        XCTAssertEqual(full.steps, 60)
        XCTAssertEqual(full.probes.count, 21)
        XCTAssertEqual(full.probes[0], net.loss(x, loss))
        let target = 0.5 * (full.probes[0] + full.net.loss(x, loss))
        var rng2 = RandomSource(seed: 1)
        let stopped = try Training.sgd(net, x: x, loss: loss, batch: 7, learningRate: 0.1, epochs: 20, rng: &rng2, label: "stopped", stopBelow: target)
        XCTAssertLessThan(stopped.steps, 60)
        XCTAssertLessThanOrEqual(stopped.net.loss(x, loss), target)
    }

    func testSquaredErrorLossAgainstOneHotTargets() {
        let y = Lab.oneHot([0, 2, 1], classes: 3)
        XCTAssertEqual(y.storage, [1, 0, 0, 0, 0, 1, 0, 1, 0])
    }

    func testGaussianMixtureMeansAreOrthogonalAtTheSeparation() {
        var rng = RandomSource(seed: 4)
        let gm = GaussianMixture(classes: 3, dimension: 5, separation: 2.5, noise: 0, rng: &rng)
        let g = matmul(gm.means, gm.means, transB: true)
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(g[i, j], i == j ? 6.25 : 0, accuracy: 1e-12) } }
        let (x, labels) = gm.sample(perClass: 2, rng: &rng)
        XCTAssertEqual(labels, [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(x.row(3), gm.means.row(1))        // σ = 0: every sample is its mean
        XCTAssertEqual(gm.nearestMeanError(x, labels: labels), 0)
    }

    func testDivergingTrainingStopsWithANamedError() {
        let (net, x, loss) = smallProblem(.relu)
        var rng = RandomSource(seed: 1)
        XCTAssertThrowsError(try Training.sgd(net, x: x, loss: loss, batch: 7, learningRate: 1e300, epochs: 50,
                                              rng: &rng, label: "diverging run")) { error in
            XCTAssertTrue("\(error)".contains("diverging run"), "the error names the run: \(error)")
        }
    }

    /// A small problem with every kind of layer (the Hessian paper's Gaussian mixture, an MLP, a loss).
    func smallProblem(_ act: Activation, seed: UInt64 = 3) -> (MLP, Matrix, Loss) {
        var rng = RandomSource(seed: seed)
        let gm = GaussianMixture(classes: 3, dimension: 4, separation: 2, noise: 1, rng: &rng)
        let (x, y) = gm.sample(perClass: 7, rng: &rng)
        let net = MLP(sizes: [4, 6, 5, 3], hidden: act, initialization: .he, rng: &rng)
        return (net, x, .softmaxCrossEntropy(labels: y))
    }
}
