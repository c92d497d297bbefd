import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 1: a bulk at zero plus outliers, and the number of outliers against the number of classes.
enum OutliersExperiment {
    /// What claim 1 is decided on: outlier counts per class count and seed, and the bulk's share.
    struct Evidence {
        var classes: [Int]
        /// [class index][seed]: outliers found by the rule, softmax cross-entropy.
        var softmaxCounts: [[Int]]
        /// [class index][seed]: the same with squared error against one-hot targets.
        var squaredCounts: [[Int]]
        /// Per seed: the fraction of eigenvalues in the bulk at the base point (softmax).
        var bulkFractions: [Double]
        /// A count check passes on at least this many seeds.
        var required: Int
    }

    struct Result {
        var evidence: Evidence
        var softmax: [[TrainedPoint]]
        var squared: [[TrainedPoint]]
    }

    static func claim(_ e: Evidence) -> Claim {
        func counts(_ name: String, _ rows: [[Int]], expected: (Int) -> Int) -> [Check] {
            zip(e.classes, rows).map { k, row in
                let label = "\(name), k = \(k): seeds where the rule finds \(expected(k)) (of \(row.count))"
                return row.isEmpty ? Check.notObserved(label, .atLeast(Double(e.required)), because: "no seed was run")
                    : Check(label, measured: Double(row.filter { $0 == expected(k) }.count), .atLeast(Double(e.required)), format: "%.0f")
            }
        }
        var checks = counts("softmax", e.softmaxCounts) { $0 - 1 } + counts("squared error", e.squaredCounts) { $0 }
        checks.append(Check("bulk share of eigenvalues at the base point (mean over seeds)",
                            measured: e.bulkFractions.isEmpty ? .nan : Stats.mean(e.bulkFractions), .atLeast(0.9), format: "%.3f"))
        return Claim(
            id: "C1",
            statement: "At the end of training the Hessian spectrum is a bulk near zero plus a few outliers, about as many as classes (Sec. 3).",
            checks: checks,
            failsIf: "for some k the rule finds a count other than k − 1 (softmax) or k (squared error) on two or more seeds, or less than 90% of the spectrum lies in the bulk",
            note: "Gaussian clusters in d = 10 with two-hidden-layer ReLU networks, not the paper's MNIST networks; every count is over the replicate seeds of the run.")
    }

    static func run(_ lab: Lab, _ report: Report) throws -> Result {
        let c = lab.config
        report.section("Experiment 1: a bulk at zero and outliers that count the classes")
        /*: claim1
         **Claim 1.** The paper reports about as many outliers as classes. With the softmax
         cross-entropy the curvature of the loss in the logits, diag(p) − ppᵀ, annihilates the
         all-ones vector: one logit direction carries no curvature, so the class structure can lift
         only k − 1 eigenvalues out of the bulk. With the squared error the curvature in the outputs
         is the identity, and the same structure should lift k. So the run trains both losses on the
         same data and networks. Criteria fixed before the run: for every k of the sweep, the rule
         above finds exactly k − 1 outliers (softmax) and exactly k (squared error) on all seeds but
         one; a count that is right on most seeds but not all is noise in the rule, one that is wrong
         on two seeds is not. And at the base point most of the spectrum lies in the bulk, on average
         over the seeds (the share is in the table; the paper's histograms are a spike at zero).
         */
        report.literate("claim1")
        let (softmax, squared) = try report.phase("Experiment 1: \(c.classSweep.count) values of k × \(c.seeds) seeds × 2 losses") {
            (try c.classSweep.map { k in try lab.replicates.map { try lab.base($0, classes: k) } },
             try c.classSweep.map { k in try lab.replicates.map { r in
                 try lab.point(PointKey(replicate: r, classes: k, width: c.baseWidth, noise: c.noise, squaredError: true)) } })
        }
        let baseIndex = c.classSweep.firstIndex(of: c.baseClasses) ?? 0
        let evidence = Evidence(classes: c.classSweep,
                                softmaxCounts: softmax.map { $0.map(\.spectrum.outlierCount) },
                                squaredCounts: squared.map { $0.map(\.spectrum.outlierCount) },
                                bulkFractions: softmax[baseIndex].map(\.spectrum.nearZeroFraction),
                                required: c.seedsRequired)
        report.claim(claim(evidence))

        let base = softmax[baseIndex][0]
        report.plot(Histogram(title: "Hessian eigenvalues, \(base.label), P = \(base.parameterCount)", xLabel: "eigenvalue λ",
                              values: base.spectrum.descending, bins: 72, logCount: true, height: 12),
                    caption: "All \(base.parameterCount) eigenvalues of one base network's Hessian. The bar at 0 is the bulk; the isolated bars on the right are the outliers.")
        for (name, points) in [("softmax", softmax), ("squared error", squared)] {
            report.plot(rankPlot("largest eigenvalues by rank, \(name), seed 0, h = \(c.baseWidth)", points.map { $0[0] }),
                        caption: "The rule cuts each curve at its largest step (ratio) above the bulk edge, if that step is at least the minimum gap.")
        }
        report.table(["loss", "k", "outliers over seeds (count ×seeds)", "gap at the cut (median)", "bulk share", "training loss (median)", "training accuracy (mean)"],
                     zip(["softmax", "squared error"], [softmax, squared]).flatMap { name, rows in
                         rows.map { ps in
                             [name, "\(ps[0].classes)", Seeds.tally(ps.map(\.spectrum.outlierCount)),
                              Fmt.g(Stats.median(ps.map(\.spectrum.gapRatio)), 3),
                              Seeds.estimate(ps.map(\.spectrum.nearZeroFraction)),
                              Fmt.sci(Stats.median(ps.map(\.loss)), 2),
                              name == "softmax" ? Fmt.pct(Stats.mean(ps.map(\.accuracy))) : "—"]
                         }
                     },
                     caption: "Outliers by the rule on each seed, network h = \(c.baseWidth); the expected count is k − 1 for softmax and k for squared error.")
        return Result(evidence: evidence, softmax: softmax, squared: squared)
    }

    static func rankPlot(_ title: String, _ points: [TrainedPoint]) -> LinePlot {
        LinePlot(title: title, xLabel: "rank i", yLabel: "λ_i (log)", yScale: .log10,
                 series: points.map { p in
                     let top = Array(p.spectrum.descending.prefix(3 * p.classes + 2)).filter { $0 > 0 }
                     return Series("k = \(p.classes)", x: top.indices.map { Double($0 + 1) }, y: top)
                 })
    }

    static func discussion(_ r: Result, _ c: HessianSpectrum.Config) -> String {
        let e = r.evidence
        let runs = e.softmaxCounts.joined().count
        let softmaxRight = zip(e.classes, e.softmaxCounts).map { k, row in row.filter { $0 == k - 1 }.count }.reduce(0, +)
        let softmaxK = zip(e.classes, e.softmaxCounts).map { k, row in row.filter { $0 == k }.count }.reduce(0, +)
        let squaredRight = zip(e.classes, e.squaredCounts).map { k, row in row.filter { $0 == k }.count }.reduce(0, +)
        let squaredLess = zip(e.classes, e.squaredCounts).map { k, row in row.filter { $0 == k - 1 }.count }.reduce(0, +)
        let squaredSquare = zip(e.classes, e.squaredCounts).map { k, row in row.filter { $0 == k * k }.count }.reduce(0, +)
        let softmaxPairs = zip(e.classes, e.softmaxCounts).map { k, row in row.filter { $0 == k * (k - 1) && k > 2 }.count }.reduce(0, +)
        let none = (e.softmaxCounts + e.squaredCounts).joined().filter { $0 == 0 }.count
        return """
        **Outliers: k − 1 or k.** Over the \(runs) softmax runs (\(e.classes.count) values of k × \(c.seeds) seeds) the \
        rule found k − 1 outliers \(softmaxRight) times and k outliers \(softmaxK) times; over the \(e.squaredCounts.joined().count) \
        squared-error runs on the same data and networks it found k outliers \(squaredRight) times, k − 1 \
        \(squaredLess) times and k² \(squaredSquare) times; the softmax runs gave k(k − 1) (for k > 2) \(softmaxPairs) \
        times, and \(none) of all runs had no gap of the minimum size above the bulk edge. The null logit direction of the softmax is the difference the two losses can make: \
        the class-mean structure behind the outliers (the "covariance of gradients" term of the Gauss-Newton \
        decomposition the paper points to) passes through the curvature of the loss in the outputs, which has \
        rank k − 1 for the softmax and k for the squared error. It is not the only structure: in the last layer \
        alone the squared error's Gauss-Newton term is I_k ⊗ (1/N) Σᵢ hᵢhᵢᵀ (hᵢ the last hidden features), \
        k copies of every feature direction, and with k clusters the features carry k strong directions, which \
        can lift up to k² eigenvalues (and k(k − 1) for the softmax, whose per-sample curvature has rank k − 1) \
        into a second tier that the gap rule may or may not separate from the first. The rule itself is one mechanical reading of \
        "standing apart from the bulk", with its edge, minimum gap and window fixed in the setup.
        """
    }
}
