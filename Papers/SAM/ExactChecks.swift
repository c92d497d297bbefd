import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 1: the SAM step against mathematics, on a network (first-order expansion with exact
/// Hessian-vector products) and on a quadratic (the closed-form 2-cycle).
enum ExactChecks {
    struct ExpansionEvidence {
        var firstOrderSlope: Double       // log-log slope of ||g_SAM − g|| in ρ (expected 1)
        var remainderSlope: Double        // log-log slope of ||g_SAM − g − ρHĝ|| in ρ (expected 2)
        var points: Int                   // ρ values above the round-off floor
        var implementationGap: Double     // relative difference of `SharpnessAware` and the formula
    }

    struct CycleEvidence {
        var amplitudeError: Double        // | |q₁ᵀx_T| − a* | / a*
        var orthogonalResidual: Double    // ||x_T − (q₁ᵀx_T) q₁|| / a*
        var alternates: Bool              // q₁ᵀx_T and q₁ᵀx_{T−1} of opposite signs
    }

    static func claimExpansion(_ e: ExpansionEvidence) -> Claim {
        let few = e.points >= 3 ? nil : "fit over \(e.points) points above round-off"
        return Claim(
            id: "C1",
            statement: "The SAM gradient ∇L(w + ρĝ), ĝ = ∇L/||∇L||, is ∇L + ρ·Hĝ + O(ρ²) (Section 2: the Hessian enters only through Hessian-vector products).",
            checks: [Check("slope of ||g_SAM − ∇L − ρHĝ|| in ρ", measured: e.remainderSlope, .between(1.9, 2.1), format: "%.3f", notObserved: few),
                     Check("slope of ||g_SAM − ∇L|| in ρ", measured: e.firstOrderSlope, .between(0.95, 1.05), format: "%.3f", notObserved: few),
                     Check("SAM step vs formula (relative)", measured: e.implementationGap, .atMost(1e-12), format: "%.1e")],
            failsIf: "The remainder after the first-order term does not shrink as ρ² (slope outside [1.9, 2.1]), or the step differs from ∇L(w + ρĝ).")
    }

    static func claimCycle(_ e: CycleEvidence) -> Claim {
        Claim(
            id: "C2",
            statement: "On a quadratic ½xᵀAx, normalized SAM with step η (ηλ₁ < 2) and fixed ρ converges to the 2-cycle ±a*·q₁ with a* = ηλ₁ρ/(2 − ηλ₁) (derived here; not in the paper).",
            checks: [Check("amplitude |q₁ᵀx_T| vs a* (relative error)", measured: e.amplitudeError, .atMost(1e-9), format: "%.1e"),
                     Check("off-q₁ residual / a*", measured: e.orthogonalResidual, .atMost(1e-9), format: "%.1e"),
                     Check("q₁ᵀx alternates in sign", e.alternates)],
            failsIf: "The iterates settle at a different amplitude, off the top eigenvector, or without alternating.")
    }

    /*: expansion
     **The first-order expansion.** For the gradient g = ∇L(w) and ĝ = g/||g||, Taylor's theorem
     gives ∇L(w + ρĝ) = g + ρ·Hĝ + O(ρ²), with H the Hessian at w. We take a 64 → 16 → 10 tanh network
     (smooth, so the remainder is a true O(ρ²); a ReLU network's Hessian jumps where a unit changes
     sign) on 128 digits, compute Hĝ exactly by the R-operator, and fit the log-log slopes of
     ||g_SAM − g|| (expected 1) and ||g_SAM − g − ρHĝ|| (expected 2) over ρ in the grid of the setup.
     The same point also checks the paper's step as coded (`SharpnessAware`) against the formula.
     */
    static func expansion(_ c: SAM.Config, task: DigitsTask, seed: UInt64, report: Report) throws {
        report.section("Experiment 1: the SAM step, exactly")
        report.literate("expansion")
        report.code("sam-step", file: SourceFiles.training)
        var rng = RandomSource.stream(seed: seed, SAM.Stream.expansion)
        let net = MLP(sizes: [64, 16, 10], hidden: .tanh, initialization: .lecun, rng: &rng)
        let rows = Array(0..<128)
        let (x, loss) = (task.trainX.rows(rows), Loss.softmaxCrossEntropy(labels: rows.map { task.trainLabels[$0] }))
        let w = net.parameters
        let g = net.lossAndGradient(x, loss).gradient
        let u = Vector.scaled(g, 1 / Vector.norm(g))
        //: begin expansion
        let hu = net.hessianVectorProduct(x, loss, u)                    // Hĝ, exact (R-operator)
        var first: [Double] = [], rest: [Double] = []
        for rho in c.expansionRhos {
            var p = w; Vector.axpy(rho, u, &p)
            let gSAM = net.with(parameters: p).lossAndGradient(x, loss).gradient    // ∇L(w + ρĝ)
            var r = Vector.subtract(gSAM, g)
            first.append(Vector.norm(r))                                             // ||g_SAM − g||
            Vector.axpy(-rho, hu, &r)
            rest.append(Vector.norm(r))                                              // ||g_SAM − g − ρHĝ||
        }
        //: end expansion
        let floor = 1e-11 * Vector.norm(g)
        let keep = rest.indices.filter { rest[$0] > floor }
        let xs = keep.map { c.expansionRhos[$0] }
        let s2 = keep.count >= 3 ? try LineFit.logLog(x: xs, y: keep.map { rest[$0] }).slope : .nan
        let s1 = keep.count >= 3 ? try LineFit.logLog(x: xs, y: keep.map { first[$0] }).slope : .nan
        let rho = c.expansionRhos[c.expansionRhos.count / 2]
        var p = w; Vector.axpy(rho, u, &p)
        let direct = net.with(parameters: p).lossAndGradient(x, loss).gradient
        let coded = SharpnessAware(rho: rho, microBatch: nil).lossAndGradient(net, x, loss).gradient
        let gap = Vector.distance(direct, coded) / Vector.norm(direct)
        let ex = ExpansionEvidence(firstOrderSlope: s1, remainderSlope: s2, points: keep.count, implementationGap: gap)
        report.code("expansion")
        report.claim(claimExpansion(ex))
        report.plot(LinePlot(title: "Distance of the SAM gradient from its expansion", xLabel: "ρ", yLabel: "norm",
                             xScale: .log10, yScale: .log10,
                             series: [Series("||g_SAM − ∇L||", x: c.expansionRhos, y: first, marker: "o"),
                                      Series("||g_SAM − ∇L − ρHĝ||", x: c.expansionRhos, y: rest, marker: "x")]))
        report.discussion("**Experiment 1.** Fitted slopes: \(Fmt.g(ex.firstOrderSlope, 4)) for the first-order gap and \(Fmt.g(ex.remainderSlope, 4)) for the remainder over \(ex.points) values of ρ; the coded step differs from ∇L(w + ρĝ) by \(Fmt.sci(ex.implementationGap)) relative.")
    }

    /*: cycle
     **The 2-cycle on a quadratic.** Take L(x) = ½xᵀAx with eigenpairs λ₁ > λ₂ ≥ … > 0, q₁, …, and
     normalized SAM with step η and radius ρ: x ← x − ηA(x + ρAx/||Ax||). On the line x = a·q₁
     (a ≠ 0), Ax = λ₁a·q₁ and the ascent is ε̂ = ρ·sign(a)·q₁, so

         a ← a − ηλ₁(a + ρ·sign(a)) = (1 − ηλ₁)·a − ηλ₁ρ·sign(a).

     The minimum a = 0 is not a fixed point: the ascent always has length ρ. A 2-cycle a → −a → a
     with a > 0 needs −a = (1 − ηλ₁)a − ηλ₁ρ, that is

         a* = ηλ₁ρ / (2 − ηλ₁),

     valid for 0 < ηλ₁ < 2. Two steps map a near a* to (1 − ηλ₁)²·a + (ηλ₁)²ρ, whose fixed point is
     a* and whose slope (1 − ηλ₁)² < 1 makes the cycle attract along q₁. On the cycle ||Ax|| = λ₁a*,
     so a component along qᵢ is multiplied each step by 1 − ηλᵢ − ηρλᵢ²/(λ₁a*) =
     1 − ηλᵢ − (2 − ηλ₁)(λᵢ/λ₁)², which lies in (−1, 1) for 0 < λᵢ < λ₁: the other components die
     out. So normalized SAM ends bouncing across the minimum along the sharpest direction with
     amplitude a*, loss ½λ₁a*² and gradient norm λ₁a*; unnormalized SAM (ε = ρ∇L) instead converges
     to 0 at the rate |1 − ηλ₁(1 + ρλ₁)| per step. We run both from a random start on a rotated
     diagonal A (λ₁ = 2, the others evenly spread in [0.4, 1.6]), η = 0.3, ρ = 0.05.
     */
    static func cycle(_ c: SAM.Config, seed: UInt64, report: Report) {
        report.literate("cycle")
        var rng = RandomSource.stream(seed: seed, SAM.Stream.quadratic)
        let d = c.quadraticDimension, (eta, rho) = (0.3, 0.05)
        let spread = Double(Swift.max(d - 2, 1))
        var lambdas = [2.0]
        for i in 1..<d { lambdas.append(1.6 - 1.2 * Double(i - 1) / spread) }
        let q = rng.orthonormalColumns(d, d)
        let a = matmul(matmul(q, Matrix.diagonal(lambdas)), q.transposed)
        func apply(_ v: [Double]) -> [Double] { (0..<d).map { i in (0..<d).reduce(0) { $0 + a[i, $1] * v[$1] } } }
        let q1 = (0..<d).map { q[$0, 0] }
        let aStar = eta * lambdas[0] * rho / (2 - eta * lambdas[0])
        var x = rng.normalVector(d), y = x, prev = 0.0
        var normalized: [Double] = [], plain: [Double] = []
        for _ in 0..<c.quadraticSteps {
            prev = Vector.dot(q1, x)
            //: begin cycle
            let gx = apply(x)                                         // ∇L(x) = Ax
            var p = x; Vector.axpy(rho / Vector.norm(gx), gx, &p)     // x + ρ Ax/||Ax||
            Vector.axpy(-eta, apply(p), &x)                           // x ← x − η A(x + ε̂)
            //: end cycle
            let gy = apply(y)
            var py = y; Vector.axpy(rho, gy, &py)                     // unnormalized: y + ρ Ay
            Vector.axpy(-eta, apply(py), &y)
            normalized.append(abs(Vector.dot(q1, x))); plain.append(abs(Vector.dot(q1, y)))
        }
        let along = Vector.dot(q1, x)
        var off = x; Vector.axpy(-along, q1, &off)
        let cy = CycleEvidence(amplitudeError: abs(abs(along) - aStar) / aStar, orthogonalResidual: Vector.norm(off) / aStar,
                               alternates: along * prev < 0)
        report.code("cycle")
        report.claim(claimCycle(cy))
        let t = normalized.indices.map { Double($0 + 1) }
        report.plot(LinePlot(title: "|q₁ᵀx_t| on the quadratic", xLabel: "step t", yLabel: "|q₁ᵀx_t| (log)", yScale: .log10,
                             series: [Series("normalized SAM", x: t, y: normalized, marker: "o"),
                                      Series("unnormalized SAM", x: t, y: plain.map { Swift.max($0, 1e-300) }, marker: "x"),
                                      Series("a* (closed form)", x: [t.first ?? 1, t.last ?? 1], y: [aStar, aStar], marker: "-")].map { $0.thinned(to: 80) }))
        report.discussion("After \(c.quadraticSteps) steps of normalized SAM on the quadratic, |q₁ᵀx| = \(Fmt.g(normalized.last ?? .nan, 10)) against a* = \(Fmt.g(aStar, 10)) (relative error \(Fmt.sci(cy.amplitudeError))); the unnormalized variant is at \(Fmt.sci(plain.last ?? .nan)).")
    }

    static func run(_ c: SAM.Config, task: DigitsTask, options: RunOptions, report: Report) throws {
        try expansion(c, task: task, seed: options.seed, report: report)
        cycle(c, seed: options.seed, report: report)
    }
}
