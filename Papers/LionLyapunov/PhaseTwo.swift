import Foundation
import Numerics
import Learning
import Notebook

// MARK: - Experiment 2: phase 2, the limit point solves the box-constrained problem

/// Lion's end point against the reference solution of one box problem.
struct LimitPoint {
    var loss: Double
    var referenceLoss: Double
    /// (f(x_T) − f*)/(f(0) − f*).
    var gap: Double
    /// ||x_T − x_ref||_∞ · λ.
    var distance: Double
    var residual: Double
    var referenceResidual: Double
    /// ||∇f(0)||_∞, the scale of the KKT residual.
    var gradientScale: Double
    /// Share of coordinates with the same upper / lower / interior status as the reference.
    var agreement: Double
    var referenceUnconverged: String?
    var kktColumns: [String]
}

/// What Claim 2 is decided on.
struct PhaseTwoEvidence {
    var quadratic: LimitPoint
    var digits: LimitPoint
}

extension Lab {
    func limitPoint(_ run: Run, _ ref: ProximalGradient.Result, _ obj: Objective) -> LimitPoint {
        let zero = [Double](repeating: 0, count: obj.dimension)
        let fStar = obj.loss(ref.x), f0 = obj.loss(zero), fT = run.loss.last!
        let tolerance = 1e-3 * radius
        let a = Algorithms.activeSet(run.final, radius: radius, tolerance: tolerance)
        let b = Algorithms.activeSet(ref.x, radius: radius, tolerance: tolerance)
        let gradScale = Vector.normInf(obj.evaluate(zero).gradient)
        // The KKT sign pattern at Lion's point: ∂f ≤ 0 at the upper bound, ≥ 0 at the lower, ≈ 0 inside.
        let g = run.finalGradient
        var up = 0, upOK = 0, low = 0, lowOK = 0, inner = 0, maxInner = 0.0
        for i in 0..<a.count {
            switch a[i] {
            case 1: up += 1; if g[i] <= 1e-6 * gradScale { upOK += 1 }
            case -1: low += 1; if g[i] >= -1e-6 * gradScale { lowOK += 1 }
            default: inner += 1; maxInner = Swift.max(maxInner, abs(g[i]))
            }
        }
        return LimitPoint(
            loss: fT, referenceLoss: fStar, gap: (fT - fStar) / (f0 - fStar),
            distance: zip(run.final, ref.x).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) } / radius,
            residual: Algorithms.boxResidual(x: run.final, gradient: g, radius: radius, lipschitz: obj.lipschitz),
            referenceResidual: ref.residual, gradientScale: gradScale,
            agreement: Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count),
            referenceUnconverged: Lab.unconverged(ref, obj.name),
            kktColumns: ["\(upOK) of \(up)", "\(lowOK) of \(low)", "\(inner), max |∂f| = \(Fmt.sci(maxInner))"])
    }

    func phaseTwo(_ m: MainRuns) {
        let c = config
        report.section("Experiment 2: phase 2, the limit point solves the box-constrained problem")
        /*: phase2
         **Phase 2.** Inside the box the paper's Lyapunov function decreases until the iterates reach a KKT
         point of min f(x) s.t. ||x||_∞ ≤ 1/λ. We compare the end of the two runs of Experiment 1 (constant ε,
         then a linear decay of ε to 0 so that the ±ε chatter of the sign step dies out) with the reference
         solution of the box problem (below), and check the KKT conditions at Lion's point: a coordinate at
         the upper bound must have ∂f/∂xᵢ ≤ 0 (the loss would like it larger still), one at the lower bound
         ∂f/∂xᵢ ≥ 0, and an interior one ∂f/∂xᵢ ≈ 0. The single number that measures all three is the
         projected-gradient residual ||G(x)||_∞, G(x) = L(x − Π_box(x − ∇f(x)/L)).
         */
        report.literate("phase2")
        report.literate("reference", file: algorithmsFile)
        let e = PhaseTwoEvidence(quadratic: limitPoint(m.quadratic, quadraticReference, quadratic),
                                 digits: limitPoint(m.digits, digitsReference, digits))
        /*: claim2
         **Claim 2 (phase 2).** Criteria fixed before the run: on the quadratic (strongly convex, one solution)
         Lion's final point is within 1% of the box half-width of the reference. On the digits (convex, but
         the softmax is invariant to adding one vector to every class's weights, so the solution need not be
         unique) we compare what is unique: the loss, by its relative gap (f(x_T) − f*)/(f(0) − f*) taken in
         absolute value (a loss *below* the constrained optimum would mean Lion left the box), the KKT
         residual relative to ||∇f(0)||_∞, and the active sets (upper/lower/interior, tolerance 1e-3/λ).
         */
        report.literate("claim2")
        report.claim(Lab.claim2(e))
        func row(_ name: String, _ p: LimitPoint) -> [String] {
            [name, Fmt.g(p.loss, 6), Fmt.g(p.referenceLoss, 6), Fmt.sci(p.gap), Fmt.sci(p.distance),
             "\(Fmt.sci(p.residual)) / \(Fmt.sci(p.referenceResidual))", Fmt.pct(p.agreement)] + p.kktColumns
        }
        report.table(["problem", "f(x_T) Lion", "f* reference", "relative gap", "||x_T − x_ref||_∞ λ", "KKT residual (Lion / ref)", "active sets agree",
                      "upper bound with ∂f ≤ 0", "lower bound with ∂f ≥ 0", "interior"], [row("quadratic", e.quadratic), row("digits", e.digits)],
                     caption: "KKT columns count Lion's final coordinates at each bound whose gradient has the sign the KKT conditions require (up to 1e-6·||∇f(0)||_∞). The reference's residual shows how exactly it solved the problem (\(quadraticReference.iterations) and \(digitsReference.iterations) projected-Newton iterations from x = 0).")
        let steps = (0...c.steps).map(Double.init)
        let below = [m.quadratic.loss.last! < e.quadratic.referenceLoss, m.digits.loss.last! < e.digits.referenceLoss]
        report.plot(LinePlot(
            title: "phase 2: f(x_t) − f* of the box-constrained problem (Lion from outside the box)",
            xLabel: "step t", yLabel: "f(x_t) − f* (log)", yScale: .log10,
            series: [Series("quadratic", x: steps, y: m.quadratic.loss.map { $0 - e.quadratic.referenceLoss }).thinned(to: 400),
                     Series("digits", x: steps, y: m.digits.loss.map { $0 - e.digits.referenceLoss }).thinned(to: 400)]),
            caption: "The step size decays linearly to 0 from step \(Int(Double(c.steps) * c.constantFraction)). Gaps ≤ 0 are not drawn. Final point below f*: quadratic \(below[0]), digits \(below[1]); from outside, a coordinate the gradient pushes outward approaches 1/λ from above like (1 − ελ)^t, so the final point can sit outside the box by e₀Πₛ(1 − εₛλ) = \(Fmt.sci(phaseOneTrace(m.quadratic).bound.last!)) and just below f*.")
        report.prose("Digits training accuracy at Lion's final point: \(Fmt.pct(model.accuracy(m.digits.final))); at the reference: \(Fmt.pct(model.accuracy(digitsReference.x))).")
    }

    static func claim2(_ e: PhaseTwoEvidence) -> Claim {
        let (q, d) = (e.quadratic, e.digits)
        return Claim(
            id: "C2",
            statement: "Phase 2: the limit point of Lion solves min f(x) s.t. ||x||_∞ ≤ 1/λ (a KKT point of the box-constrained problem).",
            checks: [
                Check("quadratic ||x_T − x_ref||_∞ · λ", measured: q.distance, .atMost(0.01), format: "%.3g", notObserved: q.referenceUnconverged),
                Check("digits |relative loss gap|", measured: abs(d.gap), .atMost(1e-3), format: "%.3g", notObserved: d.referenceUnconverged),
                Check("digits KKT residual / ||∇f(0)||_∞", measured: d.residual / d.gradientScale, .atMost(0.01), format: "%.3g"),
                Check("digits active-set agreement", measured: d.agreement, .atLeast(0.95), format: "%.4f", notObserved: d.referenceUnconverged),
            ],
            failsIf: "the end point of Lion is more than 0.01/λ from the quadratic's box solution, or on the digits its loss misses f* by more than 1e-3 of f(0) − f*, its KKT residual exceeds 1% of ||∇f(0)||_∞, or its active set differs on more than 5% of the weights",
            note: "The two runs of Experiment 1 (from outside the box), with ε decayed linearly to 0 at the end; one quadratic instance and one digits subset.")
    }
}
