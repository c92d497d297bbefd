import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 2: heavy-ball momentum moves the edge to (2 + 2β)/η (claim 3).
enum Momentum {
    struct PerRun {
        var eta: Double
        var lateOverEdge: Double         // mean S over the late window / ((2 + 2β)/η)
        var lateOverGDEdge: Double       // the same mean / (2/η)
        var lateUnobserved: String?
    }

    struct Evidence {
        var beta: Double
        var runs: [PerRun]
        var companionAtThreshold: Double // spectral radius of the companion matrix at ηλ = 2 + 2β
        var bisectedEdge: Double         // largest stable ηλ of the 1-D recursion, by bisection
    }

    static func claim3(_ e: Evidence) -> Claim {
        var checks = [
            Check("companion-matrix radius at ηλ = 2 + 2β", measured: e.companionAtThreshold, .withinAbs(target: 1, tolerance: 1e-12), format: "%.15g"),
            Check("1-D recursion: largest stable ηλ (bisected) / (2 + 2β)", measured: e.bisectedEdge / Quadratic.threshold(beta: e.beta),
                  .within(target: 1, relative: 0.005), format: "%.5g"),
        ]
        for r in e.runs {
            checks.append(Check("η = \(Fmt.g(r.eta)): late mean S / ((2 + 2β)/η)", measured: r.lateOverEdge,
                                .between(0.9, 1.2), format: "%.3g", notObserved: r.lateUnobserved))
            checks.append(Check("η = \(Fmt.g(r.eta)): late mean S / (2/η)", measured: r.lateOverGDEdge,
                                .greaterThan(1.2), format: "%.3g", notObserved: r.lateUnobserved))
        }
        return Claim(
            id: "C3",
            statement: "With heavy-ball momentum β the sharpness plateaus at the momentum stability threshold (2 + 2β)/η instead of 2/η (Sec. 3, App.).",
            checks: checks,
            failsIf: "The companion-matrix threshold is not 2 + 2β, or for some η the late mean sharpness lies outside [0.9, 1.2]·(2 + 2β)/η or not above 1.2·2/η.",
            note: "One momentum value on the Chebyshev task, same network and initialization as Experiment 1.")
    }

    /*: momentum
     **Momentum.** The optimizer is the authors' heavy ball, v ← β v + ∇L(θ), θ ← θ − η v, from the
     initialization of Experiment 1. Its edge, by the companion matrix above, is (2 + 2β)/η; with
     β = 0.5 that is 1.5 times the plain-GD edge 2/η, far enough apart for the late-window mean to tell
     them apart. **Criteria (fixed before the runs):** for every η the mean sharpness over the last
     third of the run lies in [0.9, 1.2]·(2 + 2β)/η, and above 1.2·2/η; the companion matrix has
     spectral radius 1 at ηλ = 2 + 2β (within ±1e-12), and bisection of the recursion itself finds the
     same edge within 0.5%.
     */
    static func run(_ c: EdgeOfStability.Config, data: (x: Matrix, y: Matrix), start: MLP, report: Report) throws {
        report.section("Experiment 2: heavy-ball momentum")
        report.literate("momentum")
        let loss = Loss.meanSquaredError(targets: data.y)
        let beta = c.beta
        let runs = try report.phase("momentum, \(c.momentumEtas.count) step sizes") {
            try c.momentumEtas.map { eta in
                try Task.train(start, x: data.x, loss: loss, eta: eta, beta: beta, steps: c.momentumSteps, every: c.sharpnessEvery)
            }
        }
        let summaries = runs.map { RunSummary($0, edge: Quadratic.threshold(beta: beta) / $0.eta) }
        let evidence = Evidence(
            beta: beta,
            runs: summaries.map { PerRun(eta: $0.eta, lateOverEdge: $0.lateMeanOverEdge, lateOverGDEdge: $0.lateMeanOverGDEdge, lateUnobserved: $0.lateWindowUnobserved) },
            companionAtThreshold: Quadratic.companionRadius(beta: beta, a: Quadratic.threshold(beta: beta)),
            bisectedEdge: Quadratic.bisectedEdge(beta: beta, lambdas: [1], steps: 5_000, hi: 4))
        report.claim(claim3(evidence))
        report.plot(LinePlot(
            title: "Sharpness with momentum β = \(Fmt.g(beta)); dotted: (2 + 2β)/η, dashes: 2/η", xLabel: "step t", yLabel: "S(θ_t)",
            series: zip(runs, ["a", "b", "c"]).map { r, m in
                Series("η = \(Fmt.g(r.eta))", x: r.sharpSteps.map(Double.init), y: r.sharpness, marker: Character(m)).thinned(to: 300)
            } + runs.flatMap { r in
                [Series("(2 + 2β)/η = \(Fmt.g(Quadratic.threshold(beta: beta) / r.eta))", x: [0, Double(c.momentumSteps)],
                        y: [Quadratic.threshold(beta: beta) / r.eta, Quadratic.threshold(beta: beta) / r.eta], marker: "."),
                 Series("2/η = \(Fmt.g(2 / r.eta))", x: [0, Double(c.momentumSteps)], y: [2 / r.eta, 2 / r.eta], marker: "-")]
            }))
        report.table(["η", "2/η", "(2 + 2β)/η", "first step with S ≥ (2 + 2β)/η", "late mean S", "/ ((2 + 2β)/η)", "/ (2/η)"],
                     summaries.map { s in
                         [Fmt.g(s.eta), Fmt.g(2 / s.eta), Fmt.g(s.edge), Fmt.reached(s.crossing), Fmt.g(s.lateMeanOverEdge * s.edge),
                          Fmt.g(s.lateMeanOverEdge, 3), Fmt.g(s.lateMeanOverGDEdge, 3)]
                     })
        report.discussion("""
            With β = \(Fmt.g(beta)) the late-window mean sharpness is \(Fmt.list(summaries.map(\.lateMeanOverEdge)) { Fmt.g($0, 3) }) \
            times (2 + 2β)/η and \(Fmt.list(summaries.map(\.lateMeanOverGDEdge)) { Fmt.g($0, 3) }) times 2/η \
            (η = \(Fmt.list(c.momentumEtas))). The bisected edge of the 1-D recursion is ηλ = \
            \(Fmt.g(evidence.bisectedEdge, 6)) against 2 + 2β = \(Fmt.g(Quadratic.threshold(beta: beta), 6)).
            """)
    }
}
