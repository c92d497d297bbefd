import Foundation
import Numerics
import Learning
import Notebook

/// Evidence of claim 3.
struct UnderEvidence {
    var maxDistance: Double       // max over runs of the final ||XXᵀ − Z_k||/||Z_k||
    var minLossGap: Double        // min over runs of (L_T − L(Z_k))/L(Z_k): negative means GD beat the second algorithm
    var runs: Int
    var tolerance: Double
}

enum UnderParameterized {
    struct Cell { var seed: Int; var k: Int; var alpha: Double }
    struct Results {
        var cells: [Cell]
        var distance: [Double]        // final distance to Z_k
        var toTruth: [Double]         // final distance to M*
        var lossGap: [Double]
        var onsets: [[Int?]]          // onset of ranks 1…k
        var evidence: UnderEvidence
    }

    /*: under
     **The under-parameterized case.** With a factor of k < r* columns, X Xᵀ can never reach M*.
     The paper's analysis says GD still follows the incremental path and stops at the end of it:
     at the best rank-k solution Z_k. We run GD with k = 1 and k = 2 from a small and a moderate
     α on every seed's sensing loss. Criterion: every run ends within 10⁻⁶ (relative Frobenius
     distance) of Z_k from the second algorithm. Independent check of the second algorithm: no
     GD run may end with a loss below L(Z_k) by more than 10⁻⁹ relative (GD is a different method
     on the same rank-k problem; a lower loss would mean that projected gradient descent missed
     the best rank-k solution).
     */
    static func run(_ lab: Lab) throws -> Results {
        let c = lab.config
        var cells: [Cell] = []
        for j in 0..<c.seeds { for k in c.kUnder { for a in c.underAlphas { cells.append(Cell(seed: j, k: k, alpha: a)) } } }
        let out = try Threads.map(cells.count) { i -> (Double, Double, Double, [Int?]) in
            let cell = cells[i]
            let p = lab.problems[cell.seed]
            let tr = try lab.run(seed: cell.seed, sensing: true, rank: cell.k, alpha: cell.alpha, iterations: c.underIterations)
            let zk = p.sensingSolutions[cell.k - 1]
            return (tr.distance.last![cell.k - 1], tr.distance.last![c.r - 1], (tr.loss.last! - zk.loss) / zk.loss,
                    (1...cell.k).map { tr.onset(rank: $0, level: 0.5 * p.sensingSolutions[$0 - 1].lastEigenvalue) })
        }
        let ev = UnderEvidence(maxDistance: out.map(\.0).max() ?? .nan, minLossGap: out.map(\.2).min() ?? .nan,
                               runs: cells.count, tolerance: c.underTolerance)
        return Results(cells: cells, distance: out.map(\.0), toTruth: out.map(\.1), lossGap: out.map(\.2), onsets: out.map(\.3), evidence: ev)
    }

    static func claim3(_ e: UnderEvidence) -> Claim {
        Claim(
            id: "C3",
            statement: "Under-parameterized (k < r*): GD with small initialization ends close to the best rank-k solution (abstract; main theorem).",
            checks: [
                Check("max final distance to Z_k over \(e.runs) runs", measured: e.maxDistance, .atMost(e.tolerance), format: "%.2e"),
                Check("min (L_T − L(Z_k))/L(Z_k) over runs", measured: e.minLossGap, .atLeast(-1e-9), format: "%.2e"),
            ],
            failsIf: "some run ends farther than 10⁻⁶ from Z_k, or GD finds a rank-k point with a lower loss than the second algorithm's Z_k",
            note: "Sensing loss, k = 1 and 2, r* = 3; Z_k from projected gradient descent.")
    }
}

extension UnderParameterized.Results {
    func write(to report: Report, lab: Lab) {
        let c = lab.config
        report.section("Experiment 3: fewer columns than the rank (k < r*)")
        report.literate("under", file: Literate.sibling("UnderParameterized.swift"))
        report.claim(UnderParameterized.claim3(evidence))
        var rows: [[String]] = []
        for k in c.kUnder { for a in c.underAlphas {
            let idx = cells.indices.filter { cells[$0].k == k && cells[$0].alpha == a }
            rows.append(["\(k)", Fmt.g(a), Fmt.sci(idx.map { distance[$0] }.max() ?? .nan), Fmt.sci(Stats.median(idx.map { toTruth[$0] })),
                         Fmt.sci(idx.map { lossGap[$0] }.min() ?? .nan), Fmt.sci(idx.map { lossGap[$0] }.max() ?? .nan),
                         Fmt.list(idx.map { Double(onsets[$0].last!.map { $0 } ?? -1) }) { $0 < 0 ? "never" : Fmt.g($0) }])
        } }
        report.table(["k", "α", "max distance to Z_k", "median distance to M*", "min loss gap", "max loss gap", "onset of rank k, per seed"], rows,
                     caption: "Final values after \(c.underIterations) iterations over \(c.seeds) seeds. Loss gap (L_T − L(Z_k))/L(Z_k).")
    }
}
