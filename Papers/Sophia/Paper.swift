import Foundation
import Numerics
import Notebook

/// The table of contents: the paper's facts, the configuration (each value with its reason), and the
/// experiments in the paper's order, one file each.
public enum Sophia {
    public static let info = PaperInfo(
        slug: "sophia",
        target: "Sophia",
        title: "Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training",
        authors: ["Hong Liu", "Zhiyuan Li", "David Hall", "Percy Liang", "Tengyu Ma"],
        year: 2024,
        venue: "ICLR",
        arxiv: "2305.14342",
        bibtex: """
        @inproceedings{liu2024sophia,
          title     = {Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training},
          author    = {Liu, Hong and Li, Zhiyuan and Hall, David and Liang, Percy and Ma, Tengyu},
          booktitle = {The Twelfth International Conference on Learning Representations (ICLR)},
          year      = {2024},
          eprint    = {2305.14342},
          archivePrefix = {arXiv}
        }
        @inproceedings{yao2021adahessian,
          title     = {{ADAHESSIAN}: An Adaptive Second Order Optimizer for Machine Learning},
          author    = {Yao, Zhewei and Gholami, Amir and Shen, Sheng and Mustafa, Mustafa and Keutzer, Kurt and Mahoney, Michael W.},
          booktitle = {Proceedings of the AAAI Conference on Artificial Intelligence},
          volume    = {35},
          number    = {12},
          pages     = {10665--10673},
          year      = {2021},
          eprint    = {2006.00719},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Language-model losses have directions of very different curvature. Adam's step is roughly the \
        same size in every coordinate, too large in sharp ones and too small in flat ones; Newton's \
        step adapts to curvature but is attracted to saddles and blows up where the curvature is \
        small or negative. Sophia divides a moving average of the gradient by a moving average of an \
        estimate of the Hessian's diagonal, refreshed only every few steps (Hutchinson's u ⊙ Hu, or \
        the Gauss-Newton-Bartlett estimate from labels sampled from the model itself), and clips \
        every coordinate of the result. The clip makes the step a bounded sign step wherever the \
        curvature estimate is unreliable and a Newton step where it is not, which is what keeps a \
        second-order method safe on a non-convex loss.
        """,
        defaultSeed: 20230523,
        theme: .secondOrder,
        lesson: "Why a clipped diagonal-Newton step avoids both the saddle that attracts Newton and the sharp-direction bouncing of sign methods, and how well the cheap diagonal-Hessian estimators match the dense matrices.",
        readFirst: ["hessian-spectrum", "edge-of-stability"]
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    enum Stream: UInt64, CaseIterable { case conditionStart, network, probes, training }

    struct Config {
        // Experiment 1.
        var toyStart = [0.25, 0.5]
        var toySteps: Int
        var toyTolerance = 1e-3
        var gdSteps = [0.005, 0.01, 0.02, 0.028]
        var signSteps = [0.01, 0.03, 0.1, 0.3]
        // Sophia, shared by Experiments 1 and 2.
        var sophiaEta = 1.0, rho = 0.5, epsilon = 1e-12
        // Experiment 2.
        var kappas: [Double]
        var conditionDimension = 20
        var accuracy = 1e-8
        var conditionBudget: Int
        // Experiment 3.
        var networkSamples = 64, hidden = 8
        var estimatorKs: [Int]
        var estimatorRepeats: Int
        // Experiment 4.
        var trainingSamples = 1024, trainingHidden = 32, batch = 64
        var trainingSteps: Int
        var evaluateEvery = 5
        var targetLoss = 0.05
        var trainingRho = 0.04
        var curvatureEvery = 10
        var tuningReplicates: Int
        var evaluationReplicates: Int
        /// Five step sizes per method, half a decade apart, centred on each method's usual scale: Adam's
        /// per-coordinate step is about η; Sophia's is at most ηρ, so its η is Adam's divided by ρ;
        /// AdaHessian's step is Newton-like (m / |D|), so its η is of order 0.1, as in its authors'
        /// defaults. (A first run with four values each chose AdamW's largest; every grid gained a
        /// value at its top, so that no method's choice is capped by its grid.)
        func etaGrid(_ m: Training.Method) -> [Double] {
            switch m {
            case .adamw: return [1e-3, 3e-3, 1e-2, 3e-2, 0.1]
            case .sophiaG, .sophiaH: return [0.03, 0.1, 0.3, 1, 3]
            case .adahessian: return [0.01, 0.03, 0.1, 0.3, 1]
            }
        }

        static let quick = Config(toySteps: 40, kappas: [10, 100, 1000], conditionBudget: 40_000, estimatorKs: [1, 4, 16, 64], estimatorRepeats: 16,
                                  trainingSamples: 512, trainingSteps: 80, targetLoss: 0.3, tuningReplicates: 1, evaluationReplicates: 2)
        static let full = Config(toySteps: 40, kappas: [10, 100, 1000, 10_000], conditionBudget: 400_000, estimatorKs: [1, 4, 16, 64, 256], estimatorRepeats: 32,
                                 trainingSteps: 600, tuningReplicates: 2, evaluationReplicates: 5)

        func settings(seed: UInt64) -> [Setting] {
            [Setting("toy start θ₀", "(\(Fmt.g(toyStart[0])), \(Fmt.g(toyStart[1])))", "our choice (the paper's start is not in its text): θ₁ in the concave region of L₁, θ₂ far along the flat direction"),
             Setting("toy steps K", toySteps, "'a few steps' for Sophia; GD at its largest stable step needs far more along θ₂"),
             Setting("toy tolerance", toyTolerance, "distance to (1, 4) that counts as reaching the minimum"),
             Setting("GD steps η (toy)", gdSteps, "up to just below 2/L₁″(1) = 2/68.8 ≈ 0.029, GD's stability limit at the minimum"),
             Setting("sign descent and Adam steps η (toy)", signSteps, "three decades around the distance to travel per step; Adam β = (0.9, 0.999), ε = 1e-8"),
             Setting("Sophia η, ρ, ε", "η = \(Fmt.g(sophiaEta)), ρ = \(Fmt.g(rho)), ε = \(Fmt.g(epsilon))", "paper's form θ ← θ − η clip(m/max(h, ε), ρ); η = 1 makes the unclipped step a Newton step; ρ = 0.5 is our choice"),
             Setting("Sophia moving averages (Experiments 1, 2)", "none: m = ∇L, h = exact diag(∇²L)", "deterministic problems; the averages only smooth noise"),
             Setting("κ (Experiment 2)", kappas, "decades of the condition number"),
             Setting("dimension d (Experiment 2)", conditionDimension, "curvatures λᵢ = κ^{i/(d−1)}"),
             Setting("accuracy (Experiment 2)", accuracy, "f(x_t) ≤ accuracy · f(x₀)"),
             Setting("step budget (Experiment 2)", conditionBudget, "above GD's κ log(1/accuracy) at the largest κ"),
             Setting("network (Experiment 3)", "64-\(hidden)-10, tanh, LeCun init, softmax cross-entropy", "small enough to form the dense Hessian; tanh so that H exists everywhere"),
             Setting("batch (Experiment 3)", "first \(networkSamples) digits images, pixels / 16", "the estimators' B is this whole batch"),
             Setting("draws k (Experiment 3)", estimatorKs.map(Double.init), "\(estimatorRepeats) independent sequences of \(estimatorKs.last!) draws per estimator"),
             Setting("network (Experiment 4)", "64-\(trainingHidden)-10, tanh, LeCun init, softmax cross-entropy", "the first \(trainingSamples) digits images, pixels / 16, as the training set"),
             Setting("batch, budget (Experiment 4)", "\(batch), \(trainingSteps) steps", "mini-batches drawn without replacement, reshuffled every pass"),
             Setting("step-size grids (Experiment 4)", "five per method, half a decade apart (table below)", "a first run with four values per method chose AdamW's largest; every grid gained a fifth value at its top"),
             Setting("target loss (Experiment 4)", targetLoss, "training-set cross-entropy, fixed before the run; evaluated every \(evaluateEvery) steps"),
             Setting("AdamW (Experiment 4)", "β = (0.9, 0.95), ε = 1e-8, λ = 0", "the paper's AdamW betas for GPT-2; no weight decay for any method"),
             Setting("Sophia (Experiment 4)", "β₁ = 0.96, β₂ = 0.99, ρ = \(Fmt.g(trainingRho)), ε = 1e-12, k = \(curvatureEvery)", "the authors' code defaults (ρ = 0.04 in the paper's form); the curvature estimate on the step's own mini-batch"),
             Setting("AdaHessian (Experiment 4)", "β = (0.9, 0.999), ε = 1e-4, Hessian power 1, estimate every step", "its authors' defaults"),
             Setting("replicates (Experiment 4)", "\(tuningReplicates) tuning + \(evaluationReplicates) evaluation", "step sizes chosen on the tuning replicates only"),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    /*: overview
     Sophia pre-conditions the gradient's moving average by a cheap estimate of the Hessian's diagonal
     and clips the result per coordinate, so that a flat direction gets a Newton-sized step, a
     negative-curvature direction a bounded step downhill, and no coordinate moves by more than a
     fixed amount. The headline (half as many steps as Adam when pre-training GPT-2) is far out of
     reach of a two-core machine, so this notebook tests the mechanism behind it:

     - the paper's two-dimensional example, where GD, sign descent / Adam, Newton and clipped Sophia
       behave differently on one sharp and one flat direction with a saddle in between;
     - the claim that Sophia's step count on convex problems does not depend on the condition number,
       on separable quadratic and logistic problems;
     - the two diagonal-curvature estimators (Hutchinson's, used by Sophia-H and by AdaHessian, and
       Gauss-Newton-Bartlett, used by Sophia-G) against dense Hessian and Gauss-Newton matrices of a
       small network.

     - a small training comparison of AdamW, Sophia-G, Sophia-H and AdaHessian on digits, counting
       steps to a target training loss.

     Not run: the language-model pre-training comparison.

     We write the update in the paper's form, θ ← θ − η · clip(m / max(h, ε), ρ) with the clip to
     [−ρ, ρ] per coordinate. The authors' code writes the same step as lr · clip(m / (ρ B h), 1) with
     lr = ηρ (B the batch size, which rescales the Gauss-Newton-Bartlett estimate); our η and ρ are the
     paper's.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(config.settings(seed: options.seed))
        report.phase("Experiment 1: the two-dimensional example") { Toy.run(config, report: report) }
        try report.phase("Experiment 2: condition number") { try Conditioning.run(config, options: options, report: report) }
        try report.phase("Experiment 3: estimators") { try Estimators.run(config, options: options, report: report) }
        try report.phase("Experiment 4: training comparison (dominant loop: MLP gradients and Hessian-vector products on mini-batches of 64)") {
            try Training.run(config, options: options, report: report)
        }
    }
}
