import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 3 (Fig. 2, left and middle): predicted against actual leave-one-out, logistic regression.
enum LeaveOneOutExperiment {
    struct Evidence {
        var pearsonTop: Double, pearsonRandom: Double, pearsonLissa: Double
        /// Largest bound on the error of an actual change, ‖∇ℓ_test‖ · ‖∇L₋ⱼ‖ / λ, over the smallest |actual change|.
        var toleranceRatio: Double
        var retrained: Int
    }

    struct Removal { var index: Int; var predicted: Double; var lissa: Double; var actual: Double; var bound: Double; var steps: Int; var top: Bool }

    struct Result { var evidence: Evidence; var removals: [Removal]; var testLoss: Double; var trainAccuracy: Double, testAccuracy: Double; var testLabel: Int }

    static func claim(_ e: Evidence) -> Claim {
        Claim(
            id: "C3",
            statement: "For L2-regularized logistic regression the predicted change of a test loss, −(1/n) I_up,loss, matches leave-one-out retraining for the most influential training points, with H⁻¹v by conjugate gradient or by LiSSA (Fig. 2, left and middle).",
            checks: [
                Check("Pearson R, most influential points (conjugate gradient)", measured: e.pearsonTop, .atLeast(0.95), format: "%.4f"),
                Check("Pearson R, random points (conjugate gradient)", measured: e.pearsonRandom, .atLeast(0.95), format: "%.4f"),
                Check("Pearson R, most influential points (stochastic LiSSA)", measured: e.pearsonLissa, .atLeast(0.95), format: "%.4f"),
                Check("retraining error bound / smallest |actual change|", measured: e.toleranceRatio, .atMost(0.01), format: "%.2g"),
            ],
            failsIf: "a Pearson correlation between predicted and actual changes is below 0.95, or retraining is not converged to 1% of the smallest effect it measures",
            note: "One wrongly classified test digit, as in the paper; digits (n = 1347) instead of MNIST (n = 55000), so every effect is about 40 times larger.")
    }

    static func run(_ lab: LogisticLab, _ solvers: SolverExperiment.Result, _ c: InfluenceFunctions.Config, seed: UInt64, report: Report) throws -> Result {
        report.section("Experiment 3: influence against leave-one-out retraining")
        /*: loo
         **Claim 3 (Fig. 2).** With s_test = H⁻¹∇ℓ_test from experiment 2, the predicted change on removing
         training point j is (1/n) ∇ℓⱼᵀ s_test, one dot product per point. We retrain without the most
         influential points (largest |prediction|) and without as many random others, each by Newton's
         method warm-started at θ̂ with the Hessian of the reduced objective, until ‖∇L₋ⱼ‖ is below the
         tolerance, and record ℓ_test(θ̂₋ⱼ) − ℓ_test(θ̂). Because L₋ⱼ is λ-strongly convex, the
         retrained θ is within ‖∇L₋ⱼ‖/λ of the exact minimizer, so the actual change is known to
         ‖∇ℓ_test‖ ‖∇L₋ⱼ‖/λ (first order); this bound must be below 1% of the smallest change measured.
         The same predictions with the stochastic LiSSA estimate of s_test (the paper's Fig. 2 middle)
         are compared with the same retrainings. Criteria fixed before the run: Pearson R ≥ 0.95 for the
         influential points, for the random points, and for LiSSA.
         */
        report.literate("loo")
        report.code("retrain", file: Literate.sibling("Softmax.swift"))
        let m = lab.model, n = Double(m.n)
        let sTest = solvers.cg                                  // H⁻¹∇ℓ_test by conjugate gradient
        let predicted = (0..<m.n).map { Vector.dot(lab.exampleGradient($0), sTest) / n }
        let lissa = (0..<m.n).map { Vector.dot(lab.exampleGradient($0), solvers.lissa) / n }
        let byMagnitude = (0..<m.n).sorted { abs(predicted[$0]) > abs(predicted[$1]) }
        let top = Array(byMagnitude.prefix(c.topRemovals))
        var rng = RandomSource.stream(seed: seed, InfluenceFunctions.Stream.randomRemovals)
        let rest = Array(byMagnitude.dropFirst(c.topRemovals))
        let random = Array(rng.permutation(rest.count).prefix(c.randomRemovals).map { rest[$0] })
        let chosen = top.map { ($0, true) } + random.map { ($0, false) }
        let gTestNorm = Vector.norm(lab.testGradient)
        let removals = try report.phase("Experiment 3: \(chosen.count) leave-one-out retrainings") {
            try Threads.map(chosen.count) { k -> Removal in
                let (j, isTop) = chosen[k]
                let r = try m.retrain(from: lab.theta, excluding: j, hessian: lab.hessian, p: lab.p, tolerance: c.retrainTolerance)
                return Removal(index: j, predicted: predicted[j], lissa: lissa[j], actual: lab.testLoss(at: r.theta) - lab.testLoss,
                               bound: gTestNorm * r.gradientNorm / m.lambda, steps: r.steps, top: isTop)
            }
        }
        let tops = removals.filter(\.top), rands = removals.filter { !$0.top }
        let smallest = removals.map { abs($0.actual) }.min() ?? .nan
        let e = Evidence(pearsonTop: pearson(tops.map(\.predicted), tops.map(\.actual)),
                         pearsonRandom: pearson(rands.map(\.predicted), rands.map(\.actual)),
                         pearsonLissa: pearson(tops.map(\.lissa), tops.map(\.actual)),
                         toleranceRatio: (removals.map(\.bound).max() ?? .nan) / smallest, retrained: removals.count)
        report.claim(claim(e))
        let lim = removals.flatMap { [abs($0.actual), abs($0.predicted)] }.max() ?? 1
        report.plot(ScatterPlot(title: "predicted against actual change of the test loss on removal", xLabel: "actual ℓ_test(θ̂₋ⱼ) − ℓ_test(θ̂)",
                                yLabel: "predicted (1/n)∇ℓⱼᵀH⁻¹∇ℓ_test", series: [
                                    Series("y = x", x: (0...60).map { -lim + 2 * lim * Double($0) / 60 }, y: (0...60).map { -lim + 2 * lim * Double($0) / 60 }, marker: "."),
                                    Series("most influential (CG)", x: tops.map(\.actual), y: tops.map(\.predicted), marker: "o"),
                                    Series("most influential (LiSSA)", x: tops.map(\.actual), y: tops.map(\.lissa), marker: "+"),
                                    Series("random (CG)", x: rands.map(\.actual), y: rands.map(\.predicted), marker: "x")]),
                    caption: "Test digit \(lab.testIndex) of the test split (label \(lab.testLabel), test loss \(Fmt.g(lab.testLoss, 4))).")
        let ratios = tops.map { $0.predicted / $0.actual }
        report.table(["set", "points", "Pearson R", "|actual| range", "median predicted / actual", "Newton steps (max)"], [
            ["most influential, CG", "\(tops.count)", Fmt.g(e.pearsonTop, 4), "\(Fmt.sci(tops.map { abs($0.actual) }.min() ?? .nan, 2)) – \(Fmt.sci(tops.map { abs($0.actual) }.max() ?? .nan, 2))",
             Fmt.g(Stats.median(ratios), 4), "\(tops.map(\.steps).max() ?? 0)"],
            ["most influential, LiSSA", "\(tops.count)", Fmt.g(e.pearsonLissa, 4), "", Fmt.g(Stats.median(tops.map { $0.lissa / $0.actual }), 4), ""],
            ["random, CG", "\(rands.count)", Fmt.g(e.pearsonRandom, 4), "\(Fmt.sci(rands.map { abs($0.actual) }.min() ?? .nan, 2)) – \(Fmt.sci(rands.map { abs($0.actual) }.max() ?? .nan, 2))",
             Fmt.g(Stats.median(rands.map { $0.predicted / $0.actual }), 4), "\(rands.map(\.steps).max() ?? 0)"],
        ], caption: "Largest retraining error bound \(Fmt.sci(removals.map(\.bound).max() ?? .nan, 2)) against the smallest |actual change| \(Fmt.sci(smallest, 2)).")
        return Result(evidence: e, removals: removals, testLoss: lab.testLoss, trainAccuracy: lab.trainAccuracy, testAccuracy: lab.testAccuracy, testLabel: lab.testLabel)
    }
}
