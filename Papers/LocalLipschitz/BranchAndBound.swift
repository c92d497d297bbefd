import Foundation
import Numerics
import Learning
import Notebook

extension Lipschitz {
    // MARK: - Branch and bound

    /// One sub-domain of branch and bound: a class, a set of fixed neurons, and its bound.
    struct Domain {
        var classIndex: Int
        var splits: [Int: [Int: Bool]]
        var bounds: PreActivationBounds
        var y: [IntervalVector]
        var value: Double
        var splitCount: Int
    }

    /*: bab
     **Branch and bound.** A domain is (class j, a set of hidden neurons fixed active or inactive). Its
     forward bounds are recomputed with the fixed neurons clamped, which makes their σ' exact and
     tightens every layer above; our bound is then recomputed on it. The initial domains are the ten
     classes with our bounds. Each step takes the domain with the largest bound (which is what the
     overall maximum currently is), splits the unstable neuron with the largest score
     max|y_{k,i}|·||row i of W_{k−1}||₁ (how much its uncertain σ' can move g) into its two phases,
     and bounds both children (an empty child — contradictory clamps — is dropped). A domain
     whose bound is already below the best lower bound cannot raise the maximum and ends the search.
     The result is the largest bound over the open domains (or the lower bound, if every domain was
     closed that way), after a fixed number of bounded domains.
     */
    static func branchAndBound(_ net: MLP, box: InputBox, roots: [Domain], lowerBound: Double, budget: Int,
                               counter: inout WorkCounter) -> Double {
        var open = roots
        var finished: [Double] = []
        var pruned = false
        var evaluated = 0
        while evaluated < budget, !open.isEmpty {
            var best = 0
            for d in 1..<open.count where open[d].value > open[best].value { best = d }
            if open[best].value <= lowerBound { pruned = true; break }
            let domain = open.remove(at: best)
            //: begin branch
            var choice: (k: Int, i: Int)? = nil
            var bestScore = -1.0
            for k in 1..<domain.y.count {
                let w = net.weights[k - 1]
                for i in 0..<net.sizes[k] where domain.bounds.phase(k - 1, i) == .unstable {
                    let rowNorm = w.row(i).reduce(0) { $0 + abs($1) }
                    let score = domain.y[k][i].magnitude * rowNorm
                    if score > bestScore { bestScore = score; choice = (k - 1, i) }
                }
            }
            guard let (layer, neuron) = choice else { finished.append(domain.value); continue }   // no unstable neuron: exact
            for active in [false, true] {
                var splits = domain.splits
                splits[layer, default: [:]][neuron] = active
                guard let b = LinearBoundPropagation.bounds(net, box: box, splits: splits) else { continue }  // empty
                let (value, y) = linearBound(net, box: box, bounds: b, classIndex: domain.classIndex, counter: &counter)
                open.append(Domain(classIndex: domain.classIndex, splits: splits, bounds: b, y: y,
                                   value: Swift.min(value, domain.value), splitCount: domain.splitCount + 1))
                evaluated += 1
            }
            //: end branch
        }
        counter.domains += evaluated
        let remaining = (open.map(\.value) + finished).max() ?? -Double.infinity
        return Swift.max(remaining, pruned || open.isEmpty ? lowerBound : -Double.infinity)
    }
}
