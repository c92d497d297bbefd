import Foundation
import Numerics
import Learning
import Notebook

extension Lipschitz {
    // MARK: - Exact value by enumerating activation regions

    /*: exact
     **Exact value (tiny networks).** Enumerate the activation regions that meet the box, depth first,
     neuron by neuron and layer by layer. Inside a node of the search every neuron already decided
     fixes a half-space, so the current cell P is the box cut by those half-spaces and the next
     layer's pre-activations are affine on P. For the next undecided neuron we ask two linear
     programs, min and max of its pre-activation over P (skipped when the forward bounds already
     make it stable, or when points of P found earlier already take both signs). If the maximum is
     ≤ 0 (resp. the minimum ≥ 0, up to 1e-9) the neuron is fixed inactive (active) on P; otherwise
     both halves have nonempty interior and the search branches on it. Each leaf is one region with a
     full-dimensional intersection with the box, and its Jacobian W_H D_{H−1} W_{H−1} ⋯ D_0 W_0 is
     constant there; the exact L is the largest row ℓ1 norm over leaves. (A region of width below
     1e-9 in pre-activation could be missed; its gradient is then a limit of its neighbours' only in
     the generic case, so we state the tolerance rather than claim more.)
     */
    static func exact(_ net: MLP, box: InputBox, bounds: PreActivationBounds, counter: inout WorkCounter,
                      maxLinearPrograms: Int) throws -> Double {
        var best = 0.0
        let work = try ActivationRegions.enumerate(net, lower: box.lower, upper: box.upper, preActivationBounds: bounds.layers,
                                                   maxLinearPrograms: maxLinearPrograms) { region in
            for r in 0..<region.map.rows { best = Swift.max(best, region.map.row(r).reduce(0) { $0 + abs($1) }) }
        }
        counter.regions += work.regions
        counter.linearPrograms += work.linearPrograms
        return best
    }
}
