import Foundation
import Numerics
import Learning
import Notebook

/// One optimizer run of claim 4.
struct OptimizerRun {
    var optimizer: String
    var learningRate: Double
    var curve: DigitsTask.Curve
    var diverged: Bool { curve.divergedInEpoch != nil }
    /// The final training loss (+∞ if the run diverged).
    var finalLoss: Double { curve.finalLoss }
    /// The test accuracy after the last epoch whose loss was finite.
    var lastAccuracy: Double { curve.testAccuracy.last ?? .nan }
    var label: String { "\(optimizer), η = \(Fmt.g(learningRate))" }
}

/// How one claim 4 protocol trains: epochs, batch and the epochs before which η drops tenfold.
struct Protocol {
    var epochs: Int
    var batch: Int
    var decayBefore: [Int] = []
}

extension Experiments {
    /// Trains a fresh copy of replicate r's initialization with `optimizer` on the batches of replicate r.
    func optimizerRun<O: Optimizer>(_ optimizer: O, task: DigitsTask, replicate r: Int, protocol p: Protocol) -> OptimizerRun {
        var opt = optimizer
        var rng = stream(.optimizerBatches, replicate: r)           // same batch order for every run of a seed
        let net = task.network(hidden: config.hidden, rng: stream(.initialization, replicate: r))
        let rate = opt.learningRate
        let run = task.train(net, optimizer: &opt, epochs: p.epochs, batch: p.batch, rng: &rng, decayBefore: p.decayBefore)
        return OptimizerRun(optimizer: opt.name, learningRate: rate, curve: run.curve)
    }

    /// The run of lowest final training loss (a diverged run is never chosen).
    func best(_ runs: [OptimizerRun]) -> OptimizerRun? {
        runs.filter { !$0.diverged }.min { ($0.finalLoss, $0.learningRate) < ($1.finalLoss, $1.learningRate) }
    }

    /// The per-epoch logs of M-FAC runs as one table: gradient norm, step lengths, loss, and the
    /// median step over η·m/||g||, the length of F⁻¹g for a gradient in the window when λ ≪ ||g||²/m
    /// and the window's gradients are orthogonal.
    func logTable(_ runs: [(String, OptimizerRun, Int)], caption: String) {
        var rows: [[String]] = []
        for (name, run, m) in runs {
            let c = run.curve
            for e in c.gradientNorm.indices {
                let loss = e + 1 < c.trainingLoss.count ? Fmt.sci(c.trainingLoss[e + 1], 2) : "not finite"
                rows.append([name, "\(e + 1)", Fmt.g(c.learningRate[e], 3), Fmt.sci(c.gradientNorm[e], 2), Fmt.sci(c.medianStep[e], 2),
                             Fmt.g(normalizedStep(c, e, m), 3), Fmt.sci(c.largestStep[e], 2), Fmt.sci(c.parameterNorm[e], 2), loss])
            }
            if let k = c.divergedInEpoch, k > c.gradientNorm.count {
                rows.append([name, "\(k)", "", "—", "—", "—", "—", "—", "not finite (mini-batch)"])
            }
        }
        report.table(["run", "epoch", "η", "median ||g|| (mini-batch)", "median step ||Δx||", "median step / (η m/||g||)",
                      "largest step ||Δx||", "||x|| at end", "training loss at end"],
                     rows, caption: caption)
    }

    /// Epoch e's median step over η·m/||g|| (median gradient norm).
    func normalizedStep(_ c: DigitsTask.Curve, _ e: Int, _ m: Int) -> Double {
        c.medianStep[e] / (c.learningRate[e] * Double(m) / c.gradientNorm[e])
    }

    /// One sentence, formatted from the logs of an M-FAC run: how its step length followed the
    /// gradient norm, and where the damping would matter (for a gradient in the window the step
    /// η||F⁻¹g|| ≈ η||g||/(λ + ||g||²/m) peaks at η√(m/λ)/2 when ||g|| = √(mλ)).
    func explanation(_ name: String, _ run: OptimizerRun, window m: Int, damping lambda: Double) -> String {
        let c = run.curve
        let epochs = c.gradientNorm.count
        guard epochs > 0 else { return "\(name): no epoch completed." }
        let last = epochs - 1
        let ratios = (0..<epochs).map { normalizedStep(c, $0, m) }.filter { $0.isFinite }
        let critical = (Double(m) * lambda).squareRoot()
        let smallest = c.gradientNorm.filter { $0.isFinite }.min() ?? .nan
        let worst = (0..<epochs).max { (c.largestStep[$0].isNaN ? -1 : c.largestStep[$0]) < (c.largestStep[$1].isNaN ? -1 : c.largestStep[$1]) }!
        var s = "\(name): the median step length is \(Fmt.sci(c.medianStep[0], 2)) in epoch 1 and \(Fmt.sci(c.medianStep[last], 2)) in epoch \(last + 1) "
            + "while the median mini-batch gradient norm goes from \(Fmt.sci(c.gradientNorm[0], 2)) to \(Fmt.sci(c.gradientNorm[last], 2)); "
            + "over the epochs the median step is \(ratios.isEmpty ? "n/a" : Fmt.g(Stats.median(ratios), 3)) times η·m/||g|| "
            + "(range \(ratios.isEmpty ? "n/a" : "\(Fmt.g(ratios.min()!, 3))-\(Fmt.g(ratios.max()!, 3))")), "
            + "the length of a normalized step that does not shrink as the loss falls; "
            + "the gradient norm \(smallest < 3 * critical ? "comes down to \(Fmt.sci(smallest, 2)), within a factor 3 of" : "stays above \(Fmt.sci(smallest, 2)), more than 3 times") "
            + "√(mλ) = \(Fmt.sci(critical, 2)), where the damping would start to limit the step; the largest step, \(Fmt.sci(c.largestStep[worst], 2)), comes in epoch \(worst + 1)"
        if let k = c.divergedInEpoch { s += ", and the loss stops being finite in epoch \(k)" }
        else { s += ", and the final training loss is \(Fmt.sci(c.finalLoss, 2))" }
        return s + "."
    }
}
