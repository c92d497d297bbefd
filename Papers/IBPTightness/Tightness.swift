import Foundation
import Numerics
import Learning
import Notebook

/// The tightness measure, its closed form at initialization, and the network functions shared by the experiments.
enum Tightness {
    /*: definition
     **Propagation tightness (the paper's Definition; the authors' `PI_functions.py`).** For a deep
     linear network f(x) = W_L ⋯ W_1 x and an input box of radius vector r, the tightest box around
     the image has radius |W_L ⋯ W_1| r and IBP's box has radius |W_L| ⋯ |W_1| r (entrywise absolute
     values). Tightness is their ratio, one number per output row,

         τ_i = (|W_L ⋯ W_1| r)_i / (|W_L| ⋯ |W_1| r)_i  ∈ (0, 1],

     and a network's tightness is the mean over rows and test points. As in the authors' code, the
     rows are the margins z_y − z_j (j ≠ y) with the last layer elided into the specification,
     W̃_L = C W_L (C's rows e_y − e_j), and r is the radius of the ε-box clipped to the data range
     [0, 1]. For a ReLU network the **local** tightness replaces each ReLU by its activation pattern at
     the data point x (D_k = 1 where the pre-activation at x is ≥ 0, else 0): it is the tightness of
     the deep linear network W̃_L D_{L−1} W_{L−1} ⋯ D_1 W_1 that agrees with f near x. It equals the
     ratio of the exact to the IBP margin box whenever no neuron changes phase on the box (checked
     below on small networks by exact enumeration); otherwise it is an approximation.
     */
    //: begin tightness
    /// Per-row numerator |W̃ D ⋯ W_1| r and denominator |W̃| D ⋯ |W_1| r, from the top layer down.
    static func radii(top: Matrix, weights: [Matrix], masks: [[Double]]?, radius r: [Double]) -> (optimal: [Double], ibp: [Double]) {
        var p = top, q = top.map { abs($0) }                    // rows: specifications
        for k in stride(from: weights.count - 1, through: 0, by: -1) {
            if let m = masks?[k] {                                  // D_k on the columns (the layer's outputs)
                for i in 0..<p.rows { for j in 0..<p.cols { p[i, j] *= m[j]; q[i, j] *= m[j] } }
            }
            p = matmul(p, weights[k])                               // W̃ D W_{L−1} ⋯
            q = matmul(q, weights[k].map { abs($0) })               // |W̃| D |W_{L−1}| ⋯
        }
        return (gemv(p.map { abs($0) }, r), gemv(q, r))
    }
    //: end tightness

    /// Deep linear network: τ per row for the specification `top` (applied after the last weight).
    static func deepLinear(_ weights: [Matrix], top: Matrix, radius r: [Double]) -> (optimal: [Double], ibp: [Double]) {
        radii(top: matmul(top, weights.last!), weights: Array(weights.dropLast()), masks: nil, radius: r)
    }

    /// The local tightness of a ReLU MLP at x (label y) for the input radius vector r: mean over the margin rows.
    static func local(_ net: MLP, x: [Double], label: Int, radius r: [Double]) -> Double {
        let pass = net.forwardPass(Matrix(rows: 1, cols: x.count, elements: x))
        let hidden = net.layerCount - 1
        let masks = (0..<hidden).map { l in pass.preActivations[l].row(0).map { $0 >= 0 ? 1.0 : 0.0 } }
        let c = IntervalBoundPropagation.marginSpecification(classes: net.outputSize, label: label)
        let (num, den) = radii(top: matmul(c, net.weights[hidden]), weights: Array(net.weights[0..<hidden]), masks: masks, radius: r)
        return Stats.mean(zip(num, den).map { Swift.max($0, 1e-12) / Swift.max($1, 1e-12) })
    }

    /// The same for the ε-box around x clipped to the data range [0, 1] (the authors' setting).
    static func local(_ net: MLP, x: [Double], label: Int, epsilon: Double) -> Double {
        local(net, x: x, label: label, radius: IntervalVector(around: x, radius: epsilon, clippedTo: 0...1).radius)
    }

    /// Mean local tightness of a network over test points.
    static func mean(_ net: MLP, x: Matrix, labels: [Int], epsilon: Double) -> Double {
        Stats.mean((0..<x.rows).map { local(net, x: x.row($0), label: labels[$0], epsilon: epsilon) })
    }

    /// Closed form of E(optimal radius) / E(IBP radius) for a 2-layer Gaussian network of hidden width n:
    /// √π Γ((n+1)/2) / (n Γ(n/2)) (derivation in the prose of the initialization experiment).
    static func twoLayerClosedForm(_ n: Int) -> Double {
        let x = Double(n)
        let s: Double = 0.5 * Foundation.log(Double.pi) + lgamma((x + 1) / 2)
        return Foundation.exp(s - lgamma(x / 2)) / x
    }

    /// The IBP-certified fraction: margins' lower bounds (elided, clipped box) all positive.
    static func certifiedAccuracy(_ net: MLP, x: Matrix, labels: [Int], epsilon: Double) -> Double {
        let ok = (0..<x.rows).filter { i in
            let box = IntervalVector(around: x.row(i), radius: epsilon, clippedTo: 0...1)
            return IntervalBoundPropagation.marginBounds(net, box: box, label: labels[i]).lower.allSatisfy { $0 > 0 }
        }
        return Double(ok.count) / Double(x.rows)
    }
}
