import Foundation
import Numerics
import Learning
import Notebook

extension Incremental.Results {
    func write(to report: Report, lab: Lab) {
        let c = lab.config
        let dynamics = Literate.sibling("Dynamics.swift")
        report.section("Experiment 1: plateaus at the best rank-s solutions (k = \(c.kOver) > r*)")
        report.literate("plateau", file: dynamics)
        /*: claim1
         **Claim 1.** For every seed and every α ≤ the plateau threshold, the run must pass the
         plateau rule above. At the smallest α the median over seeds of the closest approach
         min_t ||X_t X_tᵀ − Z_s||_F / ||Z_s||_F must be at most 10⁻³ for s = 1, …, r* − 1. To see
         *how* it goes to zero we fit, per seed, log(closest approach) against log α over the α grid:
         the slope p_s is the power in distance ∝ α^{p_s} (points below the round-off floor of the
         setup table are left out; fewer than 3 points is no fit); on the sensing loss it must be
         positive beyond two standard errors of the mean over seeds.

         **The power in the population limit.** Near Z_s the population dynamics separate. The
         fitted block of X Xᵀ − Z_s decays like e^{−2λ_s τ} (τ the time since rank s was learned);
         the next direction, which grew from α at rate λ_{s+1} for the whole time log(1/α)/λ_s that
         rank s took, starts at α^{1−ρ} (ρ = λ_{s+1}/λ_s) and its square grows like
         α^{2(1−ρ)} e^{2λ_{s+1}τ}; the part of it parallel to the fitted rows decays like
         α^{1−ρ} e^{−(λ_s−λ_{s+1})τ}. All three balance at the same τ, where the distance is of order
         α^{p_s} with p_s = 2(λ_s − λ_{s+1})/(λ_s + λ_{s+1}) (= 1 for neighbours a factor 3 apart). The
         population runs must match it within 15% (slack for the step size and for log factors).
         On the sensing loss the growth rates are those of the residual matrices instead (next
         experiment), so we only require a positive power there.
         */
        report.literate("claim1")
        report.code("exponent", file: Literate.sibling("Incremental.swift"))
        report.claim(Incremental.claim1(plateau))
        if let tr = sensing[0][c.alphas.count - 1].trajectory {
            let t = (0...tr.iterations).map(Double.init)
            var series = [Series("loss L(X_t)", x: t, y: tr.loss)]
            for (s, sol) in lab.problems[0].sensingSolutions.dropLast().enumerated() {
                series.append(Series("L(Z_\(s + 1))", x: t, y: t.map { _ in sol.loss }, style: .line))
            }
            report.plot(LinePlot(title: "sensing loss, seed 0, α = \(Fmt.g(c.alphas.last!)), k = \(c.kOver)",
                                 xLabel: "iteration t", yLabel: "loss (log)", yScale: .log10, series: series.map { $0.thinned(to: 300) }))
            let d = (0..<c.r).map { s in Series("to Z_\(s + 1)", x: t, y: tr.distance.map { $0[s] }).thinned(to: 300) }
            report.plot(LinePlot(title: "relative distance ||X_tX_tᵀ − Z_s||_F/||Z_s||_F, same run", xLabel: "iteration t",
                                 yLabel: "distance (log)", yScale: .log10, series: d))
        }
        var rows: [[String]] = []
        for (a, alpha) in c.alphas.enumerated() {
            let runs = sensing.map { $0[a] }, pop = population.map { $0[a] }
            var row = [Fmt.g(alpha), "\(runs.filter(\.incremental).count)/\(runs.count)"]
            for s in 0..<(c.r - 1) {
                row.append(Fmt.sci(Stats.median(runs.map { $0.closest[s] })))
                row.append(Fmt.sci(Stats.median(pop.map { $0.closest[s] })))
                row.append(Fmt.g(Stats.median(runs.map { Double($0.plateaus[s]?.count ?? 0) }), 4))
            }
            row.append(Fmt.sci(Stats.median(runs.map(\.finalError))))
            rows.append(row)
        }
        var header = ["α", "sensing runs passing the rule"]
        for s in 1..<c.r { header += ["closest to Z_\(s), sensing", "population", "rank-\(s) plateau length"] }
        report.table(header + ["final distance to M*"], rows,
                     caption: "Medians over \(c.seeds) seeds. Plateau lengths in iterations (0: no plateau by the rule).")
        func powers(_ p: [Double]) -> String { Fmt.estimate(Stats.mean(p), Stats.standardError(p)) }
        report.table(["s", "power p_s, sensing", "power p_s, population", "population prediction"],
                     (0..<(c.r - 1)).map { s in ["\(s + 1)", powers(plateau.sensingExponents[s]), powers(plateau.populationExponents[s]),
                                                  Fmt.g(plateau.predictedExponents[s], 3)] },
                     caption: "Least-squares slope of log₁₀(closest approach) against log₁₀ α over α = \(Fmt.list(c.alphas)) (closest approaches below \(Fmt.g(c.roundOffFloor)) left out), mean ± standard error over seeds.")
        writeOnsets(to: report, lab: lab)
    }

    func writeOnsets(to report: Report, lab: Lab) {
        let c = lab.config
        report.section("Experiment 2: when each rank is learned")
        /*: claim2
         **Claim 2: the onset of rank s.** Call t_s(α) the first iteration at which the s-th
         eigenvalue of X Xᵀ reaches half of that of Z_s. While a direction is small, GD multiplies
         its component by (1 + ηλ) per step, λ the eigenvalue of the residual matrix R along it,
         so reaching size O(1) from α takes ln(1/α)/ln(1 + ηλ) steps plus a constant.

         *Population limit.* R = M* − X Xᵀ keeps the eigenvectors of M*: direction s grows at rate
         λ_s from the first step until it is learned, whatever happens to the others, so
         t_s ≈ ln(1/α)/ln(1 + ηλ_s) (≈ ln(1/α)/(ηλ_s) for small η), the slope checked to 3%.

         *Sensing loss.* R(0) = (1/m)Σ yᵢAᵢ, R(Z₁) and R(Z₂) have their own eigenvalues a⁽ⁱ⁾ⱼ
         (computed at the second algorithm's Z_s) and slightly rotated eigenvectors. Writing
         g(λ) = ln(1 + ηλ) and measuring times in units of ln(1/α): rank 1 takes t₁ = 1/g(a⁽⁰⁾₁); the
         second direction grew at g(a⁽⁰⁾₂) meanwhile and then grows at g(a⁽¹⁾₁), so
         t₂ = t₁ + (1 − g(a⁽⁰⁾₂)t₁)/g(a⁽¹⁾₁). A component along an occupied
         column direction, or along an occupied row of X, is absorbed by the learned directions
         (it only rotates them), so what becomes rank 3 is the fastest unoccupied mode of each
         phase: t₃ = t₂ + (1 − g(a⁽⁰⁾₃)t₁ − g(a⁽¹⁾₂)(t₂ − t₁))/g(a⁽²⁾₁). All three are α → 0
         statements, and the third is the most delicate: past the second eigenvalue, R(0) and R(Z₁)
         carry the eigenvalues of the operator's noise, of order √(2n/m) ||M* − Z||_F and close
         together, so the component that becomes rank 3 is a sum of exponentials with nearby
         rates until α is very small. The full-mode grid therefore goes down to α = 10⁻¹⁶, and the
         slope for s = 3 has the same 3% criterion as the others.
         */
        report.literate("claim2")
        report.code("slopes", file: Literate.sibling("Onsets.swift"))
        report.claim(Onsets.claim2(onsets))
        let e = onsets
        func est(_ x: [Double]) -> String { Fmt.estimate(Stats.mean(x), Stats.standardError(x)) }
        var rows: [[String]] = []
        for s in 0..<c.r {
            rows.append(["\(s + 1)", Fmt.g(e.populationPredicted[s], 4), est(e.populationSlopes[s]), Fmt.g(e.populationRSquared[s], 5),
                         est(e.sensingPredicted[s]), est(e.sensingSlopes[s]), Fmt.g(e.sensingRSquared[s], 5)])
        }
        report.table(["s", "population prediction 1/ln(1+ηλ_s)", "population slope", "min R²", "sensing prediction (α → 0)", "sensing slope", "min R²"], rows,
                     caption: "Iterations per unit of ln(1/α): least-squares slopes of t_s against ln(1/α), mean ± standard error over \(c.seeds) seeds (predictions vary with the seed's operator on the sensing loss).")
        var series: [Series] = []
        let x = c.alphas.map { log10(1 / $0) }
        for s in 0..<c.r {
            series.append(Series("rank \(s + 1), sensing", x: x, y: sensing[0].map { $0.onsets[s].map(Double.init) ?? .nan }, style: .points))
            series.append(Series("rank \(s + 1), population", x: x, y: population[0].map { $0.onsets[s].map(Double.init) ?? .nan }, style: .points))
        }
        report.plot(ScatterPlot(title: "onset t_s of rank s against log₁₀(1/α), seed 0", xLabel: "log₁₀(1/α)", yLabel: "iteration", series: series))
    }
}
