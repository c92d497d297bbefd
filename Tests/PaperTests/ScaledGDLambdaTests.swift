import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import ScaledGDLambda

/// ScaledGD(λ) in quick mode: every claim's verdict is pinned, every claim turns on failing or
/// unobserved evidence, and the iterations are checked against hand computations.
final class ScaledGDLambdaTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(ScaledGDLambda.info) { try ScaledGDLambda.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        // C1: on the population loss ScaledGD(λ)'s phases are flat in κ, GD's grow like κ.
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        // C2: k = n is as fast as k = r* on the population loss; on the sensing loss at m = 10 n r*
        // and α = 1e-8 the spare columns hold the error above the target.
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        // C3: the smallest error is ∝ σ, near σ√(n r*/m), the same for k = n and k = r*.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .reproduced)
    }

    // MARK: - Every claim turns on failing evidence, and stalls are never results

    func testClaim1TurnsOnFlatGDOrAStall() {
        let kappas = [1.0, 10, 100]
        let flat = (0..<3).map { _ in PhaseCount(escape: 10, total: 14) }
        let linear = kappas.map { PhaseCount(escape: Int(40 * $0), total: Int(50 * $0)) }
        XCTAssertEqual(ConditionNumber.claim1(.init(kappas: kappas, scaled: flat, gd: linear)).verdict, .reproduced)
        XCTAssertEqual(ConditionNumber.claim1(.init(kappas: kappas, scaled: linear, gd: flat)).verdict, .notReproduced)
        var stalled = linear
        stalled[2] = PhaseCount(escape: nil, total: nil, unobserved: "numerical stall: X unchanged in iterations 178–80000 of GD")
        let c = ConditionNumber.claim1(.init(kappas: kappas, scaled: flat, gd: stalled))
        XCTAssertEqual(c.verdict, .partly)
        XCTAssertEqual(c.checks.filter { $0.status == .notObserved }.count, 2)
    }

    func testClaim2TurnsOnASlowOverparameterizedRun() {
        let good = Overparameterization.Arm(loss: "population", rates: [(0.3, nil), (0.3, nil), (0.31, nil)],
                                            exact: (100, nil), full: (104, nil))
        let slow = Overparameterization.Arm(loss: "sensing", rates: [(0.3, nil), (0.1, nil), (0.01, nil)],
                                            exact: (100, nil), full: (1500, nil))
        XCTAssertEqual(Overparameterization.claim2(.init(ranks: [2, 4, 40], alpha: 1e-8, arms: [good])).verdict, .reproduced)
        XCTAssertEqual(Overparameterization.claim2(.init(ranks: [2, 4, 40], alpha: 1e-8, arms: [slow])).verdict, .notReproduced)
        let stalled = Overparameterization.Arm(loss: "sensing", rates: [(.nan, "numerical stall: X unchanged"), (0.3, nil), (0.3, nil)],
                                               exact: (nil, "numerical stall: X unchanged"), full: (100, nil))
        XCTAssertEqual(Overparameterization.claim2(.init(ranks: [2, 4, 40], alpha: 1e-8, arms: [stalled])).verdict, .notObserved)
    }

    func testClaim3TurnsOnAnErrorScalingWithTheSearchRank() {
        let ref = (80.0 / 640).squareRoot()
        func level(_ s: Double, factor: Double) -> Noise.Level {
            Noise.Level(sigma: s, searchRankError: [factor * s * ref, factor * s * ref], trueRankError: [s * ref, s * ref], speedRatios: [1, 1])
        }
        let sigmas = [1e-4, 1e-3, 1e-2]
        let good = Noise.Evidence(kappa: 10, reference: ref, levels: sigmas.map { level($0, factor: 1.1) }, unobserved: nil)
        XCTAssertEqual(Noise.claim3(good).verdict, .reproduced)
        let searchRank = Noise.Evidence(kappa: 10, reference: ref, levels: sigmas.map { level($0, factor: 4.5) }, unobserved: nil)
        XCTAssertNotEqual(Noise.claim3(searchRank).verdict, .reproduced)
        XCTAssertFalse(Noise.claim3(searchRank).checks[2].passed)
        let stalled = Noise.Evidence(kappa: 10, reference: ref, levels: good.levels, unobserved: "numerical stall: X unchanged in iterations 10–800")
        XCTAssertEqual(Noise.claim3(stalled).verdict, .notObserved)
    }

    func testClaim4TurnsOnSpreadRatesOrAStall() {
        let kappas = [1.0, 10, 100]
        let good = Figure.Evidence(kappas: kappas, target: 1e-8, scaledRates: [(2, nil), (2.1, nil), (2.2, nil)],
                                   gdRates: [(1, nil), (0.1, nil), (0.01, nil)],
                                   scaledCounts: [(17, nil), (14, nil), (13, nil)], gdCounts: [(44, nil), (432, nil), (3871, nil)])
        XCTAssertEqual(Figure.claim4(good).verdict, .reproduced)
        var bad = good
        bad.scaledRates = [(2, nil), (1, nil), (0.2, nil)]
        bad.gdRates = [(1, nil), (0.8, nil), (0.5, nil)]
        bad.scaledCounts[0] = (60, nil)
        XCTAssertEqual(Figure.claim4(bad).verdict, .notReproduced)
        var stalled = good
        stalled.gdRates[2] = (.nan, "numerical stall: X unchanged in iterations 178–80000 of GD, κ = 100")
        stalled.gdCounts[2] = (nil, "numerical stall: X unchanged in iterations 178–80000 of GD, κ = 100")
        let c = Figure.claim4(stalled)
        XCTAssertEqual(c.checks[0].status, .notObserved)
        XCTAssertEqual(c.checks[2].status, .notObserved)
        XCTAssertNotEqual(c.verdict, .reproduced)
    }

    // MARK: - The paper's methods against mathematics

    /// For X with orthogonal columns, XᵀX = diag(s²), so the preconditioned step divides column j of
    /// the gradient by s_j² + λ.
    func testScaledStepMatchesHandComputation() throws {
        let x = Matrix([[2, 0], [0, 1], [0, 0]])
        let g = Matrix([[1, 2], [3, 4], [5, 6]])
        let (eta, lambda) = (0.5, 0.25)
        let next = try Algorithms.scaledStep(x, gradient: g, eta: eta, lambda: lambda)
        let d = [1 / (4 + lambda), 1 / (1 + lambda)]
        for i in 0..<3 { for j in 0..<2 {
            XCTAssertEqual(next[i, j], x[i, j] - eta * g[i, j] * d[j], accuracy: 1e-14)
        } }
    }

    /// Both gradients are derivatives of the paper's f (central differences): the sensing loss
    /// (1/4m) Σ (⟨Aᵢ, XXᵀ⟩ − yᵢ)² and the population loss ¼||XXᵀ − M*||_F².
    func testGradientsAreDerivativesOfThePaperLosses() throws {
        var rng = RandomSource(seed: 7)
        let truth = LowRankTruth.symmetric(n: 5, singularValues: [1, 0.3], rng: &rng)
        let op = SensingOperator(n1: 5, n2: 5, m: 12, symmetric: true, rng: &rng)
        let p = SensingProblem(op: op, truth: truth, noiseStd: 0.1, rng: &rng)
        let x = rng.normalMatrix(5, 3, std: 0.5)
        let losses: [(Objective, (Matrix) -> Double)] = [
            (.sensing(p, noise: 0.1), { x in let r = p.residual(matmul(x, x, transB: true)); return Vector.dot(r, r) / (4 * Double(op.count)) }),
            (.population(truth.matrix), { x in let d = (matmul(x, x, transB: true) - truth.matrix).frobeniusNorm; return d * d / 4 }),
        ]
        for (objective, f) in losses {
            let grad = objective.gradient(x).gradient
            let h = 1e-6
            for i in 0..<5 { for j in 0..<3 {
                var xp = x, xm = x
                xp[i, j] += h; xm[i, j] -= h
                XCTAssertEqual(grad[i, j], (f(xp) - f(xm)) / (2 * h), accuracy: 1e-7)
            } }
        }
    }

    /// From α = 1e-30 at κ = 1000, GD fits σ_max and then cannot move in the σ_min direction: the run
    /// records the stall and no iteration count is read from it. From α = 1e-6 there is no stall.
    func testFrozenGDIsReportedAsAStall() throws {
        var rng = RandomSource(seed: 3)
        let truth = LowRankTruth.symmetric(n: 8, singularValues: [1, 1e-3], rng: &rng)
        let g = rng.normalMatrix(8, 4, std: 1 / 8.0.squareRoot())
        let frozen = try Algorithms.run(.population(truth.matrix), .gd(eta: 0.5), initial: 1e-30 * g, iterations: 3000,
                                        stopBelow: 1e-10, label: "GD from 1e-30")
        XCTAssertNotNil(frozen.stall)
        XCTAssertTrue(frozen.unobserved(reaching: 1e-8)?.hasPrefix("numerical stall") ?? false)
        let moving = try Algorithms.run(.population(truth.matrix), .gd(eta: 0.5), initial: 1e-6 * g, iterations: 3000,
                                        stopBelow: 1e-10, label: "GD from 1e-6")
        XCTAssertNil(moving.stall)
    }

    /// On the population loss ScaledGD(λ) is insensitive to κ while GD slows down by about κ.
    func testPreconditioningRemovesTheConditionNumber() throws {
        var counts: [(Int?, Int?)] = []
        for kappa in [1.0, 100.0] {
            var r = RandomSource(seed: 12)
            let truth = LowRankTruth.symmetric(n: 8, singularValues: LowRankTruth.geometricSpectrum(rank: 2, condition: kappa), rng: &r)
            var ri = RandomSource(seed: 13)
            let x0 = Algorithms.initialFactor(n: 8, k: 4, alpha: 1e-6, rng: &ri)
            let sc = try Algorithms.run(.population(truth.matrix), .scaledGD(eta: 0.5, lambda: 0.1 / kappa), initial: x0, iterations: 3000, stopBelow: 1e-8, label: "ScaledGD(λ)")
            let gd = try Algorithms.run(.population(truth.matrix), .gd(eta: 0.5), initial: x0, iterations: 6000, stopBelow: 1e-8, label: "GD")
            counts.append((sc.first(below: 1e-8), gd.first(below: 1e-8)))
        }
        let (sc1, gd1) = counts[0], (sc100, gd100) = counts[1]
        XCTAssertLessThanOrEqual(Double(try XCTUnwrap(sc100)), 1.5 * Double(try XCTUnwrap(sc1)), "ScaledGD(λ) nearly flat in κ")
        XCTAssertGreaterThan(Double(gd100 ?? 6001), 20 * Double(try XCTUnwrap(gd1)), "GD slows down with κ")
    }

    func testDivergingStepStopsWithANamedError() throws {
        var rng = RandomSource(seed: 1)
        let truth = LowRankTruth.symmetric(n: 6, singularValues: [1, 0.5], rng: &rng)
        let x0 = rng.normalMatrix(6, 2)
        XCTAssertThrowsError(try Algorithms.run(.population(truth.matrix), .gd(eta: 50), initial: x0, iterations: 500, label: "diverging GD")) { error in
            XCTAssertTrue("\(error)".contains("diverging GD"), "the error names the run: \(error)")
        }
    }
}
