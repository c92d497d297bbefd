import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 5 (Fig. 3): the hinge loss and the smooth hinge.
enum HingeExperiment {
    struct Evidence {
        var temperatures: [Double]
        /// Pearson R of the smooth-hinge prediction at each temperature with the actual hinge leave-one-out.
        var pearsons: [Double]
        /// The paper's R at the same temperatures (authors' notebook for Fig. 3).
        var paper: [Double]
        var kkt: Double
        var testMargin: Double
    }

    struct Result { var evidence: Evidence; var n: Int; var supportVectors: Int; var marginPoints: Int; var changed: Int
                   var inside: Int, onMargin: Int; var insideR: [Double], onMarginR: [Double] }

    static func claim(_ e: Evidence) -> Claim {
        let inactive = e.testMargin < 1 ? nil : "the test point has margin \(Fmt.g(e.testMargin, 3)) ≥ 1, so its hinge loss and gradient are zero"
        func r(_ t: Double) -> Double { e.temperatures.firstIndex(of: t).map { e.pearsons[$0] } ?? .nan }
        func paper(_ t: Double) -> Double { e.temperatures.firstIndex(of: t).map { e.paper[$0] } ?? .nan }
        return Claim(
            id: "C5",
            statement: "For a hinge-loss SVM the influence computed from the hinge itself predicts leave-one-out poorly; the smooth hinge t·log(1 + exp((1 − s)/t)) at t = 0.001 and t = 0.1 restores it (Fig. 3; the authors' notebook prints R = 0.63, 0.95 and 0.91 for t = 0, 0.001, 0.1).",
            checks: [
                Check("Pearson R, t = 0.001", measured: r(0.001), .atLeast(paper(0.001) - 0.1), format: "%.3f", notObserved: inactive),
                Check("Pearson R, t = 0.1", measured: r(0.1), .atLeast(paper(0.1) - 0.1), format: "%.3f", notObserved: inactive),
                Check("R(t = 0.001) − R(hinge, t = 0)", measured: r(0.001) - r(0), .atLeast(0.1), format: "%.3f", notObserved: inactive),
                Check("retraining: largest KKT violation of the dual", measured: e.kkt, .atMost(1e-10), format: "%.2g"),
            ],
            failsIf: "a smooth-hinge correlation falls more than 0.1 below the paper's, or the smooth hinge at t = 0.001 does not beat the hinge's own influence by 0.1 in R",
            note: "The model is trained with the hinge loss; the actual changes are exact hinge retrainings; only the influence formula uses the smooth hinge (as in the authors' run_hinge_experiment.py). Digits 1 vs 7, every training point removed in turn.")
    }

    /// The linear SVM min (λ/2)‖w‖² + (1/n) Σ max(0, 1 − yᵢ wᵀxᵢ) by dual coordinate descent
    /// (Hsieh et al. 2008): C = 1/(λn), 0 ≤ αᵢ ≤ C, w = Σ αᵢ yᵢ xᵢ. Stops when the largest projected
    /// gradient of the dual is ≤ tolerance. Point `excluded` is held at α = 0.
    struct DualSVM {
        let x: Matrix, y: [Double], lambda: Double
        var alpha: [Double], w: [Double]

        init(x: Matrix, y: [Double], lambda: Double) {
            self.x = x; self.y = y; self.lambda = lambda
            alpha = [Double](repeating: 0, count: x.rows); w = [Double](repeating: 0, count: x.cols)
        }

        mutating func solve(excluding excluded: Int? = nil, tolerance: Double, maxSweeps: Int = 200_000) throws -> Double {
            let n = x.rows, cap = 1 / (lambda * Double(n))
            if let j = excluded, alpha[j] != 0 { Vector.axpy(-alpha[j] * y[j], x.row(j), &w); alpha[j] = 0 }
            for _ in 0..<maxSweeps {
                var worst = 0.0
                for i in 0..<n where i != excluded {
                    let xi = x.row(i)
                    //: begin dual-cd
                    let g = y[i] * Vector.dot(w, xi) - 1                       // ∂D/∂αᵢ
                    let pg = alpha[i] <= 0 ? min(g, 0) : alpha[i] >= cap ? max(g, 0) : g
                    worst = max(worst, abs(pg))
                    if pg != 0 {
                        let a = min(max(alpha[i] - g / Vector.dot(xi, xi), 0), cap)
                        Vector.axpy((a - alpha[i]) * y[i], xi, &w)             // w = Σ αᵢ yᵢ xᵢ
                        alpha[i] = a
                    }
                    //: end dual-cd
                }
                if worst <= tolerance { return worst }
            }
            throw NumericalFailure.failed("dual coordinate descent for the SVM did not reach a KKT violation of \(tolerance)")
        }
    }

    /// The smooth hinge ℓ_t(m) = t log(1 + exp((1 − m)/t)) of the margin m: its first and second
    /// derivatives in m. t = 0 is the hinge with the minimal-norm subgradient (0 on the margin).
    static func derivatives(_ m: Double, t: Double) -> (Double, Double) {
        if t == 0 { return (m < 1 - 1e-9 ? -1 : 0, 0) }
        let s = 1 / (1 + Foundation.exp(-(1 - m) / t))                     // σ((1 − m)/t)
        return (-s, s * (1 - s) / t)
    }

    static func run(_ c: InfluenceFunctions.Config, seed: UInt64, report: Report) throws -> Result {
        report.section("Experiment 5: the hinge loss and its smooth approximation")
        /*: hinge
         **Claim 5 (Fig. 3).** The hinge max(0, 1 − s) has no second derivative: its Hessian is zero
         almost everywhere and its gradient jumps at the margin, so the influence formula sees only λI
         and the points inside the margin. The paper replaces it, in the formula only, by the smooth hinge
         ℓ_t(s) = t log(1 + exp((1 − s)/t)), which tends to the hinge as t → 0, and evaluates the influence
         of the hinge-trained SVM with ℓ_t at t = 0.001 and t = 0.1 (its run_hinge_experiment.py also
         computes t = 0, the hinge itself). As in the authors' code: binary digits 1 against 7, a linear
         SVM without bias, λ = 0.01, the test point of smallest margin. We solve the SVM and every
         leave-one-out exactly by dual coordinate descent (warm-started at the full solution, with the
         removed point's α set to 0) to a KKT violation of 1e-12. Criteria fixed before the run, from the
         authors' printed correlations 0.63, 0.95 and 0.91 for t = 0, 0.001, 0.1: R at t = 0.001 and
         t = 0.1 each at least the paper's minus 0.1, and t = 0.001 better than the hinge by 0.1.
         */
        report.literate("hinge")
        report.code("dual-cd")
        let data = try DigitsDataset.load()
        let feats = data.features(bias: false)
        let rows = (0..<data.count).filter { data.labels[$0] == 1 || data.labels[$0] == 7 }
        var rng = RandomSource.stream(seed: seed, InfluenceFunctions.Stream.hingeSplit)
        let order = rng.permutation(rows.count).map { rows[$0] }
        let nTrain = rows.count * 3 / 4
        let tr = Array(order[0..<nTrain]), te = Array(order[nTrain...])
        let x = feats.rows(tr), y = tr.map { data.labels[$0] == 1 ? 1.0 : -1.0 }
        let xt = feats.rows(te), yt = te.map { data.labels[$0] == 1 ? 1.0 : -1.0 }
        let tol = 1e-12
        var svm = DualSVM(x: x, y: y, lambda: c.hingeLambda)
        var kkt = try svm.solve(tolerance: tol)
        let w = svm.w
        let margins = (0..<x.rows).map { y[$0] * Vector.dot(w, x.row($0)) }
        let testMargins = (0..<xt.rows).map { yt[$0] * Vector.dot(w, xt.row($0)) }
        let t = testMargins.indices.min { testMargins[$0] < testMargins[$1] }!
        let hinge = { (v: [Double]) in max(0, 1 - yt[t] * Vector.dot(v, xt.row(t))) }
        let base = hinge(w)
        let n = x.rows
        let actual = try Threads.map(n) { j -> (Double, Double) in
            var s = svm
            let v = try s.solve(excluding: j, tolerance: tol)
            return (hinge(s.w) - base, v)
        }
        kkt = max(kkt, actual.map(\.1).max() ?? 0)
        var pearsons: [Double] = [], predictions: [[Double]] = []
        for temp in c.temperatures {
            //: begin smooth-influence
            var h = Matrix.identity(x.cols) * c.hingeLambda                  // H = λI + (1/n) Σ ℓ_t''(mᵢ) xᵢxᵢᵀ
            for i in 0..<n {
                let d2 = derivatives(margins[i], t: temp).1 / Double(n)
                if d2 > 0 { let xi = x.row(i); for p in 0..<x.cols { for q in 0..<x.cols { h[p, q] += d2 * xi[p] * xi[q] } } }
            }
            let gTest = Vector.scaled(xt.row(t), derivatives(testMargins[t], t: temp).0 * yt[t])
            let s = try CholeskyFactorization(h).solve(gTest)
            let predicted = (0..<n).map { i in derivatives(margins[i], t: temp).0 * y[i] * Vector.dot(x.row(i), s) / Double(n) }
            //: end smooth-influence
            predictions.append(predicted)
            pearsons.append(pearson(predicted, actual.map(\.0)))
        }
        report.code("smooth-influence")
        let e = Evidence(temperatures: c.temperatures, pearsons: pearsons, paper: [0.63, 0.95, 0.91], kkt: kkt, testMargin: testMargins[t])
        report.claim(claim(e))
        let act = actual.map(\.0)
        report.plot(ScatterPlot(title: "SVM: predicted against actual change of the test hinge loss", xLabel: "actual change (exact retraining)",
                                yLabel: "predicted", series: zip(c.temperatures, predictions).enumerated().map { k, tp in
                                    Series("t = \(Fmt.g(tp.0))", x: act, y: tp.1, marker: Array("o+x")[k % 3]) }))
        let free = svm.alpha.filter { $0 > 0 && $0 < 1 / (c.hingeLambda * Double(n)) * (1 - 1e-9) }.count
        let sv = svm.alpha.filter { $0 > 0 }.count
        let changed = act.filter { abs($0) > 1e-12 }.count
        let inside = (0..<n).filter { margins[$0] < 1 - 1e-9 }, onMargin = (0..<n).filter { abs(margins[$0] - 1) <= 1e-9 }
        let sub = { (idx: [Int], k: Int) in pearson(idx.map { predictions[k][$0] }, idx.map { act[$0] }) }
        report.table(["t", "Pearson R (ours, all points)", "R, points inside the margin", "R, points on the margin", "Pearson R (authors' run)"],
                     c.temperatures.indices.map { k in
                         ["\(Fmt.g(c.temperatures[k]))", Fmt.g(pearsons[k], 3), Fmt.g(sub(inside, k), 3), Fmt.g(sub(onMargin, k), 3), Fmt.g(e.paper[k], 3)]
                     },
                     caption: "n = \(n) training digits (\(inside.count) inside the margin, \(onMargin.count) on it), \(sv) support vectors (\(free) with 0 < α < C); removing \(changed) of the \(n) points changes the test loss; test margin \(Fmt.g(testMargins[t], 3)).")
        return Result(evidence: e, n: n, supportVectors: sv, marginPoints: free, changed: changed, inside: inside.count, onMargin: onMargin.count,
                      insideR: c.temperatures.indices.map { sub(inside, $0) }, onMarginR: c.temperatures.indices.map { sub(onMargin, $0) })
    }
}
