import Foundation
import Numerics
import Notebook

extension Acceleration {
    /*: acceleration
     **Claim 2 (acceleration).** The paper's experiment (Sec. 8) is ℓ₄ linear regression on a UCI
     table, with depth-2 and depth-3 linear networks against GD on the convex objective and against
     AdaGrad and AdaDelta. We run it on synthetic regressions (setup above) and, as a real table, on
     the shipped digits (ℓ₄, primary scale only). For each problem we compute the optimum L*
     independently (Newton's method on the convex ℓ₄ objective, the normal equations for ℓ₂) and
     count the steps each method needs to reach L ≤ 1.01·L*. All methods start from the same
     end-to-end vector w_e(0) = α·||w*||·u (u a random unit vector; the deep networks as balanced
     scalar layers), and each method's step size is the best of the same grid.

     The paper gives a shape, not a number, so the criteria are ours, fixed before the run, at the
     primary scale α. On ℓ₄: depth 2 and depth 3 each reach the target in fewer steps than GD on all
     seeds but at most one; the better of them beats AdaGrad, AdaDelta and Adam on all seeds but at
     most one; depth 2's speed-up over GD (geometric mean of T_GD / T_depth2 over seeds) is at least
     2; on the digits table depth 2 beats GD from all start directions but at most one (not judged if
     GD needs fewer than 100 steps there: the counts would then separate nothing). On ℓ₂, where the
     paper reports no gain, neither depth is more than 1.5x faster than GD. A run that misses the
     target within the budget counts as budget + 1 steps; if the optimum is not stationary to 1e-10
     (relative to the gradient at zero) or a recorded run goes below it, every check is void.
     */
    static func write(_ r: Results, config c: ImplicitAcceleration.Config, report: Report) {
        report.section("Experiment 2: steps to 1.01·L*, depth against GD, AdaGrad and Adam")
        report.literate("acceleration")
        report.code("methods", file: Literate.sibling("Methods.swift"))
        report.code("sweep", file: Literate.sibling("Acceleration.swift"))
        let e = evidence(r, scale: c.primaryScale)
        report.claim(claim(e))

        let opt = r.optimumLoss
        report.plot(LinePlot(
            title: "ℓ₄, seed 1, α = \(Fmt.g(c.scales[c.primaryScale])): (L − L*)/L* at each method's tuned η",
            xLabel: "step", yLabel: "(L − L*)/L* (log)", yScale: .log10,
            series: Method.allCases.map { m in
                let y = (r.traces[m] ?? []).map { Swift.max(($0 - opt) / opt, 1e-16) }
                return Series(m.rawValue, x: y.indices.map(Double.init), y: y, marker: m.marker).thinned(to: 300)
            }), caption: "Each curve runs \(c.traceSteps) steps at the η that reached 1.01·L* first; the target is (L − L*)/L* = \(Fmt.g(c.targetFactor - 1)).")

        // Per seed at the primary scale, ℓ₄.
        let i4 = r.ps.firstIndex(of: 4) ?? 0
        func text(_ cell: Cell, _ m: Method) -> String {
            guard let t = cell.steps[m], let eta = cell.eta[m] else { return "> \(r.budget)" }
            let edge = eta == c.etaExponents.map({ Foundation.pow(10, $0) }).max() ? " (grid edge)" : ""
            return "\(t) (η = \(Fmt.g(eta, 3))\(edge))"
        }
        report.table(["seed"] + Method.allCases.map(\.rawValue),
                     r.cells[i4][c.primaryScale].enumerated().map { s, cell in ["\(s + 1)"] + Method.allCases.map { text(cell, $0) } },
                     caption: "ℓ₄, α = \(Fmt.g(c.scales[c.primaryScale])): steps to 1.01·L* at the tuned step size.")

        report.table(["start"] + Method.allCases.map(\.rawValue),
                     r.digits.enumerated().map { s, cell in ["\(s + 1)"] + Method.allCases.map { text(cell, $0) } },
                     caption: "The digits table (block \(c.digitsBlock) from the other 15), ℓ₄, α = \(Fmt.g(c.scales[c.primaryScale])): steps to 1.01·L* from \(r.digits.count) start directions.")

        // The sweep over the initialization scale and the loss.
        var rows: [[String]] = []
        for (pi, p) in r.ps.enumerated() {
            for (a, alpha) in r.scales.enumerated() {
                let cells = r.cells[pi][a]
                let medians = Method.allCases.map { m -> String in
                    let t = cells.map { Double(steps($0, m, budget: r.budget)) }
                    let reached = cells.filter { $0.steps[m] != nil }.count
                    return Fmt.g(Stats.median(t), 4) + (reached < cells.count ? " (\(reached)/\(cells.count) reached)" : "")
                }
                rows.append(["ℓ\(p)", Fmt.g(alpha)] + medians + [Fmt.g(geometricSpeedup(cells, .depth2, r.budget), 3)])
            }
        }
        report.table(["loss", "α"] + Method.allCases.map { "\($0.rawValue): median steps" } + ["depth 2 speed-up over GD (geo. mean)"], rows,
                     caption: "Medians over \(r.seeds) seeds; a miss counts as \(r.budget + 1). The speed-up is the geometric mean of T_GD / T_depth2.")

        report.discussion(discussion(r, c, e))
    }

    static func geometricSpeedup(_ cells: [Cell], _ m: Method, _ budget: Int) -> Double {
        Foundation.exp(Stats.mean(cells.map { Foundation.log(Double(steps($0, .gd, budget: budget)) / Double(steps($0, m, budget: budget))) }))
    }


    static func discussion(_ r: Results, _ c: ImplicitAcceleration.Config, _ e: Evidence) -> String {
        func median(_ cells: [Cell], _ m: Method) -> Double { Stats.median(cells.map { Double(steps($0, m, budget: r.budget)) }) }
        let i4 = r.ps.firstIndex(of: 4) ?? 0, i2 = r.ps.firstIndex(of: 2) ?? 0
        let sweep4 = r.scales.indices.map { geometricSpeedup(r.cells[i4][$0], .depth2, r.budget) }
        let sweep4d3 = r.scales.indices.map { geometricSpeedup(r.cells[i4][$0], .depth3, r.budget) }
        let sweep2 = r.scales.indices.map { geometricSpeedup(r.cells[i2][$0], .depth2, r.budget) }
        func ratio(_ m: Method) -> Double {
            let cells = r.cells[i4][c.primaryScale]
            return Foundation.exp(Stats.mean(cells.map { cell in
                let best = Double(Swift.min(steps(cell, .depth2, budget: r.budget), steps(cell, .depth3, budget: r.budget)))
                return Foundation.log(Double(steps(cell, m, budget: r.budget)) / best)
            }))
        }
        let primary = r.cells[i4][c.primaryScale]
        let adadeltaEtas = primary.compactMap { $0.eta[.adadelta] }
        let adadeltaAtOne = r.adadeltaAtOne.map { one in
            let wins = zip(primary, one).filter { Double(steps($0.0, .depth2, budget: r.budget)) < Double($0.1) }.count
            return "needs \(Fmt.list(one.map(Double.init)) { Fmt.g($0) }) steps on the same problems (depth 2 is faster than that on \(wins) of \(one.count))"
        }
            ?? "misses the target within the budget on at least one of the problems"
        let closer = max(r.zeroRatios.digits, r.zeroRatios.labels) * 10 < r.zeroRatios.synthetic
            ? ": on the digits the target 1.01·L* lies much closer to the start" : ""
        let trend = sweep4.count > 1
            ? (zip(sweep4, sweep4.dropFirst()).allSatisfy { $0.0 <= $0.1 } ? "grows" : (zip(sweep4, sweep4.dropFirst()).allSatisfy { $0.0 >= $0.1 } ? "shrinks" : "is not monotone"))
            : "was measured at one scale only"
        return """
        **What was measured.** At α = \(Fmt.g(c.scales[c.primaryScale])) on ℓ₄, depth 2 beats GD on \(e.depth2BeatsGD) of \
        \(e.seeds) seeds and depth 3 on \(e.depth3BeatsGD); the geometric-mean speed-up of depth 2 over GD is \
        \(Fmt.g(e.speedup4, 3)). Against the better of depth 2 and 3, AdaGrad needs \(Fmt.g(ratio(.adagrad), 3)) times as many \
        steps, AdaDelta \(Fmt.g(ratio(.adadelta), 3)) times and Adam \(Fmt.g(ratio(.adam), 3)) times (geometric means; below 1 means the baseline is faster). \
        AdaDelta's tuned step multipliers were \(Fmt.list(adadeltaEtas) { Fmt.g($0, 3) }); its textbook form has none (η = 1), \
        at which it \(adadeltaAtOne). On ℓ₂ the \
        larger speed-up of depth 2 or 3 over GD is \(Fmt.g(e.speedup2, 3)).

        **The digits table.** There GD reaches 1.01·L* in \(Fmt.g(median(r.digits, .gd))) steps (median over starts), \
        depth 2 in \(Fmt.g(median(r.digits, .depth2))), depth 3 in \(Fmt.g(median(r.digits, .depth3))), AdaGrad in \
        \(Fmt.g(median(r.digits, .adagrad))), AdaDelta in \(Fmt.g(median(r.digits, .adadelta))) and Adam in \
        \(Fmt.g(median(r.digits, .adam))). With the digit's label as the response (all 16 blocks as variables) the medians \
        are \(Fmt.list(Method.allCases.map { median(r.digitLabels, $0) }) { Fmt.g($0) }) in the same order. \
        The ratio L(0)/L* of the loss at zero to the optimum is \(Fmt.g(r.zeroRatios.digits, 3)) for the block \
        regression and \(Fmt.g(r.zeroRatios.labels, 3)) for the label, against a median of \
        \(Fmt.g(r.zeroRatios.synthetic, 3)) on the synthetic problems (ℓ₄)\(closer).

        **The initialization scale.** Over α = \(Fmt.list(r.scales)), depth 2's speed-up over GD on ℓ₄ is \
        \(Fmt.list(sweep4) { Fmt.g($0, 3) }) and depth 3's \(Fmt.list(sweep4d3) { Fmt.g($0, 3) }); on ℓ₂ depth 2's is \
        \(Fmt.list(sweep2) { Fmt.g($0, 3) }). Depth 2's ℓ₄ speed-up \(trend) as the start moves away from zero. A deep \
        network started at ||w_e|| = α||w*|| has an effective step η·||w_e||^{2−2/N}, tiny at the start: under gradient flow \
        the time to grow out of the neighbourhood of zero grows like ln(1/α) at N = 2 and like α^{−1/3} at N = 3.

        **Where we differ from the paper.** The paper's data set (the UCI gas-sensor regression) is not shipped, so the \
        problems are synthetic and small (\(c.n) x \(c.d), κ = \(Fmt.g(c.condition))); Adam is not among its baselines. Its hidden widths and initialization were not available to us; a \
        secondary account of the paper's ℓ_p example writes depth 2 as w₁·w₂ with a scalar w₂, and under a balanced \
        start the widths do not change the end-to-end dynamics (claim 1), so all added layers here are scalars and \
        the start is exactly balanced. An independent course re-implementation (C. Wang and G. Levy, 2024, \
        clementw168.github.io) ran the experiment on the gas-sensor and abalone data with near-zero and near-identity \
        starts and Adam as a baseline. The optimum is stationary to \
        \(Fmt.sci(r.optimumGradient)) relative to the gradient at zero, and no recorded run went below it by more than \
        \(Fmt.sci(Swift.max(r.belowOptimum, 0))) relative.
        """
    }
}
