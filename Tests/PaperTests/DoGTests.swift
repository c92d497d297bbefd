import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import DoG

/// DoG: the pinned quick-mode verdicts, a failing input that turns every claim, and the notebook's own
/// pieces (the closed-form Hessian and Newton's x*) against mathematics. The optimizer's own tests are in
/// Tests/LearningTests/DistanceOverGradientsTests.swift.
final class DoGTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(DoG.info) { try DoG.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4", "C5"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .notReproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C5"), .partly)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let good = Convex.Evidence1(accuracyGaps: [0.001, 0.002, 0, 0.001, 0.003], excessRatio: 1.2, averagingWins: 5, replicates: 5)
        XCTAssertEqual(Convex.claim1(good).verdict, .reproduced)
        let bad = Convex.Evidence1(accuracyGaps: [0.03, 0.02, 0.04, 0.03, 0.05], excessRatio: 10, averagingWins: 1, replicates: 5)
        XCTAssertEqual(Convex.claim1(bad).verdict, .notReproduced)
        var few = good; few.accuracyGaps = [0.001, 0.002]; few.replicates = 2
        XCTAssertEqual(Convex.claim1(few).checks[0].status, .notObserved)
        XCTAssertEqual(Convex.claim1(few).verdict, .partly)
    }

    func testClaim2Turns() {
        let good = Convex.Evidence2(newtonGradient: 1e-15, lowestExcess: 1e-4, distanceRatios: [1, 1.1], gridRatios: [0.8, 1.2])
        XCTAssertEqual(Convex.claim2(good).verdict, .reproduced)
        let bad = Convex.Evidence2(newtonGradient: 1e-3, lowestExcess: -1e-3, distanceRatios: [0.01, 0.02], gridRatios: [0.001, 0.002])
        XCTAssertEqual(Convex.claim2(bad).verdict, .notReproduced)
        var nan = good; nan.gridRatios = [.nan]
        XCTAssertEqual(Convex.claim2(nan).checks[3].status, .notObserved)
    }

    func testClaim3Turns() {
        let good = Network.Evidence(sgdMinusDoG: [0.002, 0, 0.004], layerwiseMinusSGD: [0.001, 0.002, 0], adamMinusLayerwise: [0.003, 0.001, 0.002])
        XCTAssertEqual(Network.claim(good).verdict, .reproduced)
        let bad = Network.Evidence(sgdMinusDoG: [0.05, 0.04, 0.06], layerwiseMinusSGD: [-0.03, -0.031, -0.029], adamMinusLayerwise: [-0.02, -0.021, -0.019])
        XCTAssertEqual(Network.claim(bad).verdict, .notReproduced)
        let few = Network.Evidence(sgdMinusDoG: [0], layerwiseMinusSGD: [0], adamMinusLayerwise: [0])
        XCTAssertEqual(Network.claim(few).verdict, .notObserved)
    }

    func testClaim4Turns() {
        let values = [1e-10, 1e-8, 1e-6, 1e-4]
        let good = Sensitivity.Evidence(values: values, convexAccuracy: [0.96, 0.962, 0.963, 0.964],
                                        convexExcess: [2e-4, 2.5e-4, 3e-4, 3e-4], networkAccuracy: [0.97, 0.971, 0.97, 0.969])
        XCTAssertEqual(Sensitivity.claim(good).verdict, .reproduced)
        let bad = Sensitivity.Evidence(values: values, convexAccuracy: [0.6, 0.9, 0.96, 0.96],
                                       convexExcess: [1, 1e-2, 3e-4, 3e-4], networkAccuracy: [0.3, 0.9, 0.97, 0.97])
        XCTAssertEqual(Sensitivity.claim(bad).verdict, .notReproduced)
        var narrow = good; narrow.values = [1e-6, 1e-5]
        XCTAssertEqual(Sensitivity.claim(narrow).verdict, .notObserved)
    }

    func testClaim5Turns() {
        XCTAssertEqual(Bounded.claim(Bounded.Evidence(dog: [0.9, 1.1], tamed: [0.5, 1.0])).verdict, .reproduced)
        XCTAssertEqual(Bounded.claim(Bounded.Evidence(dog: [0.9, 12], tamed: [0.5, 4])).verdict, .notReproduced)
        let still = Bounded.claim(Bounded.Evidence(dog: [1.0], tamed: [1e-6]))
        XCTAssertEqual(still.checks[1].status, .notObserved)
        XCTAssertEqual(still.verdict, .partly)
    }

    // MARK: - The notebook's pieces

    func smallProblem() throws -> DigitsProblem {
        var rng = RandomSource(seed: 11)
        let split = try DigitsDataset.load().prefix(300).split(trainCount: 200, rng: &rng)
        return DigitsProblem(split: split, hidden: [], weightDecay: 1e-2, batch: 20, epochs: 2, seed: 5)
    }

    func testClosedFormHessianMatchesTheROperator() throws {
        let p = try smallProblem()
        var rng = RandomSource(seed: 2)
        let model = p.network(replicate: 0).with(parameters: (0..<650).map { _ in 0.3 * rng.normal() })
        let closed = NewtonSolution.hessian(model, p.trainX)
        let rop = model.fullHessian(p.trainX, p.trainLoss)
        var worst = 0.0
        for i in 0..<650 { for j in 0..<650 { worst = Swift.max(worst, abs(closed[i, j] - rop[i, j])) } }
        XCTAssertLessThan(worst, 1e-13)
    }

    func testNewtonMinimizerIsStationaryAndMinimal() throws {
        let p = try smallProblem()
        let sol = try NewtonSolution(p)
        XCTAssertLessThan(sol.gradientNorm, 1e-11)
        let model = p.network(replicate: 0)
        XCTAssertEqual(p.objective(sol.minimizer, model: model), sol.value, accuracy: 1e-14)
        var rng = RandomSource(seed: 9)
        for _ in 0..<5 {
            let nearby = sol.minimizer.map { $0 + 1e-3 * rng.normal() }
            XCTAssertGreaterThan(p.objective(nearby, model: model), sol.value)
        }
        // A DoG run never goes below F*.
        let run = p.train(.dog(repsRel: 1e-6), replicate: 0)
        XCTAssertGreaterThanOrEqual(run.averageObjective, sol.value)
        XCTAssertEqual(run.distances.count, run.steps)
    }
}
