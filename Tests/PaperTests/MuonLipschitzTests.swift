import XCTest
import Numerics
import Learning
import Notebook
@testable import MuonLipschitz

/// MuonLipschitz: the pinned quick-mode verdicts, a failing input that turns every claim, and the
/// paper's own pieces (the network's gradients, its Jacobian, the certified bound) against mathematics.
final class MuonLipschitzTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(MuonLipschitz.info) { try MuonLipschitz.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
    }

    func testClaim1Turns() {
        let good = Identities.Evidence(vertexMismatches: 0, signDualResidual: 0, adamSignResidual: 2e-14, polarResidual: 2e-15,
                                       competitorsAbove: 0, shampooResidual: 3e-15, scalarMapResidual: 1e-14,
                                       muonBand: 0.68...1.13, authorsBand: 0.99...1.0)
        XCTAssertEqual(Identities.claim(good).verdict, .reproduced)
        var wrong = good; wrong.shampooResidual = 1e-3; wrong.muonBand = 0.2...1.13
        XCTAssertEqual(Identities.claim(wrong).verdict, .partly)
        var all = good
        all.vertexMismatches = 3; all.signDualResidual = 1e-3; all.adamSignResidual = 1; all.polarResidual = 1e-2
        all.competitorsAbove = 5; all.shampooResidual = 1; all.scalarMapResidual = 1; all.muonBand = 0.1...2; all.authorsBand = 0.1...2
        XCTAssertEqual(Identities.claim(all).verdict, .notReproduced)
    }

    func point(_ o: OptimizerKind, _ r: Regulation, _ bound: Double, _ acc: Double) -> Tradeoff.Point {
        Tradeoff.Point(optimizer: o, regulation: r, learningRate: 0.01, strength: 1, bound: bound, accuracy: acc, accuracySE: 0.005)
    }

    func testClaim2TurnsAndTheFrontIsTheBestUnderTheBound() {
        // Muon better at every bound for every regulation.
        var points: [Tradeoff.Point] = []
        for r in Regulation.allCases {
            for (b, acc) in [(1.0, 0.6), (3.0, 0.8), (10.0, 0.9)] {
                points.append(point(.adamW, r, b, acc)); points.append(point(.muon, r, b, acc + 0.05))
            }
        }
        let comps = Regulation.allCases.map { Tradeoff.compare(points, $0, bins: 6) }
        XCTAssertEqual(comps[0].bins.count, 6)
        XCTAssertEqual(comps[0].bins.first!, 1, accuracy: 1e-12)
        XCTAssertEqual(comps[0].bins.last!, 10, accuracy: 1e-12)
        XCTAssertEqual(Tradeoff.front(points.filter { $0.optimizer == .adamW && $0.regulation == .hardCap }, at: 5)!.accuracy, 0.8)
        XCTAssertEqual(Tradeoff.claim(Tradeoff.evidence(comps, requiredWins: 4)).verdict, .reproduced)
        // AdamW better: not reproduced.
        let swapped = points.map { p -> Tradeoff.Point in
            var q = p; q.optimizer = p.optimizer == .muon ? .adamW : .muon; return q }
        let c2 = Regulation.allCases.map { Tradeoff.compare(swapped, $0, bins: 6) }
        XCTAssertEqual(Tradeoff.claim(Tradeoff.evidence(c2, requiredWins: 4)).verdict, .notReproduced)
        // Bounds that do not overlap: not observed.
        let apart = points.map { p -> Tradeoff.Point in var q = p; if p.optimizer == .muon { q.bound *= 100 }; return q }
        let c3 = Regulation.allCases.map { Tradeoff.compare(apart, $0, bins: 6) }
        XCTAssertEqual(Tradeoff.claim(Tradeoff.evidence(c3, requiredWins: 4)).verdict, .notObserved)
    }

    func testClaim3Turns() {
        let good = Certificate.Evidence(models: 100, violations: 0, finiteDifferenceResidual: 1e-10)
        XCTAssertEqual(Certificate.claim(good).verdict, .reproduced)
        var bad = good; bad.violations = 3; bad.finiteDifferenceResidual = 0.5
        XCTAssertEqual(Certificate.claim(bad).verdict, .notReproduced)
        var none = good; none.models = 0
        XCTAssertEqual(Certificate.claim(none).checks[0].status, .notObserved)
    }

    func smallNet(seed: UInt64 = 5) -> (LipschitzNet, Matrix, [Int]) {
        var rng = RandomSource(seed: seed)
        let w = [rng.normalMatrix(5, 4, std: 0.7), rng.normalMatrix(6, 5, std: 0.7), rng.normalMatrix(3, 6, std: 0.7)]
        let net = LipschitzNet(weights: w, mean: [0.1, -0.2, 0.3, 0], scale: 0.8)
        return (net, rng.normalMatrix(7, 4), (0..<7).map { $0 % 3 })
    }

    func testWeightGradientsMatchFiniteDifferences() {
        let (net, x, y) = smallNet()
        let (_, grads) = net.lossAndGradients(x, y)
        let h = 1e-6
        for l in 0..<3 {
            for k in [0, 3, net.weights[l].count - 1] {
                var p = net, m = net
                p.weights[l].storage[k] += h; m.weights[l].storage[k] -= h
                let fd = (p.lossAndGradients(x, y).loss - m.lossAndGradients(x, y).loss) / (2 * h)
                XCTAssertEqual(grads[l].storage[k], fd, accuracy: 1e-7)
            }
        }
    }

    func testJacobianAndBound() throws {
        let (net, x, _) = smallNet()
        var rng = RandomSource(seed: 9)
        for i in 0..<x.rows { XCTAssertLessThan(Certificate.finiteDifference(net, at: x.row(i), rng: &rng), 1e-7) }
        // The bound includes 1/s: it is Π σ₁ / s, and every Jacobian norm is under it.
        let product = try net.weights.reduce(1.0) { $0 * (try Spectral.norm($1)) }
        XCTAssertEqual(try net.certifiedBound(), product / 0.8, accuracy: 1e-12 * product)
        for i in 0..<x.rows { XCTAssertLessThanOrEqual(try Spectral.norm(net.jacobian(at: x.row(i))), try net.certifiedBound()) }
        // A linear network (no ReLU ever off) with aligned layers attains the bound: W = diag, positive inputs.
        let lin = LipschitzNet(weights: [Matrix.diagonal([2, 1]), Matrix.diagonal([3, 1])], mean: [0, 0], scale: 0.5)
        XCTAssertEqual(try Spectral.norm(lin.jacobian(at: [1, 1])), try lin.certifiedBound(), accuracy: 1e-12)
    }

    func testNormalizationIsOneScalar() {
        let x = Matrix([[0.0, 1], [2, 3], [4, 8]])
        let (mean, s) = MuonLipschitz.normalization(x)
        XCTAssertEqual(mean, [2, 4])
        // centred: [−2, −3], [0, −1], [2, 4]: sum of squares 34 over 6 entries.
        XCTAssertEqual(s, (34.0 / 6).squareRoot(), accuracy: 1e-15)
    }
}
