import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import DecoupledWeightDecay

/// DecoupledWeightDecay: the pinned quick-mode verdicts, a failing input that turns every claim, and
/// the notebook's own pieces (the quadratic's fixed points, the grid statistics, the library form's
/// wrapper, the schedule) against mathematics.
final class DecoupledWeightDecayTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(DecoupledWeightDecay.info) { try DecoupledWeightDecay.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .notReproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .partly)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let good = Equivalence.Evidence(sgdGap: 1e-15, adamGap: 0.3, adamL2ToRidge: 1e-15, adamWToBox: 1e-6,
                                        ridgePathToBox: 0.4, activeCoordinates: 7)
        XCTAssertEqual(Equivalence.claim(good).verdict, .reproduced)
        let bad = Equivalence.Evidence(sgdGap: 1e-3, adamGap: 1e-5, adamL2ToRidge: 0.1, adamWToBox: 0.1,
                                       ridgePathToBox: 0.01, activeCoordinates: 7)
        XCTAssertEqual(Equivalence.claim(bad).verdict, .notReproduced)
        var inside = good; inside.activeCoordinates = 0
        XCTAssertEqual(Equivalence.claim(inside).checks[3].status, .notObserved)
        XCTAssertEqual(Equivalence.claim(inside).verdict, .partly)
    }

    func slopes(_ best: Double, _ edge: Double, se: Double = 0.1, rows: Int = 5) -> Decoupling.Slopes {
        Decoupling.Slopes(best: best, bestSE: se, edge: edge, edgeSE: 0.1, edgeRows: rows)
    }

    func testClaim2Turns() {
        let paper = Decoupling.Evidence(sgdL2: slopes(-1, -1), sgdw: slopes(0, 0.1), adamL2: slopes(-0.9, -1.1), adamw: slopes(0.2, 0))
        XCTAssertEqual(Decoupling.claim2(paper).verdict, .reproduced)
        // The fixed-point pattern (L2 forms flat, decoupled forms like α) fails every check.
        let reversed = Decoupling.Evidence(sgdL2: slopes(0, 0), sgdw: slopes(1, 1), adamL2: slopes(0, 0), adamw: slopes(1, 1))
        XCTAssertEqual(Decoupling.claim2(reversed).verdict, .notReproduced)
        // Noisy argmins and edges outside the grid are not observations.
        let noisy = Decoupling.Evidence(sgdL2: slopes(-1, -1, se: 0.6, rows: 2), sgdw: slopes(0, 0, se: 0.6, rows: 2),
                                        adamL2: slopes(-1, -1, se: 0.6, rows: 2), adamw: slopes(0, 0, se: 0.6, rows: 2))
        XCTAssertEqual(Decoupling.claim2(noisy).verdict, .notObserved)
    }

    func testClaim3Turns() {
        let good = Generalization.Evidence(adamwBest: 0.030, adamwSE: 0.002, adamL2Best: 0.035, adamL2SE: 0.002, replicateWins: 3, replicates: 3)
        XCTAssertEqual(Generalization.claim(good).verdict, .reproduced)
        var worse = good; worse.adamwBest = 0.04; worse.replicateWins = 1
        XCTAssertEqual(Generalization.claim(worse).verdict, .notReproduced)
        var split = good; split.replicateWins = 1
        XCTAssertEqual(Generalization.claim(split).verdict, .partly)
    }

    func testClaim4Turns() {
        XCTAssertEqual(Decoupling.claim4(library: slopes(-1, -1), paper: slopes(0, 0)).verdict, .reproduced)
        XCTAssertEqual(Decoupling.claim4(library: slopes(0.5, 0), paper: slopes(0, 0)).verdict, .notReproduced)
        XCTAssertEqual(Decoupling.claim4(library: slopes(-1, -1, se: 0.6, rows: 2), paper: slopes(0, 0)).verdict, .notObserved)
    }

    // MARK: - The notebook's pieces

    func testQuadraticFixedPoints() throws {
        var rng = RandomSource(seed: 4)
        let q = Quadratic(dimension: 6, rng: &rng)
        // (H + λ'I)x = Hc: the L2 gradient ∇f(x) + λ'x vanishes.
        let x = try q.ridge(0.3)
        let residual = zip(q.gradient(x), x).map { $0 + 0.3 * $1 }
        XCTAssertLessThan(Vector.normInf(residual), 1e-12)
        // The box solution satisfies the KKT conditions: inside, ∇f = 0; on the box, −∇f points outward.
        let r = 0.4
        let b = try q.boxSolution(radius: r)
        let g = q.gradient(b)
        for i in 0..<b.count {
            XCTAssertLessThanOrEqual(abs(b[i]), r + 1e-15)
            if abs(b[i]) < r * (1 - 1e-9) { XCTAssertEqual(g[i], 0, accuracy: 1e-10) }
            else { XCTAssertLessThanOrEqual(g[i] * b[i], 1e-12) }
        }
    }

    func testGridSlopesOnASyntheticGrid() {
        // Five α rows in half-decade steps; the valley moves one column (half a decade) left per row: slope −1.
        let alphas = DecoupledWeightDecay.Config.halfDecades(1e-3, 5), decays = DecoupledWeightDecay.Config.halfDecades(1e-5, 9)
        func cell(_ i: Int, _ j: Int) -> Double {
            let valley = 0.05 + 0.01 * Double(abs(j - (6 - i)))
            return j >= 8 - i ? valley + 0.5 : valley
        }
        let errors: [[Double]] = (0..<5).map { i in (0..<9).map { j in cell(i, j) } }
        let outcome = DigitsTask.Outcome(testError: 0, trainLoss: 0, weightNorm: 0, diverged: false)
        let g = Grid(method: .sgdL2, alphas: alphas, decays: decays, outcomes: Array(repeating: Array(repeating: [outcome], count: 9), count: 5))
        let s = g.spread(errors)
        XCTAssertEqual(s.slope, -1, accuracy: 1e-12)
        XCTAssertEqual(s.slopeSE, 0, accuracy: 1e-12)
        XCTAssertEqual(s.range, 2, accuracy: 1e-12)
        XCTAssertEqual(s.edgeSlope, -1, accuracy: 1e-12)
        XCTAssertEqual(s.edgeRows, 5)
        XCTAssertEqual(Grid.argminColumns([[3, 1, 1, 2]]), [1])
    }

    func testLibraryWrapperIsThePaperFormWithLambdaAlphaW() {
        let (alpha, w) = (0.01, 0.5)
        var lib = LibraryAdamW(learningRate: alpha, weightDecay: w)
        var paper = AdamWPaper(learningRate: alpha, weightDecay: alpha * w)
        var xa: [Double] = [1, -2, 3], xb = xa
        var rng = RandomSource(seed: 8)
        for t in 0..<300 {
            let eta = DigitsTask.cosine(epoch: t, of: 300)
            lib.scheduleMultiplier = eta; paper.scheduleMultiplier = eta
            let g = xa.map { $0 + rng.normal() }
            lib.step(&xa, gradient: g); paper.step(&xb, gradient: g)
        }
        XCTAssertLessThan(Vector.distance(xa, xb) / Vector.norm(xb), 1e-12)
        XCTAssertEqual(DigitsTask.cosine(epoch: 0, of: 10), 1)
        XCTAssertEqual(DigitsTask.cosine(epoch: 5, of: 10), 0.5, accuracy: 1e-15)
    }
}
