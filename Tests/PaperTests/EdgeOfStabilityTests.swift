import XCTest
import Numerics
import Learning
import Notebook
@testable import EdgeOfStability

/// EdgeOfStability: the pinned quick-mode verdicts, a failing input that turns every claim, and the
/// paper's own quantities against mathematics.
final class EdgeOfStabilityTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(EdgeOfStability.info) { try EdgeOfStability.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .reproduced)
    }

    func testClaim4TurnsOnAFailingResult() {
        let good = Flow.PerRun(eta: 0.4, crossing: 180, maxSharpnessGap: 0.006, maxDistance: 0.02, flowAtEnd: 1.3, distanceAtEnd: 0.5)
        XCTAssertEqual(Flow.claim4([good]).verdict, .reproduced)
        var stops = good; stops.flowAtEnd = 1.0                              // the flow also stops at the edge
        XCTAssertEqual(Flow.claim4([good, stops]).verdict, .partly)
        var apart = stops; apart.maxSharpnessGap = 0.2; apart.maxDistance = 0.5 // GD never tracked the flow
        XCTAssertEqual(Flow.claim4([apart]).verdict, .notReproduced)
        var never = good; never.crossing = nil
        XCTAssertEqual(Flow.claim4([never]).verdict, .notObserved)
    }

    private func goodRun(_ eta: Double) -> Edge.PerRun {
        var r = Edge.PerRun(RunSummary(Task.Run(eta: eta, beta: 0, losses: [1, 1], sharpSteps: [0], sharpness: [1], snapshots: [[0]], denseFinal: 1, final: dummyNet()), edge: 2 / eta))
        r.rise = 1.8; r.riseUnobserved = nil; r.lateOverEdge = 1.03; r.lateUnobserved = nil
        r.increaseFraction = 0.3; r.lateOverEarlyLoss = 0.8; r.phaseUnobserved = nil; r.lanczosError = 1e-12
        return r
    }

    private func dummyNet() -> MLP {
        var rng = RandomSource(seed: 1)
        return Task.network(width: 3, gain: 1, rng: &rng)
    }

    func testClaim1TurnsOnAFailingResult() {
        let good = Edge.Evidence(runs: [goodRun(0.4), goodRun(0.2)], quadraticEdge: 2)
        XCTAssertEqual(Edge.claim1(good).verdict, .reproduced)
        var high = good; high.runs[1].lateOverEdge = 1.5                    // plateau well above the edge
        XCTAssertEqual(Edge.claim1(high).verdict, .partly)
        var flat = good; for i in flat.runs.indices { flat.runs[i].rise = 1.05; flat.runs[i].lateOverEdge = 0.5 }
        flat.quadraticEdge = 2.5; flat.runs[0].lanczosError = 1e-3
        XCTAssertEqual(Edge.claim1(flat).verdict, .notReproduced)
        var never = good; for i in never.runs.indices { never.runs[i].riseUnobserved = "never"; never.runs[i].lateUnobserved = "never" }
        XCTAssertEqual(Edge.claim1(never).verdict, .partly)                  // only the quadratic check is left
    }

    func testClaim2TurnsOnAFailingResult() {
        let good = Edge.Evidence(runs: [goodRun(0.4)], quadraticEdge: 2)
        XCTAssertEqual(Edge.claim2(good).verdict, .reproduced)
        var rising = good; rising.runs[0].lateOverEarlyLoss = 1.1
        XCTAssertEqual(Edge.claim2(rising).verdict, .partly)
        var monotone = rising; monotone.runs[0].increaseFraction = 0
        XCTAssertEqual(Edge.claim2(monotone).verdict, .notReproduced)
        var unseen = good; unseen.runs[0].phaseUnobserved = "the edge phase lasted 3 steps"
        XCTAssertEqual(Edge.claim2(unseen).verdict, .notObserved)
    }

    func testClaim3TurnsOnAFailingResult() {
        let run = Momentum.PerRun(eta: 0.45, lateOverEdge: 1.0, lateOverGDEdge: 1.5, lateUnobserved: nil)
        let good = Momentum.Evidence(beta: 0.5, runs: [run], companionAtThreshold: 1, bisectedEdge: 3)
        XCTAssertEqual(Momentum.claim3(good).verdict, .reproduced)
        var atGD = good; atGD.runs[0] = Momentum.PerRun(eta: 0.45, lateOverEdge: 0.667, lateOverGDEdge: 1.0, lateUnobserved: nil)
        XCTAssertEqual(Momentum.claim3(atGD).verdict, .partly)               // plateau at 2/η, not (2 + 2β)/η
        var wrongFormula = atGD; wrongFormula.companionAtThreshold = 1.2; wrongFormula.bisectedEdge = 2
        XCTAssertEqual(Momentum.claim3(wrongFormula).verdict, .notReproduced)
    }

    /// The companion matrix: radius 1 exactly at ηλ = 2 + 2β, below 1 just inside, above just outside,
    /// and equal to the plain-GD factor |1 − ηλ| at β = 0; its roots against the characteristic polynomial.
    func testCompanionMatrixThreshold() {
        for beta in [0.0, 0.3, 0.5, 0.9] {
            let a = Quadratic.threshold(beta: beta)
            XCTAssertEqual(Quadratic.companionRadius(beta: beta, a: a), 1, accuracy: 1e-12)
            XCTAssertLessThan(Quadratic.companionRadius(beta: beta, a: a * 0.99), 1)
            XCTAssertGreaterThan(Quadratic.companionRadius(beta: beta, a: a * 1.01), 1)
            XCTAssertLessThan(Quadratic.companionRadius(beta: beta, a: 0.5), 1)
        }
        for a in [0.1, 1.0, 1.9, 2.1, 3.0] { XCTAssertEqual(Quadratic.companionRadius(beta: 0, a: a), abs(1 - a), accuracy: 1e-14) }
        // Complex pair: |z|² = det = β.
        XCTAssertEqual(Quadratic.companionRadius(beta: 0.81, a: 1.81), 0.9, accuracy: 1e-14)
    }

    /// Bisection of the iteration itself finds 2/λ_max for GD and (2 + 2β)/λ with momentum.
    func testBisectedEdgesMatchClosedForms() {
        XCTAssertEqual(Quadratic.bisectedEdge(beta: 0, lambdas: [0.5, 4], steps: 5_000, hi: 2), 0.5, accuracy: 0.5 * 0.005)
        XCTAssertEqual(Quadratic.bisectedEdge(beta: 0.9, lambdas: [2], steps: 5_000, hi: 4), 1.9, accuracy: 1.9 * 0.005)
    }

    /// The Chebyshev targets: T₃(x) = 4x³ − 3x at every point.
    func testChebyshevTargets() {
        let (x, y) = Task.chebyshev(degree: 3, points: 20)
        XCTAssertEqual(x.storage.first, -1); XCTAssertEqual(x.storage.last, 1)
        for (xi, yi) in zip(x.storage, y.storage) { XCTAssertEqual(yi, 4 * xi * xi * xi - 3 * xi, accuracy: 1e-13) }
    }

    /// The sharpness of the trained parameters against power iteration on finite differences of
    /// exact gradients (output bias frozen), and the training step leaves the output bias at zero.
    func testSharpnessAgainstFiniteDifferences() throws {
        let (x, y) = Task.chebyshev(degree: 3, points: 20)
        var rng = RandomSource(seed: 7)
        let net = Task.network(width: 10, gain: 1.9, rng: &rng)
        let loss = Loss.meanSquaredError(targets: y)
        let s = try Task.sharpness(net, x: x, loss: loss)
        let theta = net.parameters, fixed = Task.frozen(net)
        func hv(_ v: [Double]) -> [Double] {                       // central difference of exact gradients
            let h = 1e-5
            let gp = net.with(parameters: zip(theta, v).map { $0 + h * $1 }).lossAndGradient(x, loss).gradient
            let gm = net.with(parameters: zip(theta, v).map { $0 - h * $1 }).lossAndGradient(x, loss).gradient
            var out = zip(gp, gm).map { ($0 - $1) / (2 * h) }
            out[fixed] = 0
            return out
        }
        var v = (0..<theta.count).map { $0 == fixed ? 0 : 1.0 }
        var lambda = 0.0
        for _ in 0..<500 {                                         // H is PSD-dominated here: power iteration
            let w = hv(v)
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            lambda = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 } / v.reduce(0) { $0 + $1 * $1 }
            v = w.map { $0 / norm }
        }
        XCTAssertEqual(lambda, s, accuracy: 1e-4 * s)
        let run = try Task.train(net, x: x, loss: loss, eta: 0.1, beta: 0.5, steps: 5, every: 5)
        XCTAssertEqual(run.final.parameters[fixed], 0)
        XCTAssertEqual(run.sharpness.first!, s, accuracy: 1e-10 * s)          // Lanczos against the dense Hessian
    }
}
