import Foundation
import Numerics
import Learning
import Notebook

public enum OverparamSlowsGD {
    public static let info = PaperInfo(
        slug: "overparam-slows-gd",
        target: "OverparamSlowsGD",
        title: "How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing: The Curses of Symmetry and Initialization",
        authors: ["Nuoya Xiong", "Lijun Ding", "Simon S. Du"],
        year: 2024,
        venue: "ICLR",
        arxiv: "2310.01769",
        bibtex: """
        @inproceedings{xiong2024overparameterization,
          title     = {How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing:
                       The Curses of Symmetry and Initialization},
          author    = {Xiong, Nuoya and Ding, Lijun and Du, Simon S.},
          booktitle = {The Twelfth International Conference on Learning Representations (ICLR)},
          year      = {2024},
          eprint    = {2310.01769},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Fitting a rank-r matrix with a factorization of rank k > r costs gradient descent dearly. With \
        a symmetric factor X Xᵀ the k − r spurious directions shrink only like the cube of their own \
        size, so the error decays like 1/T instead of geometrically. An asymmetric factor F Gᵀ restores \
        a geometric rate, because the imbalance FᵀF − GᵀG (which GD nearly preserves) damps the \
        spurious directions, but that imbalance is only as large as the initialization, so the rate is \
        exp(−Ω(α²T)). Re-balancing once, late in the run, makes the rate independent of α.
        """,
        defaultSeed: 20231003,
        theme: .overparameterization,
        lesson: "Why over-parameterizing a symmetric low-rank factorization turns gradient descent's linear rate into 1/T, and what an asymmetric factorization costs instead."
    )

    /// The named random streams of the run (`RandomSource.stream(seed:, Stream.x.rawValue)`).
    enum Stream: UInt64, CaseIterable {
        case symmetricProblem, symmetricInitialization, asymmetricProblem, asymmetricInitialization, largerOperator
    }

    /// Every size and step of the experiments, in one place.
    struct Config {
        var n: Int                    // M* is n x n
        var r: Int                    // its rank
        var m: Int                    // number of Gaussian measurements
        var kOver: Int                // over-parameterized rank k > r
        var eta: Double               // GD step size
        var condition: Double         // κ = σ₁/σ_r of M*
        var alphaSymmetric: Double
        var symmetricIterations: Int
        var asymmetricIterations: Int
        var alphas: [Double]          // initialization scales for the F Gᵀ runs
        var rebalanceAt: Int          // iteration of the one-step modification (sensing loss)
        var populationRebalanceAt: Int // the same on the population loss, which converges faster
        var roundOffFloor: Double     // relative error below which round-off dominates
        var largerM: Int              // measurements of the larger-m control of claim 4
        var largerMIterations: Int    // its run length (it converges faster)

        static let quick = Config(n: 20, r: 3, m: 300, kOver: 5, eta: 0.1, condition: 2, alphaSymmetric: 0.01,
                                  symmetricIterations: 20_000, asymmetricIterations: 2_000,
                                  alphas: [0.1, 0.05, 0.025], rebalanceAt: 1_000, populationRebalanceAt: 400, roundOffFloor: 1e-12,
                                  largerM: 900, largerMIterations: 1_500)
        static let full = Config(n: 50, r: 3, m: 750, kOver: 5, eta: 0.1, condition: 2, alphaSymmetric: 0.01,
                                 symmetricIterations: 40_000, asymmetricIterations: 6_000,
                                 alphas: [0.08, 0.04, 0.02], rebalanceAt: 1_500, populationRebalanceAt: 400, roundOffFloor: 1e-12,
                                 largerM: 2_250, largerMIterations: 3_000)

        var spectrum: [Double] { LowRankTruth.geometricSpectrum(rank: r, condition: condition) }

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("n (M* is n x n)", n, "the paper's figures use 50 x 50 and rank 3 (as its public reviews describe them)"),
                Setting("rank r", r, ""),
                Setting("eigenvalues of M*", spectrum, "geometric from 1 to 1/κ, κ = \(Fmt.g(condition))"),
                Setting("measurements m", m, "\(Fmt.g(Double(m) / Double(n * r), 3)) · n r; the population runs use no measurements"),
                Setting("over-parameterized rank k", kOver, "exact-rank runs use k = r"),
                Setting("step size η", eta, "the same for every run; stable for ||M*|| = 1"),
                Setting("α, symmetric runs", alphaSymmetric, "X₀ has iid N(0, α²) entries"),
                Setting("α, asymmetric runs", alphas, "F₀ ~ N(0, α²), G₀ ~ N(0, (α/3)²), the paper's imbalanced start"),
                Setting("iterations, symmetric", symmetricIterations, "long enough for a decade of the 1/T tail"),
                Setting("iterations, asymmetric", asymmetricIterations, "long enough to fit the α² rates"),
                Setting("one-step modification at, sensing", rebalanceAt, "iteration; the product is near M* by then"),
                Setting("one-step modification at, population", populationRebalanceAt,
                        "iteration; earlier, so that the plain run at the largest α is still far above the round-off floor"),
                Setting("round-off floor", roundOffFloor, "relative error; fits stop there"),
                Setting("larger-m control", "m = \(largerM), \(largerMIterations) iterations",
                        "asymmetric, smallest α only: one-step fix and exact rank, to see how m moves their ratio"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     We recover a low-rank matrix M* from Gaussian linear measurements yᵢ = ⟨Aᵢ, M*⟩ by gradient
     descent on a factorization. The paper's message, which this notebook checks claim by claim:

     - with the symmetric factorization X Xᵀ and the exact rank (k = r), GD converges linearly;
     - over-parameterizing it (k > r) makes GD sublinear, with a lower bound Ω(1/T²) on the squared
       error ||X_T X_Tᵀ − M*||_F² ("the curse of symmetry");
     - the asymmetric factorization F Gᵀ with k > r converges linearly again, but at a rate
       exp(−Ω(α² T)) that degrades with the initialization scale α ("the curse of initialization");
     - a single modified step removes the α-dependence.

     The over-parameterized experiments run on the sensing loss with m Gaussian measurements and,
     as a control, on its population limit ½||M − M*||_F² (infinitely many measurements), where the
     1/T tail and the rate after the modified step have closed forms that the notebook checks.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        /*: setup
         **The problem.** M* is n x n, of rank r, with singular values spread geometrically from 1
         down to 1/κ and Haar-random singular vectors (positive semi-definite for the symmetric
         problem). The sensing matrices are Aᵢ = (Gᵢ + Gᵢᵀ)/2 with iid N(0,1) entries in Gᵢ for the
         symmetric problem (so ⟨Aᵢ, M⟩ has variance ||M||_F² for symmetric M), and Aᵢ = Gᵢ for the
         asymmetric one; in both cases the expected loss is ½||M − M*||_F², the population loss. The
         measurements are noiseless. Every error below is the relative Frobenius error
         ||M_t − M*||_F / ||M*||_F of the current product M_t; the lower bound of claim 2 is about its
         square.
         */
        report.section("Setup")
        report.literate("setup")
        report.setup(c.settings(seed: options.seed))
        let symmetric = try report.phase("symmetric X Xᵀ runs") { try SymmetryExperiment(config: c, seed: options.seed).run() }
        symmetric.write(to: report, config: c)
        let asymmetric = try report.phase("asymmetric F Gᵀ runs") { try InitializationExperiment(config: c, seed: options.seed).run() }
        asymmetric.write(to: report, config: c)
        report.discussion(Discussion.text(symmetric: symmetric, asymmetric: asymmetric, config: c))
    }
}
