import Foundation
import Numerics
import Learning
import Notebook

/*: quantity
 **The quantity.** For a ReLU network f: ℝᵈ → ℝᶜ (here d = 16 inputs, c = 10 logits) and the box
 B = B∞(x₀, ε) = {x : ||x − x₀||∞ ≤ ε}, the ℓ∞ local Lipschitz constant (ℓ∞ on the input and on the
 output) is

     L(f, B) = sup_{x ≠ x' ∈ B} ||f(x) − f(x')||∞ / ||x − x'||∞ = sup_{x ∈ B} max_{J ∈ ∂f(x)} ||J||_{∞→∞}
             = max_j sup_{x ∈ B} max_{g ∈ ∂f_j(x)} ||g||₁ ,

 where ∂ is the Clarke Jacobian (generalized gradient), ||J||_{∞→∞} is the largest ℓ1 norm of a row
 (ℓ1 is the dual of ℓ∞), and f_j is logit j. Each class j is bounded separately and the largest value
 is reported, as the authors' code does. For a piecewise-linear f the Clarke Jacobian at x is the
 convex hull of the Jacobians of the linear pieces whose closures contain x; ||·||₁ is convex, so its
 maximum over that hull is attained at one of those Jacobians, and the supremum over B is the
 largest ||∇f_j||₁ over the activation regions that meet the interior of B (Jordan & Dimakis, 2020).
 That is what the exact method below enumerates.

 The backward graph of the Clarke gradient of logit j, with hidden layers k = 1..H (a_k = ReLU(z_{k−1})):

     y_H = W_Hᵀ e_j,     v_k = y_k ⊙ σ'(z_{k−1}),     y_{k−1} = W_{k−1}ᵀ v_k,     g = y₀ ∈ ℝᵈ,

 with σ'(z) = 1 for z > 0, 0 for z < 0 and the whole interval [0, 1] at z = 0. Every method below is
 an upper bound on max_j sup ||g||₁ except the sampled lower bound.
 */

/// Counters of deterministic work, for the report body (wall-clock times go to the timings block).
struct WorkCounter {
    /// Rows (specifications) pushed through a linear bound propagation.
    var propagatedRows = 0
    /// Domains bounded during branch and bound.
    var domains = 0
    /// Linear programs solved by the exact method.
    var linearPrograms = 0
    /// Activation regions found by the exact method.
    var regions = 0

    mutating func add(_ o: WorkCounter) {
        propagatedRows += o.propagatedRows; domains += o.domains; linearPrograms += o.linearPrograms; regions += o.regions
    }
}

/// The bounds of the notebook, one file per method (this file: the naive and the interval bound).
enum Lipschitz {
    // MARK: - Naive: the product of operator norms

    /*: naive
     **Naive bound.** ||J||_{∞→∞} ≤ Π_k ||W_k||_{∞→∞}, the product over layers of the largest row ℓ1
     norm, since |σ'| ≤ 1. It holds globally, so it does not depend on ε.
     */
    static func naive(_ net: MLP) -> Double {
        //: begin naive
        net.weights.reduce(1.0) { product, w in
            product * (0..<w.rows).map { r in w.row(r).reduce(0) { $0 + abs($1) } }.max()!
        }
        //: end naive
    }

    // MARK: - Interval (RecurJac-style) bound on the Clarke Jacobian

    /// The interval of σ'(z) for a hidden neuron in the given phase.
    static func derivativeInterval(_ phase: NeuronPhase) -> Interval {
        switch phase {
        case .active: return Interval(1, 1)
        case .inactive: return Interval(0, 0)
        case .unstable: return Interval(0, 1)
        }
    }

    /// One interval step of the backward graph: y_{k−1} ⊇ W_{k−1}ᵀ (y_k ⊙ σ'(z_{k−1})).
    static func intervalStep(_ net: MLP, _ bounds: PreActivationBounds, _ k: Int, _ yk: IntervalVector) -> IntervalVector {
        //: begin interval-step
        var v = yk
        for i in 0..<yk.count {
            let p = yk[i] * derivativeInterval(bounds.phase(k - 1, i))   // [y̲, ȳ]·[σ̲', σ̄']
            v.lower[i] = p.lower; v.upper[i] = p.upper
        }
        return v.mapped(by: net.weights[k - 1], transposed: true)          // center-radius rule
        //: end interval-step
    }

    /*: interval
     **Interval bound (RecurJac-style).** Knowing only the phase of each hidden neuron on the box
     (from the forward pre-activation bounds: σ' ∈ {1}, {0} or [0, 1]), push intervals down the
     backward graph: the product y·σ' by endpoint products, the linear map by the center-radius
     rule. Then ||g||₁ ≤ Σᵢ max(|g̲ᵢ|, |ḡᵢ|). This is the relaxation the paper shows RecurJac to be a
     special case of; the forward bounds are the same CROWN bounds our method uses, so the two differ
     only in how they treat the backward graph.
     */
    static func intervalBound(_ net: MLP, bounds: PreActivationBounds, classIndex j: Int) -> (value: Double, y: [IntervalVector]) {
        let h = net.layerCount - 1
        var y = [IntervalVector](repeating: IntervalVector(point: []), count: h + 1)
        y[h] = IntervalVector(point: net.weights[h].row(j))
        for k in stride(from: h, through: 1, by: -1) { y[k - 1] = intervalStep(net, bounds, k, y[k]) }
        return (y[0].maxL1Norm, y)
    }
}
