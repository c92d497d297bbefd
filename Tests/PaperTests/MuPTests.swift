import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import MuP

/// MuP in quick mode: the pinned verdicts; each claim turns on failing evidence; the paper's own
/// pieces (r and the exponents, the abc network's SGD step, the closed-form NTK, the quadrature
/// limit) checked against mathematics.
final class MuPTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(MuP.info) { try MuP.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4", "C5"])
        for id in ["C1", "C2", "C3", "C4", "C5"] { XCTAssertEqual(PaperHarness.verdict(report, id), .reproduced, id) }
    }

    // MARK: - Each claim turns on failing evidence

    static let zero = SlopeEstimate(mean: 0, se: 0.01, points: 7)
    static func slope(_ m: Double, points: Int = 7) -> SlopeEstimate { SlopeEstimate(mean: m, se: 0.01, points: points) }

    static var goodDichotomy: Dichotomy.Evidence {
        Dichotomy.Evidence(ntk: [slope(-0.5), slope(-0.5), slope(0)], muP: [zero, zero, zero],
                           standardFirst: [slope(-0.5), slope(0.5), slope(1)], standardLast: slope(1.2))
    }

    func testClaim1Turns() {
        let good = Self.goodDichotomy
        XCTAssertEqual(Dichotomy.claimDichotomy(good).verdict, .reproduced)
        var kernelLike = good; kernelLike.muP = [Self.slope(-0.5), Self.slope(-0.5), Self.zero]   // μP features freeze
        XCTAssertEqual(Dichotomy.claimDichotomy(kernelLike).verdict, .partly)
        var allWrong = good
        allWrong.ntk = [Self.zero, Self.zero, Self.slope(0.5)]; allWrong.muP = [Self.slope(0.5), Self.slope(0.5), Self.slope(0.5)]
        XCTAssertEqual(Dichotomy.claimDichotomy(allWrong).verdict, .notReproduced)
        var thin = good; thin.ntk = thin.ntk.map { Self.slope($0.mean, points: 2) }; thin.muP = thin.muP.map { Self.slope($0.mean, points: 2) }
        XCTAssertEqual(Dichotomy.claimDichotomy(thin).verdict, .notObserved)
    }

    func testClaim2Turns() {
        let good = Self.goodDichotomy
        XCTAssertEqual(Dichotomy.claimStandard(good).verdict, .reproduced)
        var stable = good    // SP behaving like NTP: no blow-up
        stable.standardFirst = [Self.slope(-0.5), Self.slope(-0.5), Self.zero]; stable.standardLast = Self.zero
        XCTAssertEqual(Dichotomy.claimStandard(stable).verdict, .partly)
        stable.standardFirst[0] = Self.zero
        XCTAssertEqual(Dichotomy.claimStandard(stable).verdict, .notReproduced)
    }

    func testClaim3Turns() {
        let good = Limit.Evidence(slope: -0.51, slopeSE: 0.02, points: 9, quadratureGap: 1e-4)
        XCTAssertEqual(Limit.claim(good).verdict, .reproduced)
        var slow = good; slow.slope = -0.25
        XCTAssertEqual(Limit.claim(slow).verdict, .partly)
        slow.quadratureGap = 0.5
        XCTAssertEqual(Limit.claim(slow).verdict, .notReproduced)
        var thin = good; thin.points = 2; thin.quadratureGap = .nan
        XCTAssertEqual(Limit.claim(thin).verdict, .notObserved)
    }

    func testClaim4Turns() {
        let good = KernelRegime.Evidence(ntk: Self.slope(-0.5), muP: Self.slope(-0.05), ratioAtLargest: 8)
        XCTAssertEqual(KernelRegime.claim(good).verdict, .reproduced)
        var same = good; same.muP = Self.slope(-0.5); same.ratioAtLargest = 1   // μP also kernel GD
        XCTAssertEqual(KernelRegime.claim(same).verdict, .partly)
        same.ntk = Self.zero
        XCTAssertEqual(KernelRegime.claim(same).verdict, .notReproduced)
    }

    func testClaim5Turns() {
        let good = Transfer.Evidence(muPShift: 0, standardShift: -4, muPEdge: false, standardEdge: false)
        XCTAssertEqual(Transfer.claim(good).verdict, .reproduced)
        var swapped = good; swapped.muPShift = -3; swapped.standardShift = 0
        XCTAssertEqual(Transfer.claim(swapped).verdict, .notReproduced)
        var edge = good; edge.muPEdge = true; edge.standardEdge = true
        XCTAssertEqual(Transfer.claim(edge).verdict, .notObserved)
    }

    // MARK: - The paper's definitions and our methods against mathematics

    /// r for the three named parametrizations and SP with a 1/n rate (for L ≥ 2: −1, 1/2, 0, 1/2),
    /// and the first-step exponents derived by hand in the report.
    func testRAndExponents() {
        for l in [1, 2, 4] {
            XCTAssertEqual(Parametrization.standard(hidden: l).r, l == 1 ? 0 : -1)   // L = 1: r = 0, unstable through 2a_{L+1} + c = 0 < 1
            XCTAssertEqual(Parametrization.ntk(hidden: l).r, 0.5)
            XCTAssertEqual(Parametrization.maximalUpdate(hidden: l).r, 0)
            var sp = Parametrization.standard(hidden: l); sp.c = 1
            XCTAssertEqual(sp.r, l == 1 ? 1.5 : 0.5)
            XCTAssertTrue(sp.isStable)
            XCTAssertTrue(Parametrization.ntk(hidden: l).isStable)
            XCTAssertTrue(Parametrization.maximalUpdate(hidden: l).isStable)
            XCTAssertFalse(Parametrization.standard(hidden: l).isStable)
        }
        let sp = Parametrization.standard(hidden: 2).firstStepExponents()
        XCTAssertEqual(sp.hidden, [-0.5, 0.5]); XCTAssertEqual(sp.output, 1)
        let ntp = Parametrization.ntk(hidden: 2).firstStepExponents()
        XCTAssertEqual(ntp.hidden, [-0.5, -0.5]); XCTAssertEqual(ntp.output, 0)
        let mup = Parametrization.maximalUpdate(hidden: 2).firstStepExponents()
        XCTAssertEqual(mup.hidden, [0, 0]); XCTAssertEqual(mup.output, 0)
    }

    /// The SGD step moves every W^l by −η·n^(−c−2a_l)·∂L/∂W^l, with ∂L/∂W from central differences.
    func testSGDStepAgainstFiniteDifferences() {
        var rng = RandomSource(seed: 7)
        let (d, n, k, b) = (3, 5, 2, 4)
        let draws = ABCNetwork.standardDraws(inputs: d, width: n, outputs: k, hidden: 2, rng: &rng)
        let x = rng.normalMatrix(b, d)
        let loss = Loss.softmaxCrossEntropy(labels: [0, 1, 1, 0])
        for p in [Parametrization.standard(hidden: 2), .ntk(hidden: 2), .maximalUpdate(hidden: 2)] {
            let net = ABCNetwork(p, width: n, activation: .tanh, standard: draws)
            var stepped = net
            let eta = 0.3
            stepped.sgdStep(x, loss, rate: eta)
            for l in 0..<3 {
                for idx in [0, net.weights[l].count - 1] {
                    var plus = net, minus = net
                    let h = 1e-6
                    plus.weights[l].storage[idx] += h; minus.weights[l].storage[idx] -= h
                    let g = (loss.value(plus.forward(x).output) - loss.value(minus.forward(x).output)) / (2 * h)
                    let expected = -eta * pow(Double(n), -p.c - 2 * p.a[l]) * g
                    let moved = stepped.weights[l].storage[idx] - net.weights[l].storage[idx]
                    XCTAssertEqual(moved, expected, accuracy: 1e-7 * max(1, abs(expected)), "\(p.name) layer \(l + 1)")
                }
            }
        }
    }

    /// The closed-form NTK against Monte Carlo over (u, v) and against the empirical NTK of a wide NTP
    /// network (whose kernel fluctuates by O(n^(−1/2))); μP has the same kernel at initialization.
    func testClosedFormNTK() {
        var rng = RandomSource(seed: 11)
        let d = 8
        let x = rng.normalVector(d), y = Vector.add(Vector.scaled(x, 0.6), rng.normalVector(d))
        let exact = KernelRegime.ntk(x, y)
        // Monte Carlo of E[relu(h)relu(h')] + E[1{h>0}1{h'>0}]·x·y/d with h = u·x/√d.
        var mc = 0.0
        let samples = 200_000
        for _ in 0..<samples {
            let u = rng.normalVector(d)
            let hx = Vector.dot(u, x) / Double(d).squareRoot(), hy = Vector.dot(u, y) / Double(d).squareRoot()
            mc += max(hx, 0) * max(hy, 0) + (hx > 0 && hy > 0 ? 1 : 0) * Vector.dot(x, y) / Double(d)
        }
        mc /= Double(samples)
        XCTAssertEqual(mc, exact, accuracy: 0.02 * abs(exact) + 0.01)
        XCTAssertEqual(KernelRegime.ntk(x, x), Vector.dot(x, x) / Double(d), accuracy: 1e-12)   // σ²/2 + σ²/2
        let n = 40_000
        let draws = ABCNetwork.standardDraws(inputs: d, width: n, outputs: 1, hidden: 1, rng: &rng)
        for p in [Parametrization.ntk(hidden: 1), .maximalUpdate(hidden: 1)] {
            let net = ABCNetwork(p, width: n, activation: .relu, standard: draws)
            XCTAssertEqual(KernelRegime.empiricalNTK(net, x, y), exact, accuracy: 0.03 * abs(exact) + 0.02, p.name)
        }
    }

    /// The quadrature limit: with η = 0 the output is E[v]·E[tanh(uξ)] = 0 at every step, and with
    /// η > 0 a wide finite network lands within a few n^(−1/2) of it.
    func testLimitRecursion() throws {
        let still = try Limit.limit(points: 24, steps: 2, rate: 0, activation: .tanh)
        XCTAssertTrue(still.outputs.joined().allSatisfy { abs($0) < 1e-13 })
        XCTAssertEqual(still.featureMove, 0)
        let moving = try Limit.limit(points: 48, steps: 3, rate: 1, activation: .tanh)
        var rng = RandomSource(seed: 3)
        let n = 200_000
        let wide = Limit.finite(width: n, steps: 3, rate: 1, activation: .tanh, rng: &rng)
        for (a, b) in zip(wide.joined(), moving.outputs.joined()) { XCTAssertEqual(a, b, accuracy: 5 / Double(n).squareRoot()) }
    }
}
