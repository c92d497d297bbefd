import Foundation
import Numerics
import Learning
import Notebook

public enum ScaledGDLambda {
    public static let info = PaperInfo(
        slug: "scaledgd-lambda",
        target: "ScaledGDLambda",
        title: "The Power of Preconditioning in Overparameterized Low-Rank Matrix Sensing",
        authors: ["Xingyu Xu", "Yandi Shen", "Yuejie Chi", "Cong Ma"],
        year: 2023,
        venue: "ICML",
        arxiv: "2302.01186",
        bibtex: """
        @inproceedings{xu2023power,
          title     = {The Power of Preconditioning in Overparameterized Low-Rank Matrix Sensing},
          author    = {Xu, Xingyu and Shen, Yandi and Chi, Yuejie and Ma, Cong},
          booktitle = {Proceedings of the 40th International Conference on Machine Learning (ICML)},
          series    = {Proceedings of Machine Learning Research},
          volume    = {202},
          pages     = {38611--38654},
          year      = {2023},
          eprint    = {2302.01186},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Gradient descent on a factorization X Xᵀ of an ill-conditioned low-rank matrix learns each \
        component at a speed proportional to its own size, so the weakest one (σ_max/κ) sets the pace \
        and the iteration count grows like κ. Multiplying the gradient by (XᵀX + λI)⁻¹ divides each \
        direction's step by the energy the factor already holds there: every component then moves at \
        the same relative speed, whatever its size. The damping λ (of the order of the smallest \
        nonzero eigenvalue) keeps the step bounded in directions where X is still tiny, which is what \
        makes the method safe from a small random start and with a search rank far above the true one. \
        The result is a constant linear rate after a burn-in that is only logarithmic in κ and n, and, \
        with noise, an error of the minimax order that scales with the true rank, not the search rank.
        """,
        defaultSeed: 20230202,
        theme: .overparameterization,
        lesson: "A damped preconditioner makes low-rank recovery indifferent to the condition number and to over-parameterization, and where finite sensing limits that.",
        readFirst: ["overparam-slows-gd"]
    )

    /// The random streams of the run (`RandomSource.stream(seed:, Stream.x.rawValue)`).
    enum Stream: UInt64, CaseIterable {
        case eigenvectors, sensingOperator, noise, initialFactor
    }

    /// Every size, step and budget, each with its reason (the setup table is made from these).
    struct Config {
        var n: Int, r: Int
        // Experiments 1 and 4: the population loss.
        var kappas: [Double]
        var searchRank: Int
        var alpha: Double
        var eta = 0.5
        var damping: Double                // λ = damping · σ_min(M*)
        var dampings: [Double]             // other dampings tried at every κ
        var gdStep = 0.5                   // GD's η = gdStep / σ_max(M*)
        var gdSteps: [Double]              // other GD steps tried at the largest κ
        var alphas: [Double]               // initialization scales tried at the largest κ
        var frozenAlpha = 1e-30            // the scale at which GD's iterate freezes
        var escapeLevel = 1e-4, target = 1e-8, stopBelow = 1e-10
        var gdBudget: Int, scaledBudget: Int
        // Experiments 2 and 3: the sensing loss.
        var m: Int
        var sensingKappa = 10.0
        var sensingDamping = 1.0
        var ranks: [Int]
        var sensingAlphas: [Double]        // the claims are checked at the last (smallest) one
        var sensingTarget = 1e-6
        var sensingBudget: Int
        var noiseLevels: [Double]
        var noiseSeeds: Int
        var noiseBudget: Int

        static let quick = Config(n: 24, r: 2, kappas: [1, 10, 100], searchRank: 4, alpha: 1e-6, damping: 0.1,
                                  dampings: [1], gdSteps: [0.9], alphas: [1e-3, 1e-8], gdBudget: 12_000, scaledBudget: 400,
                                  m: 240, ranks: [2, 4, 24], sensingAlphas: [1e-3, 1e-8], sensingBudget: 800,
                                  noiseLevels: [1e-4, 1e-3, 1e-2], noiseSeeds: 2, noiseBudget: 800)
        static let full = Config(n: 40, r: 2, kappas: [1, 3, 10, 30, 100, 300, 1000], searchRank: 4, alpha: 1e-6, damping: 0.1,
                                 dampings: [1, 0.01], gdSteps: [0.9], alphas: [1e-3, 1e-4, 1e-6, 1e-8], gdBudget: 50_000,
                                 scaledBudget: 600, m: 640, ranks: [2, 4, 20, 40], sensingAlphas: [1e-3, 1e-4, 1e-6, 1e-8],
                                 sensingBudget: 1_500, noiseLevels: [1e-4, 1e-3, 1e-2], noiseSeeds: 3, noiseBudget: 1_500)

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("n (M* is n x n)", n, "small enough for every run to fit a minute on two cores"),
                Setting("true rank r*", r, "eigenvalues of M* geometric from σ_max = 1 to σ_min = 1/κ"),
                Setting("κ (Experiments 1, 4)", kappas, "three decades, population loss"),
                Setting("search rank k (Experiments 1, 4)", searchRank, "over-parameterized, k = 2 r*"),
                Setting("initialization scale α (Experiments 1, 4)", alpha, "small, but far above the scale where GD's iterate freezes"),
                Setting("ScaledGD(λ) step η", eta, "on the paper's loss"),
                Setting("damping λ (population)", "\(Fmt.g(damping)) σ_min(M*)", "a small constant times σ_min, as the theory asks; also tried: \(Fmt.list(dampings)) σ_min"),
                Setting("GD step η", "\(Fmt.g(gdStep)) / σ_max(M*)", "1/L for the smoothness L = 2σ_max at the minimizer; also tried at the largest κ: \(Fmt.list(gdSteps))"),
                Setting("α tried at the largest κ", alphas, "the α-dependence of the escape phase; plus α = \(Fmt.g(frozenAlpha)) to show a stall"),
                Setting("phases", "escape: until error ≤ \(Fmt.g(escapeLevel)); local: \(Fmt.g(escapeLevel)) → \(Fmt.g(target))", "the escape level is below every component's share 1/κ"),
                Setting("budgets (population)", "GD \(gdBudget), ScaledGD(λ) \(scaledBudget)", "runs stop once the error is ≤ \(Fmt.g(stopBelow))"),
                Setting("measurements m (Experiments 2, 3)", m, "\(Fmt.g(Double(m) / Double(n * r), 3)) n r*, below n(n+1)/2 = \(n * (n + 1) / 2)"),
                Setting("κ, λ (Experiments 2, 3)", "κ = \(Fmt.g(sensingKappa)), λ = \(Fmt.g(sensingDamping)) σ_min", "a larger damping holds back the spare columns, which the sensing error excites"),
                Setting("search ranks k (Experiment 2)", ranks.map(Double.init), "from r* up to n"),
                Setting("α tried (Experiments 2, 3)", sensingAlphas, "claims checked at the smallest"),
                Setting("noise σ (Experiment 3)", noiseLevels, "εᵢ ~ N(0, σ²) on ⟨Aᵢ, M*⟩, \(noiseSeeds) noise draws each"),
                Setting("budgets (sensing)", "\(sensingBudget) (noiseless), \(noiseBudget) (noisy)", "noisy runs do not stop early"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     We recover a rank-r* positive semi-definite matrix M* ∈ ℝ^{n×n} by fitting M = X Xᵀ with a
     factor X ∈ ℝ^{n×k}, where the search rank k may be far larger than r* (up to n). The paper's
     message, checked claim by claim below:

     - ScaledGD(λ) reaches a fixed accuracy in a number of iterations that grows only
       logarithmically with the condition number κ of M*, while vanilla GD needs a number polynomial in κ;
     - over-parameterizing the factor (k ≫ r*) does not slow ScaledGD(λ) down;
     - with noisy measurements ScaledGD(λ) reaches an error of the minimax order σ√(n r* / m), up to a
       factor of κ, scaling with the true rank, at the noiseless speed;
     - the paper's main figure: relative error against iteration for both methods across κ.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let lab = Lab(config: options.quick ? .quick : .full, seed: options.seed)
        report.literate("overview")
        lab.setup(report)
        let sweep = try report.phase("Experiment 1: iterations against κ") { try ConditionNumber.run(lab, report) }
        try report.phase("Experiment 1b: initialization scale") { try InitializationScale.run(lab, report) }
        try report.phase("Experiment 2: over-parameterization") { try Overparameterization.run(lab, report) }
        try report.phase("Experiment 3: noise") { try Noise.run(lab, report) }
        report.phase("Experiment 4: the figure") { Figure.run(lab, sweep, report) }
        report.discussion(lab.discussion)
    }
}
