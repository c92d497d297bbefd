import Foundation
import Numerics
import Notebook

/// The table, figure and discussion of experiments 2-3.
enum NoiseReport {
    static func pct(_ xs: [Double]) -> String { Fmt.estimate(100 * Stats.mean(xs), 100 * Stats.standardError(xs), digits: 3) }

    static func show(_ c: SAM.Config, levels: [Double], rate: [Double], rho: [Double],
                     pairs: [(sgd: [RunRecord], sam: [RunRecord])], evidence e: LabelNoise.Evidence, report: Report) {
        let rows: [[String]] = levels.indices.map { i in
            let (a, b) = pairs[i], l = e.levels[i]
            let (m, se) = LabelNoise.paired(l.earlyGain), (fm, fse) = LabelNoise.paired(l.finalGain)
            return [Fmt.g(levels[i]), Fmt.g(rate[i]), Fmt.g(rho[i]),
                    pct(a.map { $0.earlyStoppedTest }), pct(b.map { $0.earlyStoppedTest }),
                    Fmt.estimate(m, se, digits: 3), "\(l.earlyGain.filter { $0 > 0 }.count)/\(l.earlyGain.count)",
                    pct(a.map { $0.finalTest }), pct(b.map { $0.finalTest }), Fmt.estimate(fm, fse, digits: 3)]
        }
        report.table(["p", "SGD rate", "SAM ρ", "SGD early-stopped (%)", "SAM early-stopped (%)", "gain (pp)", "SAM wins",
                      "SGD final (%)", "SAM final (%)", "final gain (pp)"], rows,
                     caption: "Clean test accuracy, mean ± standard error over \(c.seeds) seeds; gains are paired SAM − SGD in percentage points.")
        // Test accuracy against gradient passes at the highest noise level (SAM epoch e = 2e passes).
        if let i = levels.indices.last {
            let (a, b) = pairs[i]
            func meanCurve(_ runs: [RunRecord]) -> [Double] {
                let len = runs.map { $0.testAccuracy.count }.min() ?? 0
                return (0..<len).map { k in 100 * Stats.mean(runs.map { $0.testAccuracy[k] }) }
            }
            let ya = meanCurve(a), yb = meanCurve(b)
            report.plot(LinePlot(title: "Clean test accuracy at p = \(Fmt.g(levels[i])) (mean of \(c.seeds) seeds)",
                                 xLabel: "gradient passes over the training set", yLabel: "test accuracy (%)",
                                 series: [Series("SGD", x: ya.indices.map(Double.init), y: ya, marker: "o"),
                                          Series("SAM", x: yb.indices.map { 2 * Double($0) }, y: yb, marker: "x")]))
            let peakA = ya.max() ?? .nan, peakB = yb.max() ?? .nan
            report.discussion("""
            At p = \(Fmt.g(levels[i])) the seed-mean test accuracy of SGD peaks at \(Fmt.fixed(peakA, 1))% and ends at \
            \(Fmt.fixed(ya.last ?? .nan, 1))%; SAM's peaks at \(Fmt.fixed(peakB, 1))% and ends at \(Fmt.fixed(yb.last ?? .nan, 1))%. \
            The drop from peak to end is the memorization of the flipped labels that early stopping avoids; \
            it is \(Fmt.fixed(peakA - (ya.last ?? .nan), 1)) points for SGD and \(Fmt.fixed(peakB - (yb.last ?? .nan), 1)) for SAM.
            """)
        }
    }
}
