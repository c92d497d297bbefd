import Foundation
import Numerics
import Learning
import Notebook

public enum DecoupledWeightDecay {
    public static let info = PaperInfo(
        slug: "adamw",
        target: "DecoupledWeightDecay",
        title: "Decoupled Weight Decay Regularization",
        authors: ["Ilya Loshchilov", "Frank Hutter"],
        year: 2019,
        venue: "ICLR",
        arxiv: "1711.05101",
        bibtex: """
        @inproceedings{loshchilov2019decoupled,
          title     = {Decoupled Weight Decay Regularization},
          author    = {Loshchilov, Ilya and Hutter, Frank},
          booktitle = {International Conference on Learning Representations (ICLR)},
          year      = {2019},
          eprint    = {1711.05101},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Weight decay (shrink every weight by a fixed fraction each step) and L2 regularization (add \
        λ'/2·||θ||² to the loss) are the same thing for plain SGD once λ' is rescaled by the learning \
        rate, so libraries implement weight decay as L2. For Adam they differ: the L2 gradient λ'θ passes \
        through Adam's per-coordinate normalization, so weights with large gradients are barely \
        regularized. The paper decouples the decay from the gradient step, θ ← θ − η_t(α·step + λθ) \
        with a schedule multiplier η_t and a learning rate α, for SGD (SGDW) and Adam (AdamW), and \
        reports two effects on CIFAR-10: the best λ no longer moves with α, so the two can be tuned \
        separately, and AdamW generalizes better than Adam with L2.
        """,
        defaultSeed: 20171114,
        theme: .optimizers,
        lesson: "Weight decay equals L2 regularization for SGD but not for Adam; whether decoupling it frees the best λ from the learning rate is tested on a small MLP.",
        readFirst: ["lion-lyapunov"]
    )

    /// The random streams of the run (replicate r of the digits runs uses stream k + 16r).
    enum Stream: UInt64, CaseIterable {
        case split = 0            // the train/test split of the digits
        case quadratic = 1        // the quadratic of experiment 1
        case initialization = 2   // the MLP's initial weights
        case batchOrder = 3       // the mini-batch order
    }

    /// Every size and step of the experiments, in one place, each with its reason.
    struct Config: Sendable {
        /// Training images (the rest of the 1797 are the test set): few enough that regularization matters.
        var trainCount: Int
        var hidden: [Int]
        var batch: Int
        var epochs: Int
        /// Independent replicates (initialization and batch order) per grid cell.
        var replicates: Int
        /// β₁ of SGD(W): the paper's SGD has momentum 0.9.
        var momentum = 0.9
        /// The learning-rate rows, in half-decade steps.
        var sgdAlphas: [Double]
        var adamAlphas: [Double]
        /// The decay columns of each method, in half-decade steps.
        var decayGrids: [[Double]]
        /// Experiment 1, the quadratic: dimension, steps, α, λ (decoupled), λ' (L2). Full mode runs
        /// 4·10⁶ steps: AdamW approaches its limit only as fast as the cosine multiplier lets it, and
        /// the check asks for 1e-4, far below what a few hundred thousand steps reach on every seed.
        var quadraticDimension = 8
        var quadraticSteps: Int
        var quadraticAlpha = 0.05
        var quadraticLambda = 0.1
        var quadraticL2 = 0.3
        /// Experiment 1 on the MLP: the equivalence runs' α and λ.
        var equivalenceAlpha = 0.1
        var equivalenceLambda = 1e-3

        func alphas(_ m: Method) -> [Double] { m.isAdam ? adamAlphas : sgdAlphas }
        func decays(_ m: Method) -> [Double] { decayGrids[m.rawValue] }

        static func halfDecades(_ from: Double, _ count: Int) -> [Double] {
            (0..<count).map { from * Foundation.pow(10, 0.5 * Double($0)) }
        }

        static let full = Config(
            trainCount: 500, hidden: [32], batch: 25, epochs: 30, replicates: 3,
            sgdAlphas: halfDecades(10e-4 * 3.1622776601683795, 5), adamAlphas: halfDecades(1e-3, 5),
            decayGrids: grids, quadraticSteps: 4_000_000)
        static let quick = Config(
            trainCount: 400, hidden: [16], batch: 50, epochs: 6, replicates: 2,
            sgdAlphas: halfDecades(10e-4 * 3.1622776601683795, 5), adamAlphas: halfDecades(1e-3, 5),
            decayGrids: grids, quadraticSteps: 200_000)

        /// The decay columns, nine half-decade steps (four decades) per method, placed so that the
        /// region where the decay starts to hurt lies inside the grid at every α.
        static let grids = [halfDecades(1e-5, 9),      // SGD + L2, λ'
                            halfDecades(3.1622776601683795e-5, 9),  // SGDW, λ
                            halfDecades(1e-4, 9),      // Adam + L2, λ'
                            halfDecades(1e-4, 9),      // AdamW, λ
                            halfDecades(1e-3, 9)]      // AdamW library form, w

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("data", "UCI 8x8 digits, \(trainCount) training / \(1797 - trainCount) test images",
                        "a seeded split; few training images, so that regularization matters"),
                Setting("network", "64 → \(hidden.map(String.init).joined(separator: " → ")) → 10, ReLU, He init, softmax cross-entropy",
                        "small enough for a full grid in a minute"),
                Setting("training", "\(epochs) epochs, batch \(batch), cosine η_t per epoch",
                        "the paper's cosine annealing of the schedule multiplier, without restarts"),
                Setting("SGD(W)", "β₁ = \(momentum), α ∈ \(Fmt.list(sgdAlphas, { Fmt.g($0, 3) }))", "the paper's SGD has momentum 0.9"),
                Setting("Adam(W)", "β₁ = 0.9, β₂ = 0.999, δ = 1e-8, α ∈ \(Fmt.list(adamAlphas, { Fmt.g($0, 3) }))", "Adam's defaults"),
                Setting("decay columns", Method.allCases.map { "\($0.name) \(Fmt.g(decays($0)[0], 2))…\(Fmt.g(decays($0).last!, 2))" }.joined(separator: "; "),
                        "9 half-decade steps each; placed by a pilot run so that the decay starts to hurt inside the grid"),
                Setting("decayed parameters", "all, biases included", "the same set for every method"),
                Setting("replicates", replicates, "initialization and batch order; the split is shared"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     The paper separates two things that libraries had merged: L2 regularization, a penalty whose
     gradient λ'θ is added to the loss gradient, and weight decay, a shrinkage θ ← θ − η_tλθ applied
     outside the optimizer's step. This notebook checks the paper's four statements on a problem small
     enough to run a full grid: (1) the two are the same for SGD after λ' = λ/α and different for Adam,
     exactly, with the fixed points of both Adam variants derived and checked on a quadratic; (2) on a
     grid of learning rates and decays, the best decay of the decoupled forms (SGDW, AdamW) does not move
     with α while that of the L2 forms does; (3) AdamW generalizes at least as well as Adam + L2; and (4)
     the form of AdamW in common libraries, where the learning rate multiplies the decay, is coupled
     again. The data are the UCI digits and a one-hidden-layer MLP, not CIFAR-10 and a ResNet.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(c.settings(seed: options.seed))
        let task = try DigitsTask(config: c, seed: options.seed)
        let equivalence = try report.phase("experiment 1: SGD and Adam, L2 against weight decay") {
            try Equivalence.run(c, task: task, options: options, report: report)
        }
        let grids = try report.phase("experiment 2: the grids") { try Grid.run(task, methods: Method.allCases) }
        let (decoupling, library) = Decoupling.run(grids, report: report)
        let generalization = Generalization.run(grids, report: report)
        LibraryForm.run(grids, library: library, paper: decoupling.adamw, report: report)
        report.discussion(Discussion.text(equivalence: equivalence, decoupling: decoupling, library: library,
                                          generalization: generalization, grids: grids, config: c))
    }
}
