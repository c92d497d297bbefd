import Foundation
import Numerics
import Learning
import Notebook

public enum LionLyapunov {
    public static let info = PaperInfo(
        slug: "lion-lyapunov",
        target: "LionLyapunov",
        title: "Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts",
        authors: ["Lizhang Chen", "Bo Liu", "Kaizhao Liang", "Qiang Liu"],
        year: 2024,
        venue: "ICLR",
        arxiv: "2310.05898",
        bibtex: """
        @inproceedings{chen2024lion,
          title     = {Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts},
          author    = {Chen, Lizhang and Liu, Bo and Liang, Kaizhao and Liu, Qiang},
          booktitle = {The Twelfth International Conference on Learning Representations (ICLR)},
          year      = {2024},
          eprint    = {2310.05898},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Lion, the sign-momentum optimizer found by program search, looks like a heuristic, but with \
        decoupled weight decay λ it is a principled method for the constrained problem min f(x) subject \
        to ||x||_∞ ≤ 1/λ. Weight decay pulls each coordinate in by ελ|x|, the sign step pushes it out by \
        at most ε, so outside the box the iterates fall back geometrically and inside they cannot leave. \
        A new Lyapunov function, built from f, the convex conjugate K* that encodes the constraint and \
        a Fenchel–Young coupling term with the momentum, decreases along the dynamics, so the limit is a \
        KKT point of the constrained problem. Replacing sign = ∇||·||₁ by the gradient of any convex K \
        (Lion-K) solves min f(x) + (1/λ)K*(λx) instead: an ℓ₂ ball, an ℓ₂ penalty, or mixtures.
        """,
        defaultSeed: 20231009,
        theme: .optimizers,
        lesson: "Lion with decoupled weight decay solves a box-constrained problem, and a Lyapunov function, checked step by step, explains why.",
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of the run (`RandomSource.stream(seed:, Stream.x.rawValue)`).
    enum Stream: UInt64, CaseIterable {
        case quadratic = 0      // Q and x* of the quadratic
        case digitsStart = 2    // the random signs of the digits' outside starting point
    }

    /// Every size and step of the experiments, in one place, each with its reason.
    struct Config {
        /// Dimension of the quadratic: large enough that the box-constrained solution has a non-trivial
        /// active set, small enough for an exact Newton reference.
        var quadraticDimension: Int
        /// Rows of the digits data used (65 features x 10 classes = 650 weights whatever the count).
        var digitsCount: Int
        /// The main weight decay: box ||x||_∞ ≤ 1/λ = 1, inside which most of x* and all of the
        /// digits' unconstrained minimizer (at infinity) do not lie.
        var lambda: Double
        /// ελ, the per-step contraction of the weight decay: phase 1 takes ln(e₀/ε)/(ελ) steps.
        var rho: Double
        /// Steps of a main run (constant ε, then linear decay to 0): long enough that phase 1 ends
        /// inside the constant part and the decay removes the ±ε chatter.
        var steps: Int
        /// Share of a main run at constant ε before the linear decay.
        var constantFraction: Double
        /// Continuous time t·ε of every Lyapunov run on the quadratic: long enough for H to settle and
        /// for the discrete rises of H (which start only once the iterates chatter around the
        /// solution) to be seen at every step size.
        var lyapunovTime: Double
        /// Continuous time of the Lyapunov runs on the digits: long enough for the rises of H to be seen
        /// at every step size (they start once the weights reach the box).
        var digitsLyapunovTime: Double
        /// Step sizes of the Lyapunov runs, as divisors of ε: at least 3 for an exponent fit.
        var lyapunovDivisors: [Double]
        /// The λ sweep of Experiment 5 (a factor 16 in box size).
        var lambdas: [Double]
        /// Iteration cap of the FISTA reference solves (projected Newton needs far fewer).
        var referenceIterations: Int
        /// Lion's defaults.
        var beta1 = 0.9
        var beta2 = 0.99

        static let quick = Config(quadraticDimension: 20, digitsCount: 120, lambda: 1, rho: 6e-3, steps: 2500,
                                  constantFraction: 0.6, lyapunovTime: 20, digitsLyapunovTime: 15,
                                  lyapunovDivisors: [1, 2, 4], lambdas: [0.5, 1, 2], referenceIterations: 20_000)
        static let full = Config(quadraticDimension: 40, digitsCount: 1000, lambda: 1, rho: 2.5e-3, steps: 8000,
                                 constantFraction: 0.6, lyapunovTime: 40, digitsLyapunovTime: 20,
                                 lyapunovDivisors: [1, 2, 4, 8], lambdas: [0.25, 0.5, 1, 2, 4], referenceIterations: 50_000)

        var epsilon: Double { rho / lambda }
        var radius: Double { 1 / lambda }
    }

    /*: overview
     Lion updates every weight by ±ε (the sign of a momentum) and shrinks it by ελ (decoupled weight
     decay). The paper's reading: these two forces balance exactly on the box ||x||_∞ = 1/λ, so Lion is a
     method for the *constrained* problem

       min f(x)  subject to  ||x||_∞ ≤ 1/λ,

     and, for the family Lion-K where sign(·) = ∇||·||₁ becomes the gradient of another convex K, for
     min f(x) + (1/λ)K*(λx). The analysis runs in two phases: (1) the iterates reach the constraint set
     exponentially fast, at rate λ per unit time, i.e. by a factor (1 − ελ) per step; (2) inside it, a
     Lyapunov function that couples f, K* and the momentum decreases monotonically, so the iterates
     settle at a KKT point of the constrained problem. This notebook checks both phases, the Lyapunov
     function, three other choices of K, and the dependence on λ, on a quadratic and on softmax
     regression, each with an unconstrained minimizer far outside the box.
     */
    /// The notebook, in the paper's order: the setup, phase 1, phase 2, the Lyapunov function, Lion-K,
    /// the λ sweep, and the discussion.
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        let lab = try report.phase("setup: problems and reference solutions") { try Lab(config: c, options: options, report: report) }
        lab.writeSetup()
        let main = try report.phase("experiment 1: phase 1 from outside the box") { try lab.phaseOne() }
        report.phase("experiment 2: phase 2, the limit point") { lab.phaseTwo(main) }
        try report.phase("experiment 3: the Lyapunov function") { try lab.lyapunovExperiment() }
        try report.phase("experiment 4: Lion-K") { try lab.lionK(main) }
        try report.phase("experiment 5: the λ sweep") { try lab.lambdaSweep() }
        report.discussion(lab.discussionText)
    }
}
