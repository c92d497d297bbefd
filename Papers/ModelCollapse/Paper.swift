import Foundation
import Numerics
import Notebook

public enum ModelCollapse {
    public static let info = PaperInfo(
        slug: "model-collapse-regression",
        target: "ModelCollapse",
        title: "Model Collapse Demystified: The Case of Regression",
        authors: ["Elvis Dohmatob", "Yunzhen Feng", "Julia Kempe"],
        year: 2024,
        venue: "NeurIPS",
        arxiv: "2402.07712",
        bibtex: """
        @inproceedings{dohmatob2024model,
          title     = {Model Collapse Demystified: The Case of Regression},
          author    = {Dohmatob, Elvis and Feng, Yunzhen and Kempe, Julia},
          booktitle = {Advances in Neural Information Processing Systems 37 (NeurIPS)},
          year      = {2024},
          eprint    = {2402.07712},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Train a linear regressor on labels produced by the previous generation's regressor, n times \
        over, and each generation's estimation noise is baked into the next generation's "ground \
        truth". With Gaussian data the damage is exactly computable: the test error of the final \
        (ridge) model is its clean-data error plus n copies of the error that one generation's noise \
        passes through the downstream fit, so it grows linearly in n, with a slope set by the \
        generators' noise level and sample size. Under power-law spectra this extra term decays \
        more slowly in the sample size than the clean error, which bends the scaling law to a slower \
        rate; a ridge penalty that decays more slowly with the sample size, λ = T^(−ℓ_crit), keeps a \
        fast rate.
        """,
        defaultSeed: 20240212,
        theme: .weighting,
        lesson: "Training on labels from previous generations of a model adds test error that grows with the number of generations, in closed form for regression."
    )

    /// The random streams of the run. Stream 100·s + k is the k-th stream set (or the k-th sample
    /// size of a grid) of stream family s; replication r of a stream is seeded by its r-th draw.
    enum Stream: UInt64, CaseIterable {
        case settingS1 = 0, settingS2, sharedDesign, powerLawNoiseFree, powerLawNoisy

        /// The generator of the k-th stream set (or grid point) of this family.
        func source(seed: UInt64, _ k: Int) -> RandomSource {
            RandomSource.stream(seed: seed, Int(rawValue) * 100 + k)
        }
    }

    /// Every size of the experiments, in one place, each with its reason.
    struct Config {
        /// n = 0 … generations: ten generations make the linear growth visible against its noise.
        var generations: Int
        /// Independent stream sets for S1 and S2: ten, so that a single unlucky set cannot decide C2.
        var streamSets: Int
        /// Replications per stream set in S1 (d = 50, cheap).
        var repsS1: Int
        /// Replications per stream set in S2 (d = 200, the costly setting).
        var repsS2: Int
        /// Replications per sample size on the power-law grids.
        var repsScaling: Int
        /// The downstream sample sizes T of the power-law grids (d = T/2).
        var scalingSizes: [Int]

        /// t·2^(k/steps), k = 0 … count − 1, rounded.
        static func geometric(from t: Int, count: Int, perOctave steps: Int) -> [Int] {
            (0..<count).map { Int((Double(t) * Foundation.pow(2, Double($0) / Double(steps))).rounded()) }
        }
        static let quick = Config(generations: 10, streamSets: 10, repsS1: 6, repsS2: 4,
                                  repsScaling: 24, scalingSizes: geometric(from: 32, count: 5, perOctave: 1))
        static let full = Config(generations: 10, streamSets: 10, repsS1: 100, repsS2: 60,
                                 repsScaling: 40, scalingSizes: geometric(from: 32, count: 11, perOctave: 2))

        var settings: [Setting] {
            [Setting("generations n", "0 … \(generations)", "n = 0: the downstream learner sees clean labels"),
             Setting("stream sets (S1, S2)", streamSets, "C2 is decided over independent sets, not one"),
             Setting("replications per set, S1", repsS1, "\(streamSets * repsS1) in all"),
             Setting("replications per set, S2", repsS2, "\(streamSets * repsS2) in all"),
             Setting("replications per T (power law)", repsScaling, "each grid point has its own stream"),
             Setting("T grid (power law)", scalingSizes.map(Double.init), "d = T/2, T₀ = T; the largest T sets the run time")]
        }
    }

    /*: overview
     A linear model is fitted on data labelled by the previous generation's linear model, again and
     again, and a downstream ridge regressor is finally trained on the n-th generation's labels. We
     check, claim by claim, the paper's account of what this does to the test error:

     - the test error after n generations has a closed form: the clean error plus a term that is
       *linear in n* (checked against Monte Carlo, for least squares and for ridge);
     - in the under-parameterized case the slope of that linear growth is σ₀² d/(T₀ − d − 1) per
       generation (checked over ten independent sets of random streams, with a direct test that the
       cross term between the clean error and the synthetic-data error averages to zero);
     - with power-law spectra and noise-free labels the learning curve bends from the clean rate to a
       slower "collapsed" rate; with noisy labels it does not bend;
     - the paper's regularization rule λ = T^(−ℓ_crit) restores a fast rate after n generations.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        let notebook = Experiments(config: config, seed: options.seed, report: report)
        try notebook.setup()
        let exact = try report.phase("Experiment 1: closed form against Monte Carlo") { try notebook.exactness() }
        try report.phase("Experiment 2: linear growth over stream sets") { try notebook.growth(exact) }
        let grid = try report.phase("Experiment 3: power-law learning curves") { try notebook.powerLaw() }
        try report.phase("Experiment 4: the paper's regularization rule") { try notebook.regularizationRule(grid) }
        report.discussion(notebook.discussionText)
    }
}

/// The run's shared state: the sizes, the seed and the report every experiment writes to.
struct Experiments {
    let config: ModelCollapse.Config
    let seed: UInt64
    let report: Report

    var chainFile: String { Literate.sibling("Chain.swift") }
    var closedFormFile: String { Literate.sibling("ClosedForm.swift") }

    func setup() throws {
        report.section("Setup")
        report.literate("chain", file: chainFile)
        report.code("generation", file: chainFile)
        report.code("downstream", file: chainFile)
        report.literate("theory", file: closedFormFile)
        report.code("closed-form", file: closedFormFile)
        report.setup(config.settings + [
            Setting("S1", "Σ = I, d = 50, T₀ = T = 100, σ = σ₀ = 1, ridge λ = 0.5", "w* = (1, …, 1)/√d"),
            Setting("S2", "Σ = diag(1/j), d = 200, T₀ = 400, T = 300, σ = 1, σ₀ = 0.5, ridge λ = 0.05",
                    "σ₀ ≠ σ and T₀ ≠ T, so the slope and the intercept are distinguishable"),
            Setting("power law (C3, C4)", "λⱼ = j^(−2), w*ⱼ = 1/j, d = T/2, T₀ = T, σ₀ = 0.03, n = 5",
                    "β = 2, r = 3/4: clean rate −1.5, collapsed rate −0.5 for λ = 1/T"),
            Setting("label noise on the power-law grids", "σ = 0 and σ = \(Fmt.g(PowerLawGrid.noisySigma))",
                    "the bend needs noise-free labels; the noisy grid shows what happens otherwise"),
            Setting("ridge normalization", "(XᵀX/T + λI)⁻¹XᵀY/T", "λ = 0 is least squares"),
            Setting.seed(seed, streams: ModelCollapse.Stream.self),
            Setting("stream numbering", "100·s + k", "k-th stream set (or grid point) of family s; replication r is seeded by the r-th draw of its stream"),
        ])
    }

    /// Flat unit target w* = (1, …, 1)/√d.
    static func flatUnitVector(_ d: Int) -> [Double] { Array(repeating: 1 / Double(d).squareRoot(), count: d) }
}
