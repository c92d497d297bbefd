import Foundation
import Numerics
import Learning
import Notebook

/// The table of contents: the paper's facts, the configuration (each value with its reason), and the
/// experiments in the paper's order, one file each.
public enum SAM {
    public static let info = PaperInfo(
        slug: "sam",
        target: "SAM",
        title: "Sharpness-Aware Minimization for Efficiently Improving Generalization",
        authors: ["Pierre Foret", "Ariel Kleiner", "Hossein Mobahi", "Behnam Neyshabur"],
        year: 2021,
        venue: "ICLR",
        arxiv: "2010.01412",
        bibtex: """
        @inproceedings{foret2021sharpnessaware,
          title     = {Sharpness-aware Minimization for Efficiently Improving Generalization},
          author    = {Foret, Pierre and Kleiner, Ariel and Mobahi, Hossein and Neyshabur, Behnam},
          booktitle = {International Conference on Learning Representations (ICLR)},
          year      = {2021},
          eprint    = {2010.01412},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        A minimum whose whole neighbourhood has low training loss should generalize better than a sharp \
        one. SAM minimizes the worst training loss in a ball of radius ρ around the weights, \
        max over ||ε||₂ ≤ ρ of L(w + ε). To first order the worst direction is the gradient itself, so \
        each step takes two gradients on the same mini-batch: one at w to find ε̂ = ρ·g/||g||, and \
        one at w + ε̂, which the base optimizer then applies at w (the second-order term of the \
        exact derivative is dropped). The paper reports better accuracy across image benchmarks, \
        robustness to noisy labels on par with methods built for them, flatter minima (a smaller top \
        Hessian eigenvalue), and that taking the ascent on small independent slices of the batch \
        (m-sharpness) helps further.
        """,
        defaultSeed: 20201002,
        theme: .optimizers,
        lesson: "What SAM's two-gradient step does exactly (a 2-cycle on a quadratic, ∇L + ρH∇L/||∇L|| to first order) and which of its generalization claims survive on a small MLP.",
        readFirst: ["edge-of-stability", "hessian-spectrum"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    /// Replicate r of a training run uses the streams of seed + 1000·r (tuning replicates r ≥ 100).
    enum Stream: UInt64, CaseIterable { case split, initialization, labelNoise, batchOrder, quadratic, expansion }

    static func stream(_ seed: UInt64, replicate r: Int, _ s: Stream) -> RandomSource {
        RandomSource.stream(seed: seed &+ 1000 &* UInt64(r), s)
    }

    struct Config {
        // Data and network.
        var train: Int, validation: Int
        var hidden: Int
        var batch: Int
        var momentum: Double
        var samEpochs: Int                 // E; SGD gets 2E (the same number of gradient evaluations)
        // Label noise and clean data.
        var noiseLevels: [Double]
        var learningRates: [Double]        // SGD's grid
        var rhos: [Double]                 // SAM's grid (at SGD's tuned rate), as many points
        var tuningReplicates: Int
        var seeds: Int
        // Flatness.
        var matchedLoss: Double
        var epochCap: Int
        var lanczosSteps: Int
        var denseHidden: Int, denseRows: Int
        // m-sharpness.
        var microBatches: [Int]
        // Exact checks.
        var quadraticDimension: Int, quadraticSteps: Int
        var expansionRhos: [Double]

        static let full = Config(
            train: 1000, validation: 300, hidden: 32, batch: 64, momentum: 0.9, samEpochs: 50,
            noiseLevels: [0, 0.2, 0.4, 0.6], learningRates: [0.01, 0.03, 0.1, 0.3], rhos: [0.05, 0.1, 0.2, 0.5],
            tuningReplicates: 2, seeds: 5,
            matchedLoss: 0.02, epochCap: 200, lanczosSteps: 40, denseHidden: 8, denseRows: 300,
            microBatches: [4, 16, 64],
            quadraticDimension: 20, quadraticSteps: 400, expansionRhos: [1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2])

        static let quick = Config(
            train: 300, validation: 200, hidden: 32, batch: 64, momentum: 0.9, samEpochs: 10,
            noiseLevels: [0, 0.4, 0.6], learningRates: [0.03, 0.1], rhos: [0.05, 0.1],
            tuningReplicates: 1, seeds: 3,
            matchedLoss: 0.05, epochCap: 100, lanczosSteps: 30, denseHidden: 6, denseRows: 150,
            microBatches: [4, 64],
            quadraticDimension: 10, quadraticSteps: 300, expansionRhos: [1e-3, 3e-3, 1e-2, 3e-2])

        func settings(seed: UInt64) -> [Setting] {
            [Setting("split (train / validation / test)", "\(train) / \(validation) / \(1797 - train - validation)",
                     "one seeded permutation of the 1797 digits; validation and test labels always clean"),
             Setting("network", "64 → \(hidden) ReLU → 10, He init, softmax cross-entropy",
                     "small enough to train hundreds of times in a minute; no weight decay, no augmentation"),
             Setting("batch", batch, "the mini-batch of every step; SAM's ascent uses the same rows"),
             Setting("base optimizer", "SGD, heavy-ball momentum \(momentum), constant rate", "the paper's base optimizer (momentum 0.9)"),
             Setting("epochs", "SAM \(samEpochs), SGD \(2 * samEpochs)",
                     "equal gradient evaluations, as the paper gives non-SAM runs twice the epochs; long enough for SAM's early-stopping point to fall inside the run (last column of the label-noise table)"),
             Setting("noise levels p", noiseLevels, "symmetric: a training label is replaced by a uniformly drawn other class with probability p"),
             Setting("SGD learning-rate grid", learningRates, "tuned per noise level on validation accuracy"),
             Setting("SAM ρ grid", rhos, "as many points as SGD's grid, at SGD's tuned rate; the upper four of the paper's {0.01, 0.02, 0.05, 0.1, 0.2, 0.5}"),
             Setting("tuning replicates", tuningReplicates, "seeds disjoint from the evaluation seeds; score = mean best validation accuracy"),
             Setting("evaluation seeds", seeds, "init, label noise and batch order drawn per seed; SAM and SGD paired"),
             Setting("matched training loss", matchedLoss, "both runs stop at the first step below it (clean labels)"),
             Setting("Lanczos steps", lanczosSteps, "top-5 Ritz values of the full-training-set Hessian"),
             Setting("dense check", "64 → \(denseHidden) → 10 on \(denseRows) rows", "small enough to form and diagonalize the Hessian"),
             Setting("micro-batch sizes m", microBatches.map(Double.init), "m = batch is plain SAM; ρ tuned for each m on the same grid; m = 1 (about 6x the cost of a step) left out"),
             Setting("quadratic", "d = \(quadraticDimension), \(quadraticSteps) steps", "the 2-cycle check"),
             Setting("dominant loop", "minibatch forward/backward of a 64 x \(hidden) x 10 MLP (two per SAM step)", ""),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    /*: overview
     SAM replaces the gradient of a mini-batch loss at w by the gradient at a nearby point,
     w + ε̂ with ε̂ = ρ·g/||g||₂, the first-order maximizer of the loss over a ball of radius ρ; the
     base optimizer (here SGD with heavy-ball momentum 0.9) steps from w with that gradient. This
     notebook checks, in this order:

     1. **The step itself** (Section 2). The SAM gradient is ∇L(w) + ρ·H∇L/||∇L|| + O(ρ²) (checked
        with exact Hessian-vector products), and on a quadratic normalized SAM with a fixed ρ does not
        converge: it settles on a 2-cycle along the top eigenvector, whose amplitude we derive in closed
        form (our derivation, not the paper's).
     2. **Label noise and clean data** (Section 3.3 and Section 3.1, scaled down to the UCI digits and a
        one-hidden-layer MLP): SAM against SGD with the same momentum, both tuned on a validation split
        with the same number of grid points, over several seeds inside the run (five in full mode).
     3. **Flatter solutions** (Section 4.2): the top Hessian eigenvalue (Lanczos on exact
        Hessian-vector products) of SAM and SGD solutions at the same training loss.
     4. **m-sharpness** (Section 4.1): ascent directions taken on micro-batches of m examples and
        averaged; the paper finds that smaller m tends to generalize better.

     The paper's CIFAR, ImageNet and fine-tuning numbers are out of reach on two cores in a minute and
     are not attempted: every accuracy here is on 8x8 digits, and only directions are compared.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(config.settings(seed: options.seed))
        let task = try DigitsTask.load(train: config.train, validation: config.validation, seed: options.seed)
        try report.phase("exact checks") { try ExactChecks.run(config, task: task, options: options, report: report) }
        let tuned = try report.phase("label noise: tuning and seed comparison (dominant)") {
            try LabelNoise.run(config, task: task, options: options, report: report)
        }
        try report.phase("flatness at matched loss") { try Flatness.run(config, task: task, tuned: tuned, options: options, report: report) }
        try report.phase("m-sharpness") { try MSharpness.run(config, task: task, tuned: tuned, options: options, report: report) }
        report.discussion("""
        **All experiments.** Where this notebook differs from the paper: 8x8 digits and a one-hidden-layer MLP instead of \
        CIFAR/ImageNet ResNets; no weight decay, augmentation or learning-rate schedule; a ρ grid of \
        \(config.rhos.count) points instead of the paper's 6, with SAM using SGD's tuned rate; the validation \
        split (clean labels) serves both tuning and early stopping; the flatness comparison is at a \
        matched training loss rather than at the end of a fixed schedule, and the m-sharpness runs \
        stop at m = 4 where the paper's figure goes down to m = 1.
        """)
    }
}
