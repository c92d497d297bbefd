import Foundation
import Numerics
import Learning
import Notebook

public enum IncrementalLearning {
    public static let info = PaperInfo(
        slug: "incremental-learning",
        target: "IncrementalLearning",
        title: "Understanding Incremental Learning of Gradient Descent: A Fine-grained Analysis of Matrix Sensing",
        authors: ["Jikai Jin", "Zhiyuan Li", "Kaifeng Lyu", "Simon S. Du", "Jason D. Lee"],
        year: 2023,
        venue: "ICML",
        arxiv: "2301.11500",
        bibtex: """
        @inproceedings{jin2023understanding,
          title     = {Understanding Incremental Learning of Gradient Descent: A Fine-grained Analysis of Matrix Sensing},
          author    = {Jin, Jikai and Li, Zhiyuan and Lyu, Kaifeng and Du, Simon S. and Lee, Jason D.},
          booktitle = {Proceedings of the 40th International Conference on Machine Learning (ICML)},
          series    = {Proceedings of Machine Learning Research},
          volume    = {202},
          pages     = {15200--15238},
          year      = {2023},
          eprint    = {2301.11500},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Gradient descent on X Xᵀ from a tiny random start behaves like a greedy algorithm. While X is \
        small the dynamics are linear, X ← (I + ηR)X with R the residual matrix, so each eigen-direction \
        of R grows geometrically at its own rate and the largest wins by a margin that widens as α \
        shrinks. When the top direction has been fitted, the residual changes, its new top direction \
        takes over, and so on: the iterate visits the best rank-1, rank-2, … solutions in turn, with a \
        loss plateau at each, and reaches the ground truth last. The smaller α, the longer each plateau \
        (linearly in log(1/α)) and the closer the visit. With fewer columns than the true rank, the \
        same mechanism stops at the best solution of that rank.
        """,
        defaultSeed: 20230127,
        theme: .overparameterization,
        lesson: "Why gradient descent from a small start learns a low-rank matrix one rank at a time, how long each plateau lasts, and how close it comes to each best low-rank solution.",
        readFirst: ["overparam-slows-gd", "scaledgd-lambda"]
    )

    /// The random streams of the run; seed index j uses sub-stream j of each.
    enum Stream: UInt64, CaseIterable { case eigenvectors, sensingOperator, initialFactor }

    /// Every size, step and budget, each with its reason (the setup table is made from these).
    struct Config {
        var n: Int
        var spectrum: [Double]          // eigenvalues of M*, well separated
        var m: Int
        var kOver: Int                  // the over-parameterized factor rank
        var kUnder: [Int]               // under-parameterized ranks (< r*)
        var eta: Double
        var alphas: [Double]            // initialization scales of C1 and C2 (descending)
        var plateauAlphaMax: Double     // the plateau rule is required at α ≤ this
        var underAlphas: [Double]
        var seeds: Int
        var iterations: Int
        var underIterations: Int
        var closeEnough = 1e-3          // C1: relative distance to Z_s at the smallest α
        var roundOffFloor = 1e-12       // C1: closest approaches below this are left out of the power fits
        var underTolerance = 1e-6       // C3: relative distance to Z_k at the end

        var r: Int { spectrum.count }

        static let quick = Config(n: 20, spectrum: [1, 1.0 / 3, 1.0 / 9], m: 600, kOver: 5, kUnder: [1, 2], eta: 0.2,
                                  alphas: [1e-2, 1e-3, 1e-4, 1e-5, 1e-6], plateauAlphaMax: 1e-4, underAlphas: [1e-2, 1e-6],
                                  seeds: 3, iterations: 1_000, underIterations: 800)
        static let full = Config(n: 30, spectrum: [1, 1.0 / 3, 1.0 / 9], m: 900, kOver: 5, kUnder: [1, 2], eta: 0.2,
                                 alphas: [1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-14, 1e-16], plateauAlphaMax: 1e-4,
                                 underAlphas: [1e-2, 1e-6], seeds: 5, iterations: 2_400, underIterations: 1_200)

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("n (M* is n x n)", n, "within the 20–30 of the matrix-sensing notebooks; our choice"),
                Setting("eigenvalues of M*", spectrum, "rank r* = \(r), ratio 3 between neighbours: well separated, our choice"),
                Setting("measurements m", m, "\(m / (n * r)) · n r*, Gaussian symmetric Aᵢ, noiseless"),
                Setting("factor rank k (C1, C2)", kOver, "over-parameterized, k > r*"),
                Setting("factor ranks k (C3)", kUnder.map(String.init).joined(separator: ", "), "under-parameterized, k < r*"),
                Setting("step η", eta, "for L = (1/4m)Σ(⟨Aᵢ, XXᵀ⟩ − yᵢ)²; ηλ₁ = \(Fmt.g(eta * spectrum[0]))"),
                Setting("α (C1, C2)", alphas, "X₀ = α·G, one draw G per seed scaled by every α; full mode reaches 10⁻¹⁶ because the slopes of C2 are α → 0 values"),
                Setting("plateau rule required at", "α ≤ \(Fmt.g(plateauAlphaMax))", "larger α blur the plateaus by design of the theory (α → 0)"),
                Setting("α (C3)", underAlphas, "a small and a moderate start"),
                Setting("round-off floor of the power fits", roundOffFloor, "relative distances below it (α ≲ 10⁻¹³ on the population loss) are left out"),
                Setting("seeds", seeds, "each seed draws its own M*, operator and G"),
                Setting("iterations", "\(iterations) (C1, C2), \(underIterations) (C3)", "enough to reach M* (or Z_k) from the smallest α"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     Jin, Li, Lyu, Du and Lee study gradient descent on a factorized matrix-sensing loss from a small
     random start and show that it does not fit the ground truth all at once: it learns it one rank
     at a time. From X₀ = α·G the iterate first sits near zero, then escapes along the top eigen-direction
     and settles near the best rank-1 solution, stays there for a while (a loss plateau), escapes
     again to the best rank-2 solution, and so on until it reaches M*. As α → 0 the iterate gets
     arbitrarily close to each best rank-s solution, and with a factor of rank k < r*
     (under-parameterized) GD stops at the best rank-k solution. This notebook checks three claims:

     - **C1** GD with small initialization passes through loss plateaus at the best rank-s solutions
       Z_s (computed by a second algorithm), and its distance to each Z_s goes to zero as α → 0; we
       fit how (a power of α) and derive the power in the population limit;
     - **C2** the iteration at which rank s is learned grows linearly in log(1/α), with slopes set
       by the eigenvalues; we derive the slopes from the linearized dynamics and compare;
     - **C3** with k < r*, GD ends at the best rank-k solution.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        /*: setup
         **The problem.** M* = U diag(λ₁, λ₂, λ₃) Uᵀ with U Haar on the n x 3 Stiefel manifold. The
         sensing matrices are Aᵢ = (Gᵢ + Gᵢᵀ)/2 with iid N(0, 1) entries in Gᵢ, so that
         E⟨Aᵢ, M⟩² = ||M||_F² and the expected loss is the population loss. Every distance below is
         the relative Frobenius distance ||X Xᵀ − Z||_F / ||Z||_F of the product to a reference Z.
         The paper's own experimental settings were not available to us beyond the abstract, so
         every size, step and scale here is our choice (setup table).
         */
        report.literate("setup")
        report.setup(c.settings(seed: options.seed))
        report.literate("dynamics", file: Literate.sibling("Dynamics.swift"))
        report.code("gd", file: Literate.sibling("Dynamics.swift"))
        report.code("gd-step", file: Literate.sibling("Dynamics.swift"))
        let lab = try report.phase("problems and best rank-s solutions") { try Lab(config: c, seed: options.seed) }
        lab.writeReferences(to: report)
        let over = try report.phase("over-parameterized runs") { try Incremental.run(lab) }
        over.write(to: report, lab: lab)
        let under = try report.phase("under-parameterized runs") { try UnderParameterized.run(lab) }
        under.write(to: report, lab: lab)
        report.discussion(Discussion.text(over: over, under: under, lab: lab))
    }
}
