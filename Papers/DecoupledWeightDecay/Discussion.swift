import Foundation
import Numerics
import Notebook

enum Discussion {
    static func text(equivalence e: Equivalence.Evidence, decoupling d: Decoupling.Evidence, library: Decoupling.Slopes,
                     generalization g: Generalization.Evidence, grids: [Grid], config c: DecoupledWeightDecay.Config) -> String {
        func s(_ x: Decoupling.Slopes) -> String {
            x.edge.isFinite ? Fmt.estimate(x.edge, x.edgeSE, digits: 2) : "not measured (\(x.edgeRows) rows with an edge)"
        }
        // What weight decay buys at the best cell: its error against the smallest-decay cell of the same row.
        let gains = grids.map { g -> String in
            let e = g.meanError, b = g.best
            let row = g.alphas.firstIndex(of: b.alpha) ?? 0
            return "\(g.method.name) \(Fmt.fixed(100 * (e[row][0] - b.error), 2))"
        }.joined(separator: ", ")
        let slopes = [d.sgdL2.edge, d.sgdw.edge, d.adamL2.edge, d.adamw.edge, library.edge]
        func near(_ targets: [Double]) -> Int { zip(slopes, targets).filter { abs($0 - $1) <= 0.5 }.count }
        let agreement = near([0, 1, 0, 1, 0]), paperAgreement = near([-1, 0, -1, 0, -1])
        return """
        **What differs from the paper.** The paper trains 26 2x64d Shake-Shake ResNets with batch \
        normalization on CIFAR-10 for 100 epochs; we train a \(c.hidden.map(String.init).joined(separator: "-"))-unit \
        ReLU MLP without normalization on \(c.trainCount) digits for \(c.epochs) epochs, on a grid of \
        \(c.sgdAlphas.count) x \(c.decayGrids[0].count) cells per method with \(c.replicates) replicates. \
        The paper's heatmaps use its normalized weight decay λ = λ_norm·√(b/(BT)); with one budget B·T \
        throughout, that is a constant factor and we report λ itself.

        **What the edges say.** The edge slopes are \(s(d.sgdL2)) for SGD + L2, \(s(d.sgdw)) for SGDW, \
        \(s(d.adamL2)) for Adam + L2, \(s(d.adamw)) for AdamW and \(s(library)) for the library form \
        (0: the decay's effect does not move with α; −1: it moves like 1/α; +1: like α). A \
        fixed-point argument, ours and not the paper's, predicts other signs than the paper's for a \
        network that trains to rest: SGD + L2 and Adam + L2 rest where ∇f + λ'θ = 0 (experiment 1), \
        which does not involve α, so the λ' at which the penalty starts to hurt should not move with α \
        (slope 0); SGDW rests where ∇f + (λ/α)θ = 0 and AdamW inside the box ||θ||_∞ ≤ α/λ, so their λ \
        should move like α (slope +1); the library form's box is ||θ||_∞ ≤ 1/w (slope 0). \
        Of the five edge slopes, \(agreement) lie within 0.5 of these predictions and \(paperAgreement) within \
        0.5 of the paper's pattern (0 for SGDW and AdamW, −1 for the other three); the sensitivity table \
        in experiment 2 shows how much the slopes move with the factor that defines the edge. \
        A known explanation of the paper's pattern, not tested here, is scale invariance: with batch \
        normalization, as in the paper's ResNets, a layer's output does not depend on the scale of its \
        weights, so the penalty does not constrain the function and the decay acts only through the \
        effective step α/||θ||², which the L2 forms set through the product αλ' and the decoupled forms \
        through λ alone (van Laarhoven 2017, arXiv 1706.05350; Zhang et al. 2019, arXiv 1810.12281). \
        Our MLP has no normalization and is not scale invariant.

        **Generalization.** The best AdamW cell reaches \(Fmt.estimate(100 * g.adamwBest, 100 * g.adamwSE, digits: 2))% \
        test error and the best Adam + L2 cell \(Fmt.estimate(100 * g.adamL2Best, 100 * g.adamL2SE, digits: 2))%; \
        AdamW's own best is at most Adam + L2's on \(g.replicateWins) of \(g.replicates) replicates. \
        What the decay buys at each method's best cell, in percentage points of test error against the \
        smallest decay of the grid in the same row: \(gains).
        """
    }
}
