import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import LBDN

/// The paper in quick mode: pinned verdicts; each claim turns on failing evidence; the layers'
/// gradients against finite differences, the sandwich bound on random parameters, the merged MLP
/// form, the exact piece walk and the ramp floor against mathematics.
final class LBDNTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(LBDN.info) { try LBDN.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        // C2, C3: one seed in quick mode, so the mean ± se checks are not observed.
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let good = Guarantee.Evidence(models: 18, worstRatio: 0.9999, cayleyResidual: 3e-15, layerNorm: 0.99999999,
                                      pullbackError: 1e-10, explicitError: 1e-15)
        XCTAssertEqual(Guarantee.claim(good).verdict, .reproduced)
        var violated = good; violated.worstRatio = 1 + 1e-6        // one network above γ
        XCTAssertEqual(Guarantee.claim(violated).verdict, .partly)
        XCTAssertEqual(Guarantee.claim(violated).checks[0].status, .fail)
        var broken = good; broken.worstRatio = 1.3; broken.cayleyResidual = 1e-3; broken.layerNorm = 1.2
        broken.pullbackError = 0.1; broken.explicitError = 1e-3
        XCTAssertEqual(Guarantee.claim(broken).verdict, .notReproduced)
        var none = good; none.models = 0
        XCTAssertEqual(Guarantee.claim(none).checks[0].status, .notObserved)
    }

    func testClaim2Turns() {
        let good = Toy.Evidence(runs: 9, fitWins: 9, tightWins: 9, logGapMean: 0.5, logGapSE: 0.05)
        XCTAssertEqual(Toy.claim(good).verdict, .reproduced)
        let bad = Toy.Evidence(runs: 9, fitWins: 3, tightWins: 5, logGapMean: 0.05, logGapSE: 0.1)
        XCTAssertEqual(Toy.claim(bad).verdict, .notReproduced)
        let few = Toy.Evidence(runs: 2, fitWins: 2, tightWins: 2, logGapMean: 0.5, logGapSE: 0.05)
        XCTAssertEqual(Toy.claim(few).checks[2].status, .notObserved)
    }

    func testClaim3Turns() {
        let good = Certified.Evidence(runs: 9, wins: 8, gapMean: 0.02, gapSE: 0.004, anyCertified: true)
        XCTAssertEqual(Certified.claim(good).verdict, .reproduced)
        let bad = Certified.Evidence(runs: 9, wins: 4, gapMean: -0.01, gapSE: 0.004, anyCertified: true)
        XCTAssertEqual(Certified.claim(bad).verdict, .notReproduced)
        let nothing = Certified.Evidence(runs: 9, wins: 0, gapMean: 0, gapSE: 0, anyCertified: false)
        XCTAssertEqual(Certified.claim(nothing).verdict, .notObserved)
    }

    // MARK: - The paper's methods against mathematics

    /// Loss ⟨G, f(X)⟩ and its gradient with respect to every free parameter, against central differences.
    func testLayerGradientsAgainstFiniteDifferences() throws {
        for kind in LayerKind.allCases {
            var rng = RandomSource(seed: 3)
            var net = LipschitzNetwork(kind: kind, sizes: [3, 4, 5, 2], gamma: 2, rng: &rng)
            for l in 0..<net.depth { for j in 0..<net.layers[l].psi.count { net.layers[l].psi[j] = 0.3 * rng.normal() } }
            let x = rng.normalMatrix(6, 3), g = rng.normalMatrix(6, 2)
            func value(_ n: LipschitzNetwork) throws -> Double {
                var v = n.sizes.dropLast().map { [Double](repeating: 1, count: $0) }
                let ms = try (0..<n.depth).map { try n.materialize($0, vectors: &v, iterations: 500) }
                return n.forward(x, ms).output.dot(g)
            }
            var v = net.sizes.dropLast().map { [Double](repeating: 1, count: $0) }
            let ms = try (0..<net.depth).map { try net.materialize($0, vectors: &v, iterations: 500) }
            let grads = net.backward(net.forward(x, ms), ms, outputGradient: g)
            let h = 1e-6
            var worst = 0.0
            for l in 0..<net.depth {
                for k in 0..<net.layers[l].w.count {
                    var p = net, m = net
                    p.layers[l].w.storage[k] += h; m.layers[l].w.storage[k] -= h
                    worst = max(worst, abs((try value(p) - value(m)) / (2 * h) - grads[l].w.storage[k]))
                }
                for k in 0..<net.layers[l].b.count {
                    var p = net, m = net
                    p.layers[l].b[k] += h; m.layers[l].b[k] -= h
                    worst = max(worst, abs((try value(p) - value(m)) / (2 * h) - grads[l].b[k]))
                }
                if kind != .spectral {
                    var p = net, m = net
                    p.layers[l].alpha += h; m.layers[l].alpha -= h
                    worst = max(worst, abs((try value(p) - value(m)) / (2 * h) - grads[l].alpha))
                }
                if kind == .sandwich && l < net.depth - 1 {
                    for k in 0..<net.layers[l].psi.count {
                        var p = net, m = net
                        p.layers[l].psi[k] += h; m.layers[l].psi[k] -= h
                        worst = max(worst, abs((try value(p) - value(m)) / (2 * h) - grads[l].psi[k]))
                    }
                }
            }
            XCTAssertLessThan(worst, 1e-6, kind.rawValue)
        }
    }

    /// Random parameters, including large ψ and α: the merged MLP equals the layered forward pass and
    /// no Jacobian norm exceeds γ.
    func testEveryParameterSettingIsGammaLipschitz() throws {
        var rng = RandomSource(seed: 9)
        for kind in LayerKind.allCases {
            for trial in 0..<4 {
                let gamma = [0.5, 1, 3, 10][trial]
                var net = LipschitzNetwork(kind: kind, sizes: [5, 7, 6, 3], gamma: gamma, rng: &rng)
                for l in 0..<net.depth {
                    net.layers[l].w = rng.normalMatrix(net.layers[l].w.rows, net.layers[l].w.cols, std: 3)
                    net.layers[l].alpha = 5 * rng.uniform()
                    net.layers[l].psi = net.layers[l].psi.map { _ in 3 * rng.normal() }
                    net.layers[l].b = net.layers[l].b.map { _ in rng.normal() }
                }
                let mlp = try net.explicit()
                let x = rng.normalMatrix(20, 5)
                if kind != .spectral {
                    var v = net.sizes.dropLast().map { [Double](repeating: 1, count: $0) }
                    let ms = try (0..<net.depth).map { try net.materialize($0, vectors: &v, iterations: 0) }
                    XCTAssertLessThan((net.forward(x, ms).output - mlp.forward(x)).maxAbs, 1e-11)
                }
                for i in 0..<x.rows { XCTAssertLessThanOrEqual(try Probes.jacobianNorm(mlp, at: x.row(i)), gamma * (1 + 1e-12)) }
            }
        }
    }

    func testPieceWalkFindsTheLargestSlope() {
        // f(x) = relu(x) − 3 relu(x − 1): slopes 0, 1, −2.
        let mlp = MLP(sizes: [1, 2, 1], activations: [.relu, .identity],
                      weights: [Matrix(rows: 2, cols: 1, elements: [1, 1]), Matrix(rows: 1, cols: 2, elements: [1, -3])],
                      biases: [[0, -1], [0]])
        let w = Probes.walk(mlp, from: -2, to: 3)
        XCTAssertEqual(w.slope, 2, accuracy: 1e-12)
        XCTAssertEqual(w.pieces, 3)
    }

    func testRampFloorMatchesTheContinuousClosedForm() {
        // Three jumps, each costing ∫(½ − γt)² over |t| < 1/(2γ) = 1/(12γ), over an interval of length 4.
        for g in [1.0, 5, 10] { XCTAssertEqual(Toy.rampFloor(g), 1 / (16 * g), accuracy: 0.05 / (16 * g)) }
    }
}
