import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import IncrementalLearning

/// IncrementalLearning: the pinned quick-mode verdicts, a failing input that turns every claim, and the
/// paper's pieces (gradient, best rank-s solutions, plateau rule, onset predictions) against mathematics.
final class IncrementalLearningTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(IncrementalLearning.info) { try IncrementalLearning.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let good = PlateauEvidence(incrementalRuns: 9, judgedRuns: 9, closest: [1e-4, 3e-4], sensingExponents: [[0.8, 0.9, 0.85], [0.7, 0.8, 0.75]],
                                   populationExponents: [[1.0, 1.01, 1.02], [1.0, 1.03, 1.01]], predictedExponents: [1, 1], closeEnough: 1e-3)
        XCTAssertEqual(Incremental.claim1(good).verdict, .reproduced)
        // GD fits everything at once: no plateaus, never near Z_s, no α-dependence.
        var allAtOnce = good
        allAtOnce.incrementalRuns = 0; allAtOnce.closest = [0.3, 0.1]
        allAtOnce.sensingExponents = [[0.01, -0.02, 0.0], [0.0, 0.01, -0.01]]; allAtOnce.populationExponents = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        XCTAssertEqual(Incremental.claim1(allAtOnce).verdict, .notReproduced)
        var one = good; one.sensingExponents = [[0.8], [0.7]]
        XCTAssertEqual(Incremental.claim1(one).checks[3].status, .notObserved)
    }

    func testClaim2Turns() {
        let good = OnsetEvidence(populationSlopes: [[5.48, 5.49], [15.5, 15.4], [45.4, 45.5]], populationPredicted: [5.485, 15.49, 45.5],
                                 sensingSlopes: [[5.4, 5.4], [14.4, 14.5], [41, 40]], sensingPredicted: [[5.41, 5.41], [14.4, 14.5], [39.5, 39.6]],
                                 sensingRSquared: [0.9999, 0.9999, 0.9995], populationRSquared: [0.9999, 0.9999, 0.9999], minRSquared: 0.9995, missing: 0)
        XCTAssertEqual(Onsets.claim2(good).verdict, .reproduced)
        // Slopes set by something else (e.g. all ranks at the rate of the first): every ratio off.
        var wrong = good
        wrong.populationSlopes = [[5.48, 5.49], [5.5, 5.4], [5.4, 5.5]]; wrong.sensingSlopes = [[8, 8], [5.4, 5.5], [5.4, 5.5]]
        wrong.minRSquared = 0.9
        XCTAssertEqual(Onsets.claim2(wrong).verdict, .partly)
        XCTAssertEqual(Onsets.claim2(wrong).checks.filter { $0.status == .fail }.count, 6)
        var missing = good; missing.missing = 2
        XCTAssertEqual(Onsets.claim2(missing).verdict, .notObserved)
    }

    func testClaim3Turns() {
        let good = UnderEvidence(maxDistance: 1e-12, minLossGap: -1e-16, runs: 12, tolerance: 1e-6)
        XCTAssertEqual(UnderParameterized.claim3(good).verdict, .reproduced)
        var stuck = good; stuck.maxDistance = 0.2
        XCTAssertEqual(UnderParameterized.claim3(stuck).verdict, .partly)
        var beaten = good; beaten.maxDistance = 0.2; beaten.minLossGap = -0.05
        XCTAssertEqual(UnderParameterized.claim3(beaten).verdict, .notReproduced)
    }

    // MARK: - The paper's pieces against mathematics

    func sensingProblem(n: Int = 6, m: Int = 120, seed: UInt64 = 5) -> (Objective, LowRankTruth) {
        var rng = RandomSource(seed: seed)
        let truth = LowRankTruth.symmetric(n: n, singularValues: [1, 1.0 / 3, 1.0 / 9], rng: &rng)
        let op = SensingOperator(n1: n, n2: n, m: m, symmetric: true, rng: &rng)
        return (.sensing(SensingProblem(op: op, truth: truth, rng: &rng)), truth)
    }

    /// −R(X Xᵀ) X is the gradient of L(X) = (1/4m)Σ(⟨Aᵢ, X Xᵀ⟩ − yᵢ)².
    func testResidualGivesTheGradient() {
        let (objective, _) = sensingProblem()
        var rng = RandomSource(seed: 9)
        let x = rng.normalMatrix(6, 2, std: 0.5)
        let grad = -1 * matmul(objective.residual(matmul(x, x, transB: true)).r, x)
        let h = 1e-6
        for (i, j) in [(0, 0), (5, 1), (3, 0)] {
            var xp = x; xp[i, j] += h
            var xm = x; xm[i, j] -= h
            let fd = (objective.loss(matmul(xp, xp, transB: true)) - objective.loss(matmul(xm, xm, transB: true))) / (2 * h)
            XCTAssertEqual(grad[i, j], fd, accuracy: 1e-7)
        }
    }

    /// On the population loss the best rank-s solution is the truncated eigendecomposition of M*.
    func testBestRankIsTheTruncatedEigendecompositionInThePopulationLimit() throws {
        var rng = RandomSource(seed: 3)
        let truth = LowRankTruth.symmetric(n: 8, singularValues: [1, 0.5, 0.2], rng: &rng)
        for s in 1...3 {
            let sol = try BestRank.solve(.population(truth), rank: s)
            let f = truth.factor.submatrix(rows: 0..<8, cols: 0..<s)
            XCTAssertLessThan((sol.matrix - matmul(f, f, transB: true)).frobeniusNorm, 1e-12)
            XCTAssertEqual(sol.loss, 0.25 * truth.singularValues.dropFirst(s).map { $0 * $0 }.reduce(0, +), accuracy: 1e-14)
        }
    }

    /// The sensing Z_s is stationary and GD with k = s from a small start ends at it (an independent algorithm).
    func testGradientDescentWithRankSEndsAtTheProjectedGradientSolution() throws {
        let (objective, _) = sensingProblem(n: 8, m: 200)
        let z1 = try BestRank.solve(objective, rank: 1)
        XCTAssertLessThan(z1.stationarity, 1e-10)
        var rng = RandomSource(seed: 4)
        let tr = try Dynamics.run(objective, rank: 1, alpha: 1e-4, eta: 0.2, iterations: 600, targets: [z1.matrix], rng: &rng, label: "k = 1")
        XCTAssertLessThan(tr.distance.last![0], 1e-8)
        XCTAssertGreaterThanOrEqual(tr.loss.last!, z1.loss * (1 - 1e-9))
    }

    /// With the population eigenvalues the sensing recursion reduces to t_s = 1/ln(1 + ηλ_s).
    func testOnsetPredictionReducesToThePopulationLaw() {
        let l = [1.0, 1.0 / 3, 1.0 / 9, 0], eta = 0.2
        let (t1, t2, t3) = Onsets.predicted(l, [l[1], l[2], 0], [l[2], 0], eta: eta)
        XCTAssertEqual(t1, 1 / log(1 + eta * l[0]), accuracy: 1e-12)
        XCTAssertEqual(t2, 1 / log(1 + eta * l[1]), accuracy: 1e-12)
        XCTAssertEqual(t3, 1 / log(1 + eta * l[2]), accuracy: 1e-12)
    }

    /// The plateau rule on a hand-made trajectory: two plateaus in order, then the truth.
    func testPlateauRuleOnASyntheticTrajectory() {
        var tr = Trajectory()
        for t in 0..<100 {
            let loss: Double = t < 10 ? 1 : t < 40 ? 0.1 : t < 70 ? 0.01 : 1e-8
            tr.loss.append(loss)
            tr.spectrum.append([t >= 10 ? 1 : 0, t >= 40 ? 0.3 : 0, t >= 70 ? 0.1 : 0, 0])
            tr.distance.append([0, 0, t >= 70 ? 1e-6 : 1])
        }
        let w = Dynamics.plateaus(tr, levels: [0.1, 0.01], nextEigenvalues: [1.0 / 3, 1.0 / 9])
        XCTAssertEqual(w[0], 10...39)
        XCTAssertEqual(w[1], 40...69)
        XCTAssertTrue(Dynamics.learnsIncrementally(w, finalError: 1e-6))
        XCTAssertFalse(Dynamics.learnsIncrementally([w[1], w[0]], finalError: 1e-6))   // out of order
        XCTAssertFalse(Dynamics.learnsIncrementally(w, finalError: 0.1))                // never reaches M*
    }
}
