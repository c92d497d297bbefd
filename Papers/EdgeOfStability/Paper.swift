import Foundation
import Numerics
import Learning
import Notebook

/*: overview
 The paper observes that full-batch gradient descent on neural networks does not stay where
 classical step-size analysis would put it. The sharpness S (the largest Hessian eigenvalue of the
 training loss) first grows ("progressive sharpening") until it reaches 2/η, the value at which GD on
 a quadratic with that curvature would diverge, and then hovers at or just above 2/η ("the edge of
 stability") while the loss keeps falling, non-monotonically. This notebook checks, on the authors'
 own Chebyshev regression task with their 1-100-1 tanh network and the exact Hessian: the sharpening
 and the edge for three step sizes (C1), the non-monotone but long-run decreasing loss (C2), and that
 heavy-ball momentum moves the edge to (2 + 2β)/η (C3), with the thresholds checked on quadratics in
 closed form, and that GD follows gradient flow (Runge–Kutta, as the authors integrate it) until the
 first crossing and leaves it after (C4). Not run here: the digits/CIFAR experiments, the top few
 eigenvalues beyond the first, and cross-entropy.
 */

/// The table of contents: the paper's facts, the configuration, and the experiments in order.
public enum EdgeOfStability {
    public static let info = PaperInfo(
        slug: "edge-of-stability",
        target: "EdgeOfStability",
        title: "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability",
        authors: ["Jeremy Cohen", "Simran Kaur", "Yuanzhi Li", "J. Zico Kolter", "Ameet Talwalkar"],
        year: 2021,
        venue: "ICLR",
        arxiv: "2103.00065",
        bibtex: """
        @inproceedings{cohen2021gradient,
          title     = {Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability},
          author    = {Cohen, Jeremy and Kaur, Simran and Li, Yuanzhi and Kolter, J. Zico and Talwalkar, Ameet},
          booktitle = {International Conference on Learning Representations (ICLR)},
          year      = {2021},
          eprint    = {2103.00065},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Step-size folklore says gradient descent is safe while η is below 2/L, L the curvature. On \
        neural networks the curvature is not fixed: trained with full-batch GD, the sharpness of the \
        loss grows until it reaches 2/η, exactly where a quadratic model says GD must become \
        unstable, and then stays there. GD does not diverge; the loss oscillates over a few steps but \
        keeps decreasing over many, with the sharpness held at the edge by the dynamics themselves. \
        Heavy-ball momentum shifts the edge to its own threshold (2 + 2β)/η.
        """,
        defaultSeed: 20210301,
        theme: .secondOrder,
        lesson: "Why full-batch gradient descent drives the sharpness up to 2/η and then trains at that edge, non-monotonically but without diverging.",
        readFirst: ["hessian-spectrum"]
    )

    /// The random streams of this paper.
    enum Stream: UInt64, CaseIterable { case network }

    struct Config {
        var degree: Int              // Chebyshev degree k of the targets
        var points: Int              // n training points on [−1, 1]
        var width: Int               // hidden tanh units
        var gain: Double             // Xavier-normal gain of the first layer
        var etas: [Double]           // GD step sizes
        var steps: Int               // GD steps per run
        var beta: Double             // heavy-ball momentum
        var momentumEtas: [Double]
        var momentumSteps: Int
        var sharpnessEvery: Int      // steps between sharpness measurements

        static let full = Config(degree: 3, points: 20, width: 100, gain: 1.9, etas: [0.4, 0.3, 0.2], steps: 3_000,
                                 beta: 0.5, momentumEtas: [0.45, 0.35], momentumSteps: 2_000, sharpnessEvery: 5)
        static let quick = Config(degree: 3, points: 20, width: 100, gain: 1.9, etas: [0.4], steps: 600,
                                  beta: 0.5, momentumEtas: [0.45], momentumSteps: 600, sharpnessEvery: 5)

        func settings(seed: UInt64) -> [Setting] {
            [Setting("data", "\(points) points evenly spaced on [−1, 1], y = T_\(degree)(x)", "the authors' chebyshev-\(degree)-\(points) (their code offers degrees 3, 4, 5; we take the first)"),
             Setting("network", "1-\(width)-1, tanh, no output bias", "the authors' `regression` architecture"),
             Setting("initialization", "W₀ ~ N(0, \(Fmt.g(gain))²·2/(1 + \(width))), b₀ = 0, W₁ ~ N(0, 2/(\(width) + 1))", "Xavier normal, gain \(Fmt.g(gain)) on the first layer, as in the authors' code; one draw shared by all runs"),
             Setting("loss", "L = (1/n) Σ ½ (f − y)²", "the authors' square loss (half the squared error, averaged); S and 2/η refer to this L"),
             Setting("GD step sizes η", etas, "2/η = \(Fmt.list(etas.map { 2 / $0 })): all above S(0), reached within the run"),
             Setting("GD steps", steps, "the edge phase fills at least the last third of every run"),
             Setting("momentum β", beta, "edge (2 + 2β)/η is 1.5 times 2/η, so the two plateaus are easy to tell apart"),
             Setting("momentum step sizes η", momentumEtas, "(2 + 2β)/η = \(Fmt.list(momentumEtas.map { Quadratic.threshold(beta: beta) / $0 }))"),
             Setting("momentum steps", momentumSteps, ""),
             Setting("sharpness every", "\(sharpnessEvery) steps", "Lanczos (30 steps, warm-started) on exact Hessian-vector products; dense 300 x 300 check at each run's end"),
             Setting("precision", "Float64", ""),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(config.settings(seed: options.seed))
        let data = Task.chebyshev(degree: config.degree, points: config.points)
        var rng = RandomSource.stream(seed: options.seed, Stream.network)
        let start = Task.network(width: config.width, gain: config.gain, rng: &rng)
        let gd = try Edge.run(config, data: data, start: start, report: report)
        try Momentum.run(config, data: data, start: start, report: report)
        try Flow.run(config, data: data, start: start, gd: gd, report: report)
    }
}
