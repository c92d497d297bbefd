import Foundation
import Numerics
import Learning
import Notebook

/*: update
 **The update.** Lion (Chen et al., 2023) keeps one momentum m, an exponential moving average of the
 gradient, and moves every coordinate by the same amount ε in the direction of the sign of a second,
 more gradient-heavy interpolation c, plus decoupled weight decay λ. Lion-K replaces sign(·) = ∇||·||₁
 by the (sub)gradient of another convex function K. Both live in the shared library
 (`Sources/Learning/Optimizers.swift`, next to SGD, Adam and AdamW); the step is:
 */

/// The Lion family: Lion and Lion-K expose their momentum and coefficients (for the Lyapunov function).
protocol LionFamily: Optimizer {
    var momentum: [Double] { get }
    var beta1: Double { get }
    var beta2: Double { get }
    var weightDecay: Double { get }
    var potential: ConvexPotential { get }
}

extension Lion: LionFamily {
    var potential: ConvexPotential { .l1 }
}
extension LionK: LionFamily {}

/*: lyapunov
 **The Lyapunov function.** In continuous time Lion-K is the ODE
 ṁ = −α∇f(x) − γm, ẋ = ∇K(m + e·ṁ) − λx (paper's sign convention: m is the *negated* gradient average;
 e is the look-ahead that β₁ ≠ β₂ creates). The paper's claim is that it minimizes
 F(x) = α f(x) + (γ/λ) K*(λx), and that the function

   H(x, m) = α f(x) + (γ/λ) K*(λx) + c · [ K*(λx) + K(m) − λ mᵀx ]

 never increases along the ODE. We could read only the paper's abstract and summaries of its theorems,
 not its statement of H, so we *derived* the coefficient ourselves: differentiating H along the ODE
 and using the monotonicity of ∇K, dH/dt ≤ 0 holds for c = (1 − eγ)/(1 + eλ) whenever eγ ≤ 1
 (the bracket is ≥ 0 by the Fenchel–Young inequality and vanishes at a KKT point, so H ≥ F and
 H = F* at the solution). Reading Lion's discrete update as an Euler step of length ε gives
 α = γ = (1 − β₂)/ε and e = ε(1 − β₁)/(1 − β₂), so eγ = 1 − β₁ ≤ 1. Divided by α and written with the
 usual momentum m_Lion = −m, the function we evaluate along the discrete iterates is

   H(x, m) = f(x) + (1/λ) K*(λx) + κ · [ K*(λx) + K(m) + λ mᵀx ],
   κ = ε β₁ / ((1 − β₂)(1 + ελ(1 − β₁)/(1 − β₂))).

 For Lion (K = ||·||₁), K* is the indicator of the unit ∞-ball, so inside the box
 H = f(x) + κ (||m||₁ + λ mᵀx), and H = +∞ outside: the box is where H lives, which is phase 1's job.
 */
enum Lyapunov {
    //: begin lyapunov-H
    static func value<O: LionFamily>(loss f: Double, x: [Double], optimizer o: O, stepSize eps: Double) -> Double {
        let (lambda, b1, b2) = (o.weightDecay, o.beta1, o.beta2)
        let m = o.momentum.isEmpty ? [Double](repeating: 0, count: x.count) : o.momentum
        let kStar = o.potential.conjugate(x.map { lambda * $0 })                  // K*(λx)
        let kappa = eps * b1 / ((1 - b2) * (1 + eps * lambda * (1 - b1) / (1 - b2)))
        let coupling = kStar + o.potential.value(m) + lambda * Vector.dot(m, x)  // ≥ 0 (Fenchel–Young)
        return f + kStar / lambda + kappa * coupling
    }
    //: end lyapunov-H
}

/// What one run records at every step t = 0...T (before the step): f(x_t), ||x_t||_∞, ||x_t||₂,
/// the step size used, and, if asked, H(x_t, m_t).
struct Run {
    var label: String
    var loss: [Double] = []
    var normInf: [Double] = []
    var norm2: [Double] = []
    var stepSize: [Double] = []
    var lyapunov: [Double] = []
    var final: [Double] = []
    var finalGradient: [Double] = []
    var steps: Int { loss.count - 1 }
}

/// Constant step size ε for the first `constantFraction` of the run, then linear decay to 0
/// (the usual way to let a sign method settle; phase 1 always ends inside the constant part here).
struct StepSchedule {
    var epsilon: Double
    var steps: Int
    var constantFraction: Double

    func callAsFunction(_ t: Int) -> Double {
        let tc = Int((Double(steps) * constantFraction).rounded())
        guard t >= tc, steps > tc else { return epsilon }
        return epsilon * Double(steps - t) / Double(steps - tc)
    }
}

enum Algorithms {
    /// Runs a Lion-family optimizer for `schedule.steps` steps from `x0` and records every step.
    static func run<O: LionFamily>(_ objective: Objective, optimizer: O, from x0: [Double], schedule: StepSchedule,
                                   lyapunov: Bool, label: String) throws -> Run {
        var o = optimizer
        var x = x0
        var run = Run(label: label)
        for t in 0...schedule.steps {
            let (f, g) = objective.evaluate(x)
            guard f.isFinite else { throw NumericalFailure.nonFinite("loss is \(f) at step \(t) of \(label) on \(objective.name)") }
            let eps = schedule(t)
            run.loss.append(f)
            run.normInf.append(Vector.normInf(x))
            run.norm2.append(Vector.norm(x))
            run.stepSize.append(eps)
            if lyapunov { run.lyapunov.append(Lyapunov.value(loss: f, x: x, optimizer: o, stepSize: eps)) }
            if t == schedule.steps { run.finalGradient = g; break }
            //: begin lion-loop
            o.learningRate = eps
            o.step(&x, gradient: g)          // Lion: c = β₁m + (1−β₁)g; x ← x − ε(sign(c) + λx); m ← β₂m + (1−β₂)g
            //: end lion-loop
        }
        run.final = x
        return run
    }

    /// The composite objective Lion-K with weight decay λ minimizes: F(x) = f(x) + (1/λ) K*(λx).
    static func composite(_ objective: Objective, _ k: ConvexPotential, lambda: Double, at x: [Double]) -> Double {
        objective.loss(x) + k.conjugate(x.map { lambda * $0 }) / lambda
    }

    /*: reference
     **Reference solutions.** Each problem Lion-K is predicted to solve, min f(x) + (1/λ)K*(λx), is a
     convex composite problem. Accelerated proximal gradient (FISTA with restart, in
     `ProximalGradient.swift` in this folder) solves the four with a strongly convex or ball-constrained
     objective: the indicator parts become projections (onto the box or the ℓ₂ ball), the smooth parts join
     the gradient. The plain box problem of the digits is not strongly convex (the softmax is invariant to
     a common shift of all classes' weights), so FISTA has no linear rate on it; the box problems are solved by
     Bertsekas' projected Newton method (`ProjectedNewton.swift`, with the exact Hessian
     of the softmax loss). Both stop on the gradient mapping G(x) = L·(x − prox(x − ∇f(x)/L)), which for
     the box is exactly the KKT residual; that residual, printed beside every reference, is what certifies
     it. The digits' box problem at the main λ (whose active set Claim 2 compares) and every quadratic
     problem are solved from x = 0; the other digits problems of Experiment 4 start from that box solution.
     In the λ sweep, where only optimal *values* are compared, the Newton solve starts at Lion's final
     point to save time: on a convex problem the residual
     certifies the value it reaches whatever the starting point.
     */
    static func reference(_ objective: Objective, _ k: ConvexPotential, lambda: Double,
                          maxIterations: Int, tolerance: Double, warmStart: [Double]? = nil) throws -> ProximalGradient.Result {
        let t0 = Progress.elapsed
        let result = try solveReference(objective, k, lambda: lambda, maxIterations: maxIterations, tolerance: tolerance, warmStart: warmStart)
        Progress.log("reference for \(k.problem) on \(objective.name), λ = \(lambda): \(result.iterations) iterations, residual \(Fmt.sci(result.residual)), \(Fmt.fixed(Progress.elapsed - t0, 2)) s")
        return result
    }

    static func solveReference(_ objective: Objective, _ k: ConvexPotential, lambda: Double,
                               maxIterations: Int, tolerance: Double, warmStart: [Double]?) throws -> ProximalGradient.Result {
        let r = 1 / lambda
        let box: ([Double], Double) -> [Double] = { v, _ in ProximalGradient.projectBox(v, radius: r) }
        let ball: ([Double], Double) -> [Double] = { v, _ in ProximalGradient.projectBall(v, radius: r) }
        let none: ([Double], Double) -> [Double] = { v, _ in v }
        let x0 = warmStart ?? [Double](repeating: 0, count: objective.dimension)
        let grad = { (x: [Double]) in objective.evaluate(x).gradient }
        switch k.name {
        case ConvexPotential.l1.name:
            // The box problem of the digits is not strongly convex (FISTA crawls): projected Newton instead.
            let pn = try ProjectedNewton.minimizeInBox(from: x0, radius: r, maxIterations: 200, tolerance: tolerance / objective.lipschitz,
                                                       objective: { let e = objective.evaluate($0); return (e.loss, e.gradient) }, hessian: objective.hessian)
            let g = objective.evaluate(pn.x).gradient
            let residual = boxResidual(x: pn.x, gradient: g, radius: r, lipschitz: objective.lipschitz)
            return ProximalGradient.Result(x: pn.x, iterations: pn.iterations, residual: residual, converged: residual <= tolerance)
        case ConvexPotential.l2.name:
            return ProximalGradient.minimize(from: x0, lipschitz: objective.lipschitz, maxIterations: maxIterations,
                                             tolerance: tolerance, gradient: grad, prox: ball)
        case ConvexPotential.halfSquaredL2.name, ConvexPotential.huber.name:
            // (λ/2)||x||² joins the smooth part; the huber conjugate adds the box.
            let g: ([Double]) -> [Double] = { x in zip(grad(x), x).map { $0 + lambda * $1 } }
            return ProximalGradient.minimize(from: x0, lipschitz: objective.lipschitz + lambda, maxIterations: maxIterations,
                                             tolerance: tolerance, gradient: g,
                                             prox: k.name == ConvexPotential.huber.name ? box : none)
        case ConvexPotential.l1PlusHalfSquaredL2.name:
            // (λ/2) Σ (|xᵢ| − 1/λ)₊² is smooth (gradient λ(|xᵢ| − 1/λ)₊ sign xᵢ, generalized Hessian
            // λ·1{|xᵢ| > 1/λ}) but, like the box, not strongly convex inside: damped Newton, no bounds.
            let pn = try ProjectedNewton.minimizeInBox(
                from: x0, radius: .infinity, maxIterations: 200, tolerance: tolerance / (objective.lipschitz + lambda),
                objective: { x in
                    let e = objective.evaluate(x)
                    var value = e.loss, g = e.gradient
                    for i in 0..<x.count where abs(x[i]) > r {
                        let over = abs(x[i]) - r
                        value += 0.5 * lambda * over * over
                        g[i] += lambda * over * (x[i] > 0 ? 1 : -1)
                    }
                    return (value, g)
                },
                hessian: { x in
                    var h = objective.hessian(x)
                    for i in 0..<x.count where abs(x[i]) > r { h[i, i] += lambda }
                    return h
                })
            let e = objective.evaluate(pn.x)
            let g = zip(e.gradient, pn.x).map { gi, xi in gi + lambda * Swift.max(0, abs(xi) - r) * (xi > 0 ? 1 : -1) }
            let residual = Vector.normInf(g)
            return ProximalGradient.Result(x: pn.x, iterations: pn.iterations, residual: residual, converged: residual <= tolerance)
        default:
            preconditionFailure("no reference solver for \(k.name)")
        }
    }

    /// The box KKT residual ||G(x)||_∞ with G(x) = L·(x − Π_box(x − ∇f(x)/L)).
    static func boxResidual(x: [Double], gradient g: [Double], radius: Double, lipschitz: Double) -> Double {
        var worst = 0.0
        for i in 0..<x.count {
            let p = Swift.min(radius, Swift.max(-radius, x[i] - g[i] / lipschitz))
            worst = Swift.max(worst, abs(x[i] - p) * lipschitz)
        }
        return worst
    }

    /// Classifies coordinates as at the upper bound (+1), lower bound (−1) or interior (0), within `tolerance`.
    static func activeSet(_ x: [Double], radius: Double, tolerance: Double) -> [Int] {
        x.map { $0 >= radius - tolerance ? 1 : ($0 <= -radius + tolerance ? -1 : 0) }
    }
}
