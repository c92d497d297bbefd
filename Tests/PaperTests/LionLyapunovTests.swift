import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import LionLyapunov

/// Lion's constrained-optimization paper in quick mode: every claim's verdict is pinned, each claim turns
/// on failing or unobserved evidence, and the paper's solvers and the shared optimizers are checked
/// against hand-computable cases.
final class LionLyapunovTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(LionLyapunov.info) { try LionLyapunov.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4", "C5"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)   // (1 − ελ)^t bound, tight when pushed outward
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)   // limit = box-constrained KKT point
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)   // rises of H observed, O(ε²) per step, O(ε) in sum
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .reproduced)   // Lion-K solves f + (1/λ)K*(λx)
        XCTAssertEqual(PaperHarness.verdict(report, "C5"), .reproduced)   // ||x||_∞ tracks 1/λ
    }

    // MARK: - Each claim turns on failing or unobserved evidence

    static func trace(entry: Int?, predicted: Int = 100, bound: Bool = true, stays: Bool? = true) -> PhaseOneTrace {
        PhaseOneTrace(excess: [2, 1], bound: [2, 1], boundHolds: bound, entry: entry, predicted: predicted,
                      staysInside: entry == nil ? nil : stays, fittedRate: 0.01)
    }

    func testClaim1Turns() {
        let good = PhaseOneEvidence(quadratic: Self.trace(entry: 100), digits: Self.trace(entry: 100))
        XCTAssertEqual(Lab.claim1(good).verdict, .reproduced)
        var broken = good; broken.digits.boundHolds = false
        XCTAssertEqual(Lab.claim1(broken).checks[0].status, .fail)
        XCTAssertNotEqual(Lab.claim1(broken).verdict, .reproduced)
        var slow = good; slow.quadratic.entry = 130                       // a slower exponential
        XCTAssertEqual(Lab.claim1(slow).checks[2].status, .fail)
        let never = PhaseOneEvidence(quadratic: Self.trace(entry: nil), digits: Self.trace(entry: nil))
        XCTAssertEqual(Lab.claim1(never).checks[1].status, .notObserved)
        XCTAssertEqual(Lab.claim1(never).checks[2].status, .notObserved)
        XCTAssertNotEqual(Lab.claim1(never).verdict, .reproduced)
    }

    static func limit(gap: Double, distance: Double = 1e-5, agreement: Double = 1, unconverged: String? = nil) -> LimitPoint {
        LimitPoint(loss: 1, referenceLoss: 1, gap: gap, distance: distance, residual: 1e-6, referenceResidual: 1e-10,
                   gradientScale: 1, agreement: agreement, referenceUnconverged: unconverged, kktColumns: [])
    }

    func testClaim2Turns() {
        XCTAssertEqual(Lab.claim2(PhaseTwoEvidence(quadratic: Self.limit(gap: 0), digits: Self.limit(gap: 1e-7))).verdict, .reproduced)
        // A loss below the constrained optimum (Lion outside the box) fails as much as one above it.
        let below = Lab.claim2(PhaseTwoEvidence(quadratic: Self.limit(gap: 0), digits: Self.limit(gap: -0.01)))
        XCTAssertEqual(below.checks[1].status, .fail)
        XCTAssertNotEqual(below.verdict, .reproduced)
        let far = Lab.claim2(PhaseTwoEvidence(quadratic: Self.limit(gap: 0, distance: 0.2), digits: Self.limit(gap: 0, agreement: 0.8)))
        XCTAssertEqual(far.checks.filter { $0.status == .fail }.count, 2)
        let unsolved = Lab.claim2(PhaseTwoEvidence(quadratic: Self.limit(gap: 0, unconverged: "x"), digits: Self.limit(gap: 0, unconverged: "x")))
        XCTAssertEqual(unsolved.checks[0].status, .notObserved)
        XCTAssertNotEqual(unsolved.verdict, .reproduced)
    }

    static func scaling(_ name: String, maxRise: (Double) -> Double, totalRise: (Double) -> Double) -> RiseScaling {
        let eps = [0.004, 0.002, 0.001]
        return RiseScaling(problem: name, stepSizes: eps, steps: [1, 2, 4], risingSteps: eps.map { maxRise($0) > 0 ? 10 : 0 },
                           firstRise: eps.map { maxRise($0) > 0 ? 10 : nil }, maxRise: eps.map(maxRise), totalRise: eps.map(totalRise),
                           h0: [1, 1, 1], hT: [0, 0, 0])
    }

    func testClaim3Turns() {
        let discrete = Self.scaling("q", maxRise: { 3 * $0 * $0 }, totalRise: { 5 * $0 })       // the O(ε²) / O(ε) of the bound
        XCTAssertEqual(Lab.claim3(LyapunovEvidence(quadratic: discrete, digits: discrete, finalRatio: 1e-7)).verdict, .reproduced)
        // Rises of order ε per step: a rise per unit of time that does not vanish.
        let firstOrder = Self.scaling("q", maxRise: { 3 * $0 }, totalRise: { _ in 0.5 })
        let failed = Lab.claim3(LyapunovEvidence(quadratic: firstOrder, digits: discrete, finalRatio: 1e-7))
        XCTAssertEqual(failed.checks[0].status, .fail)
        XCTAssertEqual(failed.checks[1].status, .fail)
        XCTAssertNotEqual(failed.verdict, .reproduced)
        // H that never rose (a window too short) is not observed, never a pass.
        let flat = Self.scaling("q", maxRise: { _ in 0 }, totalRise: { _ in 0 })
        let unobserved = Lab.claim3(LyapunovEvidence(quadratic: flat, digits: flat, finalRatio: 1e-7))
        XCTAssertEqual(unobserved.checks.prefix(4).map(\.status), [.notObserved, .notObserved, .notObserved, .notObserved])
        XCTAssertNotEqual(unobserved.verdict, .reproduced)
        // Rises at only two step sizes: no fit.
        let partial = Self.scaling("q", maxRise: { $0 > 0.0015 ? $0 * $0 : 0 }, totalRise: { $0 > 0.0015 ? $0 : 0 })
        XCTAssertEqual(Lab.claim3(LyapunovEvidence(quadratic: partial, digits: discrete, finalRatio: 1e-7)).checks[0].status, .notObserved)
    }

    func testClaim4Turns() {
        let good = LionKEvidence(results: ["a", "b"].map { LionKResult(potential: $0, gaps: [1e-6, -1e-7], referenceUnconverged: nil) })
        XCTAssertEqual(Lab.claim4(good).verdict, .reproduced)
        var off = good; off.results[1].gaps = [1e-6, 5e-3]
        XCTAssertNotEqual(Lab.claim4(off).verdict, .reproduced)
        var infeasible = good; infeasible.results[0].gaps = [.infinity, 1e-6]
        let c = Lab.claim4(infeasible)
        XCTAssertEqual(c.checks[0].status, .notObserved)
        XCTAssertEqual(c.checks.last!.status, .fail)                    // an infeasible end point fails the claim
        XCTAssertNotEqual(c.verdict, .reproduced)
    }

    static func point(_ lambda: Double, norm: Double, loss: Double, gap: Double = 1e-6) -> SweepPoint {
        SweepPoint(lambda: lambda, normInf: norm, loss: loss, referenceLoss: loss, gap: gap, atBound: 1, weights: 1, accuracy: 1,
                   referenceUnconverged: nil)
    }

    func testClaim5Turns() {
        let good = SweepEvidence(points: [Self.point(0.5, norm: 2, loss: 0.1), Self.point(1, norm: 1, loss: 0.2), Self.point(2, norm: 0.5, loss: 0.4)])
        XCTAssertEqual(Lab.claim5(good).verdict, .reproduced)
        var inside = good; inside.points[2].normInf = 0.45                 // Lion stopped 10% inside the box
        XCTAssertEqual(Lab.claim5(inside).checks[0].status, .fail)
        var flat = good; flat.points[2].loss = 0.15; flat.points[2].gap = -0.2
        let c = Lab.claim5(flat)
        XCTAssertEqual(c.checks[1].status, .fail)
        XCTAssertEqual(c.checks[2].status, .fail)
        XCTAssertNotEqual(c.verdict, .reproduced)
    }

    /// Rises are counted only above the round-off of evaluating H.
    func testRisesIgnoreRoundOff() {
        let h = [10.0, 9.0, 9.0 + 1e-14, 8.0, 8.5, 8.25]
        let r = Lab.rises(h, stepSize: 0.5)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r.first, 2)
        XCTAssertEqual(r.max, 0.5)
        XCTAssertEqual(r.total, 0.5)
    }

    /// f(x) = −x pushes outward forever: Lion's excess over the box is exactly e₀(1 − ελ)^t.
    func testPhaseOneRateIsExactWhenPushedOutward() {
        var lion = Lion(learningRate: 0.01, beta1: 0.9, beta2: 0.99, weightDecay: 2)
        var x = [3.0]                                  // box radius 1/λ = 0.5, e₀ = 2.5
        for t in 1...500 {
            lion.step(&x, gradient: [-1])
            XCTAssertEqual(x[0] - 0.5, 2.5 * Foundation.pow(1 - 0.02, Double(t)), accuracy: 1e-12)
        }
        // From inside, the box is never left (the sign step can at most balance the decay).
        var y = [0.5]
        for _ in 0..<100 { lion.step(&y, gradient: [-1]); XCTAssertLessThanOrEqual(y[0], 0.5 + 1e-15) }
    }

    func testSoftmaxGradientAndHessianMatchFiniteDifferences() {
        var rng = RandomSource(seed: 5)
        let model = SoftmaxRegression(features: rng.normalMatrix(12, 4), labels: (0..<12).map { $0 % 3 }, classes: 3)
        let w = rng.normalVector(model.parameterCount, std: 0.5)
        let (_, g) = model.lossAndGradient(w)
        let h = model.hessian(w)
        let step = 1e-6
        for i in 0..<w.count {
            var wp = w, wm = w
            wp[i] += step; wm[i] -= step
            XCTAssertEqual(g[i], (model.loss(wp) - model.loss(wm)) / (2 * step), accuracy: 1e-7)
            let gp = model.lossAndGradient(wp).gradient, gm = model.lossAndGradient(wm).gradient
            for j in 0..<w.count { XCTAssertEqual(h[j, i], (gp[j] - gm[j]) / (2 * step), accuracy: 1e-6) }
        }
    }

    /// With a diagonal quadratic the box-constrained minimizer is the clipped unconstrained one.
    func testReferenceSolversOnAClosedForm() throws {
        let d = [1.0, 4, 9, 2], target = [3.0, -0.2, -5, 0.7]
        let hessian = Matrix.diagonal(d)
        let objective: ([Double]) -> (value: Double, gradient: [Double]) = { x in
            let r = zip(x, target).map { $0 - $1 }
            return (0.5 * zip(d, r).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }, zip(d, r).map { $0 * $1 })
        }
        let pn = try ProjectedNewton.minimizeInBox(from: [0, 0, 0, 0], radius: 1, maxIterations: 50, tolerance: 1e-13,
                                                   objective: objective, hessian: { _ in hessian })
        let fista = ProximalGradient.minimize(from: [0, 0, 0, 0], lipschitz: 9, maxIterations: 10_000, tolerance: 1e-12,
                                              gradient: { objective($0).gradient }, prox: { v, _ in ProximalGradient.projectBox(v, radius: 1) })
        for (i, expected) in [1.0, -0.2, -1, 0.7].enumerated() {
            XCTAssertEqual(pn.x[i], expected, accuracy: 1e-12)
            XCTAssertEqual(fista.x[i], expected, accuracy: 1e-10)
        }
    }
}
