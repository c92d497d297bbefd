import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import OverparamSlowsGD

/// The paper in quick mode: every claim's verdict is pinned; each claim turns on failing evidence;
/// the paper's own pieces (population gradients, the one-step modification, the closed forms) are
/// checked against mathematics on small cases.
final class OverparamSlowsGDTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(OverparamSlowsGD.info) { try OverparamSlowsGD.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)   // exact rank: linear
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)   // 1/T² squared error; population constant
        // C3: in quick mode (n = 20, m = 5nr) the fitted exponent of the rate in α is below the α² window.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
        // C4: α-independent after the step on both losses and equal to the exact-rank rate on the population
        // loss, but about half the exact-rank rate with m = 5nr Gaussian measurements.
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .partly)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let good = LinearEvidence(reachedAt: 500, rSquared: 0.9995, rate: 0.04, points: 20)
        XCTAssertEqual(SymmetryExperiment.claim1(good).verdict, .reproduced)
        var bent = good; bent.rSquared = 0.9; bent.reachedAt = nil
        XCTAssertEqual(SymmetryExperiment.claim1(bent).verdict, .notReproduced)
        var thin = good; thin.points = 2
        XCTAssertEqual(SymmetryExperiment.claim1(thin).verdict, .partly)
        XCTAssertEqual(SymmetryExperiment.claim1(thin).checks[1].status, .notObserved)
    }

    func testClaim2Turns() {
        let good = SublinearEvidence(sensingSlope: -1.85, rateRatio: 4.7, sensingErrorAtEnd: 2e-4, sensingPoints: 50,
                                     populationConstant: 12.4, predictedConstant: 12.5, populationRSquared: 0.99999,
                                     populationErrorAtEnd: 1e-4, populationPoints: 100, floor: 1e-12)
        XCTAssertEqual(SymmetryExperiment.claim2(good).verdict, .reproduced)
        // A run stuck at the round-off floor: its flat slope must not pass.
        var stalled = good; stalled.sensingSlope = 0.0; stalled.rateRatio = 1; stalled.sensingErrorAtEnd = 1e-16
        let c = SymmetryExperiment.claim2(stalled)
        XCTAssertNotEqual(c.verdict, .reproduced)
        XCTAssertEqual(c.checks[0].status, .notObserved)
        XCTAssertEqual(c.checks[1].status, .notObserved)
        // Linear convergence (steep slope, no slowdown) and a wrong tail constant fail.
        var linear = good; linear.sensingSlope = -8; linear.rateRatio = 1.0; linear.populationConstant = 30
        XCTAssertEqual(SymmetryExperiment.claim2(linear).verdict, .partly)
        XCTAssertEqual(SymmetryExperiment.claim2(linear).checks.filter { $0.status == .fail }.count, 3)
        // Slower than 1/T (slope −1) fails the two-sided window.
        var slow = good; slow.sensingSlope = -1.0
        XCTAssertEqual(SymmetryExperiment.claim2(slow).checks[0].status, .fail)
    }

    func testClaim3Turns() {
        let good = AlphaEvidence(alphas: [0.08, 0.04, 0.02], rates: [3.4e-3, 8.1e-4, 2.4e-4], rSquared: [0.999, 0.999, 0.99],
                                 points: [300, 300, 300], exponent: 1.9)
        XCTAssertEqual(InitializationExperiment.claim3(good).verdict, .reproduced)
        var flat = good; flat.exponent = 0.2; flat.rSquared = [0.5, 0.9, 0.9]
        XCTAssertEqual(InitializationExperiment.claim3(flat).verdict, .notReproduced)
        var floor = good; floor.points = [2, 300, 300]
        XCTAssertEqual(InitializationExperiment.claim3(floor).verdict, .notObserved)
    }

    func testClaim4Turns() {
        let good = OneStepEvidence(sensingRates: [0.01, 0.01, 0.011], sensingExactRate: 0.0105,
                                   populationRates: [0.0513, 0.0513, 0.0513], populationExactRate: 0.0503,
                                   closedForm: 0.05129, minPoints: 30, sensingErrorAtStep: 1e-2,
                                   populationErrorAtStep: 1e-3, floor: 1e-12)
        XCTAssertEqual(InitializationExperiment.claim4(good).verdict, .reproduced)
        var dependent = good
        dependent.sensingRates = [0.01, 0.004, 0.001]; dependent.populationRates = [0.05, 0.02, 0.005]
        XCTAssertEqual(InitializationExperiment.claim4(dependent).verdict, .notReproduced)
        var atFloor = good; atFloor.sensingErrorAtStep = 1e-11; atFloor.populationErrorAtStep = 1e-11
        XCTAssertEqual(InitializationExperiment.claim4(atFloor).verdict, .notObserved)
    }

    // MARK: - The paper's pieces against mathematics

    func testPopulationGradientsMatchFiniteDifferences() {
        var rng = RandomSource(seed: 7)
        let truth = LowRankTruth.asymmetric(n1: 5, n2: 4, singularValues: [1, 0.5], rng: &rng)
        let objective = Objective.population(truth)
        let f = rng.normalMatrix(5, 3, std: 0.5), g = rng.normalMatrix(4, 3, std: 0.5)
        let (_, gf, gg, _) = objective.asymmetricGradient(f, g)
        let h = 1e-6
        for (i, j) in [(0, 0), (4, 2), (2, 1)] {
            var fp = f; fp[i, j] += h
            var fm = f; fm[i, j] -= h
            let fd = (objective.asymmetricGradient(fp, g).loss - objective.asymmetricGradient(fm, g).loss) / (2 * h)
            XCTAssertEqual(gf[i, j], fd, accuracy: 1e-7)
        }
        var gp = g; gp[3, 1] += h
        var gm = g; gm[3, 1] -= h
        XCTAssertEqual(gg[3, 1], (objective.asymmetricGradient(f, gp).loss - objective.asymmetricGradient(f, gm).loss) / (2 * h),
                       accuracy: 1e-7)

        let sym = Objective.population(LowRankTruth.symmetric(n: 5, singularValues: [1, 0.5], rng: &rng))
        let x = rng.normalMatrix(5, 3, std: 0.5)
        let grad = sym.symmetricGradients([x])[0].gradient
        var xp = x; xp[1, 2] += h
        var xm = x; xm[1, 2] -= h
        XCTAssertEqual(grad[1, 2], (sym.symmetricGradients([xp])[0].loss - sym.symmetricGradients([xm])[0].loss) / (2 * h), accuracy: 1e-7)
    }

    func testRebalanceKeepsTheProductAndBalancesTheSignal() throws {
        var rng = RandomSource(seed: 3)
        let f = rng.normalMatrix(8, 4, std: 1), g = rng.normalMatrix(7, 4, std: 0.2)
        let (nf, ng) = try Algorithms.rebalance(f, g, rank: 2, constant: 2)
        let before = matmul(f, g, transB: true), after = matmul(nf, ng, transB: true)
        XCTAssertLessThan((after - before).frobeniusNorm, 1e-12 * before.frobeniusNorm)
        let sigma = try svd(before).singularValues
        for j in 0..<2 {   // signal columns balanced: ||F e_j||² = ||G e_j||² = σ_j
            let fn = (0..<8).map { nf[$0, j] * nf[$0, j] }.reduce(0, +), gn = (0..<7).map { ng[$0, j] * ng[$0, j] }.reduce(0, +)
            XCTAssertEqual(fn, sigma[j], accuracy: 1e-12); XCTAssertEqual(gn, sigma[j], accuracy: 1e-12)
        }
        for j in 2..<4 {   // spurious F-columns of norm √(c σ_r)
            let fn = (0..<8).map { nf[$0, j] * nf[$0, j] }.reduce(0, +)
            XCTAssertEqual(fn, 2 * sigma[1], accuracy: 1e-12)
        }
    }

    /// On a small population problem the rate after the step is −ln(1 − ησ_r), and the X Xᵀ tail has
    /// slope 4η/√(k − r) in 1/||Δ_t||_F, the closed forms the notebook checks at full size.
    func testClosedFormsOnASmallPopulationProblem() throws {
        var rng = RandomSource(seed: 11)
        let eta = 0.1, sigmaR = 0.5
        let truth = LowRankTruth.asymmetric(n1: 10, n2: 10, singularValues: [1, sigmaR], rng: &rng)
        let schedule = Set(stride(from: 0, through: 1_500, by: 5))
        let run = Algorithms.AsymmetricRun(settings: RunSettings(rank: 4, alpha: 0.05, eta: eta, iterations: 1_500, recordAt: schedule),
                                           rebalanceAt: 400, rng: RandomSource(seed: 12), label: "small")
        let fixed = try Algorithms.asymmetricGD(.population(truth), [run], rank: 2)[0].trace
        let rate = try XCTUnwrap(fixed.linearRate(from: 410, untilBelow: 1e-12).fit)
        XCTAssertEqual(-rate.slope, -Foundation.log(1 - eta * sigmaR), accuracy: 0.01 * eta * sigmaR)

        let sym = LowRankTruth.symmetric(n: 10, singularValues: [1, sigmaR], rng: &rng)
        let T = 20_000
        let tail = try Algorithms.symmetricGD(.population(sym), [(RunSettings(rank: 4, alpha: 0.01, eta: eta, iterations: T,
                                                                               recordAt: Set(stride(from: T / 2, through: T, by: 100))), "tail")],
                                              rng: RandomSource(seed: 13))[0]
        let norm = sym.matrix.frobeniusNorm
        let line = try LineFit(x: tail.iterations.map(Double.init), y: tail.values.map { 1 / ($0 * norm) })
        XCTAssertEqual(line.slope, 4 * eta / 2.0.squareRoot(), accuracy: 0.03 * 4 * eta / 2.0.squareRoot())
    }

    /// Runs stepped together (one pass over the operator per step for all of them, as the full run
    /// does on one thread) give each run's trace of running it alone, bit for bit, also when one
    /// run stops before the other.
    func testLockstepSymmetricRunsAreEachRunAlone() throws {
        var rng = RandomSource(seed: 21)
        let truth = LowRankTruth.symmetric(n: 8, singularValues: [1, 0.5], rng: &rng)
        let op = SensingOperator(n1: 8, n2: 8, m: 60, symmetric: true, rng: &rng)
        let objective = Objective.sensing(SensingProblem(op: op, truth: truth, rng: &rng))
        let schedule = Set(0...300)
        // The first run stops first, so the last 100 steps batch the second run alone (at index 0).
        let runs = [(settings: RunSettings(rank: 2, alpha: 0.05, eta: 0.1, iterations: 200, recordAt: schedule), label: "k = 2"),
                    (settings: RunSettings(rank: 4, alpha: 0.05, eta: 0.1, iterations: 300, recordAt: schedule), label: "k = 4")]
        let start = RandomSource(seed: 22)
        let together = try Algorithms.symmetricGD(objective, runs, rng: start)
        for (j, run) in runs.enumerated() {
            let alone = try Algorithms.symmetricGD(objective, [run], rng: start)[0]
            XCTAssertEqual(together[j].iterations, alone.iterations, run.label)
            XCTAssertEqual(together[j].values.map(\.bitPattern), alone.values.map(\.bitPattern), run.label)
        }
    }

    func testDivergingStepStopsWithANamedError() throws {
        var rng = RandomSource(seed: 1)
        let truth = LowRankTruth.symmetric(n: 6, singularValues: [1, 0.5], rng: &rng)
        let op = SensingOperator(n1: 6, n2: 6, m: 30, symmetric: true, rng: &rng)
        let problem = SensingProblem(op: op, truth: truth, rng: &rng)
        let settings = RunSettings(rank: 2, alpha: 1, eta: 50, iterations: 500, recordAt: [])
        XCTAssertThrowsError(try Algorithms.symmetricGD(.sensing(problem), [(settings, "diverging")], rng: rng)) { error in
            XCTAssertTrue("\(error)".contains("diverging"), "the error names the run: \(error)")
        }
    }
}
