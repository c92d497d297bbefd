import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 2: the same data, wider networks.
enum WidthExperiment {
    /// What claim 2 is decided on, widest against narrowest network, per seed.
    struct Evidence {
        var classes: Int
        var parameterCounts: [Int]
        /// [width index][seed]: outliers found by the rule.
        var counts: [[Int]]
        /// Per seed: mean of the top k − 1 eigenvalues, widest / narrowest.
        var outlierRatios: [Double]
        /// Per seed: (bulk spread / λ₁) widest over the same for the narrowest.
        var normalizedSpreadRatios: [Double]
        /// Per seed: bulk share widest − narrowest.
        var bulkShareChanges: [Double]
        var required: Int
    }

    struct Result {
        var evidence: Evidence
        var points: [[TrainedPoint]]      // [width index][seed]
    }

    static func claim(_ e: Evidence) -> Claim {
        let n = e.outlierRatios.count
        let everyWidth = (0..<n).filter { s in e.counts.allSatisfy { $0[s] == e.classes - 1 } }.count
        return Claim(
            id: "C2",
            statement: "Fixing the data and adding parameters merely scales the bulk of the spectrum; the outliers stay (Sec. 3).",
            checks: [
                Check("seeds with k − 1 outliers at every width (of \(n))", measured: Double(everyWidth), .atLeast(Double(e.required)), format: "%.0f"),
                Check("mean of the top k − 1 eigenvalues, widest / narrowest (geometric mean over seeds)",
                      measured: Seeds.geometricMean(e.outlierRatios), .between(0.5, 2), format: "%.3g"),
                Check("bulk spread / λ₁, widest / narrowest (geometric mean over seeds)",
                      measured: Seeds.geometricMean(e.normalizedSpreadRatios), .between(1.0 / 3, 3), format: "%.3g"),
                Check("bulk share, widest − narrowest (mean over seeds)",
                      measured: n == 0 ? .nan : Stats.mean(e.bulkShareChanges), .atLeast(-0.02), format: "%.3f"),
            ],
            failsIf: "the outlier count changes with width, the outliers move by more than a factor 2, or the bulk's shape (its spread in units of λ₁) changes by more than a factor 3",
            note: "P = \(e.parameterCounts.map(String.init).joined(separator: ", ")) on fixed data (k = \(e.classes)); the bulk is compared in units of λ₁, so a bulk that is only scaled passes.")
    }

    static func run(_ lab: Lab, _ report: Report) throws -> Result {
        let c = lab.config
        let k = c.baseClasses
        report.section("Experiment 2: more parameters, same data")
        /*: claim2
         **Claim 2 (width scales the bulk only).** Same data (the base k), hidden width from the
         narrowest to the widest network of the sweep, every seed. Criteria fixed before the run,
         widest against narrowest: the rule finds k − 1 outliers at every width on all seeds but
         one; the mean of the top k − 1 eigenvalues changes by at most a factor 2 (the outliers
         stay); the bulk keeps its shape in units of λ₁ (the spread q₉₅ − q₀₅ of the eigenvalues
         below the top k, divided by λ₁, changes by at most a factor 3: a bulk that is *scaled*
         with the spectrum passes, a bulk that collapses or spreads relative to the outliers does
         not); and the bulk's share of the spectrum does not shrink (the new parameters join it).
         Ratios are averaged over the seeds on a log scale.
         */
        report.literate("claim2")
        let points = try report.phase("Experiment 2: \(c.widths.count) widths × \(c.seeds) seeds") {
            try c.widths.map { h in try lab.replicates.map { try lab.base($0, width: h) } }
        }
        let narrow = points.first!, wide = points.last!
        let normalized = { (p: TrainedPoint) in p.spectrum.bulkSpread / p.spectrum.top }
        let evidence = Evidence(
            classes: k, parameterCounts: points.map { $0[0].parameterCount },
            counts: points.map { $0.map(\.spectrum.outlierCount) },
            outlierRatios: zip(wide, narrow).map { $0.spectrum.topMean(k - 1) / $1.spectrum.topMean(k - 1) },
            normalizedSpreadRatios: zip(wide, narrow).map { normalized($0) / normalized($1) },
            bulkShareChanges: zip(wide, narrow).map { $0.spectrum.nearZeroFraction - $1.spectrum.nearZeroFraction },
            required: c.seedsRequired)
        report.claim(claim(evidence))

        let range = (points.map { $0[0].spectrum.descending.last! }.min()!)...(points.map { $0[0].spectrum.top }.max()!)
        for p in [narrow[0], wide[0]] {
            report.plot(Histogram(title: "Hessian eigenvalues, \(p.label), P = \(p.parameterCount)", xLabel: "eigenvalue λ",
                                  values: p.spectrum.descending, bins: 72, logCount: true, height: 10, range: range))
        }
        report.plot(bulkProfiles([narrow[0], wide[0]], edge: c.bulkEdge),
                    caption: "The bulk alone in units of λ₁ (seed 0): counts per bin for the narrowest and the widest network.")
        report.table(["h", "P", "outliers over seeds", "top k − 1 mean", "bulk spread / λ₁", "bulk share", "training loss (median)"],
                     zip(c.widths, points).map { h, ps in
                         ["\(h)", "\(ps[0].parameterCount)", Seeds.tally(ps.map(\.spectrum.outlierCount)),
                          Seeds.estimate(ps.map { $0.spectrum.topMean(k - 1) }, digits: 4),
                          Fmt.estimate(Stats.mean(ps.map(normalized)), ps.count > 1 ? Stats.standardError(ps.map(normalized)) : 0, digits: nil),
                          Seeds.estimate(ps.map(\.spectrum.nearZeroFraction)),
                          Fmt.sci(Stats.median(ps.map(\.loss)), 2)]
                     },
                     caption: "Mean ± standard error over \(c.seeds) seeds; k = \(k).")
        return Result(evidence: evidence, points: points)
    }

    /// Counts of bulk eigenvalues (|λ| < edge · λ₁) per bin of λ/λ₁, one series per point.
    static func bulkProfiles(_ ps: [TrainedPoint], edge: Double, bins: Int = 40) -> LinePlot {
        let markers: [Character] = ["o", "x", "+", "*"]
        return LinePlot(
            title: "bulk eigenvalue counts against λ / λ₁", xLabel: "λ / λ₁", yLabel: "count (log)", yScale: .log10,
            series: ps.enumerated().map { i, p in
                var counts = [Double](repeating: 0, count: bins)
                for v in p.spectrum.descending.map({ $0 / p.spectrum.top }) where abs(v) < edge {
                    counts[Swift.min(bins - 1, Int((v + edge) / (2 * edge) * Double(bins)))] += 1
                }
                let keep = counts.indices.filter { counts[$0] > 0 }
                let binCount = Double(bins)
                return Series("P = \(p.parameterCount)", x: keep.map { j -> Double in -edge + (Double(j) + 0.5) * 2 * edge / binCount },
                              y: keep.map { counts[$0] }, marker: markers[i % markers.count], style: .points)
            })
    }

    static func discussion(_ r: Result) -> String {
        let e = r.evidence
        let loss = r.points.map { Stats.median($0.map(\.loss)) }
        return """
        **Width.** From P = \(e.parameterCounts.first!) to \(e.parameterCounts.last!) the top k − 1 eigenvalues \
        changed ×\(Fmt.g(Seeds.geometricMean(e.outlierRatios), 3)) and the bulk's spread in units of λ₁ \
        ×\(Fmt.g(Seeds.geometricMean(e.normalizedSpreadRatios), 3)) (geometric means over seeds), while the bulk's \
        share of the spectrum changed by \(Fmt.fixed(Stats.mean(e.bulkShareChanges), 3)). The networks were trained \
        for the same number of epochs and ended at median training losses \(Fmt.list(loss) { Fmt.sci($0, 2) }) from \
        the narrowest to the widest, so part of any change is the different point each width reaches in the \
        same budget, not the width alone.
        """
    }
}
