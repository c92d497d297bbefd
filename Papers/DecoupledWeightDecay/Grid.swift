import Foundation
import Numerics
import Learning

/// One method's grid of (learning rate α, decay coefficient) cells, each trained on every replicate.
struct Grid: Sendable {
    let method: Method
    let alphas: [Double]
    let decays: [Double]
    /// outcomes[i][j][r]: learning rate i, decay j, replicate r.
    let outcomes: [[[DigitsTask.Outcome]]]

    /// Trains every cell of every method's grid on every replicate, in parallel over the cells (each
    /// run is independent, so the results do not depend on the thread count).
    static func run(_ task: DigitsTask, methods: [Method]) throws -> [Grid] {
        let c = task.config
        var cells: [(m: Int, i: Int, j: Int, r: Int)] = []
        for (m, method) in methods.enumerated() {
            for i in c.alphas(method).indices { for j in c.decays(method).indices { for r in 0..<c.replicates { cells.append((m, i, j, r)) } } }
        }
        let results = try Threads.map(cells.count) { k -> DigitsTask.Outcome in
            let cell = cells[k], method = methods[cell.m]
            return task.train(method, alpha: c.alphas(method)[cell.i], decay: c.decays(method)[cell.j], replicate: cell.r)
        }
        var k = 0
        return methods.map { method in
            let (a, d) = (c.alphas(method), c.decays(method))
            var out = [[[DigitsTask.Outcome]]](repeating: [[DigitsTask.Outcome]](repeating: [], count: d.count), count: a.count)
            for i in a.indices { for j in d.indices { for _ in 0..<c.replicates { out[i][j].append(results[k]); k += 1 } } }
            return Grid(method: method, alphas: a, decays: d, outcomes: out)
        }
    }

    /// Mean test error over the replicates, per cell (rows: learning rates; columns: decays).
    var meanError: [[Double]] { outcomes.map { row in row.map { Stats.mean($0.map(\.testError)) } } }
    /// The same for one replicate.
    func error(replicate r: Int) -> [[Double]] { outcomes.map { row in row.map { $0[r].testError } } }
    var replicates: Int { outcomes.first?.first?.count ?? 0 }
    var divergedCells: Int { outcomes.joined().filter { $0.contains(where: \.diverged) }.count }

    /// Per row, the column of the smallest error (the first on a tie).
    static func argminColumns(_ errors: [[Double]]) -> [Int] {
        errors.map { row in row.indices.min(by: { row[$0] < row[$1] || (row[$0] == row[$1] && $0 < $1) }) ?? 0 }
    }

    /// The statistic of claims 2 and 4, fixed before the run: the least-squares slope of
    /// log10(best decay) against log10(α) over the rows, the best decay of a row being the grid value
    /// with the smallest test error in that row. A coupled pair (best decay ∝ 1/α) has slope −1, a
    /// decoupled one slope 0.
    ///
    /// The second statistic, for rows whose error is flat over many decays (where the argmin is
    /// decided by noise): the *edge* of the row, the smallest decay above the best one whose error
    /// exceeds 1.5 times the row's best, with the same slope fit over the rows that have an edge in the grid.
    struct Spread: Sendable {
        var slope: Double, slopeSE: Double
        var bestDecays: [Double]
        var range: Double              // max − min of log10(best decay) over the rows, in decades
        var edges: [Double?]           // per row, the edge decay (nil: none in the grid)
        var edgeSlope: Double, edgeSlopeSE: Double
        var edgeRows: Int { edges.compactMap { $0 }.count }
    }

    static let edgeFactor = 1.5

    func spread(_ errors: [[Double]], edgeFactor: Double = Grid.edgeFactor) -> Spread {
        let best = Grid.argminColumns(errors)
        let y = best.map { log10(decays[$0]) }
        let fit = try? LineFit(x: alphas.map(log10), y: y)
        //: begin edge
        let edges: [Double?] = errors.indices.map { i in
            let row = errors[i], b = best[i]
            return (b..<row.count).first { row[$0] > edgeFactor * row[b] }.map { decays[$0] }
        }
        //: end edge
        let have = alphas.indices.filter { edges[$0] != nil }
        let edgeFit = have.count >= 3 ? try? LineFit(x: have.map { log10(alphas[$0]) }, y: have.map { log10(edges[$0]!) }) : nil
        return Spread(slope: fit?.slope ?? .nan, slopeSE: fit?.slopeStandardError ?? .nan,
                      bestDecays: best.map { decays[$0] }, range: (y.max() ?? .nan) - (y.min() ?? .nan),
                      edges: edges, edgeSlope: edgeFit?.slope ?? .nan, edgeSlopeSE: edgeFit?.slopeStandardError ?? .nan)
    }

    var spread: Spread { spread(meanError) }
    var replicateSpreads: [Spread] { (0..<replicates).map { spread(error(replicate: $0)) } }

    /// The best cell of the mean-error grid: its error, the standard error over replicates and its place.
    var best: (error: Double, se: Double, alpha: Double, decay: Double) {
        let e = meanError
        var (bi, bj) = (0, 0)
        for i in e.indices { for j in e[i].indices where e[i][j] < e[bi][bj] { (bi, bj) = (i, j) } }
        return (e[bi][bj], Stats.standardError(outcomes[bi][bj].map(\.testError)), alphas[bi], decays[bj])
    }

    /// The best error of each replicate on its own grid.
    var replicateBest: [Double] { (0..<replicates).map { r in error(replicate: r).joined().min() ?? .nan } }
}
