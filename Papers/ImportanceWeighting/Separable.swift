import Foundation
import Numerics
import Notebook

/// Experiment 3 (Byrd and Lipton): class weights on separable data, early and late in training.
enum Separable {
    /// What claim 3 is decided on (gaps: fraction of test points given to the up-weighted class with
    /// the largest κ minus the same with κ = 1, one per data set).
    struct Evidence {
        var kktResidual: Double          // largest SVM certificate residual over data sets
        var earlyGap: [Double]           // at the early time, no regularization
        var lateGap: [Double]            // at T, no regularization
        var decreasingRuns: Int          // runs (all κ, all data sets) whose SVM angle is smaller at T than at T/100
        var runs: Int
        var inverseAngleR2: [Double]     // R² of 1/angle against ln t on [T/100, T], largest κ
        var ridgeGap: [Double]           // at the end of the L2-regularized runs
    }

    static func claim(_ e: Evidence) -> Claim {
        let early = Stats.mean(e.earlyGap)
        let noEffect = early > 0 ? nil : "no early weighting effect to compare against (mean early gap \(Fmt.g(early, 3)))"
        return Claim(
            id: "C4",
            statement: "On separable data, class weights change logistic regression early in training, but their effect fades as gradient descent runs on and its direction converges to the hard-margin SVM whatever the weights; L2 regularization restores the effect (Byrd & Lipton).",
            checks: [
                Check("largest KKT / duality-gap residual of the SVM solutions", measured: e.kktResidual, .atMost(1e-8), format: "%.1e"),
                Check("mean early gap in the fraction given to the up-weighted class", measured: early, .atLeast(0.03), format: "%.3f"),
                Check("mean gap at T / mean early gap", measured: Stats.mean(e.lateGap) / early, .atMost(0.5), format: "%.3f",
                      notObserved: noEffect),
                Check("share of runs whose angle to the SVM direction shrinks from T/100 to T", measured: Double(e.decreasingRuns) / Double(e.runs),
                      .atLeast(1), format: "%.2f"),
                Check("smallest R² of 1/angle against ln t on [T/100, T], largest κ", measured: e.inverseAngleR2.min() ?? .nan,
                      .atLeast(0.99), format: "%.4f"),
                Check("mean gap with L2 at convergence / mean early gap", measured: Stats.mean(e.ridgeGap) / early, .atLeast(0.5),
                      format: "%.3f", notObserved: noEffect),
            ],
            failsIf: "No early effect (mean gap below 0.03), a late gap above half the early one, an angle to the SVM that grows late in some run, a decay of the angle that is not c/(ln t + b), or an L2 gap below half the early gap.",
            note: "Linear models only (bias folded in as a constant feature); the deep networks of Byrd & Lipton are not run.")
    }

    /*: separable
     **Setting.** Two unit-variance Gaussian classes in the plane, training points redrawn until they
     lie at least γ = 0.3 beyond the true separating line on their own side (so the training set is
     separable), test points from the same mixture without the filter (so some fall in the gap, and
     where the boundary sits decides their labels). The positive class gets weight κ, the negative
     class 1, in the loss Σ cᵢ ln(1 + exp(−yᵢ wᵀzᵢ))/Σ cᵢ with z = (x, 1); GD starts at w = 0 with step
     1/L. For each data set we record, on a logarithmic time grid, the fraction of test points given
     to the up-weighted class and the angle between w_t and the hard-margin SVM direction of the
     same augmented points (solved above). The bias is penalized with the rest of w in that SVM: it
     is the max-margin problem whose solution GD on the augmented points approaches.

     **Why the effect must fade, and how slowly.** On separable data GD on an exponentially tailed
     loss has w_t = ŵ ln t + ρ + o(1) (Soudry et al., 2018), with ŵ the SVM solution: the weights cᵢ
     only enter the bounded remainder ρ (a weight multiplies e^{−margin}, i.e. it shifts the margin
     by ln cᵢ). So the boundary moves toward the SVM boundary, the weighting effect shrinks like
     1/ln t, and the angle to ŵ obeys angle ≈ a/(ln t + b): 1/angle is a straight line in ln t.
     With λ > 0 the loss has a unique minimizer that depends on the weights, and GD converges to it.

     **Criteria, fixed before the run.** The gap is the fraction of test points given to the
     up-weighted class with κ = max minus the same with κ = 1, per data set. (a) The SVM solutions
     certify to 1e-8; (b) the mean gap at t = early is at least 0.03; (c) the mean gap at T is at
     most half the early one; (d) in every run the angle to the SVM direction is smaller at T than at
     T/100; (e) 1/angle against ln t on [T/100, T] has R² ≥ 0.99 for every data set at the largest
     κ; (f) with L2 regularization the mean gap at convergence is at least half the early gap.
     */
    static func run(_ c: ImportanceWeighting.Config, seed: UInt64, report: Report) throws {
        report.section("Experiment 3: class weights on separable data (Byrd & Lipton)")
        HardMarginSVM.explain(report)
        report.literate("separable")
        var rng = RandomSource.stream(seed: seed, ImportanceWeighting.Stream.separable)
        let data = (0..<c.dataSets).map { _ in WeightedLogistic.makeData(perClass: c.trainPerClass, testPoints: c.testPoints, rng: &rng) }
        let d = WeightedLogistic.DataSet.d
        let svms = try report.phase("hard-margin SVM duals") {
            try data.map { try HardMarginSVM.solve($0.train, $0.labels, d: d) }
        }
        let certificates = zip(data, svms).map { HardMarginSVM.certify($0.1.alpha, $0.0.train, $0.0.labels, d: d) }
        let T = c.iterations, kmax = c.classWeights.last!
        let times = WeightedLogistic.recordTimes(upTo: T, including: [c.earlyIteration, T / 100, T])
        let ridgeTimes = WeightedLogistic.recordTimes(upTo: c.ridgeIterations, including: [c.ridgeIterations])
        // Jobs: every κ without regularization, then κ = 1 and κ = max with L2, for every data set.
        let jobs: [(set: Int, kappa: Double, ridge: Double)] = data.indices.flatMap { s in
            c.classWeights.map { (s, $0, 0.0) } + [(s, 1.0, c.ridge), (s, kmax, c.ridge)]
        }
        let traces = try report.phase("weighted logistic regression, GD") {
            try Threads.map(jobs.count) { j -> WeightedLogistic.Trace in
                let job = jobs[j]
                return try WeightedLogistic.train(data[job.set], classWeight: job.kappa, ridge: job.ridge,
                                                  iterations: job.ridge > 0 ? c.ridgeIterations : T,
                                                  record: job.ridge > 0 ? ridgeTimes : times, svm: svms[job.set].w,
                                                  label: "data set \(job.set), κ = \(Fmt.g(job.kappa)), λ = \(Fmt.g(job.ridge))")
            }
        }
        WeightedLogistic.showCode(report)
        func trace(_ s: Int, _ kappa: Double, ridge: Bool) -> WeightedLogistic.Trace {
            traces[jobs.firstIndex { $0.set == s && $0.kappa == kappa && ($0.ridge > 0) == ridge }!]
        }
        var early: [Double] = [], late: [Double] = [], ridgeGap: [Double] = [], r2: [Double] = []
        var decreasing = 0, runs = 0
        for s in data.indices {
            let one = trace(s, 1, ridge: false), big = trace(s, kmax, ridge: false)
            early.append(big.value(big.positive, at: c.earlyIteration) - one.value(one.positive, at: c.earlyIteration))
            late.append(big.positive.last! - one.positive.last!)
            ridgeGap.append(trace(s, kmax, ridge: true).positive.last! - trace(s, 1, ridge: true).positive.last!)
            for kappa in c.classWeights {
                let tr = trace(s, kappa, ridge: false)
                runs += 1
                if tr.angle.last! < tr.value(tr.angle, at: T / 100) { decreasing += 1 }
            }
            let window = big.t.indices.filter { big.t[$0] >= T / 100 }
            let fit = try? LineFit(x: window.map { Foundation.log(Double(big.t[$0])) }, y: window.map { 1 / big.angle[$0] })
            r2.append(fit?.rSquared ?? .nan)
        }
        let e = Evidence(kktResidual: certificates.map(\.residual).max()!, earlyGap: early, lateGap: late,
                         decreasingRuns: decreasing, runs: runs, inverseAngleR2: r2, ridgeGap: ridgeGap)
        report.claim(claim(e))
        try SeparableFigures.show(c, data: data, svms: svms, certificates: certificates, evidence: e, times: times,
                                  trace: trace, report: report)
    }
}
