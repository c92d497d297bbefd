import XCTest
import Notebook
import Numerics
import Learning
@testable import SAM

/// SAM: the pinned quick-mode verdicts; for every claim, a failing input that turns it; the SAM step,
/// the label noise and the matched-loss stop checked against their definitions.
final class SAMTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(SAM.info) { try SAM.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4", "C5", "C6"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)      // O(ρ²) remainder, exact HVP
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)      // closed-form 2-cycle
        // C3, C4: quick mode trains 300 examples for 10 SAM epochs, far from converged; SGD's twice as
        // many epochs dominate there.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .notReproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C5"), .reproduced)      // flatter at matched loss
        XCTAssertEqual(PaperHarness.verdict(report, "C6"), .partly)          // two sizes only: slope not observed
    }

    // MARK: - Each claim turns on failing evidence

    func testExpansionClaimTurns() {
        let good = ExactChecks.ExpansionEvidence(firstOrderSlope: 1.0, remainderSlope: 2.0, points: 6, implementationGap: 1e-17)
        XCTAssertEqual(ExactChecks.claimExpansion(good).verdict, .reproduced)
        var linear = good; linear.remainderSlope = 1.0                   // a remainder that is only O(ρ)
        XCTAssertEqual(ExactChecks.claimExpansion(linear).verdict, .partly)
        var wrong = good; wrong.remainderSlope = 1; wrong.firstOrderSlope = 0; wrong.implementationGap = 0.1
        XCTAssertEqual(ExactChecks.claimExpansion(wrong).verdict, .notReproduced)
        var few = good; few.points = 2
        XCTAssertEqual(ExactChecks.claimExpansion(few).checks[0].status, .notObserved)
    }

    func testCycleClaimTurns() {
        let good = ExactChecks.CycleEvidence(amplitudeError: 1e-15, orthogonalResidual: 1e-15, alternates: true)
        XCTAssertEqual(ExactChecks.claimCycle(good).verdict, .reproduced)
        let converged = ExactChecks.CycleEvidence(amplitudeError: 1, orthogonalResidual: 0, alternates: false)   // x → 0
        XCTAssertEqual(ExactChecks.claimCycle(converged).verdict, .partly)
        let nan = ExactChecks.CycleEvidence(amplitudeError: .nan, orthogonalResidual: .nan, alternates: false)
        XCTAssertEqual(ExactChecks.claimCycle(nan).verdict, .notReproduced)
    }

    func testNoiseAndCleanClaimsTurn() {
        let win = [2.0, 3, 1.5, 2.5, 4], lose = [-2.0, -3, -1.5, 0.5, -4]
        func ev(_ g0: [Double], _ g4: [Double], _ g6: [Double]) -> LabelNoise.Evidence {
            LabelNoise.Evidence(levels: [LabelNoise.Level(p: 0, earlyGain: g0, finalGain: g0),
                                         LabelNoise.Level(p: 0.4, earlyGain: g4, finalGain: g4),
                                         LabelNoise.Level(p: 0.6, earlyGain: g6, finalGain: g6)])
        }
        XCTAssertEqual(LabelNoise.claimNoise(ev(win, win, win)).verdict, .reproduced)
        XCTAssertEqual(LabelNoise.claimNoise(ev(win, lose, lose)).verdict, .notReproduced)
        XCTAssertEqual(LabelNoise.claimNoise(ev(win, win, lose)).verdict, .partly)
        XCTAssertEqual(LabelNoise.claimClean(ev(win, win, win)).verdict, .reproduced)
        XCTAssertEqual(LabelNoise.claimClean(ev(lose, win, win)).verdict, .notReproduced)
        // Two seeds: the k-of-n check is not observed.
        XCTAssertEqual(LabelNoise.claimClean(ev([1, 2], win, win)).checks[1].status, .notObserved)
    }

    func testFlatnessClaimTurns() {
        let flat = Flatness.Pair(sgdTop: 2, samTop: 1, sgdBulk: 3, samBulk: 2, sgdLoss: 0.02, samLoss: 0.02,
                                 sgdNorm: 10, samNorm: 10, sgdSteps: 100, samSteps: 100)
        let good = Flatness.Evidence(pairs: (0..<5).map { i in var p = flat; p.samTop = 1 + 0.05 * Double(i); return p }, lanczosError: 1e-14)
        XCTAssertEqual(Flatness.claim(good).verdict, .reproduced)
        // Flatter only because the weights are larger: λ·||w||² is not smaller.
        var scaled = good; scaled.pairs = scaled.pairs.map { var p = $0; p.samNorm = 20; return p }
        XCTAssertEqual(Flatness.claim(scaled).checks[2].status, .fail)
        var sharp = good; sharp.pairs = sharp.pairs.map { var p = $0; p.samTop = 3; return p }
        XCTAssertNotEqual(Flatness.claim(sharp).verdict, .reproduced)
        XCTAssertEqual(Flatness.claim(sharp).checks[0].status, .fail)
        var unreached = good; unreached.pairs[0].samLoss = .nan
        XCTAssertEqual(Flatness.claim(unreached).checks[1].status, .notObserved)
    }

    func testMSharpnessClaimTurns() {
        let good = MSharpness.Evidence(sizes: [1, 4, 16, 64], accuracy: [[0.97, 0.96, 0.97, 0.98, 0.97], [0.96, 0.96, 0.96, 0.97, 0.96],
                                                                         [0.95, 0.95, 0.96, 0.96, 0.95], [0.94, 0.95, 0.95, 0.95, 0.94]])
        XCTAssertEqual(MSharpness.claim(good).verdict, .reproduced)
        let reversed = MSharpness.Evidence(sizes: good.sizes, accuracy: good.accuracy.reversed())
        XCTAssertEqual(MSharpness.claim(reversed).verdict, .notReproduced)
        let two = MSharpness.Evidence(sizes: [4, 64], accuracy: [good.accuracy[0], good.accuracy[3]])
        XCTAssertEqual(MSharpness.claim(two).checks[2].status, .notObserved)
    }

    // MARK: - The method against its definition

    func testSAMGradientMatchesDefinitionPerMicroBatch() throws {
        var rng = RandomSource(seed: 7)
        let net = MLP(sizes: [5, 4, 3], hidden: .tanh, rng: &rng)
        let x = rng.normalMatrix(8, 5), labels = (0..<8).map { $0 % 3 }
        let loss = Loss.softmaxCrossEntropy(labels: labels)
        // ρ = 0: the plain gradient.
        let plain = net.lossAndGradient(x, loss)
        let zero = SharpnessAware(rho: 0, microBatch: nil).lossAndGradient(net, x, loss)
        XCTAssertEqual(Vector.distance(zero.gradient, plain.gradient), 0, accuracy: 1e-15)
        XCTAssertEqual(zero.loss, plain.loss, accuracy: 1e-15)
        // m = 2: the average of the four slices' own ascents.
        let rho = 0.3, w = net.parameters
        var expected = [Double](repeating: 0, count: w.count)
        for k in 0..<4 {
            let rows = [2 * k, 2 * k + 1]
            let (xs, ls) = (x.rows(rows), loss.subset(rows))
            let g = net.lossAndGradient(xs, ls).gradient
            var p = w; Vector.axpy(rho / Vector.norm(g), g, &p)
            Vector.axpy(0.25, net.with(parameters: p).lossAndGradient(xs, ls).gradient, &expected)
        }
        let micro = SharpnessAware(rho: rho, microBatch: 2).lossAndGradient(net, x, loss)
        XCTAssertLessThan(Vector.distance(micro.gradient, expected) / Vector.norm(expected), 1e-14)
        XCTAssertEqual(micro.loss, plain.loss, accuracy: 1e-14)                 // the loss reported is L_B(w)
    }

    func testLabelNoiseAndMatchedStop() throws {
        let task = try DigitsTask.load(train: 300, validation: 100, seed: 3)
        var r0 = RandomSource(seed: 1), r1 = RandomSource(seed: 1), rh = RandomSource(seed: 1)
        XCTAssertEqual(task.noisyLabels(0, rng: &r0), task.trainLabels)
        XCTAssertTrue(zip(task.noisyLabels(1, rng: &r1), task.trainLabels).allSatisfy { $0 != $1 })
        let half = zip(task.noisyLabels(0.5, rng: &rh), task.trainLabels).filter { $0 != $1 }.count
        XCTAssertEqual(Double(half) / 300, 0.5, accuracy: 0.1)
        var ir = RandomSource(seed: 2), order = RandomSource(seed: 3)
        let rec = task.train(task.network(hidden: 16, rng: &ir), labels: task.trainLabels,
                             recipe: Recipe(learningRate: 0.05, momentum: 0.9, epochs: 200, batch: 32, sam: nil),
                             order: &order, stopBelow: 0.1)
        let stopped = try XCTUnwrap(rec.stoppedAtLoss)
        XCTAssertLessThan(stopped, 0.1)
        XCTAssertEqual(rec.model.loss(task.trainX, .softmaxCrossEntropy(labels: task.trainLabels)), stopped, accuracy: 1e-12)
    }
}
