import Foundation
import Numerics
import Notebook
import Learning

/// The table of contents: the paper's facts, the configuration (each value with its reason), and the
/// experiments in the paper's order, one file each.
public enum ImplicitAcceleration {
    public static let info = PaperInfo(
        slug: "implicit-acceleration",
        target: "ImplicitAcceleration",
        title: "On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization",
        authors: ["Sanjeev Arora", "Nadav Cohen", "Elad Hazan"],
        year: 2018,
        venue: "ICML",
        arxiv: "1802.06509",
        bibtex: """
        @inproceedings{arora2018optimization,
          title     = {On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization},
          author    = {Arora, Sanjeev and Cohen, Nadav and Hazan, Elad},
          booktitle = {Proceedings of the 35th International Conference on Machine Learning (ICML)},
          pages     = {244--253},
          year      = {2018},
          eprint    = {1802.06509},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Replace the weight matrix W of a linear model by a product W_N⋯W_1 and run gradient descent on \
        the factors. Nothing is gained in expressiveness, yet the trajectory of the product changes: if the \
        factors start balanced (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ), the product follows a preconditioned gradient \
        method whose preconditioner is made of fractional powers of W_eW_eᵀ and W_eᵀW_e. For a single \
        output it scales the step by ||w||^{2−2/N} and stretches it N-fold along w, an adaptive step size \
        plus a momentum-like push along the direction already travelled. The paper proves that this update \
        is not the gradient of any regularized loss, and reports that on ℓ₄ regression it reaches a given \
        loss faster than GD on the convex problem and than AdaGrad or AdaDelta.
        """,
        defaultSeed: 20180219,
        theme: .overparameterization,
        lesson: "What depth does to gradient descent on a linear model: a provable preconditioner on the end-to-end matrix, and how much (or how little) speed it buys on ℓ₄ regression.",
        readFirst: ["overparam-slows-gd", "incremental-learning"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    enum Stream: UInt64, CaseIterable { case data, start, oneStep, plane }

    struct Config {
        var n: Int                 // samples of each synthetic regression
        var d: Int                 // features
        var condition: Double      // κ of the feature covariance
        var noise: Double          // σ of the label noise (the signal xᵀβ has variance 1)
        var seeds: Int             // problems (data + start direction) per loss
        var ps: [Int]              // the ℓ_p losses
        var scales: [Double]       // ||w_e(0)|| / ||w*||
        var primaryScale: Int      // index of the scale the claim is decided at
        var etaExponents: [Double] // the step-size grid, log₁₀ η
        var budget: Int            // steps allowed to reach the target
        var targetFactor: Double   // target: L ≤ targetFactor · L*
        var traceSteps: Int        // length of the recorded curves
        var loopPoints: Int        // M of the circulation quadrature (and 2M)
        var stokesRadial: Int
        var stokesAngular: Int
        var digitsBlock: Int       // the 2x2 block of the digits regressed on the other 15

        static let full = Config(n: 256, d: 10, condition: 100, noise: 0.3, seeds: 5, ps: [4, 2], scales: [1e-3, 1e-2, 1e-1],
                                 primaryScale: 1, etaExponents: Array(stride(from: -4.0, through: 3.0, by: 0.25)), budget: 20_000,
                                 targetFactor: 1.01, traceSteps: 6_000, loopPoints: 64, stokesRadial: 24, stokesAngular: 64, digitsBlock: 5)
        static let quick = Config(n: 128, d: 10, condition: 100, noise: 0.3, seeds: 3, ps: [4, 2], scales: [1e-2],
                                  primaryScale: 0, etaExponents: Array(stride(from: -4.0, through: 3.0, by: 0.5)), budget: 5_000,
                                  targetFactor: 1.01, traceSteps: 2_000, loopPoints: 32, stokesRadial: 16, stokesAngular: 32, digitsBlock: 5)

        func settings(seed: UInt64) -> [Setting] {
            [Setting("samples n x features d", "\(n) x \(d)", "synthetic; the paper's UCI gas-sensor table (2565 x 128) is not shipped with Reprise and is not downloaded"),
             Setting("feature covariance", "Q diag(λ) Qᵀ, λ geometric from 1 to 1/\(Fmt.g(condition)), Q Haar", "ill-conditioned features, where preconditioning can matter"),
             Setting("labels", "y = xᵀβ + ε, var(xᵀβ) = 1, ε ~ N(0, \(Fmt.g(noise))²)", "noise keeps L* > 0, so 'a fixed multiple of the optimum' is defined"),
             Setting("losses", ps.map { "ℓ\($0)" }.joined(separator: ", "), "L(w) = (1/(p·n)) Σ |xᵢᵀw − yᵢ|^p; ℓ₂ is the control"),
             Setting("seeds (problems per loss)", seeds, "each draws new data and a new start direction; counts and geometric means are over them"),
             Setting("initialization scales ||w_e(0)|| / ||w*||", scales, "near zero, swept; the claim is decided at \(Fmt.g(scales[primaryScale]))"),
             Setting("deep networks", "depth 2 and 3, hidden width 1, balanced start", "under balanced starts the end-to-end dynamics of Theorem 1 do not depend on the widths, so width 1 is the cheapest exact case (our choice)"),
             Setting("step-size grid", "10^k, k = \(Fmt.g(etaExponents.first ?? .nan)) … \(Fmt.g(etaExponents.last ?? .nan)) by \(Fmt.g(etaExponents[1] - etaExponents[0]))", "the same for every method; the best η is the one with the fewest steps"),
             Setting("target", "L ≤ \(Fmt.g(targetFactor)) · L*", "L* by Newton's method (ℓ₄) or the normal equations (ℓ₂)"),
             Setting("step budget", budget, "a run that has not reached the target by then counts as budget + 1 steps"),
             Setting("baselines", "AdaGrad (ε = 1e-8), AdaDelta (ρ = 0.95, ε = 1e-6, step scaled by η), Adam (β = 0.9, 0.999; ε = 1e-8)",
                     "full-batch; the paper compared AdaGrad and AdaDelta; Adam is added as the most used adaptive method"),
             Setting("real table", "digits: the mean of 2x2-pixel block \(digitsBlock) (row 2, column 2 of the 4x4 grid) from the other 15 block means; 1797 x 15, standardized",
                     "the only shipped table usable for regression; ℓ₄, primary scale, \(seeds) start directions. The digit's label as response (16 blocks) is run too and reported, not checked"),
             Setting("circulation quadrature", "trapezoid, M = \(loopPoints) and \(2 * loopPoints) points", "the error estimate is their difference plus a round-off bound"),
             Setting("Stokes check", "\(stokesRadial) Gauss–Legendre x \(stokesAngular) trapezoid points, central differences h = 1e-4·ρ", "an independent route to the same number"),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        /*: overview
         A linear network x ↦ W_N⋯W_1 x computes nothing a single matrix could not, so adding layers to it
         changes only the optimization. The paper shows that, from a balanced near-zero start, gradient
         descent on the layers moves the product W_e like a preconditioned gradient method on W_e itself,
         with a preconditioner built from W_e's own fractional powers, and argues that this can be faster
         than GD on the convex problem. This notebook checks three claims: the end-to-end update rule
         (a one-step simulation against the formula, whose gap must be second order in η), the acceleration
         on ℓ₄ regression against GD, AdaGrad, AdaDelta and Adam, with ℓ₂ as the control where depth should
         not help, and that the induced update is not the gradient of any function (a circulation test).
         */
        report.literate("overview")
        report.section("Setup")
        report.setup(c.settings(seed: options.seed))
        // The synthetic problems: one data set per seed, shared by the ℓ₄ and ℓ₂ losses.
        var rng = RandomSource.stream(seed: options.seed, Stream.data)
        let base = (0..<c.seeds).map { _ in LpRegression.synthetic(n: c.n, d: c.d, condition: c.condition, noise: c.noise, p: 2, rng: &rng) }
        let problems = c.ps.map { p in base.map { LpRegression(x: $0.x, y: $0.y, p: p) } }
        let optima = try report.phase("optima (Newton)") { try problems.map { try $0.map { try $0.optimum() } } }
        let p4 = c.ps.firstIndex(of: 4) ?? 0
        _ = try report.phase("experiment 1: one step") {
            try OneStep.run(c, problem: problems[p4][0], optimum: optima[p4][0].w, seed: options.seed, report: report)
        }
        let table = try DigitsDataset.load()
        let digits = [c.digitsBlock, nil].map { LpRegression.digits(table, p: 4, response: $0) }
        let digitsOptima = try digits.map { try $0.optimum() }
        let results = try report.phase("experiment 2: tuned runs") {
            try Acceleration.run(c, problems: problems, optima: optima, digits: digits, digitsOptima: digitsOptima, seed: options.seed)
        }
        Acceleration.write(results, config: c, report: report)
        _ = try report.phase("experiment 3: circulation") {
            try NotAGradient.run(c, problems: problems.map { $0[0] }, optima: optima.map { $0[0].w }, seed: options.seed, report: report)
        }
    }
}
