import Foundation
import Numerics
import Learning
import Notebook

public enum InfluenceFunctions {
    public static let info = PaperInfo(
        slug: "influence-functions",
        target: "InfluenceFunctions",
        title: "Understanding Black-box Predictions via Influence Functions",
        authors: ["Pang Wei Koh", "Percy Liang"],
        year: 2017,
        venue: "ICML",
        arxiv: "1703.04730",
        bibtex: """
        @inproceedings{koh2017understanding,
          title     = {Understanding Black-box Predictions via Influence Functions},
          author    = {Koh, Pang Wei and Liang, Percy},
          booktitle = {Proceedings of the 34th International Conference on Machine Learning (ICML)},
          pages     = {1885--1894},
          year      = {2017},
          eprint    = {1703.04730},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        How would a model's prediction change if one training point were removed? Retraining once per \
        point answers it exactly and costs n trainings. The influence function answers it to first order \
        from the trained model alone: the change of a test loss is (1/n) ∇ℓ_testᵀ H⁻¹ ∇ℓ(z), one \
        inverse-Hessian-vector product per test point, which conjugate gradient or a stochastic Neumann \
        series (LiSSA) compute from Hessian-vector products without ever forming H. The paper shows that \
        the prediction matches leave-one-out retraining on logistic regression, is still informative on a \
        non-convex network with a damped Hessian, works for the hinge loss through a smooth surrogate, and \
        ranks training points so that flipped labels are found early.
        """,
        defaultSeed: 20170314,
        theme: .secondOrder,
        lesson: "How one inverse-Hessian-vector product predicts what removing each training point would do, when that first-order prediction is exact to O(1/n), and how conjugate gradient and LiSSA compute it.",
        readFirst: ["hessian-spectrum"]
    )

    /// The named random streams of the run.
    enum Stream: UInt64, CaseIterable {
        case split, regression, randomRemovals, lissa, network, hingeSplit, flips
    }

    struct Config {
        // Linear regression (exact check)
        var regressionDimension: Int
        var regressionSizes: [Int]
        // Logistic regression on digits (Fig. 2)
        var lambda: Double
        var topRemovals: Int
        var randomRemovals: Int
        var retrainTolerance: Double
        var cgIterations: Int
        var lissaScale: Double
        var lissaDepth: Int
        var lissaRepeats: Int
        var richardsonDepth: Int
        // Network (Fig. 2 right)
        var networkTrain: Int
        var hidden: Int
        var networkLambda: Double
        var damping: Double
        var networkSeeds: Int
        var networkRemovals: Int
        // Hinge (Fig. 3)
        var temperatures: [Double]
        var hingeLambda: Double
        // Flipped labels (Fig. 6)
        var flipFraction: Double
        var flipSeeds: Int
        var checkFractions: [Double]

        static let full = Config(
            regressionDimension: 10, regressionSizes: [40, 80, 160, 320, 640, 1280],
            lambda: 0.01, topRemovals: 40, randomRemovals: 40, retrainTolerance: 1e-13,
            cgIterations: 400, lissaScale: 25, lissaDepth: 5000, lissaRepeats: 10, richardsonDepth: 3000,
            networkTrain: 200, hidden: 5, networkLambda: 1e-3, damping: 0.01, networkSeeds: 5, networkRemovals: 10,
            temperatures: [0, 0.001, 0.1], hingeLambda: 0.01,
            flipFraction: 0.1, flipSeeds: 5, checkFractions: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3])
        static let quick = Config(
            regressionDimension: 10, regressionSizes: [40, 80, 160, 320],
            lambda: 0.01, topRemovals: 10, randomRemovals: 10, retrainTolerance: 1e-13,
            cgIterations: 400, lissaScale: 25, lissaDepth: 5000, lissaRepeats: 2, richardsonDepth: 600,
            networkTrain: 120, hidden: 4, networkLambda: 1e-3, damping: 0.01, networkSeeds: 2, networkRemovals: 5,
            temperatures: [0, 0.001, 0.1], hingeLambda: 0.01,
            flipFraction: 0.1, flipSeeds: 2, checkFractions: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3])

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("linear regression", "d = \(regressionDimension), n = \(regressionSizes.map(String.init).joined(separator: ", "))", "Gaussian design, exact leave-one-out by Sherman–Morrison"),
                Setting("digits split", "75% train / 25% test", "UCI 8x8 digits (1797 images), pixels / 16, seeded permutation"),
                Setting("λ (logistic regression, SVM)", lambda, "the authors' weight_decay = 0.01 on ‖θ‖²/2 (train_mnist_logreg.py, run_hinge_experiment.py)"),
                Setting("removals, logistic regression", "\(topRemovals) most influential + \(randomRemovals) random", "the paper retrains 500 most influential points of MNIST; fewer here to fit the time budget"),
                Setting("retraining tolerance ‖∇L₋ⱼ‖", retrainTolerance, "Newton warm-started at θ̂; the error bound ‖∇ℓ_test‖·tol/λ is checked against the smallest effect"),
                Setting("LiSSA", "scale \(Fmt.g(lissaScale)), depth \(lissaDepth), \(lissaRepeats) repeats, one sample per step, damping 0", "the authors' settings in train_mnist_logreg.py (10 repeats there)"),
                Setting("full-batch LiSSA (Richardson) depth", richardsonDepth, "s = λ_max; long enough to reach round-off, to compare with the closed form"),
                Setting("network", "64 → \(hidden) tanh → 10, \(networkTrain) training digits, weight decay \(Fmt.g(networkLambda))", "a small MLP stands in for the paper's CNN on MNIST"),
                Setting("damping (network)", damping, "the paper's damping of H for the CNN"),
                Setting("network seeds × removals", "\(networkSeeds) × \(networkRemovals) most influential", "the paper retrains 100 points of one CNN"),
                Setting("smooth hinge temperatures t", temperatures.map { Fmt.g($0) }.joined(separator: ", "), "the authors' temps in run_hinge_experiment.py; t = 0 is the hinge"),
                Setting("SVM data", "digits 1 vs 7, no bias", "the authors' MNIST 1 vs 7, use_bias = False"),
                Setting("flipped labels", "\(Fmt.pct(flipFraction, 0)) of training labels, \(flipSeeds) seeds", "the paper flips 10% of the Enron spam labels; here a random other digit class"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     Koh and Liang revive the influence function of robust statistics to ask which training points are
     responsible for a prediction. Up-weighting a training point z by ε moves the minimizer θ̂ of
     L(θ) = (1/n) Σᵢ ℓ(zᵢ, θ) + (λ/2)‖θ‖² by dθ̂/dε = −H⁻¹ ∇ℓ(z, θ̂), H = ∇²L(θ̂), so the loss at a
     test point changes at the rate
    
         I_up,loss(z, z_test) = −∇ℓ(z_test, θ̂)ᵀ H⁻¹ ∇ℓ(z, θ̂).
    
     Removing z is the up-weighting ε = −1/n, so the predicted change of the test loss on removal is
     ℓ_test(θ̂₋z) − ℓ_test(θ̂) ≈ −(1/n) I_up,loss = (1/n) ∇ℓ_testᵀ H⁻¹ ∇ℓ(z). (The sign: removing a
     point that agrees with the test point, ∇ℓ_testᵀH⁻¹∇ℓ(z) > 0, raises the test loss.) The notebook
     checks, in the paper's order: the first-order accuracy of this formula in 1/n against the exact
     leave-one-out of linear regression; the two matrix-free ways of computing H⁻¹v (conjugate
     gradient and LiSSA) against a dense solve; the predicted against the actual leave-one-out change
     for logistic regression (Fig. 2, left and middle) and for a small network (Fig. 2, right); the
     hinge loss and its smooth approximation (Fig. 3); and finding flipped labels by self-influence
     (Sec. 5.4, Fig. 6).
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(c.settings(seed: options.seed))
        let digits = try DigitsSplit.load(seed: options.seed)
        let exact = try report.phase("Experiment 1: ridge regression") { try ExactCheck.run(c, seed: options.seed, report: report) }
        let lab = try report.phase("logistic regression on digits: Newton, dense Hessian, eigenvalues") { try LogisticLab(digits: digits, config: c) }
        let solvers = try SolverExperiment.run(lab, c, seed: options.seed, report: report)
        let loo = try LeaveOneOutExperiment.run(lab, solvers, c, seed: options.seed, report: report)
        let net = try NetworkExperiment.run(digits, convexPearson: loo.evidence.pearsonTop, c, seed: options.seed, report: report)
        let hinge = try report.phase("Experiment 5: SVM") { try HingeExperiment.run(c, seed: options.seed, report: report) }
        let flips = try FlipExperiment.run(digits, c, seed: options.seed, report: report)
        report.discussion(Discussion.text(exact: exact, solvers: solvers, loo: loo, net: net, hinge: hinge, flips: flips, config: c))
    }
}

extension DigitsSplit {
    /// The digits data split once (75/25, seeded).
    static func load(seed: UInt64) throws -> DigitsSplit {
        let data = try DigitsDataset.load()
        var rng = RandomSource.stream(seed: seed, InfluenceFunctions.Stream.split)
        return data.split(trainCount: data.count * 3 / 4, rng: &rng)
    }
}

/// Pearson's correlation coefficient; NaN for fewer than 3 pairs or a constant series.
func pearson(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count, a.count >= 3 else { return .nan }
    let ma = Stats.mean(a), mb = Stats.mean(b)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : .nan
}
