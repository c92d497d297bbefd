import Foundation
import Numerics
import Learning
import Notebook

/// Claim 3: AdamW's best test error against Adam + L2's, on the grids of experiment 2.
enum Generalization {
    struct Evidence {
        var adamwBest: Double, adamwSE: Double
        var adamL2Best: Double, adamL2SE: Double
        var replicateWins: Int           // replicates whose own best AdamW cell is ≤ their best Adam + L2 cell
        var replicates: Int
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(id: "C3",
              statement: "With equal tuning budgets, AdamW's best test error is at most that of Adam + L2 (the paper: substantially lower on CIFAR-10 and ImageNet32x32).",
              checks: [
                Check("best mean error, AdamW − Adam + L2 (points)", measured: 100 * (e.adamwBest - e.adamL2Best), .atMost(0), format: "%.2f"),
                Check("replicates where AdamW's best ≤ Adam + L2's", measured: Double(e.replicateWins),
                      .atLeast(Double(e.replicates / 2 + 1)), format: "%.0f"),
              ],
              failsIf: "the best AdamW cell has a higher mean test error than Adam + L2's, or AdamW wins on fewer than a majority of the replicates",
              note: "The best of the same grid of 45 cells for both methods, on the digits MLP, not CIFAR-10.")
    }

    /*: generalization
     **Generalization with equal budgets.** Both methods had the same 45 cells and the same replicates;
     the best cell of each is the one with the lowest mean test error. The check is the paper's
     ordering: AdamW's best mean error at most Adam + L2's, and AdamW's own best at most Adam + L2's on a
     majority of the replicates (each replicate choosing its own best cell). Selecting the best of 45
     noisy cells favours both methods equally.
     */
    static func run(_ grids: [Grid], report: Report) -> Evidence {
        report.section("Experiment 3: generalization at the best setting")
        report.literate("generalization")
        let (w, l) = (grids[Method.adamw.rawValue], grids[Method.adamL2.rawValue])
        let e = Evidence(adamwBest: w.best.error, adamwSE: w.best.se, adamL2Best: l.best.error, adamL2SE: l.best.se,
                         replicateWins: zip(w.replicateBest, l.replicateBest).filter { $0 <= $1 }.count, replicates: w.replicates)
        report.claim(claim(e))
        report.table(["method", "best mean test error (%)", "at α", "at decay", "per-replicate best (%)"],
                     grids.map { g in
                         let b = g.best
                         return [g.method.name, Fmt.estimate(100 * b.error, 100 * b.se, digits: 2), Fmt.g(b.alpha, 3), Fmt.g(b.decay, 2),
                                 g.replicateBest.map { Fmt.fixed(100 * $0, 2) }.joined(separator: ", ")]
                     },
                     caption: "The best cell of each grid (mean ± standard error over the replicates of that cell).")
        return e
    }
}
