import Foundation
import Numerics
import Learning
import Notebook

/*: hessian
 **The exact Hessian.** The network is a plain MLP (`Sources/Learning/MLP.swift`), and the loss is
 the mean over the whole training set, L(θ) = (1/N) Σᵢ ℓ(f(θ, xᵢ), yᵢ), with ℓ the softmax
 cross-entropy or, for the control runs, half the squared error against one-hot targets. A
 Hessian-vector product H v is computed exactly by Pearlmutter's R-operator: differentiate every
 line of the forward and backward pass in the direction v (forward-mode over reverse-mode). The
 full P x P matrix is assembled one column H eⱼ at a time, P products in all, and symmetrized; its
 eigenvalues come from the kernel's symmetric eigensolver (Householder tridiagonalization and
 implicit QL, O(P³)). The tests check H v against central differences of exact gradients and, for
 a linear model with squared error, the whole Hessian against X̃ᵀX̃/N.
 */

/// Bulk and outliers of a spectrum, by the rule fixed before the runs (see `outliers`).
struct SpectrumSummary {
    /// λ₁ ≥ λ₂ ≥ ... ≥ λ_P.
    let descending: [Double]
    /// The number of outliers (0 when no gap of the minimum size lies above the bulk edge).
    let outlierCount: Int
    /// The largest ratio λ_i / λ_{i+1} found above the bulk edge.
    let gapRatio: Double
    /// The fraction of eigenvalues with |λ| < edge · λ₁.
    let nearZeroFraction: Double
    /// q₉₅ − q₀₅ of the bulk, taken as all eigenvalues below the top k (k classes: at least as
    /// many as the outliers the paper expects, and independent of the outlier rule).
    let bulkSpread: Double

    init(_ descending: [Double], classes k: Int, window: Int, edge: Double, minimumGap: Double) {
        self.descending = descending
        (outlierCount, gapRatio) = SpectrumSummary.outliers(descending, window: window, edge: edge, minimumGap: minimumGap)
        let l1 = descending.first ?? .nan
        nearZeroFraction = l1 > 0
            ? Double(descending.filter { abs($0) < edge * l1 }.count) / Double(descending.count) : .nan
        let bulk = Array(descending.dropFirst(k))
        bulkSpread = bulk.count < 2 ? .nan : Stats.quantile(bulk, 0.95) - Stats.quantile(bulk, 0.05)
    }

    var top: Double { descending.first ?? .nan }
    /// The mean of the top m eigenvalues.
    func topMean(_ m: Int) -> Double { Stats.mean(Array(descending.prefix(Swift.max(m, 1)))) }

    /*: outlier-rule
     **Where the bulk ends (fixed before any run).** The paper reads the outliers off the histogram,
     as the eigenvalues standing apart from the mass near zero. Our rule makes that mechanical. The
     bulk is everything within the bulk edge, |λ| < ε λ₁. Walking down the sorted eigenvalues
     λ₁ ≥ λ₂ ≥ ... while they are still above the edge (and at most a window of ranks), take the
     largest ratio λᵢ / λᵢ₊₁, with λᵢ₊₁ floored at the edge so that a zero or negative neighbour
     cannot make the ratio infinite. The eigenvalues above that gap are the outliers, provided the
     gap is at least the minimum ratio of the setup; otherwise the rule reports no outliers. A
     spectrum whose top eigenvalue is not positive has none.
     */
    //: begin outlier-rule
    static func outliers(_ l: [Double], window m: Int, edge: Double, minimumGap: Double) -> (count: Int, gap: Double) {
        guard let l1 = l.first, l1 > 0, l1.isFinite else { return (0, .nan) }
        let floor = edge * l1                                       // the bulk edge
        var best = (count: 0, gap: 0.0)
        var i = 1
        while i <= Swift.min(m, l.count - 1), l[i - 1] > floor {     // stop at the bulk edge
            let ratio = l[i - 1] / Swift.max(l[i], floor)           // λ_i / λ_{i+1} (1-based)
            if ratio > best.gap { best = (i, ratio) }
            i += 1
        }
        return best.gap >= minimumGap ? best : (0, best.gap)
    }
    //: end outlier-rule
}

enum Training {
    /// Mini-batch SGD (no momentum) from `net` on the shared loop: `epochs` passes over the data in a
    /// fresh random order each. With `stopBelow`, the full training loss is checked after every step
    /// and the run stops at the first step where it is ≤ the target. With `probeEvery`, the full
    /// training loss is recorded at step 0 and every that many steps. Throws if the loss stops being
    /// finite.
    static func sgd(_ net: MLP, x: Matrix, loss: Loss, batch: Int, learningRate: Double, epochs: Int,
                    rng: inout RandomSource, label: String, stopBelow target: Double? = nil,
                    probeEvery: Int? = nil) throws -> (net: MLP, steps: Int, probes: [Double]) {
        var opt = SGD(learningRate: learningRate)                    // θ ← θ − η ∇L_B(θ)
        var probes: [Double] = probeEvery == nil ? [] : [net.loss(x, loss)]
        let run = MiniBatchTraining(batch: batch, epochs: epochs).train(
            net, x: x, loss: loss, optimizer: &opt, rng: &rng,
            afterStep: { step in
                if let every = probeEvery, step.count % every == 0 { probes.append(net.with(parameters: step.parameters).loss(x, loss)) }
                if let target, net.with(parameters: step.parameters).loss(x, loss) <= target { return .stop }
                return .proceed
            })
        if let d = run.divergence { throw NumericalFailure.nonFinite("\(d) of \(label)") }
        let final = run.model.loss(x, loss)
        guard final.isFinite else { throw NumericalFailure.nonFinite("training loss is \(final) at the end of \(label)") }
        return (run.model, run.steps, probes)
    }
}

enum Analysis {
    /// The eigenvalues (largest first) of the exact Hessian of the full training loss at `net`.
    static func spectrum(_ net: MLP, x: Matrix, loss: Loss, label: String) throws -> [Double] {
        //: begin full-hessian
        let h = net.fullHessian(x, loss)                // P R-operator passes, then (H + Hᵀ)/2
        //: end full-hessian
        guard !h.hasNonFinite else { throw NumericalFailure.nonFinite("Hessian entries of \(label)") }
        return try symmetricEigenvalues(h).reversed()  // Householder + implicit QL, ascending
    }

    /// The training loss along θ(t) = (1 − t) a + t b for each t of `ts`.
    static func lossAlongLine(_ net: MLP, from a: [Double], to b: [Double], ts: [Double], x: Matrix, loss: Loss) -> [Double] {
        ts.map { t in
            //: begin interpolate
            let theta = zip(a, b).map { (1 - t) * $0 + t * $1 }    // θ(t) = (1 − t) θ_a + t θ_b
            //: end interpolate
            return net.with(parameters: theta).loss(x, loss)
        }
    }

    /// The rise of the loss on the segment t ∈ [0, 1] above its larger end, relative to that end:
    /// (max L(θ(t)) − max(L(θ(0)), L(θ(1)))) / max(L(θ(0)), L(θ(1))). Zero or less: no barrier.
    static func relativeBarrier(_ segment: [Double]) -> Double {
        guard let first = segment.first, let last = segment.last, let peak = segment.max() else { return .nan }
        let ends = Swift.max(first, last)
        return ends > 0 ? (peak - ends) / ends : .nan
    }
}
