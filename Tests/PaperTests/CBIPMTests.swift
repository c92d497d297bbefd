import Foundation
import XCTest
import Notebook
import Numerics
@testable import CBIPM

/// CBIPM in quick mode: every claim's verdict is pinned, each claim function turns on failing
/// evidence, and the paper's solvers are checked against closed forms and against each other.
final class CBIPMTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(CBIPM.info) { try CBIPM.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1TurnsOnFailingEvidence() {
        let good = RMSEEvidence(variants: [.init(name: "a", worstRatio: 0.3, worstSeparation: 8)])
        XCTAssertEqual(Study.claim1(good).verdict, .reproduced)
        let bad = RMSEEvidence(variants: [.init(name: "a", worstRatio: 0.8, worstSeparation: 1.5)])
        XCTAssertEqual(Study.claim1(bad).verdict, .notReproduced)
        let nan = RMSEEvidence(variants: [.init(name: "a", worstRatio: .nan, worstSeparation: .nan)])
        XCTAssertEqual(Study.claim1(nan).verdict, .notObserved)
    }

    func testClaim2TurnsOnFailingOrUnobservableEvidence() {
        func evidence(drop: Double, exponent: Double, startZ: Double) -> BiasTrendEvidence {
            BiasTrendEvidence(smallestN: 200, largestN: 2000,
                              variants: [.init(name: "a", dropInSEs: drop, decayExponent: exponent, startZ: startZ)])
        }
        XCTAssertEqual(Study.claim2(evidence(drop: 5, exponent: 0.5, startZ: 6)).verdict, .reproduced)
        // A bias that barely moves, or drifts down slower than n^(−1/4): not reproduced.
        XCTAssertEqual(Study.claim2(evidence(drop: 0.3, exponent: 0.02, startZ: 6)).verdict, .notReproduced)
        XCTAssertEqual(Study.claim2(evidence(drop: 3, exponent: 0.1, startZ: 6)).verdict, .partly)
        // No bias to shrink at the smallest n: the trend is not observed, whatever the numbers.
        XCTAssertEqual(Study.claim2(evidence(drop: 5, exponent: 0.5, startZ: 1)).verdict, .notObserved)
    }

    func testClaim3TurnsOnFailingEvidence() {
        let good = BalanceEvidence(entries: [.init(variant: "a", measure: "m", worstZ: -5)])
        XCTAssertEqual(Study.claim3(good).verdict, .reproduced)
        let worse = BalanceEvidence(entries: [.init(variant: "a", measure: "m", worstZ: -5),
                                              .init(variant: "a", measure: "k", worstZ: 1.2)])
        XCTAssertEqual(Study.claim3(worse).verdict, .partly)
        XCTAssertEqual(Study.claim3(BalanceEvidence(entries: [.init(variant: "a", measure: "m", worstZ: -1)])).verdict, .notReproduced)
    }

    // MARK: - The paper's solvers against mathematics

    func testSoftmaxAdamGradientMatchesFiniteDifferences() {
        // ∂ MMD²(softmax θ)/∂θᵢ = wᵢ(gᵢ − wᵀg), g = 2(Qw − b): check against central differences.
        var rng = RandomSource(seed: 11)
        let x = Matrix(rows: 6, cols: 2) { _, _ in rng.normal() }, y = Matrix(rows: 4, cols: 2) { _, _ in rng.normal() + 0.5 }
        let objective = WeightedMMD(kernel: GaussianKernel(bandwidth: 1.5), source: x, target: y)
        let theta = (0..<6).map { _ in rng.normal() }
        let w = MMDWeights.softmax(theta)
        let g = objective.problem.gradient(w)
        let gw = Vector.dot(g, w)
        for i in 0..<6 {
            var plus = theta, minus = theta
            plus[i] += 1e-6; minus[i] -= 1e-6
            let numeric = (objective.value(MMDWeights.softmax(plus)) - objective.value(MMDWeights.softmax(minus))) / 2e-6
            XCTAssertEqual(w[i] * (g[i] - gw), numeric, accuracy: 1e-8)
        }
    }

    func testAdamAndFrankWolfeAgreeOnAWellConditionedProblem() throws {
        // A narrow kernel makes MMD² strongly convex on the simplex: long Adam runs and Frank–Wolfe
        // must reach the same minimum (an independent check of both solvers).
        var rng = RandomSource(seed: 5)
        let x = Matrix(rows: 12, cols: 2) { _, _ in rng.normal() }, y = Matrix(rows: 8, cols: 2) { _, _ in rng.normal() + 0.3 }
        let objective = WeightedMMD(kernel: GaussianKernel(bandwidth: 0.7), source: x, target: y)
        let (wAdam, _) = MMDWeights.adam(objective, settings: AdamSettings(steps: 20_000, learningRate: 0.01))
        let (wFW, report) = try MMDWeights.frankWolfe(objective, relativeTolerance: 1e-12, maxIterations: 200_000)
        XCTAssertTrue(report.converged)
        XCTAssertEqual(objective.value(wAdam), objective.value(wFW), accuracy: 1e-6 * objective.value(Simplex.uniform(12)))
        XCTAssertLessThan(zip(wAdam, wFW).reduce(0) { $0 + abs($1.0 - $1.1) }, 0.05)
    }

    func testMinimaxClosedForms() throws {
        // min_w |w₂ − 0.3|: exact balance is attainable, w = (0.7, 0.3).
        let feasible = try SimplexMinimax(absoluteDeviations: Matrix([[0, 1]]), target: [0.3]).solve(tolerance: 1e-4)
        XCTAssertTrue(feasible.converged)
        XCTAssertEqual(feasible.weights[1], 0.3, accuracy: 1e-4)
        // min_w |w₁ + w₂ − 0.5| = 0.5 for every w on the simplex.
        let constant = try SimplexMinimax(absoluteDeviations: Matrix([[1, 1]]), target: [0.5]).solve(tolerance: 1e-9)
        XCTAssertEqual(constant.value, 0.5, accuracy: 1e-9)
        // min over w of max(w₁, w₂) (A = I, c = 0) has value 1/2 at w = (1/2, 1/2).
        let game = try SimplexMinimax(payoff: .identity(2), offset: [0, 0]).solve(tolerance: 1e-8)
        XCTAssertEqual(game.value, 0.5, accuracy: 1e-7)
    }

    func testLogisticRegressionOnABinaryFeature() throws {
        // With one binary feature the MLE reproduces the group frequencies 1/4 and 3/4:
        // β₀ = logit(1/4) = −ln 3 and β₁ = 2 ln 3.
        let x = Matrix(rows: 8, cols: 1, elements: [0, 0, 0, 0, 1, 1, 1, 1])
        let y: [Double] = [1, 0, 0, 0, 1, 1, 1, 0]
        let fit = try LogisticRegression(features: x, labels: y)
        XCTAssertEqual(fit.coefficients[0], -Foundation.log(3), accuracy: 1e-9)
        XCTAssertEqual(fit.coefficients[1], 2 * Foundation.log(3), accuracy: 1e-9)
        XCTAssertEqual(fit.probability([1]), 0.75, accuracy: 1e-9)
        let ridged = try LogisticRegression(features: x, labels: y, ridge: 1)
        XCTAssertLessThan(abs(ridged.coefficients[1]), 2 * Foundation.log(3))   // the ridge shrinks the slope
    }

    func testMMDClosedForms() {
        let k = GaussianKernel(bandwidth: 1)
        // Two point masses at distance 1: MMD² = 2 − 2e^(−1/2).
        XCTAssertEqual(k.mmdSquared(Matrix([[0.0]]), weights: [1], Matrix([[1.0]]), weights: [1]), 2 - 2 * Foundation.exp(-0.5), accuracy: 1e-14)
        // Identical samples: MMD² = 0, and WeightedMMD agrees with the direct formula.
        let x = Matrix([[0, 1], [2, -1], [0.5, 0.5]])
        let w = [0.2, 0.3, 0.5]
        let objective = WeightedMMD(kernel: k, source: x, target: x)
        XCTAssertEqual(objective.value(Simplex.uniform(3)), 0, accuracy: 1e-14)
        XCTAssertEqual(objective.value(w), k.mmdSquared(x, weights: w, x, weights: Simplex.uniform(3)), accuracy: 1e-14)
    }

    func testKangSchaferTransformTruthAndOLSAugmentation() throws {
        // X at Z = 0: (1, 10, 0.216, 400); the ATT is 0 because Y ignores T.
        let x = KangSchaferSample.observe([0, 0, 0, 0])
        XCTAssertEqual(x[0], 1, accuracy: 1e-15)
        XCTAssertEqual(x[1], 10, accuracy: 1e-15)
        XCTAssertEqual(x[2], 0.216, accuracy: 1e-15)
        XCTAssertEqual(x[3], 400, accuracy: 1e-12)
        var rng = RandomSource(seed: 3)
        let s = KangSchaferSample.draw(n: 2000, rng: &rng)
        XCTAssertEqual(Double(s.treatedIndices.count) / 2000, 0.5, accuracy: 0.05, "about half the units are treated")
        // OLS residuals over the controls are orthogonal to (1, X): they sum to zero there.
        let r = try s.olsResiduals(s.outcome(sigma: 1))
        XCTAssertEqual(s.controlIndices.reduce(0) { $0 + r[$1] }, 0, accuracy: 1e-8)
        for j in 0..<4 {
            XCTAssertEqual(s.controlIndices.reduce(0) { $0 + r[$1] * s.covariates[$1, j] }, 0, accuracy: 1e-7)
        }
    }
}
