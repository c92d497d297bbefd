import Foundation
import Numerics
import Notebook

enum Discussion {
    static func text(equivalence e: Equivalence.Evidence, decoupling d: Decoupling.Evidence, library: Decoupling.Slopes,
                     generalization g: Generalization.Evidence, grids: [Grid], config c: DecoupledWeightDecay.Config) -> String {
        func s(_ x: Decoupling.Slopes) -> String { Fmt.estimate(x.edge, x.edgeSE, digits: 2) }
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
        fixed-point argument predicts the signs for a network that trains to rest: SGD + L2 and Adam + L2 \
        rest where ∇f + λ'θ = 0 (experiment 1), which does not involve α, so the λ' at which the \
        penalty starts to hurt should not move with α; SGDW rests where ∇f + (λ/α)θ = 0, and AdamW \
        inside the box ||θ||_∞ ≤ α/λ, so their λ should move like α; the library form's box is \
        ||θ||_∞ ≤ 1/w, independent of α. The paper's argument is about the other regime: with batch \
        normalization a layer's output does not depend on the scale of its weights, the penalty does not \
        constrain the function, and the decay acts only through the effective step α/||θ||², which for \
        the L2 forms is set by the product αλ' and for the decoupled forms by λ alone. An MLP without \
        normalization is not scale invariant, and on it the fixed-point picture is the one to test \
        against.

        **Generalization.** The best AdamW cell reaches \(Fmt.estimate(100 * g.adamwBest, 100 * g.adamwSE, digits: 2))% \
        test error and the best Adam + L2 cell \(Fmt.estimate(100 * g.adamL2Best, 100 * g.adamL2SE, digits: 2))%; \
        AdamW's own best is at most Adam + L2's on \(g.replicateWins) of \(g.replicates) replicates. \
        Weight decay changes the error of this network by little at its best setting: compare each \
        row's best with its smallest-decay cell in the tables above.
        """
    }
}
