import Foundation
import Numerics
import Learning
import Notebook

/// The table of contents: the paper's facts, the configuration (each value with its reason), and the
/// experiments in the paper's order, one file each.
public enum DoG {
    public static let info = PaperInfo(
        slug: "dog",
        target: "DoG",
        title: "DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size Schedule",
        authors: ["Maor Ivgi", "Oliver Hinder", "Yair Carmon"],
        year: 2023,
        venue: "ICML",
        arxiv: "2302.12022",
        bibtex: """
        @inproceedings{ivgi2023dog,
          title     = {{DoG} is {SGD}'s Best Friend: A Parameter-Free Dynamic Step Size Schedule},
          author    = {Ivgi, Maor and Hinder, Oliver and Carmon, Yair},
          booktitle = {International Conference on Machine Learning (ICML)},
          year      = {2023},
          eprint    = {2302.12022},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        SGD needs a learning rate, and the right one depends on quantities nobody knows in advance: how \
        far the start x₀ is from a solution (D) and how large the gradients are (G); on a convex problem \
        the ideal constant step for T steps is about D/(G√T). DoG ("distance over gradients") estimates \
        both as it goes: its step η_t = max_{i≤t} ||x_i − x₀|| / √(Σ_{i≤t} ||g_i||²) divides the \
        largest distance travelled so far by the root of the summed squared gradient norms. It starts \
        from a tiny movement r_ε, grows the step geometrically while the iterates move away from x₀, and \
        settles once the distance stops growing. The paper proves that a slightly damped variant (T-DoG) \
        keeps its iterates in a ball of radius O(D) and converges like tuned SGD up to log factors; it \
        reports that DoG with iterate averaging comes close to tuned SGD on transfer-learning tasks, and \
        that a per-layer version (L-DoG) lands between tuned SGD and tuned Adam.
        """,
        defaultSeed: 20230223,
        theme: .optimizers,
        lesson: "A learning-rate-free step size, distance travelled over root-summed squared gradients, measured against a tuned learning-rate grid, an exact optimum and its own one knob.",
        readFirst: ["adamw"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of the run (replicate r uses stream k + 16r for the per-replicate ones).
    enum Stream: UInt64, CaseIterable {
        case split = 0            // the train/test split of the digits (one for the whole run)
        case initialization = 1   // the MLP's initial weights (the convex problem starts at 0)
        case batchOrder = 2       // the mini-batch order
    }

    /// Every size and grid of the experiments, in one place, each with its reason.
    struct Config: Sendable {
        /// Training images; the rest of the 1797 are the test set.
        var trainCount = 1000
        var batch = 32
        /// Independent replicates (mini-batch order; for the MLP also the initialization).
        var replicates: Int
        /// The convex problem: epochs and its weight decay λ (it makes x* exist and unique).
        var convexEpochs: Int
        var convexLambda = 1e-3
        /// The MLP: widths and epochs (no weight decay).
        var hidden = [64]
        var networkEpochs: Int
        /// Learning-rate grids in half-decade steps.
        var convexSGD: [Double]
        var networkSGD: [Double]
        var networkAdam: [Double]
        /// SGD's momentum on the MLP (the usual baseline; the convex problem uses plain SGD, the method DoG sets the step of).
        var networkMomentum = 0.9
        /// The authors' default reps_rel, used everywhere except the sweep.
        var repsRel = 1e-6
        /// The r_ε sweep: the stated range of insensitivity, and the values shown beyond it.
        var sweepInside: [Double] = [1e-10, 1e-8, 1e-6, 1e-4]
        var sweepBeyond: [Double] = [1e-2, 1, 100]
        /// The averager's γ (the authors' default).
        var gamma = 8.0

        static func halfDecades(_ from: Double, _ count: Int) -> [Double] {
            (0..<count).map { from * Foundation.pow(10, 0.5 * Double($0)) }
        }

        static let full = Config(replicates: 5, convexEpochs: 64, networkEpochs: 30,
                                 convexSGD: halfDecades(1e-2, 8), networkSGD: halfDecades(3.1622776601683795e-3, 6),
                                 networkAdam: halfDecades(3.1622776601683795e-4, 6))
        static let quick = Config(replicates: 3, convexEpochs: 20, networkEpochs: 8,
                                  convexSGD: halfDecades(1e-1, 4), networkSGD: halfDecades(3.1622776601683795e-2, 3),
                                  networkAdam: halfDecades(3.1622776601683795e-3, 3), sweepInside: [1e-10, 1e-6, 1e-4], sweepBeyond: [100])

        var convexSteps: Int { convexEpochs * ((trainCount + batch - 1) / batch) }
        var networkSteps: Int { networkEpochs * ((trainCount + batch - 1) / batch) }

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("data", "UCI 8x8 digits, pixels/16, \(trainCount) training / \(1797 - trainCount) test images",
                        "one seeded split for the whole run; the paper's tasks are transfer learning on images and text"),
                Setting("convex problem", "multinomial logistic regression 64 → 10 with biases, x₀ = 0, F(x) = mean cross-entropy + (λ/2)||x||², λ = \(Fmt.g(convexLambda))",
                        "λ > 0 makes the minimizer x* unique, so D = ||x₀ − x*|| is defined; small enough that the fit is not dominated by the penalty"),
                Setting("network", "64 → \(hidden.map(String.init).joined(separator: " → ")) → 10, ReLU, He init, no weight decay", "the smallest network with a hidden layer for L-DoG to split"),
                Setting("training", "batch \(batch); \(convexEpochs) epochs (\(convexSteps) steps) convex, \(networkEpochs) epochs (\(networkSteps) steps) MLP; no schedule",
                        "thousands of steps, as in the paper's runs: DoG first spends a warm-up growing its step from r_ε (experiment 3 measures it); no schedule, since DoG has none, and the same averaging for all"),
                Setting("SGD grid, convex", "plain SGD, η ∈ \(Fmt.list(convexSGD) { Fmt.g($0, 3) })", "half-decade steps; the best lies inside the grid"),
                Setting("SGD grid, MLP", "μ = \(networkMomentum), η ∈ \(Fmt.list(networkSGD) { Fmt.g($0, 3) })", "momentum 0.9, the usual SGD baseline"),
                Setting("Adam grid, MLP", "β = (0.9, 0.999), δ = 1e-8, η ∈ \(Fmt.list(networkAdam) { Fmt.g($0, 3) })", "Adam's defaults; half-decade steps"),
                Setting("DoG", "reps_rel = \(Fmt.g(repsRel)): r_ε = reps_rel·(1 + ||x₀||) per block, ε = 1e-8 in Σ||g||², c = 1",
                        "the authors' defaults (formll/dog)"),
                Setting("L-DoG blocks", "each weight matrix and each bias vector", "one block per tensor, as in formll/dog"),
                Setting("T-DoG", "η_t = r̄_t / √(G'_t·log₊²(1 + G'_t/G'₀)), G'_t = 8⁴·log₊²(1 + t·ḡ_t²/ḡ₀²)·(G_{t−1} + 16ḡ_t²), log₊ = max(1, ln)",
                        "the tamed variant of the paper's Section 3.3 as we read it; the authors' code has no T-DoG"),
                Setting("averaging", "polynomial decay, γ = \(Fmt.g(gamma)): x̄_t = (1 − w_t)x̄_{t−1} + w_t x_t, w_t = (1+γ)/(t+γ)",
                        "the authors' averager and default; applied to every method"),
                Setting("r_ε sweep", "reps_rel ∈ \(Fmt.list(sweepInside)) (the stated range), and \(Fmt.list(sweepBeyond)) beyond it",
                        "the authors suggest 1e-6, and 1e-4 for networks with batch normalization"),
                Setting("replicates", replicates, "mini-batch order (and the MLP's initialization); decisions use mean ± se over them"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     The notebook checks the paper's statements, as five claims, on the UCI digits, small enough that every method
     can be tuned on a grid in a minute: (1) on a convex problem, multinomial logistic regression, DoG
     with iterate averaging comes close to SGD with the best learning rate of a grid, and averaging
     helps; (2) its step size lands near the ideal constant step D/(G√T), which we can compute because
     Newton's method gives the exact minimizer x*; (3) on a small MLP, DoG is close to tuned SGD and
     the per-layer L-DoG lies between tuned SGD and tuned Adam; (4) the one knob, the initial movement
     r_ε, hardly matters over several orders of magnitude; (5) the iterates stay within a few D of the
     start, for DoG and for the tamed T-DoG that the paper's theory covers. The paper's own experiments
     fine-tune large vision and language models; ours are far smaller, so what carries over is the
     mechanism and the comparisons, not the paper's numbers.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(c.settings(seed: options.seed))
        report.code("dog-step", file: Literate.packageFile("Sources/Learning/DistanceOverGradients.swift"))
        report.code("average", file: Literate.packageFile("Sources/Learning/DistanceOverGradients.swift"))
        var rng = RandomSource.stream(seed: options.seed, Stream.split)
        let split = try DigitsDataset.load().split(trainCount: c.trainCount, rng: &rng)
        let convexProblem = DigitsProblem(split: split, hidden: [], weightDecay: c.convexLambda, batch: c.batch,
                                          epochs: c.convexEpochs, seed: options.seed, gamma: c.gamma)
        let networkProblem = DigitsProblem(split: split, hidden: c.hidden, weightDecay: 0, batch: c.batch,
                                           epochs: c.networkEpochs, seed: options.seed, gamma: c.gamma)
        let convex = try report.phase("experiment 1: logistic regression, the grid, DoG and Newton's x*") {
            try Convex.run(convexProblem, config: c)
        }
        Convex.report(convex, config: c, report: report)
        let network = try report.phase("experiment 2: the MLP, SGD and Adam grids, DoG and L-DoG") {
            try Network.run(networkProblem, config: c)
        }
        Network.report(network, config: c, report: report)
        let sweep = try report.phase("experiment 3: the r_ε sweep") {
            try Sensitivity.run(convex: convexProblem, network: networkProblem, optimum: convex.optimum, config: c)
        }
        Sensitivity.report(sweep, config: c, report: report)
        Bounded.report(convex, sweep: sweep, config: c, report: report)
        report.discussion(Discussion.text(convex: convex, network: network, sweep: sweep, config: c))
    }
}
