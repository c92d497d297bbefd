import Foundation
import Numerics
import Notebook

/// The table of contents: the papers' facts, the configuration (each value with its reason), and the
/// experiments in the papers' order, one file each.
public enum ImportanceWeighting {
    public static let info = PaperInfo(
        slug: "importance-weighting",
        target: "ImportanceWeighting",
        title: "Maximum Likelihood Estimation is All You Need for Well-Specified Covariate Shift; with: What is the Effect of Importance Weighting in Deep Learning?",
        authors: ["Jiawei Ge", "Shange Tang", "Jianqing Fan", "Cong Ma", "Chi Jin", "Jonathon Byrd", "Zachary C. Lipton"],
        year: 2024,
        venue: "ICLR",
        arxiv: "2311.15961",
        bibtex: """
        @inproceedings{ge2024maximum,
          title     = {Maximum Likelihood Estimation is All You Need for Well-Specified Covariate Shift},
          author    = {Ge, Jiawei and Tang, Shange and Fan, Jianqing and Ma, Cong and Jin, Chi},
          booktitle = {International Conference on Learning Representations (ICLR)},
          year      = {2024},
          eprint    = {2311.15961},
          archivePrefix = {arXiv}
        }
        @inproceedings{byrd2019effect,
          title     = {What is the Effect of Importance Weighting in Deep Learning?},
          author    = {Byrd, Jonathon and Lipton, Zachary C.},
          booktitle = {Proceedings of the 36th International Conference on Machine Learning (ICML)},
          series    = {Proceedings of Machine Learning Research},
          volume    = {97},
          pages     = {872--881},
          year      = {2019},
          eprint    = {1812.03372},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Importance weighting rewrites a target-distribution risk as a source-distribution expectation. \
        If the model class contains the true conditional distribution, the unweighted fit already \
        converges to the right model and is the most efficient way to use the source sample; the \
        weights then only inflate the variance, by a factor tied to the second moment of the density \
        ratio. Only when the model is wrong does the choice matter: the unweighted fit aims at the \
        model best on the source, the weighted fit at the model best on the target. On separable data \
        a third effect appears: the logistic loss has no minimizer, gradient descent runs off to \
        infinity along the max-margin direction, and any fixed reweighting of the examples only shifts \
        the iterate by a bounded amount, which becomes negligible against a norm growing like log t.
        """,
        defaultSeed: 20231127,
        theme: .weighting,
        lesson: "Importance weights matter only when the model is misspecified and the loss has a minimizer; otherwise they add variance or are forgotten at a logarithmic pace.",
        readFirst: ["influence-functions", "incremental-learning"]
    )

    /// The random streams of this paper, declared once (the setup table's seed legend comes from here).
    enum Stream: UInt64, CaseIterable { case wellSpecified, misspecified, infiniteMoment, separable, logistic }

    struct Config {
        // Experiment 1: well-specified linear regression.
        var dimension = 5
        var targetVariances = [1.3, 1.3, 1.3, 0.7, 0.5]
        var noise = 1.0
        var sizes1 = [20, 40, 80, 160, 320, 640]
        var reps1: Int
        var logisticTheta = [1.0, -0.5, 0.5]
        var logisticVariances = [1.3, 0.7, 0.5]
        var sizes1Logistic = [100, 200, 400, 800, 1600]
        var reps1Logistic: Int
        // Experiment 2: misspecified one-dimensional regression.
        var curvature = 0.05
        var targetMean = 1.0
        var targetStd = 1.0
        var heavyTargetStd = 2.5.squareRoot()
        var sizes2 = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
        var reps2: Int
        // Experiment 3: weighted logistic regression on separable data.
        var dataSets: Int
        var trainPerClass = 20
        var testPoints = 4000
        var classWeights = [1.0, 8.0, 64.0]
        var iterations: Int
        var earlyIteration = 100
        var ridge = 0.01
        var ridgeIterations = 20_000
        var chunks = 16

        static let quick = Config(reps1: 1000, sizes1Logistic: [100, 200, 400, 800], reps1Logistic: 200, reps2: 300, dataSets: 3, iterations: 100_000)
        static let full = Config(reps1: 8000, reps1Logistic: 1500, reps2: 2000, dataSets: 5, iterations: 1_000_000)

        func settings(seed: UInt64) -> [Setting] {
            [Setting("E1: dimension d, noise σ", "\(dimension), \(Fmt.g(noise))", "small d so that n − d − 1 spans a wide range on a short n grid"),
             Setting("E1: source, target designs", "N(0, I), N(0, diag(\(Fmt.list(targetVariances))))",
                     "a variance shift; every target variance below 4/3 keeps E_S[w⁴] finite, so the Monte Carlo standard errors are trustworthy"),
             Setting("E1: n grid, data sets per n", "\(Fmt.list(sizes1.map(Double.init))); \(reps1)", "from n = 4d to 128d; enough data sets for a few-percent standard error"),
             Setting("E1 logistic: θ*, target variances", "(\(Fmt.list(logisticTheta))), diag(\(Fmt.list(logisticVariances)))",
                     "a moderate signal (no separable samples at n ≥ 100) and the same kind of variance shift in three dimensions"),
             Setting("E1 logistic: n grid, data sets per n", "\(Fmt.list(sizes1Logistic.map(Double.init))); \(reps1Logistic)",
                     "n from 33d upward so that MLE exists in every data set"),
             Setting("E2: model, truth", "ŷ = a + b x; y = x + c x² + σε, c = \(Fmt.g(curvature))",
                     "c chosen so the crossover falls inside the n grid; the papers give no such setting"),
             Setting("E2: source, target", "N(0, 1), N(\(Fmt.g(targetMean)), \(Fmt.g(targetStd * targetStd))); heavy case N(\(Fmt.g(targetMean)), \(Fmt.g(heavyTargetStd * heavyTargetStd)))",
                     "target variance ≥ 2 makes E_S[w²] infinite (derived in Experiment 2)"),
             Setting("E2: n grid, data sets per n", "\(Fmt.list(sizes2.map(Double.init))); \(reps2)", "a factor 256 in n brackets the crossover"),
             Setting("E3: data sets, training points", "\(dataSets); \(trainPerClass) per class, \(testPoints) test points",
                     "several independent separable data sets for every count"),
             Setting("E3: class weights κ of the positive class", Fmt.list(classWeights), "geometric grid; κ = 1 is the unweighted reference"),
             Setting("E3: GD iterations T, early time", "\(iterations), \(earlyIteration)",
                     "the weighting effect fades like 1/log t, so T spans four decades beyond the early time"),
             Setting("E3: L2 coefficient λ, its iterations", "\(Fmt.g(ridge)), \(ridgeIterations)",
                     "a fixed moderate λ chosen before the run; the regularized loss is strongly convex and GD converges well within the budget"),
             Setting("random-number chunks", chunks, "data sets are drawn in fixed chunks, so results do not depend on the thread count"),
             Setting.seed(seed, streams: Stream.self)]
        }
    }

    /*: overview
     Two papers, one question: when does reweighting the training loss by the density ratio
     w(x) = p_T(x)/p_S(x) change what a model learns? Ge, Tang, Fan, Ma and Jin prove that under
     covariate shift with a *well-specified* model, plain maximum likelihood on source data (MLE) is
     already minimax optimal, so the maximum weighted likelihood estimator (MWLE) can only add
     variance; with a *misspecified* model MLE converges to the source-optimal model and stops
     improving, while MWLE converges to the target-optimal one. Byrd and Lipton observe the other
     side: on separable data a model trained long enough forgets its importance weights, because
     gradient descent on the logistic loss converges in direction to the hard-margin separator
     whatever the weights; L2 regularization brings the weights back. This notebook runs the three
     statements on Gaussian linear regression (with closed forms), a one-dimensional misspecified
     regression (with the ratio's second moment finite and infinite), and weighted logistic regression
     on separable 2-D data against an exactly solved hard-margin SVM.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let config = options.quick ? Config.quick : Config.full
        report.literate("overview")
        report.section("Setup")
        report.setup(config.settings(seed: options.seed))
        try WellSpecified.run(config, seed: options.seed, report: report)
        try WellSpecifiedLogistic.run(config, seed: options.seed, report: report)
        try Misspecified.run(config, seed: options.seed, report: report)
        try Separable.run(config, seed: options.seed, report: report)
    }
}
