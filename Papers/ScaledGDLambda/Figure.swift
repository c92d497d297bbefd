import Foundation
import Numerics
import Learning
import Notebook

enum Figure {
    struct Evidence {
        var kappas: [Double]
        var target: Double
        /// Local-phase rates (−d ln error / dt) of each method at each κ, with the reason if not observed.
        var scaledRates: [(rate: Double, unobserved: String?)]
        var gdRates: [(rate: Double, unobserved: String?)]
        /// Iterations to the target, with the reason if not observed.
        var scaledCounts: [(count: Int?, unobserved: String?)]
        var gdCounts: [(count: Int?, unobserved: String?)]
    }

    /*: claim4
     **Claim 4 (the main figure).** The paper's main figure plots the relative error against the
     iteration count for GD and ScaledGD(λ) at several κ: the ScaledGD(λ) curves nearly coincide and
     drop at a constant linear rate after a short burn-in, while GD's stretch out as κ grows. We redraw
     it from the κ sweep of Experiment 1 and check its shape: (a) at every κ ScaledGD(λ) reaches the
     target no later than GD; (b) the local-phase rates of ScaledGD(λ) differ across κ by at most a
     factor 1.5; (c) GD's local-phase rate at the smallest κ is at least 10 times its rate at the
     largest (a rate ∝ 1/κ gives the ratio of the κ).
     */
    static func claim4(_ e: Evidence) -> Claim {
        let first: Check = {
            let name = "ScaledGD(λ) first at every κ"
            if let why = (e.scaledCounts + e.gdCounts).compactMap(\.unobserved).first(where: { $0.hasPrefix("numerical stall") }) {
                return .notObserved(name, .isTrue, because: why)
            }
            let wins = zip(e.scaledCounts, e.gdCounts).allSatisfy { s, g in
                guard let a = s.count else { return false }
                return g.count.map { a <= $0 } ?? true
            }
            return Check(name, wins)
        }()
        let spread: Check = {
            let name = "ScaledGD(λ) max/min rate over κ", c = Criterion.atMost(1.5)
            if let why = e.scaledRates.compactMap(\.unobserved).first { return .notObserved(name, c, because: why) }
            let r = e.scaledRates.map(\.rate)
            return Check(name, measured: r.max()! / r.min()!, c, format: "%.3f")
        }()
        let slowdown: Check = {
            let name = "GD rate κ = \(Fmt.g(e.kappas.first!)) / κ = \(Fmt.g(e.kappas.last!))", c = Criterion.atLeast(10)
            if let why = e.gdRates.first!.unobserved ?? e.gdRates.last!.unobserved { return .notObserved(name, c, because: why) }
            return Check(name, measured: e.gdRates.first!.rate / e.gdRates.last!.rate, c, format: "%.3g")
        }()
        return Claim(
            id: "C4",
            statement: "Main figure: relative error vs iteration — ScaledGD(λ) curves nearly overlap across κ at a constant linear rate; GD slows down markedly as κ grows (Sec. 5 / Fig. 1).",
            checks: [first, spread, slowdown],
            failsIf: "GD reached \(Fmt.g(e.target)) first at some κ, ScaledGD(λ)'s local rates differed by more than 1.5× across κ, or GD's rate fell by less than 10× from the smallest to the largest κ.",
            note: "Population loss, the runs of Experiment 1."
        )
    }

    static func run(_ lab: Lab, _ sweep: Sweep, _ report: Report) {
        let c = lab.config
        let rate = { (p: Path) -> (rate: Double, unobserved: String?) in
            let (fit, why) = Show.linearRate(p, from: c.escapeLevel, to: c.target)
            return (fit.map { -$0.slope } ?? .nan, why)
        }
        let count = { (p: Path) in (count: p.first(below: c.target), unobserved: p.unobserved(reaching: c.target)) }
        let evidence = Evidence(kappas: sweep.kappas, target: c.target, scaledRates: sweep.scaled.map(rate), gdRates: sweep.gd.map(rate),
                                scaledCounts: sweep.scaled.map(count), gdCounts: sweep.gd.map(count))

        report.section("Experiment 4: the convergence figure")
        report.literate("claim4")
        report.claim(claim4(evidence))
        let name = { (k: Double) in "κ = \(Fmt.g(k))" }
        report.plot(LinePlot(title: "ScaledGD(λ): relative error ||XXᵀ − M*||_F / ||M*||_F, k = \(c.searchRank)",
                             xLabel: "iteration t", yLabel: "relative error (log)", yScale: .log10,
                             series: zip(sweep.kappas, sweep.scaled).map { Show.series($1, name($0)) }))
        report.plot(LinePlot(title: "GD: relative error ||XXᵀ − M*||_F / ||M*||_F, k = \(c.searchRank)",
                             xLabel: "iteration t", yLabel: "relative error (log)", yScale: .log10,
                             series: zip(sweep.kappas, sweep.gd).map { Show.series($1, name($0)) }))
        report.table(["κ", "ScaledGD(λ) local rate", "GD local rate", "1/κ"],
                     sweep.kappas.indices.map { i in
                         [Fmt.g(sweep.kappas[i]), Fmt.g(evidence.scaledRates[i].rate, 3), Fmt.sci(evidence.gdRates[i].rate, 2), Fmt.g(1 / sweep.kappas[i], 3)]
                     },
                     caption: "Local-phase rates −d ln(error)/dt, least-squares fits between the first iterations with error ≤ \(Fmt.g(c.escapeLevel)) and ≤ \(Fmt.g(c.target)).")
        let widths = sweep.scaled.compactMap { p -> Int? in
            guard let a = p.first(below: c.escapeLevel), let b = p.first(below: c.target) else { return nil }
            return b - a + 1
        }
        let rates = evidence.scaledRates.map(\.rate)
        let behind = sweep.otherDampings.map { d, runs -> String in
            let lost = sweep.kappas.indices.filter { i in
                guard let g = sweep.gd[i].first(below: c.target) else { return false }
                return (runs[i].first(below: c.target) ?? Int.max) > g
            }
            return "with λ = \(Fmt.g(d)) σ_min ScaledGD(λ) reached \(Fmt.g(c.target)) after GD at " + (lost.isEmpty ? "no κ" : "κ = " + Fmt.list(lost.map { sweep.kappas[$0] }))
        }
        report.prose("ScaledGD(λ)'s local rates ranged from \(Fmt.g(rates.min() ?? .nan, 3)) to \(Fmt.g(rates.max() ?? .nan, 3)) per iteration, each fitted over \(widths.min() ?? 0)–\(widths.max() ?? 0) points: with λ = \(Fmt.g(c.damping)) σ_min the local phase takes only a few iterations, and each fit rests on that few points. GD's rates divided by 1/κ ranged from \(Fmt.g(zip(evidence.gdRates, sweep.kappas).map { $0.rate * $1 }.min() ?? .nan, 3)) to \(Fmt.g(zip(evidence.gdRates, sweep.kappas).map { $0.rate * $1 }.max() ?? .nan, 3)). Check (a) depends on the damping: " + behind.joined(separator: "; ") + ".")
    }
}
