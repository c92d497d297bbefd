import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 4 (Tensor Programs V): the best learning rate across widths, SP against μP.
enum Transfer {
    struct Evidence {
        var muPShift: Double         // log2(best η at the largest width / best η at the smallest)
        var standardShift: Double
        var muPEdge: Bool            // a best rate sits at an edge of the grid (not located)
        var standardEdge: Bool
    }

    static func claim(_ e: Evidence) -> Claim {
        let edge = "a best rate sits at the edge of the grid"
        return Claim(
            id: "C5",
            statement: "(Tensor Programs V: Yang et al. 2022, arXiv 2203.03466; secondary) In μP the best learning rate is stable across widths; in SP it drifts (down, as the logits' sensitivity grows with n).",
            checks: [Check("μP: shift of the best η (octaves)", measured: abs(e.muPShift), .atMost(1), format: "%.3g", notObserved: e.muPEdge ? edge : nil),
                     Check("SP: shift of the best η (octaves)", measured: e.standardShift, .atMost(-2), format: "%.3g", notObserved: e.standardEdge ? edge : nil)],
            failsIf: "μP's best rate moves by more than one octave (factor 2) between the smallest and largest width, or SP's falls by less than two octaves.")
    }

    /*: transfer
     **Setup.** A 64 → n → 10 ReLU network (L = 1) on the digits, softmax cross-entropy, plain SGD
     with batches of the size in the setup table for a fixed number of steps, over a grid of rates
     spaced by factors of 2, in SP and μP at each width; several seeds (draws and batch orders) per
     point. The score of a rate is the mean over seeds of the training loss on a fixed set of training
     digits after the last step (a diverged run scores +∞). The best rate at a width is the grid
     point with the lowest score. **Criterion, fixed before the run:** between the smallest and the
     largest width (a factor 16 in full mode), μP's best rate moves by at most one octave and SP's
     falls by at least two (at a fixed rate SP's logit update grows as n, so the theory's stable SP
     rate falls as 1/n, four octaves over the range). A best rate at an edge of the grid is not
     located and the check is not observed.
     */
    static func run(_ c: MuP.Config, data: DigitsDataset, options: RunOptions, report: Report) throws {
        report.section("Experiment 4: does the best learning rate transfer across widths?")
        report.literate("transfer")
        let x = MuP.inputs(data)
        let ps = [Parametrization.standard(hidden: 1), .maximalUpdate(hidden: 1)]
        let evalRows = Array(0..<c.transferEval)
        let evalX = x.rows(evalRows), evalLoss = Loss.softmaxCrossEntropy(labels: evalRows.map { data.labels[$0] })
        let pool = Array(c.transferEval..<x.rows)
        // loss[job] for job = (seed, param, width, rate)
        let jobs = c.transferSeeds * ps.count * c.transferWidths.count * c.transferRates.count
        let losses = try Threads.map(jobs) { job -> Double in
            var j = job
            let r = j % c.transferRates.count; j /= c.transferRates.count
            let w = j % c.transferWidths.count; j /= c.transferWidths.count
            let p = j % ps.count; let s = j / ps.count
            let n = c.transferWidths[w]
            var rng = MuP.stream(options.seed &+ UInt64(n), replicate: s, .transfer)
            let draws = ABCNetwork.standardDraws(inputs: 64, width: n, outputs: 10, hidden: 1, rng: &rng)
            var net = ABCNetwork(ps[p], width: n, activation: .relu, standard: draws)
            var order = MuP.stream(options.seed, replicate: s, .transfer)
            for _ in 0..<c.transferSteps {
                let rows = (0..<c.transferBatch).map { _ in pool[order.int(below: pool.count)] }
                let v = net.sgdStep(x.rows(rows), .softmaxCrossEntropy(labels: rows.map { data.labels[$0] }), rate: c.transferRates[r])
                if !v.isFinite { return .infinity }
            }
            let v = evalLoss.value(net.forward(evalX).output)
            return v.isFinite ? v : .infinity
        }
        func score(_ p: Int, _ w: Int, _ r: Int) -> Double {
            Stats.mean((0..<c.transferSeeds).map { s in
                losses[((s * ps.count + p) * c.transferWidths.count + w) * c.transferRates.count + r] })
        }
        func best(_ p: Int, _ w: Int) -> Int { c.transferRates.indices.min { score(p, w, $0) < score(p, w, $1) }! }
        let last = c.transferWidths.count - 1, top = c.transferRates.count - 1
        func shift(_ p: Int) -> Double { log2(c.transferRates[best(p, last)] / c.transferRates[best(p, 0)]) }
        func edge(_ p: Int) -> Bool { [best(p, 0), best(p, last)].contains { $0 == 0 || $0 == top } }
        let e = Evidence(muPShift: shift(1), standardShift: shift(0), muPEdge: edge(1), standardEdge: edge(0))
        report.claim(claim(e))
        let rates = c.transferRates
        for (pi, p) in ps.enumerated() {
            report.plot(LinePlot(title: "\(p.name): training loss after \(c.transferSteps) steps", xLabel: "learning rate η", yLabel: "loss",
                                 xScale: .log10, yScale: .log10,
                                 series: c.transferWidths.indices.map { w in
                                     let ok = rates.indices.filter { score(pi, w, $0).isFinite && score(pi, w, $0) < 10 }
                                     return Series("n = \(c.transferWidths[w])", x: ok.map { rates[$0] }, y: ok.map { score(pi, w, $0) },
                                                   marker: Character(String(w + 1)))
                                 }),
                        caption: "Mean over \(c.transferSeeds) seeds; losses above 10 and diverged runs are left out of the plot.")
        }
        report.table(["width"] + ps.map { "best η, \($0.name)" },
                     c.transferWidths.indices.map { w in ["\(c.transferWidths[w])"] + ps.indices.map { Fmt.g(rates[best($0, w)]) } })
        report.discussion("**Experiment 4.** From width \(c.transferWidths[0]) to \(c.transferWidths[last]) the best rate moved by \(Fmt.g(e.muPShift, 3)) octaves in μP and by \(Fmt.g(e.standardShift, 3)) in SP.")
    }
}
