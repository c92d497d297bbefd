import Foundation
import Notebook

/// The Method section, woven from the files of the methods in the order of the backward graph.
enum Methods {
    static func weave(_ report: Report) {
        report.section("Method")
        let naiveAndInterval = Literate.sibling("NaiveAndInterval.swift")
        let propagation = Literate.sibling("BoundPropagation.swift")
        let bab = Literate.sibling("BranchAndBound.swift")
        let exact = Literate.sibling("ExactEnumeration.swift")
        let lower = Literate.sibling("LowerBound.swift")
        report.literate("quantity", file: naiveAndInterval)
        report.literate("naive", file: naiveAndInterval)
        report.code("naive", file: naiveAndInterval)
        report.literate("interval", file: naiveAndInterval)
        report.code("interval-step", file: naiveAndInterval)
        report.literate("relaxation", file: propagation)
        report.code("planes", file: propagation)
        report.literate("ours", file: propagation)
        report.code("propagate", file: propagation)
        report.code("norm", file: propagation)
        report.literate("optimize", file: propagation)
        report.code("optimize", file: propagation)
        report.literate("bab", file: bab)
        report.code("branch", file: bab)
        report.literate("exact", file: exact)
        report.literate("lower", file: lower)
        report.code("ascent", file: lower)
    }

    /// What is the authors' and what is ours (scope only; every result is in the experiments' paragraphs).
    static let scope = """
        **What is the authors' and what is ours.** The data generator (LipMIP's random k-leaders set in 16 \
        dimensions, 80 leaders, 10 classes), the architectures (two hidden layers of width w; depth − 1 hidden \
        layers of width 32), the training recipe (Adam, 10⁻³, batch 256, 10 epochs) and the evaluation point \
        x₀ = 0.5·1 are read from the authors' repository (shizhouxing/Local-Lipschitz-Constants: \
        random_dataset.py, train_model.py, models/simple.py, datasets.py). The radii ε and the sweep ranges \
        are our choices. The exact baseline is our region enumeration with a dense simplex solver, not LipMIP \
        (a mixed-integer program); both compute the same quantity.

        **Our relaxations versus the paper's.** The authors' code relaxes the Clarke-gradient node of an \
        unstable neuron by min(y, 0) ≤ y·σ'(z) ≤ max(y, 0), bounds max(y, 0) and min(y, 0) by ReLU relaxations \
        in the backward graph, and optimizes the slopes of the ReLU relaxations by gradient steps (α-CROWN; 20 \
        steps by default in their code), the forward bounds included. We choose among a few candidate planes — \
        the McCormick planes of the product with the extreme tangents of the step function, and the z-free \
        chords, which are the authors' relaxation — first by a least-volume rule, then by coordinate descent \
        on each bound (on the tiny networks for every intermediate node, elsewhere for the final norm only), \
        and keep CROWN's fixed adaptive slopes in the forward network. Claim 1 is stated for this discrete \
        optimization; gradient steps on continuous slopes, and optimized forward bounds, could only tighten it \
        further. Our BaB clamps split neurons in the forward bounds but does not add the \
        split constraints to the bound propagation itself (no β-CROWN multipliers), and runs for a fixed \
        number of bounded domains instead of a time limit, so that the report is deterministic; its \
        sub-domains use the least-volume rule without optimization.

        **The interval baseline.** RecurJac bounds the Jacobian recursively with its own forward bounds; our \
        "interval" column is interval arithmetic on the same backward graph with the same CROWN forward \
        bounds as ours, i.e. the weaker relaxation the paper shows RecurJac to be. The naive bound is the \
        product of the layers' ℓ∞ operator norms.

        **Lower bound.** The gradient norm of a ReLU network is piecewise constant, so plain gradient ascent \
        on it does not move; we ascend the gradient norm of a softplus-smoothed copy (temperature 2% of the \
        average first-layer pre-activation range) and evaluate the ReLU network's gradient at the iterates. \
        Every value in the lower column is the ℓ1 norm of an actual gradient at a point of the box.

        **Quick mode** uses fewer data points, fewer epochs, smaller networks and BaB budgets; its networks \
        are less trained, so its numbers differ from the full run.
        """
}
