import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 4: the library form of AdamW on the same grid (claim 4).
enum LibraryForm {
    /*: library
     **The library form.** torch.optim.AdamW and most libraries step x ← x − η(m̂/(√v̂ + δ) + w·x) with
     one learning rate η, here η = η_t·α: the decay applied per step is η_t·α·w, not η_t·λ. It is the
     paper's form with λ = α·w, so if the paper's λ is decoupled from α, the library's w must move like
     1/α. Same grid, same statistics and criteria as experiment 2 (slope ≤ −0.5 for a coupled method),
     plus a side-by-side check: the library form's edge slope at least 0.5 below the paper form's.
     */
    static func run(_ grids: [Grid], library: Decoupling.Slopes, paper: Decoupling.Slopes, report: Report) {
        report.section("Experiment 4: AdamW as libraries implement it")
        report.literate("library")
        report.claim(Decoupling.claim4(library: library, paper: paper))
        let (g, p) = (grids[Method.libraryAdamW.rawValue], grids[Method.adamw.rawValue])
        Decoupling.heatmap(g, report: report)
        let (sg, sp) = (g.spread, p.spread)
        report.table(["α", "AdamW best λ", "AdamW edge λ", "library best w", "library edge w", "library edge as λ = α·w"],
                     g.alphas.indices.map { i in
                         [Fmt.g(g.alphas[i], 3), Fmt.g(sp.bestDecays[i], 2), sp.edges[i].map { Fmt.g($0, 2) } ?? ">",
                          Fmt.g(sg.bestDecays[i], 2), sg.edges[i].map { Fmt.g($0, 2) } ?? ">",
                          sg.edges[i].map { Fmt.g($0 * g.alphas[i], 2) } ?? ">"]
                     },
                     caption: "The two forms row by row ('>' = no edge inside the grid).")
        // The library cell (α, w) is the paper-form cell (α, λ = α·w) where that λ lies on the paper grid.
        var matched = 0, largest = 0.0
        let (eg, ep) = (g.meanError, p.meanError)
        for i in g.alphas.indices { for j in g.decays.indices {
            let lambda = g.alphas[i] * g.decays[j]
            if let k = p.decays.firstIndex(where: { abs($0 - lambda) <= 1e-12 * lambda }) {
                matched += 1; largest = Swift.max(largest, abs(eg[i][j] - ep[i][k]))
            }
        } }
        report.prose("""
        The library form is the paper's form with λ = α·w, so its grid is the paper form's grid sheared \
        by α: on the \(matched) cells where α·w falls on the paper grid, the two mean test errors differ by \
        at most \(Fmt.g(100 * largest, 3)) percentage points. What changes is only which λ a fixed w means at \
        each learning rate.
        """)
    }
}
