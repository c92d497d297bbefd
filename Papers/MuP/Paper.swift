import Foundation
import Numerics
import Learning
import Notebook

/// The table of contents: the paper's facts, the configuration (each value with its reason), and the
/// experiments in the paper's order, one file each.
public enum MuP {
    public static let info = PaperInfo(
        slug: "mup",
        target: "MuP",
        title: "Feature Learning in Infinite-Width Neural Networks",
        authors: ["Greg Yang", "Edward J. Hu"],
        year: 2021,
        venue: "ICML",
        arxiv: "2011.14522",
        bibtex: """
        @inproceedings{yang2021feature,
          title     = {Tensor Programs {IV}: Feature Learning in Infinite-Width Neural Networks},
          author    = {Yang, Greg and Hu, Edward J.},
          booktitle = {International Conference on Machine Learning (ICML)},
          year      = {2021},
          eprint    = {2011.14522},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        How a wide network behaves as its width n grows depends on how the initialization and the \
        learning rate of each layer scale with n. The paper writes every such choice for an MLP as an \
        abc-parametrization (weights W = n^(−a)·w, w initialized with variance n^(−2b), learning rate \
        η·n^(−c)) and shows that among the stable ones there are exactly two kinds of limit: a \
        feature-learning limit, where hidden representations change by Θ(1) during training, and a \
        kernel limit, where they freeze and training is kernel gradient descent. A single exponent r \
        decides which (r = 0 learns features, r > 0 is a kernel). The standard and NTK \
        parametrizations fall on the kernel side (or are unstable at a fixed learning rate); the \
        Maximal Update parametrization (μP) is the choice that lets every layer learn features \
        maximally, and its limit can be computed from the Tensor Program recursions.
        """,
        defaultSeed: 20201130,
        theme: .optimizers,
        lesson: "How the width exponents of initialization and learning rate decide whether a wide network learns features, measured as fitted slopes over widths 64 … 4096 and against a limit computed by quadrature.",
        readFirst: ["hessian-spectrum", "edge-of-stability"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    /// Replicate r uses the streams of seed + 1000·r; initial draws also add the width.
    enum Stream: UInt64, CaseIterable { case data, initialization, limit, ntk, transfer }

    static func stream(_ seed: UInt64, replicate r: Int, _ s: Stream) -> RandomSource {
        RandomSource.stream(seed: seed &+ 1000 &* UInt64(r), s)
    }

    struct Config {
        // Experiment 1.
        var widths: [Int], seeds: Int, steps: Int, batch: Int, probe: Int, rate: Double
        // Experiment 2.
        var limitWidths: [Int], limitSeeds: Int, limitSteps: Int, limitRate: Double, quadraturePoints: Int
        // Experiment 3.
        var ntkWidths: [Int], ntkSeeds: Int, ntkTrain: Int, ntkSteps: Int, ntkRate: Double
        // Experiment 4.
        var transferWidths: [Int], transferSeeds: Int, transferSteps: Int, transferBatch: Int, transferEval: Int, transferRates: [Double]

        static let full = Config(
            widths: [64, 128, 256, 512, 1024, 2048, 4096], seeds: 5, steps: 3, batch: 16, probe: 32, rate: 0.5,
            limitWidths: [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384], limitSeeds: 32, limitSteps: 5, limitRate: 1, quadraturePoints: 120,
            ntkWidths: [64, 128, 256, 512, 1024, 2048, 4096], ntkSeeds: 8, ntkTrain: 32, ntkSteps: 20, ntkRate: 2,
            transferWidths: [64, 256, 1024], transferSeeds: 3, transferSteps: 100, transferBatch: 32, transferEval: 256,
            transferRates: (-5...5).map { pow(2, Double($0)) })

        static let quick = Config(
            widths: [64, 128, 256, 512], seeds: 2, steps: 3, batch: 16, probe: 32, rate: 0.5,
            limitWidths: [128, 512, 2048, 8192], limitSeeds: 16, limitSteps: 5, limitRate: 1, quadraturePoints: 64,
            ntkWidths: [64, 128, 256, 512, 1024], ntkSeeds: 6, ntkTrain: 32, ntkSteps: 20, ntkRate: 2,
            transferWidths: [64, 256], transferSeeds: 1, transferSteps: 50, transferBatch: 32, transferEval: 256,
            transferRates: (-5...5).map { pow(2, Double($0)) })

        func settings(seed: UInt64) -> [Setting] {
            let w = { (xs: [Int]) in xs.map(String.init).joined(separator: ", ") }
            return [
                Setting("data", "UCI 8x8 digits, each pixel standardized over the 1797 images, inputs scaled by 1/√64 before the first layer", "shipped with the repository; d = 64 stays fixed as n grows, as the paper assumes; standardizing keeps the mean image from dominating every kernel"),
                Setting("Exp. 1 network", "64 → n → n → 10 ReLU (L = 2), softmax cross-entropy", "two hidden layers separate the first layer (d fixed) from an n x n layer"),
                Setting("Exp. 1 widths", w(widths), "factors of 2; 4096 is the largest an n x n GEMM allows in seconds"),
                Setting("Exp. 1 seeds", seeds, "one slope per seed, mean ± se"),
                Setting("Exp. 1 steps / batch / probe", "\(steps) / \(batch) / \(probe)", "a few SGD steps, each on its own batch; changes measured on other digits"),
                Setting("Exp. 1 base rate η", rate, "common to SP, NTP and μP and to all widths (c = 0); large enough that μP's features move visibly"),
                Setting("Exp. 2 network", "1 → n → 1 tanh, μP, half squared error, full batch of 4 inputs", "the mean-field case; tanh keeps the integrand analytic, so the quadrature converges geometrically"),
                Setting("Exp. 2 widths / seeds", "\(w(limitWidths)) / \(limitSeeds)", "cheap at d = 1; many seeds smooth the error curve"),
                Setting("Exp. 2 steps / rate", "\(limitSteps) / \(Fmt.g(limitRate))", "the first few steps, where the limit is a short recursion"),
                Setting("Exp. 2 quadrature", "\(quadraturePoints) x \(quadraturePoints) Gauss–Hermite (checked against \(2 * quadraturePoints) x \(2 * quadraturePoints))", "Golub–Welsch nodes (Sources/Numerics/GaussHermite.swift)"),
                Setting("Exp. 3 network", "64 → n → 10 ReLU, half squared error to centred one-hot, full batch", "one hidden layer: the NTK is a closed form"),
                Setting("Exp. 3 widths / seeds", "\(w(ntkWidths)) / \(ntkSeeds)", ""),
                Setting("Exp. 3 train rows / steps / rate", "\(ntkTrain) / \(ntkSteps) / \(Fmt.g(ntkRate))", "kernel GD is stable when η·λ_max(Θ)/N < 2 (the value is in the discussion)"),
                Setting("Exp. 4 network", "64 → n → 10 ReLU, SGD, cross-entropy", "one hidden layer keeps a grid of rates x widths x seeds within seconds"),
                Setting("Exp. 4 widths / seeds", "\(w(transferWidths)) / \(transferSeeds)", ""),
                Setting("Exp. 4 steps / batch / scored rows", "\(transferSteps) / \(transferBatch) / \(transferEval)", "the first \(transferEval) digits score the loss; batches are drawn from the rest"),
                Setting("Exp. 4 rates", Fmt.list(transferRates), "factors of 2"),
                Setting("μP readout init", "N(0, n^(−2)) entries (the paper's b_{L+1} = 1/2 with a_{L+1} = 1/2)", "the mup package's MLP example (examples/MLP/main.py) zero-initializes its readout instead"),
                Setting("dominant loop", "Exp. 1 forward/backward at n = 4096: 16 x 4096 by 4096 x 4096 GEMMs, and drawing the 4096² initial weights", ""),
                Setting.seed(seed, streams: Stream.self)]
        }
    }

    /*: overview
     The paper's question is what a very wide network does during training, and its answer is a
     classification. For an L-hidden-layer MLP every per-layer choice of initialization scale and
     learning rate that scales as a power of the width n is an abc-parametrization; the stable ones
     either learn features (r = 0) or follow kernel gradient descent (r > 0). This notebook checks,
     in this order:

     1. **The dichotomy, measured** (Sections 3–5): the width exponents of how far hidden
        pre-activations and logits move in a few SGD steps, for SP, NTP and μP at one common learning
        rate, against the exponents the paper's definitions predict, including SP's blow-up.
     2. **The limit is computable** (Sections 5–6): for a one-hidden-layer μP network with 1-D inputs,
        the limit's outputs over the first steps by Gauss–Hermite quadrature, and finite networks
        approaching them at rate n^(−1/2).
     3. **NTP is kernel gradient descent**: against the closed-form ReLU NTK; μP departs from it.
     4. **(Tensor Programs V)** the best learning rate across widths in SP and μP.

     The paper's Word2Vec and MAML (Omniglot) experiments, which compute the feature-learning limit of
     models trained on real corpora, are out of reach here (the limit of a deep or embedding model
     needs the paper's full Tensor Program machinery and hours of compute) and are not attempted.
     The scaling rules here are for SGD; Adam needs other exponents (Tensor Programs IVb).
     */
    /// The digits as network inputs: pixels/16 standardized per pixel over the 1797 images (constant
    /// pixels stay 0), so that |x|²/d ≈ 1 and the kernels are not dominated by the mean image.
    static func inputs(_ data: DigitsDataset) -> Matrix {
        var x = data.features(bias: false)
        for j in 0..<x.cols {
            let col = x.column(j)
            let (m, sd) = (Stats.mean(col), Stats.std(col))
            for i in 0..<x.rows { x[i, j] = sd > 1e-12 ? (col[i] - m) / sd : 0 }
        }
        return x
    }

    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(config.settings(seed: options.seed))
        let data = try DigitsDataset.load()
        try report.phase("dichotomy across widths (dominant: 4096² layers)") { try Dichotomy.run(config, data: data, options: options, report: report) }
        try report.phase("limit by quadrature") { try Limit.run(config, options: options, report: report) }
        try report.phase("kernel regime") { try KernelRegime.run(config, data: data, options: options, report: report) }
        try report.phase("learning-rate transfer") { try Transfer.run(config, data: data, options: options, report: report) }
        report.discussion("""
        **All experiments.** Where this notebook differs from the paper: the exponents are measured on \
        small MLPs on the 8x8 digits (widths up to \(config.widths.last ?? 0)) rather than derived for \
        general architectures; the computed limit is the simplest one (one hidden layer, 1-D inputs, \
        where the Tensor Program recursions reduce to a 2-D integral over each unit's initial weights), \
        not the paper's Word2Vec and MAML limits, which are not attempted; the learning-rate transfer \
        claim comes from the follow-up paper (Tensor Programs V) and is tested with one hidden layer, a \
        short run and \(config.transferWidths.count) widths. Every rule here is for SGD: with Adam the \
        μP exponents differ (Tensor Programs IVb). The μP readout starts from the paper's N(0, n^(−2)) \
        initialization; the `mup` package's MLP example zeroes it, which removes f₀ but changes no exponent.
        """)
    }
}
