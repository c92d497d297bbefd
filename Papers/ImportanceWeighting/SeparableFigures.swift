import Foundation
import Numerics
import Notebook

/// Experiment 3's figures, table and discussion.
enum SeparableFigures {
    static func show(_ c: ImportanceWeighting.Config, data: [WeightedLogistic.DataSet], svms: [HardMarginSVM.Solution],
                     certificates: [HardMarginSVM.Certificate], evidence e: Separable.Evidence, times: [Int],
                     trace: (Int, Double, Bool) -> WeightedLogistic.Trace, report: Report) throws {
        let T = c.iterations, kmax = c.classWeights.last!
        let markers: [Character] = ["1", "8", "6", "x", "y"]
        var fraction: [Series] = [], angles: [Series] = []
        for (k, kappa) in c.classWeights.enumerated() {
            let tr = trace(0, kappa, false)
            let name = "κ = \(Fmt.g(kappa))"
            fraction.append(Series(name, x: tr.t.map(Double.init), y: tr.positive, marker: markers[k % markers.count]))
            angles.append(Series(name, x: tr.t.map(Double.init), y: tr.angle, marker: markers[k % markers.count]))
        }
        for kappa in [1.0, kmax] {
            let tr = trace(0, kappa, true)
            fraction.append(Series("κ = \(Fmt.g(kappa)), L2 λ = \(Fmt.g(c.ridge))", x: tr.t.map(Double.init), y: tr.positive,
                                   marker: kappa == 1 ? "r" : "R"))
        }
        let svmFraction = WeightedLogisticSVMFraction.positive(data[0], svms[0].w)
        fraction.append(Series("hard-margin SVM", x: [1, Double(T)], y: [svmFraction, svmFraction], marker: "-"))
        report.plot(LinePlot(title: "data set 1: fraction of test points given to the up-weighted class", xLabel: "GD iteration t (log)",
                             yLabel: "fraction", xScale: .log10, series: fraction))
        report.plot(LinePlot(title: "data set 1: angle between w_t and the SVM direction", xLabel: "GD iteration t (log)",
                             yLabel: "angle, radians (log)", xScale: .log10, yScale: .log10, series: angles))

        var meanGap: [Double] = []
        for t in times {
            meanGap.append(Stats.mean(data.indices.map { s in
                let a = trace(s, kmax, false), b = trace(s, 1, false)
                return a.value(a.positive, at: t) - b.value(b.positive, at: t)
            }))
        }
        report.plot(LinePlot(title: "gap κ = \(Fmt.g(kmax)) minus κ = 1, mean over \(data.count) data sets", xLabel: "GD iteration t (log)",
                             yLabel: "gap in fraction", xScale: .log10,
                             series: [Series("no regularization", x: times.map(Double.init), y: meanGap, marker: "*"),
                                      Series("L2 at convergence", x: [1, Double(T)], y: [Stats.mean(e.ridgeGap), Stats.mean(e.ridgeGap)], marker: "R")]))

        var rows: [[String]] = []
        for s in data.indices {
            let big = trace(s, kmax, false)
            rows.append(["\(s + 1)", "\(certificates[s].supportVectors)", Fmt.sci(certificates[s].residual, 1), "\(svms[s].sweeps)",
                         Fmt.fixed(e.earlyGap[s], 3), Fmt.fixed(e.lateGap[s], 3), Fmt.fixed(e.ridgeGap[s], 3),
                         Fmt.g(big.value(big.angle, at: c.earlyIteration), 3), Fmt.g(big.angle.last!, 3), Fmt.fixed(e.inverseAngleR2[s], 4),
                         Fmt.sci(trace(s, kmax, true).finalGradientNorm, 1)])
        }
        report.table(["data set", "support vectors", "KKT residual", "dual sweeps", "gap, t = \(c.earlyIteration)", "gap, t = T",
                      "gap, L2", "angle κ = \(Fmt.g(kmax)), t = \(c.earlyIteration)", "angle, t = T", "R² of 1/angle vs ln t",
                      "‖∇‖ at the end, L2"], rows,
                     caption: "Gaps are fractions of \(c.testPoints) test points; angles in radians; T = \(T).")

        let earlyMean = Stats.mean(e.earlyGap), lateMean = Stats.mean(e.lateGap)
        let predicted = Foundation.log(Double(c.earlyIteration)) / Foundation.log(Double(T))
        report.discussion("""
        **Separable data (C4).** The mean gap falls from \(Fmt.estimate(earlyMean, Stats.standardError(e.earlyGap))) at t = \(c.earlyIteration) to \
        \(Fmt.estimate(lateMean, Stats.standardError(e.lateGap))) at t = \(T), a ratio of \(Fmt.g(lateMean / earlyMean, 3)); a pure \
        1/ln t law from t = \(c.earlyIteration) on would give ln(\(c.earlyIteration))/ln(\(T)) = \(Fmt.g(predicted, 3)); the measured \
        ratio is \(lateMean / earlyMean < predicted ? "below" : "above") it (the early time is not in the regime w_t ≈ ŵ ln t + ρ, so \
        the law only sets the scale). At t = \(T) the weights still move \(Fmt.pct(lateMean)) of the test points. The angle to the SVM direction at the \
        largest κ shrinks from \(Fmt.g(Stats.mean(data.indices.map { trace($0, kmax, false).value(trace($0, kmax, false).angle, at: c.earlyIteration) }), 3)) \
        to \(Fmt.g(Stats.mean(data.indices.map { trace($0, kmax, false).angle.last! }), 3)) radians on average. With L2 \
        (λ = \(Fmt.g(c.ridge))) the mean gap at convergence is \(Fmt.estimate(Stats.mean(e.ridgeGap), Stats.standardError(e.ridgeGap))), \
        \(Fmt.g(Stats.mean(e.ridgeGap) / earlyMean, 3)) times the early gap and \(Fmt.g(Stats.mean(e.ridgeGap) / lateMean, 3)) times the \
        unregularized gap at T. How much of the weights' effect the regularized minimizer keeps depends on λ, a knob \
        with no direct relation to the intended weights (Byrd and Lipton's point); only one λ is run here.
        """)
    }
}

enum WeightedLogisticSVMFraction {
    /// Fraction of test points on the positive side of w.
    static func positive(_ data: WeightedLogistic.DataSet, _ w: [Double]) -> Double {
        let d = WeightedLogistic.DataSet.d, m = data.test.count / d
        let count = (0..<m).filter { k in (0..<d).reduce(0) { $0 + w[$1] * data.test[k * d + $1] } > 0 }.count
        return Double(count) / Double(m)
    }
}
