import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 2: the (α, decay) grids of the four methods and the library form of AdamW (claims 2 and 4).
enum Decoupling {
    /// One method's two slopes (log10 decay against log10 α) and their standard errors.
    struct Slopes {
        var best: Double, bestSE: Double        // of the per-row best decay
        var edge: Double, edgeSE: Double        // of the per-row edge; NaN with fewer than 3 edges
        var edgeRows: Int
        init(best: Double, bestSE: Double, edge: Double, edgeSE: Double, edgeRows: Int) {
            self.best = best; self.bestSE = bestSE; self.edge = edge; self.edgeSE = edgeSE; self.edgeRows = edgeRows
        }
        init(_ s: Grid.Spread) { self.init(best: s.slope, bestSE: s.slopeSE, edge: s.edgeSlope, edgeSE: s.edgeSlopeSE, edgeRows: s.edgeRows) }
    }

    struct Evidence {
        var sgdL2: Slopes, sgdw: Slopes, adamL2: Slopes, adamw: Slopes
    }

    /// Above this standard error the slope of the best decay cannot tell −1 from 0.
    static let resolvableSE = 0.35

    static func bestCheck(_ name: String, _ s: Slopes, _ criterion: Criterion, symbol: String = "λ") -> Check {
        Check("\(name): slope of best \(symbol)", measured: s.best, criterion, format: "%.2f",
              notObserved: !(s.bestSE <= resolvableSE) ? "the slope's standard error is \(Fmt.g(s.bestSE, 2)) > \(Fmt.g(resolvableSE)): the best λ is decided by noise" : nil)
    }

    static func edgeCheck(_ name: String, _ s: Slopes, _ criterion: Criterion, symbol: String = "λ") -> Check {
        Check("\(name): slope of the edge \(symbol)", measured: s.edge, criterion, format: "%.2f",
              notObserved: s.edgeRows < 3 ? "only \(s.edgeRows) rows have an edge inside the grid" : nil)
    }

    static func claim2(_ e: Evidence) -> Claim {
        let flat = Criterion.between(-0.5, 0.5), coupled = Criterion.atMost(-0.5)
        return Claim(
            id: "C2",
            statement: "The best weight decay of SGDW and AdamW hardly moves with the learning rate α, while that of SGD + L2 and Adam + L2 moves like 1/α (Fig. 2, CIFAR-10 heatmaps).",
            checks: [
                bestCheck("SGDW", e.sgdw, flat), bestCheck("AdamW", e.adamw, flat),
                bestCheck("SGD + L2", e.sgdL2, coupled), bestCheck("Adam + L2", e.adamL2, coupled),
                edgeCheck("SGDW", e.sgdw, flat), edgeCheck("AdamW", e.adamw, flat),
                edgeCheck("SGD + L2", e.sgdL2, coupled), edgeCheck("Adam + L2", e.adamL2, coupled),
            ],
            failsIf: "a decoupled method's slope of log10 λ against log10 α leaves [−0.5, 0.5], or a coupled one's is above −0.5 (for the best λ and for the edge of the good region)",
            note: "A one-hidden-layer ReLU MLP without normalization on 500 digits; the paper's ResNets use batch normalization.")
    }

    static func claim4(library: Slopes, paper: Slopes) -> Claim {
        Claim(id: "C4",
              statement: "The library form x ← x − η(m̂/(√v̂+δ) + w·x), where the learning rate multiplies the decay, loses the decoupling: its best w moves like 1/α.",
              checks: [
                bestCheck("library AdamW", library, .atMost(-0.5), symbol: "w"),
                edgeCheck("library AdamW", library, .atMost(-0.5), symbol: "w"),
                Check("edge slope, paper form − library form", measured: paper.edge - library.edge, .atLeast(0.5), format: "%.2f",
                      notObserved: paper.edgeRows < 3 || library.edgeRows < 3 ? "fewer than 3 rows with an edge in one of the two grids" : nil),
              ],
              failsIf: "the library form's slopes are above −0.5, or its edge slope is not at least 0.5 below the paper form's")
    }

    /*: decoupling
     **The grids.** Each method trains the same MLP on the same split, replicates and mini-batches on
     a grid of 5 learning rates α (half-decade steps) by 9 decay coefficients (half-decade steps, four
     decades); every cell is the mean test error over the replicates. The update rules are the paper's
     Algorithms 1 and 2 with cosine annealing η_t of the schedule multiplier; the decay is multiplied by
     η_t and, in the decoupled forms, not by α. Every parameter decays, biases included, in every
     method, so all five regularize the same set. Each method gets the same budget: the same 45 cells.

     **What is measured, fixed before the run.** In each row (one α) the best decay is the grid value
     with the lowest mean test error. Over the rows we fit log10(best λ) = a + s·log10 α by least squares:
     s = 0 means the best decay does not move with α (decoupled), s = −1 that it moves like 1/α
     (coupled, as λ' = λ/α of Proposition 1 predicts for the L2 forms). A decoupled method passes with
     s in [−0.5, 0.5], a coupled one with s ≤ −0.5. When the rows are flat over many decays, the argmin
     is noise; a slope whose standard error exceeds 0.35 (so that 0 and −1 are not three standard
     errors apart) is *not observed*. The second statistic locates the region where the decay starts
     to act: the **edge** of a row is the smallest decay above the best one whose error exceeds 1.5 times
     the row's best. Its slope over the rows (at least 3 with an edge inside the grid) gets the same
     criteria.
     */
    static func run(_ grids: [Grid], report: Report) -> (evidence: Evidence, library: Slopes) {
        report.section("Experiment 2: is the best decay decoupled from the learning rate?")
        report.literate("decoupling")
        report.code("schedule", file: Literate.sibling("Task.swift"))
        report.code("edge", file: Literate.sibling("Grid.swift"))
        func slopes(_ m: Method) -> Slopes { Slopes(grids[m.rawValue].spread) }
        let e = Evidence(sgdL2: slopes(.sgdL2), sgdw: slopes(.sgdw), adamL2: slopes(.adamL2), adamw: slopes(.adamw))
        report.claim(claim2(e))
        for m in [Method.sgdL2, .sgdw, .adamL2, .adamw] { heatmap(grids[m.rawValue], report: report) }
        report.table(["method", "best λ per row (α ascending)", "slope (best)", "edge λ per row", "slope (edge)", "per-replicate slopes (best)"],
                     grids.map(row), caption: "Slopes of log10 λ against log10 α with standard errors; '>' marks a row without an edge in the grid.")
        let factors = [1.25, 1.5, 2, 3]
        report.table(["method"] + factors.map { "edge at \(Fmt.g($0))x best" },
                     grids.map { g in [g.method.name] + factors.map { f in
                         let s = g.spread(g.meanError, edgeFactor: f)
                         return s.edgeSlope.isFinite ? Fmt.estimate(s.edgeSlope, s.edgeSlopeSE, digits: 2) : "— (\(s.edgeRows) edges)"
                     } },
                     caption: "Sensitivity of the edge slope to the factor that defines the edge (the checks use 1.5, fixed before the run).")
        return (e, slopes(.libraryAdamW))
    }

    static func row(_ g: Grid) -> [String] {
        let s = g.spread
        return [g.method.name, Fmt.list(s.bestDecays), Fmt.estimate(s.slope, s.slopeSE, digits: 2),
                s.edges.map { $0.map { Fmt.g($0) } ?? ">" }.joined(separator: ", "),
                Fmt.estimate(s.edgeSlope, s.edgeSlopeSE, digits: 2),
                g.replicateSpreads.map { Fmt.g($0.slope, 2) }.joined(separator: ", ")]
    }

    /// The heatmap of mean test error (%) and the same numbers as a table.
    static func heatmap(_ g: Grid, report: Report) {
        let e = g.meanError.map { $0.map { 100 * $0 } }
        report.plot(Heatmap(title: "\(g.method.name): mean test error (%), rows α, columns \(g.method.coefficient)",
                            values: e.reversed(), rowLabels: g.alphas.reversed().map { "α = \(Fmt.g($0, 3))" },
                            colLabels: g.decays.map { Fmt.g($0, 2) }, logScale: true))
        let best = Grid.argminColumns(g.meanError)
        report.table(["α \\ \(g.method.coefficient)"] + g.decays.map { Fmt.g($0, 2) },
                     g.alphas.indices.map { i in [Fmt.g(g.alphas[i], 3)] + e[i].indices.map { j in (j == best[i] ? "**" : "") + Fmt.fixed(e[i][j], 1) + (j == best[i] ? "**" : "") } },
                     caption: "\(g.method.name): mean test error (%) over \(g.replicates) replicates; the best cell of each row in bold; \(g.divergedCells) cells had a diverging run (counted as error 100%).")
    }
}
