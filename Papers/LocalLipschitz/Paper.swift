import Foundation
import Numerics
import Learning
import Notebook

public enum LocalLipschitz {
    public static let info = PaperInfo(
        slug: "local-lipschitz",
        target: "LocalLipschitz",
        title: "Efficiently Computing Local Lipschitz Constants of Neural Networks via Bound Propagation",
        authors: ["Zhouxing Shi", "Yihan Wang", "Huan Zhang", "J. Zico Kolter", "Cho-Jui Hsieh"],
        year: 2022,
        venue: "NeurIPS",
        arxiv: "2210.07394",
        bibtex: """
        @inproceedings{shi2022efficiently,
          title     = {Efficiently Computing Local Lipschitz Constants of Neural Networks via Bound Propagation},
          author    = {Shi, Zhouxing and Wang, Yihan and Zhang, Huan and Kolter, J. Zico and Hsieh, Cho-Jui},
          booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
          volume    = {35},
          year      = {2022},
          eprint    = {2210.07394},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        The local Lipschitz constant of a ReLU network over an input box is the largest norm of its \
        Clarke Jacobian there, and the Clarke Jacobian is itself computed by a small graph: the backward \
        pass of the chain rule, whose only nonlinearities are products of a back-propagated gradient \
        with the ReLU's derivative σ'(z) (a step function of the forward pre-activation, set-valued at \
        0) and, at the end, the norm. The paper appends this backward graph to the forward network and \
        runs linear bound propagation (CROWN) through the whole: each nonlinearity gets tight linear \
        upper and lower bounds, the bounds are pushed back to the input and maximized over the box. \
        Intervals on the same graph (what RecurJac amounts to) lose the correlations that the linear \
        bounds keep, and the product of weight norms ignores the box altogether. Because it is bound \
        propagation, branch and bound on the ReLU phases, as in neural-network verification, tightens \
        it further, towards the exact value that mixed-integer methods can only reach on tiny networks.
        """,
        defaultSeed: 20221013,
        theme: .lipschitz,
        lesson: "Local Lipschitz constants by bound propagation on the Clarke Jacobian, against naive norms, interval arithmetic and an exact answer on small networks."
    )

    /// The named random streams; network i uses `initialization + i`, the lower bound of the k-th
    /// analysis of an experiment `<experiment> + k`.
    enum Stream: UInt64, CaseIterable {
        case data = 0, initialization = 100, tinyLowerBound = 200, widthLowerBound = 300,
             depthLowerBound = 400, radiusLowerBound = 500, radiusCopyInitialization = 600

        func offset(_ k: Int) -> Int { Int(rawValue) + k }
    }

    /// Every size of the experiments, in one place.
    struct Config {
        var points: Int            // synthetic data set size (70% train, 30% test)
        var epochs: Int
        var tiny: [[Int]]          // hidden widths of the tiny networks (exact value computed)
        var widths: [Int]          // width sweep: two hidden layers of this width
        var depths: [Int]          // depth sweep: depth − 1 hidden layers of width `depthWidth`
        var depthWidth: Int
        var epsilon: Double        // radius of the ℓ∞ box for the sweeps
        var tinyEpsilons: [Double] // radii at which the tiny networks are compared with the exact value
        var epsilonGrid: [Double]  // radius sweep (claim 3) on `epsilonNet`
        var epsilonNet: [Int]
        var radiusNetworks: Int    // independently trained copies of `epsilonNet` in the radius sweep
        var samples: Int           // lower bound: random points
        var restarts: Int          // lower bound: ascent starts per class
        var steps: Int             // lower bound: ascent steps
        var babBudgetTiny: Int     // bounded domains per tiny network
        var babBudget: Int         // bounded domains per sweep network
        var maxLinearPrograms: Int // the exact method gives up beyond this many linear programs
        var optimizationSweeps = 3 // coordinate-descent sweeps over the relaxation choice (0: least-volume rule only)

        static let quick = Config(points: 4000, epochs: 6, tiny: [[8, 8], [6, 6, 6]], widths: [16, 32], depths: [3, 4],
                                  depthWidth: 16, epsilon: 0.1, tinyEpsilons: [0.1, 0.2, 0.3], epsilonGrid: [0.01, 0.03, 0.1, 0.3], epsilonNet: [16, 16], radiusNetworks: 3,
                                  samples: 400, restarts: 4, steps: 15, babBudgetTiny: 100, babBudget: 40,
                                  maxLinearPrograms: 200_000)
        static let full = Config(points: 10_000, epochs: 10, tiny: [[8, 8], [16, 16], [8, 8, 8]], widths: [16, 32, 64, 128],
                                 depths: [3, 4, 5, 6, 7, 8], depthWidth: 32, epsilon: 0.1, tinyEpsilons: [0.1, 0.2, 0.3],
                                 epsilonGrid: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], epsilonNet: [32, 32], radiusNetworks: 5,
                                 samples: 2000, restarts: 8, steps: 30, babBudgetTiny: 1000, babBudget: 300,
                                 maxLinearPrograms: 2_000_000)

        /// The setup table: every value with its reason.
        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("data", "\(points) points in [0,1]^\(Networks.inputs), \(5 * Networks.inputs) leaders, \(Networks.classes) classes",
                        "random k-leaders set of LipMIP, as the authors' generator; 70/30 split"),
                Setting("training", "Adam, lr 1e-3, batch 256, \(epochs) epochs", "the authors' recipe (10 epochs)"),
                Setting("tiny networks (exact value)", tiny.map(Networks.label).joined(separator: ", "), "small enough for region enumeration"),
                Setting("radii of the tiny networks", tinyEpsilons, "from few to most neurons unstable on the box"),
                Setting("width sweep", widths.map { Networks.label([$0, $0]) }.joined(separator: ", "), "two hidden layers, as the authors' width models"),
                Setting("depth sweep", depths.map { "depth \($0)" }.joined(separator: ", "), "depth − 1 hidden layers of width \(depthWidth)"),
                Setting("box of the sweeps", "B∞(x₀, ε), x₀ = 0.5·1, ε = \(Fmt.g(epsilon))", "x₀ is the authors' evaluation point"),
                Setting("ε sweep", epsilonGrid, "from one activation region to most neurons unstable"),
                Setting("networks of the ε sweep", "\(radiusNetworks) × \(Networks.label(epsilonNet))", "independently trained, so that claim 3's counts do not rest on one network"),
                Setting("lower bound", "\(samples) samples; ascent \(restarts) starts × \(steps) steps per class", "half uniform, half vertices of the box"),
                Setting("BaB budget", "\(babBudgetTiny) domains (tiny), \(babBudget) (others)", "bounded sub-domains, fixed in advance so that the report is deterministic"),
                Setting("exact method limit", maxLinearPrograms, "linear programs; beyond it the run stops with an error"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     We bound the ℓ∞ local Lipschitz constant of small ReLU classifiers over an input box from above in
     four ways and from below in one, and compare them with the exact value where it can be computed:

     - **naive**: the product of the layers' operator norms (global, ignores the box);
     - **interval**: interval arithmetic on the Clarke Jacobian's backward graph (RecurJac-style);
     - **ours**: the paper's linear bound propagation through that backward graph, with linear
       relaxations of its nonlinearities, linked to the input through the forward network;
     - **ours + BaB**: branch and bound on the phases of unstable neurons, on top of ours;
     - **lower bound**: the largest gradient norm found by sampling and smoothed gradient ascent;
     - **exact** (tiny networks only): the maximum over all activation regions that meet the box, each
       region's feasibility decided by linear programs.

     The claims checked: on tiny networks ours is close to exact and BaB closes most of the gap; the
     ordering lower ≤ exact ≤ ours ≤ interval ≤ naive holds everywhere and ours is much tighter than
     interval and naive on the wider and deeper networks; as the box grows, ours stays tight longer
     than interval and ends well below it.
     */
    /// The notebook, in the paper's order: setup, method, the three experiments, discussion.
    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        let (networks, copies) = try Networks.setup(config: config, seed: options.seed, report: report)
        Methods.weave(report)
        let study = Study(config: config, seed: options.seed, networks: networks, radiusCopies: copies, report: report)
        let tinyViolations = try report.phase("experiment 1: tiny networks against the exact value") { try TinyNetworks.run(study) }
        try report.phase("experiment 2: width and depth sweeps") { try Sweeps.run(study, earlierViolations: tinyViolations) }
        try report.phase("experiment 3: the radius ε") { try Radius.run(study) }
        report.discussion(Methods.scope)
    }
}
