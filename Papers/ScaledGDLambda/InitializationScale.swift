import Foundation
import Numerics
import Learning
import Notebook

enum InitializationScale {
    /*: alpha
     **The initialization scale.** The paper's iteration count carries the cost of escaping from
     the small start, which grows like log(1/α). At the largest κ we repeat both methods from
     several α and fit the escape-phase iterations against log₁₀(1/α): the slope is the cost of
     one more decade of smallness. The last row starts from an α so small that GD's iterate
     freezes in floating point (Algorithms); it is shown to make the stall detector visible, and
     it enters no check.
     */
    static func run(_ lab: Lab, _ report: Report) throws {
        let c = lab.config
        let kappa = c.kappas.last!
        let alphas = c.alphas + [c.frozenAlpha]
        let runs = try Threads.map(2 * alphas.count) { j -> Path in
            let a = alphas[j / 2]
            let method = j % 2 == 0 ? lab.scaled(kappa: kappa, damping: c.damping) : lab.gd()
            return try lab.population(method, kappa: kappa, alpha: a, label: "\(method.name), α = \(Fmt.g(a))")
        }
        let scaled = stride(from: 0, to: runs.count, by: 2).map { runs[$0] }
        let gd = stride(from: 1, to: runs.count, by: 2).map { runs[$0] }

        report.subsection("The initialization scale α (κ = \(Fmt.g(kappa)))")
        report.literate("alpha")
        let stallText = { (p: Path) in p.stall.map { "X unchanged in \($0.lowerBound)–\($0.upperBound)" } ?? "none" }
        let rows = alphas.indices.map { i -> [String] in
            [Fmt.g(alphas[i]), Show.count(scaled[i].first(below: c.escapeLevel)), Show.count(scaled[i].first(below: c.target)), stallText(scaled[i]),
             Show.count(gd[i].first(below: c.escapeLevel)), Show.count(gd[i].first(below: c.target)), stallText(gd[i])]
        }
        report.table(["α", "ScaledGD(λ) escape", "total", "stall", "GD escape", "total", "stall"], rows,
                     caption: "Population loss, κ = \(Fmt.g(kappa)), k = \(c.searchRank); budgets GD \(c.gdBudget), ScaledGD(λ) \(c.scaledBudget).")

        func perDecade(_ paths: [Path]) -> LineFit? {
            let pts = zip(c.alphas, paths.prefix(c.alphas.count)).compactMap { a, p -> (Double, Double)? in
                guard p.unobserved(reaching: c.escapeLevel) == nil, let t = p.first(below: c.escapeLevel) else { return nil }
                return (-log10(a), Double(t))
            }
            guard pts.count >= 3 else { return nil }
            return try? LineFit(x: pts.map(\.0), y: pts.map(\.1))
        }
        let (sFit, gFit) = (perDecade(scaled), perDecade(gd))
        let frozen = gd.last!
        report.prose("""
            **The α-dependence.** At κ = \(Fmt.g(kappa)) each further decade of smallness of α cost \
            \(sFit.map { Fmt.g($0.slope, 3) } ?? "n/a (fewer than 3 observed scales)") escape iterations of ScaledGD(λ) and \
            \(gFit.map { Fmt.g($0.slope, 3) } ?? "n/a (fewer than 3 observed scales)") of GD (least-squares slopes over α = \(Fmt.list(c.alphas))). \
            The linearized escape of the weakest direction, which grows by 1 + η σ_min per GD step and by \
            1 + η σ_min / λ per ScaledGD(λ) step while X is tiny (XᵀX ≪ λ), predicts ln 10 / ln(1 + η σ_min) = \
            \(Fmt.g(log(10) / log(1 + c.gdStep / kappa), 3)) and ln 10 / ln(1 + η / \(Fmt.g(c.damping))) = \
            \(Fmt.g(log(10) / log(1 + c.eta / c.damping), 3)) iterations per decade. \
            From α = \(Fmt.g(c.frozenAlpha)), GD's run \(frozen.stall.map { "stalled: X was unchanged in iterations \($0.lowerBound)–\($0.upperBound), which the checks would report as not observed" } ?? "showed no stall"); \
            ScaledGD(λ)'s run from the same start \(scaled.last!.stall == nil ? "showed no stall" : "stalled as well").
            """)
    }
}
