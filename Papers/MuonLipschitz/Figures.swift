import Foundation
import Numerics
import Notebook

/// Claim 2's plots, front table and discussion.
enum Figures {
    static func label(_ p: Tradeoff.Point) -> String {
        let s = p.regulation == .weightDecay ? "λ = \(Fmt.g(p.strength))" : "w_max = \(Fmt.g(p.strength))"
        return "\(Fmt.pct(p.accuracy)) (η = \(Fmt.g(p.learningRate)), \(s))"
    }

    static func write(points: [Tradeoff.Point], comparisons: [Tradeoff.Comparison], evidence e: Tradeoff.Evidence,
                      config c: MuonLipschitz.Config, report: Report) {
        for r in Regulation.allCases {
            let series = OptimizerKind.allCases.map { o -> Series in
                let p = points.filter { $0.optimizer == o && $0.regulation == r }
                return Series(o.rawValue, x: p.map(\.bound), y: p.map(\.accuracy), marker: o == .adamW ? "a" : "M")
            }
            report.plot(ScatterPlot(title: "\(r.rawValue): test accuracy against certified bound", xLabel: "certified bound Π σ₁(W_l)/s",
                                    yLabel: "test accuracy", xScale: .log10, width: 64, height: 14, series: series))
        }
        var grid: [[String]] = []
        for o in OptimizerKind.allCases {
            for r in Regulation.allCases {
                for lr in (o == .adamW ? c.adamRates : c.muonRates) {
                    let strengths = r == .weightDecay ? c.decays : c.caps
                    grid.append([o.rawValue, r.rawValue, Fmt.g(lr)] + strengths.map { s in
                        guard let p = points.first(where: { $0.optimizer == o && $0.regulation == r && $0.learningRate == lr && $0.strength == s })
                        else { return "" }
                        return "\(Fmt.pct(p.accuracy)) @ \(Fmt.g(p.bound, 3))"
                    })
                }
            }
        }
        let k = max(c.decays.count, c.caps.count)
        report.table(["optimizer", "regulation", "η"] + (0..<k).map { i in
            "λ = \(i < c.decays.count ? Fmt.g(c.decays[i]) : "–") / w_max = \(i < c.caps.count ? Fmt.g(c.caps[i]) : "–")" }, grid,
                     caption: "Every configuration: seed-mean test accuracy @ certified bound (largest over seeds).")
        var rows: [[String]] = []
        for cmp in comparisons {
            guard cmp.range != nil else { rows.append([cmp.regulation.rawValue, "no overlap", "", "", ""]); continue }
            for k in cmp.bins.indices {
                rows.append([k == 0 ? cmp.regulation.rawValue : "", Fmt.g(cmp.bins[k], 3), label(cmp.adamFront[k]), label(cmp.muonFront[k]),
                             Fmt.estimate(cmp.gaps[k], cmp.gapSEs[k])])
            }
        }
        report.table(["regulation", "bound b", "AdamW front at b", "Muon front at b", "gap Muon − AdamW ± se"], rows,
                     caption: "The two fronts at \(c.bins) bounds log-spaced over the range both optimizers reach (seed-mean accuracy, \(c.seeds) seeds).")
        let lines = comparisons.map { cmp -> String in
            guard let range = cmp.range else { return "- \(cmp.regulation.rawValue): the two optimizers' bounds do not overlap." }
            let mean = cmp.gaps.reduce(0, +) / Double(cmp.gaps.count)
            return "- \(cmp.regulation.rawValue): bounds \(Fmt.g(range.lowerBound, 3))–\(Fmt.g(range.upperBound, 3)) compared; Muon higher in \(cmp.muonWins) of \(cmp.bins.count) bins, mean gap \(Fmt.pct(mean))."
        }
        let lowest = OptimizerKind.allCases.map { o in points.filter { $0.optimizer == o }.map(\.bound).min() ?? .nan }
        report.discussion("""
            Per regulation:

            \(lines.joined(separator: "\n"))

            Pooled over all bins the gap is \(Fmt.estimate(e.meanGap, e.meanGapSE)) (Muon − AdamW, seed standard error). \
            The smallest certified bound in the sweep is \(Fmt.g(lowest[0], 3)) with AdamW and \(Fmt.g(lowest[1], 3)) with Muon.
            """)
    }
}
