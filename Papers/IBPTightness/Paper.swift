import Foundation
import Numerics
import Learning
import Notebook

/// The table of contents: the paper's facts, the configuration, and the experiments in the paper's order.
public enum IBPTightness {
    public static let info = PaperInfo(
        slug: "ibp-tightness",
        target: "IBPTightness",
        title: "Understanding Certified Training with Interval Bound Propagation",
        authors: ["Yuhao Mao", "Mark Niklas Müller", "Marc Fischer", "Martin Vechev"],
        year: 2024,
        venue: "ICLR",
        arxiv: "2306.10426",
        bibtex: """
        @inproceedings{mao2024understanding,
          title     = {Understanding Certified Training with Interval Bound Propagation},
          author    = {Mao, Yuhao and M{\\"u}ller, Mark Niklas and Fischer, Marc and Vechev, Martin},
          booktitle = {The Twelfth International Conference on Learning Representations (ICLR)},
          year      = {2024},
          eprint    = {2306.10426},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Interval bound propagation pushes a box through a network layer by layer, replacing each linear \
        map W by the box rule c ↦ W c, r ↦ |W| r. For a linear network the best possible box has radius \
        |W_L ⋯ W_1| r, IBP's has |W_L| ⋯ |W_1| r, and the ratio — the propagation tightness — says how \
        much IBP loses by forgetting the signs that cancel in the product. For random Gaussian weights \
        the cancellations are strong: the ratio falls like one over the square root of the width per \
        layer, so wide and deep networks are very loose at initialization. IBP training has every \
        reason to shrink that gap, and the paper shows that it does, by aligning the weights' signs; \
        the tight networks it produces pay for it with a strong regularization. Tightness is computed \
        on the local linear network of a ReLU net at a data point, with the last layer folded into the \
        margin specification.
        """,
        defaultSeed: 20240116,
        theme: .lipschitz,
        lesson: "How loose interval bounds are at initialization (a closed form in the width, exponential in depth), and how IBP training tightens them while PGD and standard training do not.",
        readFirst: ["local-lipschitz"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    enum Stream: UInt64, CaseIterable { case initWidth = 1, initDepth, exact, split, training, attack }

    struct Config {
        var initWidths: [Int]      // 2-layer widths of the Monte Carlo
        var draws: Int             // independent weight draws per width / depth
        var depths: [Int]          // numbers of weight matrices L
        var depthWidth: Int
        var exactEpsilons: [Double]
        var exactNetworks: Int     // small networks per ε for the exact check
        var maxLinearPrograms: Int
        var widths: [Int]          // hidden widths of the trained MLPs (two hidden layers)
        var epsilons: [Double]     // training and test radii
        var seeds: Int
        var epochs: Int
        var batch: Int
        var learningRate: Double
        var pgdSteps: Int
        var evalPGDSteps: Int
        var trainCount: Int
        var evalPoints: Int

        static let quick = Config(initWidths: [16, 64, 256, 1024], draws: 32, depths: [2, 3, 4, 5], depthWidth: 64,
                                  exactEpsilons: [0.002, 0.1], exactNetworks: 2, maxLinearPrograms: 100_000,
                                  widths: [8, 16, 32], epsilons: [0.1], seeds: 2, epochs: 4, batch: 64, learningRate: 1e-3,
                                  pgdSteps: 3, evalPGDSteps: 5, trainCount: 1297, evalPoints: 100)
        static let full = Config(initWidths: [16, 32, 64, 128, 256, 512, 1024], draws: 48, depths: [2, 3, 4, 5, 6, 7, 8], depthWidth: 64,
                                 exactEpsilons: [0.002, 0.05, 0.2], exactNetworks: 4, maxLinearPrograms: 200_000,
                                 widths: [16, 32, 64, 128], epsilons: [0.05, 0.1], seeds: 3, epochs: 30, batch: 64, learningRate: 1e-3,
                                 pgdSteps: 5, evalPGDSteps: 10, trainCount: 1297, evalPoints: 500)

        func settings(seed: UInt64) -> [Setting] {
            [Setting("widths, initialization", initWidths.map(Double.init), "2-layer deep linear networks 64 → n → 10; nearly two decades of width"),
             Setting("draws per width / depth", draws, "independent Gaussian weight draws; standard errors over draws"),
             Setting("depths L, initialization", depths.map(Double.init), "weight matrices; hidden width \(depthWidth)"),
             Setting("exact check", "4-8-8-3 networks, \(exactNetworks) per ε, ε ∈ \(Fmt.list(exactEpsilons))", "small enough to enumerate every activation region"),
             Setting("trained MLPs", "64 → n → n → 10, n ∈ \(Fmt.list(widths.map(Double.init)))", "small widths so that the whole run takes about a minute; the paper uses CNNs of 3–13 layers"),
             Setting("ε (train and test)", epsilons, "radii on pixels scaled to [0, 1] (small for the 8x8 digits); boxes clipped to [0, 1]"),
             Setting("seeds per configuration", seeds, "independent initializations and batch orders inside the run"),
             Setting("epochs, batch, optimizer", "\(epochs), \(batch), Adam η = \(Fmt.g(learningRate))", "few epochs to keep the run short; ε and κ ramp over the first half"),
             Setting("PGD steps (train / test)", "\(pgdSteps) / \(evalPGDSteps)", "step 2.5ε/steps, random start"),
             Setting("digits split", "\(trainCount) train / \(1797 - trainCount) test, first \(evalPoints) test images evaluated", "fixed random split"),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        /*: overview
         The paper asks why certified training with the loosest bounding method, interval bound propagation
         (IBP), works so well. It measures the looseness of IBP by **propagation tightness**, the ratio of the
         optimal output box to IBP's box for a (locally) linear network, and claims: (1) at initialization
         tightness falls with width, like n^(−1/2) for two layers, and exponentially with depth; (2) IBP
         training raises it by orders of magnitude, far above PGD or standard training, and makes wider
         networks tighter; (3) wider IBP-trained networks certify more, yet tightness alone neither guarantees
         nor is required for certified robustness. This notebook derives the width law in closed form and
         checks it by Monte Carlo, checks IBP against exact bounds on small networks, and trains small MLPs
         on the 8x8 digits with standard, PGD and IBP training at two radii, several seeds each.
         */
        report.literate("overview")
        report.section("Setup")
        report.setup(c.settings(seed: options.seed))
        var rng = RandomSource.stream(seed: options.seed, Stream.split)
        let data = try DigitsDataset.load().split(trainCount: c.trainCount, rng: &rng)
        _ = try Initialization.run(c, seed: options.seed, digits: data, report: report)
        _ = try TrainedNetworks.run(c, seed: options.seed, data: data, report: report)
    }
}
