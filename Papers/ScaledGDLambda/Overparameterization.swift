import Foundation
import Numerics
import Learning
import Notebook

enum Overparameterization {
    /// The runs over k of one loss at one α: rates and iteration counts.
    struct Arm {
        var loss: String
        /// Linear-phase rate of each rank (−d ln error / dt), with the reason if not observed.
        var rates: [(rate: Double, unobserved: String?)]
        /// Iterations to the target at k = r* and at k = n (the budget if not reached), or the reason.
        var exact: (count: Int?, unobserved: String?)
        var full: (count: Int?, unobserved: String?)
    }

    struct Evidence {
        var ranks: [Int]
        var alpha: Double
        var arms: [Arm]
    }

    /*: claim2
     **Claim 2 (over-parameterization).** At κ = 10 we run ScaledGD(λ) with search ranks from r* up
     to n, on the population loss and on the sensing loss, from several initialization scales. The
     paper's guarantee holds for a sufficiently small α, so the checks are made at the smallest α of
     the sweep, for each loss: the rates of the linear phase (fitted from error 1e-3 down to the
     target, or to the end of the run if the target is not reached) differ across k by at most a
     factor 1.5, and k = n needs at most 1.5 times the iterations of k = r* to reach the target (a
     run that never reaches it counts its whole budget). Slower by half again would be a visible
     cost of over-parameterization. The larger α show how the spare columns of X limit the error
     when the start is not small enough.
     */
    static func claim2(_ e: Evidence) -> Claim {
        let checks = e.arms.flatMap { arm -> [Check] in
            let spread: Check = {
                let name = "\(arm.loss): max/min rate over k", c = Criterion.atMost(1.5)
                if let why = arm.rates.compactMap(\.unobserved).first { return .notObserved(name, c, because: why) }
                let r = arm.rates.map(\.rate)
                return Check(name, measured: r.max()! / r.min()!, c, format: "%.3f")
            }()
            let slowdown: Check = {
                let name = "\(arm.loss): iterations k = n / k = r*", c = Criterion.atMost(1.5)
                if let why = arm.full.unobserved ?? arm.exact.unobserved { return .notObserved(name, c, because: why) }
                return Check(name, measured: Double(arm.full.count!) / Double(Swift.max(1, arm.exact.count!)), c, format: "%.3f")
            }()
            return [spread, slowdown]
        }
        return Claim(
            id: "C2",
            statement: "Over-parameterization (search rank k ≫ r*, up to n) does not slow ScaledGD(λ): the same constant linear rate as with the exact rank (abstract, Thm. 1).",
            checks: checks,
            failsIf: "at α = \(Fmt.g(e.alpha)) the linear-phase rates over k = \(e.ranks.map(String.init).joined(separator: ", ")) differed by more than 1.5×, or k = n took more than 1.5× the iterations of k = r* (counting the budget if never reached).",
            note: "κ = 10, one operator and one initial draw; checked at the smallest α of the sweep, on each loss."
        )
    }

    static func arm(_ loss: String, _ paths: [Path], target: Double) -> Arm {
        let stalled = { (q: Path) in q.stall.map { "numerical stall: X unchanged in iterations \($0.lowerBound)–\($0.upperBound) of \(q.label)" } }
        let rates = paths.map { path -> (rate: Double, unobserved: String?) in
            // A run that is still moving but never reaches the target is slow: its window runs to the end.
            if let why = stalled(path) { return (.nan, why) }
            let r = path.trace.linearRate(fromBelow: 1e-3, toBelow: target, orEnd: true)
            return (r.rate, r.unobserved)
        }
        let count = { (q: Path) -> (count: Int?, unobserved: String?) in
            if let why = stalled(q) { return (nil, why) }
            return (q.first(below: target) ?? q.budget, nil)
        }
        return Arm(loss: loss, rates: rates, exact: count(paths.first!), full: count(paths.last!))
    }

    static func run(_ lab: Lab, _ report: Report) throws {
        let c = lab.config
        let p = lab.sensing(kappa: c.sensingKappa)
        let cells = c.sensingAlphas.flatMap { a in c.ranks.map { (a, $0) } }
        let paths = try Threads.map(cells.count) { i -> Path in
            let (a, k) = cells[i]
            return try Algorithms.run(.sensing(p, noise: 0), lab.scaled(kappa: c.sensingKappa, damping: c.sensingDamping),
                                      initial: lab.initial(k: k, alpha: a), iterations: c.sensingBudget, stopBelow: c.stopBelow,
                                      label: "ScaledGD(λ), k = \(k), α = \(Fmt.g(a))")
        }
        let alpha = c.sensingAlphas.last!
        let population = try Threads.map(c.ranks.count) { i in
            try Algorithms.run(.population(p.truth.matrix), lab.scaled(kappa: c.sensingKappa, damping: c.sensingDamping),
                               initial: lab.initial(k: c.ranks[i], alpha: alpha), iterations: c.sensingBudget, stopBelow: c.stopBelow,
                               label: "population, k = \(c.ranks[i])")
        }
        let smallest = Array(paths.suffix(c.ranks.count))
        let evidence = Evidence(ranks: c.ranks, alpha: alpha, arms: [arm("population", population, target: c.sensingTarget),
                                                                     arm("sensing", smallest, target: c.sensingTarget)])

        report.section("Experiment 2: over-parameterization does not slow ScaledGD(λ)")
        report.literate("claim2")
        report.claim(claim2(evidence))
        let rows = cells.indices.map { i -> [String] in
            let q = paths[i]
            return [Fmt.g(cells[i].0), "\(cells[i].1)", Show.count(q.first(below: 1e-3)), Show.count(q.first(below: c.sensingTarget)),
                    Fmt.sci(q.trace.values.min() ?? .nan), Fmt.sci(q.trace.last)]
        }
        report.table(["k"] + population.map { "\($0.label.components(separatedBy: "k = ").last!)" },
                     [["population: iterations to \(Fmt.g(c.sensingTarget))"] + population.map { Show.count($0.first(below: c.sensingTarget)) }],
                     caption: "Population loss, κ = \(Fmt.g(c.sensingKappa)), α = \(Fmt.g(alpha)), λ = \(Fmt.g(c.sensingDamping)) σ_min.")
        report.table(["α", "k", "iterations to 1e-3", "iterations to \(Fmt.g(c.sensingTarget))", "smallest error", "final error"], rows,
                     caption: "Sensing, n = \(c.n), m = \(c.m), κ = \(Fmt.g(c.sensingKappa)), λ = \(Fmt.g(c.sensingDamping)) σ_min; runs stop at \(Fmt.g(c.stopBelow)) or after \(c.sensingBudget) iterations.")
        report.plot(LinePlot(title: "sensing: ScaledGD(λ) with search rank k, α = \(Fmt.g(evidence.alpha)) (r* = \(c.r))",
                             xLabel: "iteration t", yLabel: "relative error (log)", yScale: .log10,
                             series: smallest.map { Show.series($0, "k = " + $0.label.components(separatedBy: "k = ").last!.components(separatedBy: ",").first!) }))

        // The α-dependence: the largest α at which k = n still reached the target within 1.5× of k = r*.
        let fine = c.sensingAlphas.indices.filter { j in
            let row = Array(paths[(j * c.ranks.count)..<((j + 1) * c.ranks.count)])
            guard let a = row.first!.first(below: c.sensingTarget), let b = row.last!.first(below: c.sensingTarget) else { return false }
            return Double(b) <= 1.5 * Double(Swift.max(1, a))
        }.map { c.sensingAlphas[$0] }
        let floors = c.sensingAlphas.indices.map { j in paths[(j + 1) * c.ranks.count - 1].trace.values.min() ?? .nan }
        report.prose("""
            **The α-dependence.** With k = n, the smallest error along the path was \(Fmt.list(floors) { Fmt.sci($0, 1) }) \
            for α = \(Fmt.list(c.sensingAlphas)). k = n reached \(Fmt.g(c.sensingTarget)) within 1.5× the iterations of \
            k = r* for \(fine.isEmpty ? "no α of the sweep" : "α = " + Fmt.list(fine)).
            """)
    }
}
