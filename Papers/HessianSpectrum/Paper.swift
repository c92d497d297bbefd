import Foundation
import Numerics
import Learning
import Notebook

public enum HessianSpectrum {
    public static let info = PaperInfo(
        slug: "hessian-spectrum",
        target: "HessianSpectrum",
        title: "Empirical Analysis of the Hessian of Over-Parametrized Neural Networks",
        authors: ["Levent Sagun", "Utku Evci", "V. Uğur Güney", "Yann Dauphin", "Léon Bottou"],
        year: 2018,
        venue: "ICLR Workshop Track",
        arxiv: "1706.04454",
        bibtex: """
        @inproceedings{sagun2018empirical,
          title     = {Empirical Analysis of the Hessian of Over-Parametrized Neural Networks},
          author    = {Sagun, Levent and Evci, Utku and G{\\"u}ney, V. U{\\u{g}}ur and Dauphin, Yann and Bottou, L{\\'e}on},
          booktitle = {International Conference on Learning Representations (ICLR), Workshop Track},
          year      = {2018},
          eprint    = {1706.04454},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        At the end of training, the Hessian of a neural network's loss is mostly flat: nearly all of \
        its eigenvalues sit in a bulk at zero, and only a handful stand out. The two parts answer to \
        different things. The bulk counts redundancy: widen the network and the bulk swells with \
        new near-zero directions while the outliers stay put. The outliers carry the data: their \
        number follows the number of classes (clusters), and moving or blurring the clusters moves \
        them. Because so many directions are flat, solutions that look different (small-batch and \
        large-batch ones) can lie in one connected flat valley, and the straight line between them \
        crosses no barrier.
        """,
        defaultSeed: 20170614,
        theme: .secondOrder,
        lesson: "How to read the Hessian of a trained network: a bulk near zero and a few outliers tied to the classes, counted over seeds with a stated rule."
    )

    /// The random streams of one replicate seed (data with k classes use stream `data` + k).
    enum Stream: UInt64, CaseIterable { case initialization = 2, batchOrder = 3, data = 10 }

    /// Every size and step of the experiments, in one place.
    struct Config {
        var dimension = 10                 // input dimension d
        var separation = 5.0               // distance of each cluster mean from the origin
        var noise = 1.0                    // cluster σ of the base data
        var overlapNoise = 2.0             // σ of the "less separable" data
        var perClass: Int                  // training samples per class
        var baseClasses = 4                // k of the base data
        var classSweep: [Int]              // k values of claim 1
        var baseWidth = 16                 // hidden width of the base network (two hidden layers)
        var widths: [Int]                  // hidden widths of claim 2
        var epochs = 100
        var learningRate = 0.05
        var batchSize = 32
        var smallBatch = 10                // claim 4
        var largeBatchSteps = 500          // claim 4: full-batch gradient descent
        var largeBatchLearningRate = 0.5
        var interpolationPoints = 41
        var bulkEdge = 0.01                // the bulk: |λ| < bulkEdge · λ₁
        var minimumGap = 2.0               // the outliers' gap to the next eigenvalue, at least
        var seeds: Int                     // replicate seeds of every experiment
        var barrierTolerance = 0.1         // claim 4: a rise above this fraction of the end loss is a barrier

        /// A count check passes on all seeds but one.
        var seedsRequired: Int { seeds - 1 }
        /// The outlier search window: three times the largest number of classes.
        var window: Int { 3 * (classSweep.max() ?? baseClasses) }
        /// P for two hidden layers of width h: d·h + h + h·h + h + h·k + k.
        func parameterCount(width h: Int, classes k: Int) -> Int { dimension * h + h + h * h + h + h * k + k }
        /// The seed of replicate r.
        func seed(_ base: UInt64, replicate r: Int) -> UInt64 { base &+ UInt64(r) }

        static let quick = Config(perClass: 40, classSweep: [2, 4], widths: [8, 16], seeds: 3)
        static let full = Config(perClass: 100, classSweep: [2, 4, 6, 8], widths: [8, 16, 32], seeds: 5)

        func settings(seed: UInt64) -> [Setting] {
            [
                Setting("input dimension d", dimension, "small enough for exact Hessians"),
                Setting("cluster mean distance from 0", separation, "means orthonormal × separation: well separated at σ = \(Fmt.g(noise))"),
                Setting("σ (base / less separable)", "\(Fmt.g(noise)) / \(Fmt.g(overlapNoise))", "same means and draws, larger σ: the clusters overlap"),
                Setting("samples per class", perClass, "N = \(perClass * baseClasses) for k = \(baseClasses); keeps P·N·P Hessian assembly in budget"),
                Setting("classes k (base; sweep)", "\(baseClasses); " + classSweep.map(String.init).joined(separator: ", "), "labels = cluster index"),
                Setting("network", "d → h → h → k, ReLU, linear output", "He init N(0, 2/fan_in), zero biases"),
                Setting("hidden width h (base; sweep)", "\(baseWidth); " + widths.map(String.init).joined(separator: ", "),
                        "P = " + widths.map { "\(parameterCount(width: $0, classes: baseClasses))" }.joined(separator: ", ")),
                Setting("training", "SGD, batch \(batchSize), η = \(Fmt.g(learningRate)), \(epochs) epochs", "no momentum or weight decay; reaches ~100% training accuracy on the base data"),
                Setting("claim 4 solutions", "full batch, η = \(Fmt.g(largeBatchLearningRate)), \(largeBatchSteps) steps; batch \(smallBatch), \(epochs) epochs, η = \(Fmt.g(largeBatchLearningRate)) continued from θ_LB or η = \(Fmt.g(learningRate)) from θ₀",
                        "the large step brings full-batch descent to a comparable loss; the continued run keeps it, so only the batch changes"),
                Setting("bulk edge", bulkEdge, "the bulk: |λ| < bulk edge · λ₁; the outlier search stops there"),
                Setting("minimum outlier gap", minimumGap, "λ_i / λ_{i+1} at the cut, at least: visibly apart on a log axis"),
                Setting("outlier search window", window, "3 × the largest k"),
                Setting("barrier tolerance", barrierTolerance, "fraction of the larger end loss (claim 4)"),
                Setting("seeds", "\(seeds) (\(seed) + r, r = 0…\(seeds - 1))", "counts pass on \(seedsRequired) of \(seeds) seeds; data with k classes use stream data + k"),
                Setting.seed(seed, streams: Stream.self),
            ]
        }
    }

    /*: overview
     We train small fully connected ReLU networks on labelled Gaussian clusters, form the *exact*
     Hessian of the training loss at the end of training, and look at all of its eigenvalues. The
     paper's observations, which this notebook checks one by one, each over several seeds:

     - the spectrum is a bulk of eigenvalues crowded around zero plus a few large outliers, and the
       number of outliers follows the number of classes;
     - making the network wider (more parameters, same data) only scales the bulk;
     - changing the data (more clusters, more overlap) with the same network moves the outliers;
     - a small-batch and a large-batch solution lie in one basin: the straight line between them
       crosses no barrier.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        let lab = Lab(config: c, options: options)
        report.literate("overview")
        report.section("Setup")
        report.literate("setup", file: Literate.sibling("Lab.swift"))
        report.setup(c.settings(seed: options.seed))
        report.section("Method")
        report.literate("hessian", file: Literate.sibling("Spectrum.swift"))
        report.code("full-hessian", file: Literate.sibling("Spectrum.swift"))
        report.code("minibatch-step", file: Literate.packageFile("Sources/Learning/Training.swift"))
        report.code("optimizer-step", file: Literate.packageFile("Sources/Learning/Training.swift"))
        report.literate("outlier-rule", file: Literate.sibling("Spectrum.swift"))
        report.code("outlier-rule", file: Literate.sibling("Spectrum.swift"))

        let counts = try OutliersExperiment.run(lab, report)      // Sec. 3: bulk + outliers, outliers vs classes
        let width = try WidthExperiment.run(lab, report)          // Sec. 3: more parameters, same data
        let data = try DataExperiment.run(lab, report)            // Sec. 3: same model, other data
        let basin = try BasinExperiment.run(lab, report)          // Sec. 4: small and large batch
        report.discussion(OutliersExperiment.discussion(counts, c))
        report.discussion(WidthExperiment.discussion(width))
        report.discussion(DataExperiment.discussion(data))
        report.discussion(BasinExperiment.discussion(basin))
    }
}
