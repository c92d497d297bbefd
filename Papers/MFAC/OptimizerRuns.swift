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
struct TrainingProtocol {
    var epochs: Int
    var batch: Int
    var decayBefore: [Int] = []
}

extension Experiments {
    /// Trains a fresh copy of replicate r's initialization with `optimizer` on the batches of replicate r.
    func optimizerRun<O: Optimizer>(_ optimizer: O, task: DigitsTask, replicate r: Int, protocol p: TrainingProtocol) -> OptimizerRun {
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

    /// One sentence, formatted from the logs of an M-FAC run: whether the damping ever mattered
    /// (||g|| near √(mλ)), how the step length followed η·m/||g||, and where the loss jumped.
    func explanation(_ name: String, _ run: OptimizerRun, window m: Int, damping lambda: Double) -> String {
        let c = run.curve
        let epochs = c.gradientNorm.count
        guard epochs > 0 else { return "\(name): no epoch completed." }
        let ratios = (0..<epochs).map { normalizedStep(c, $0, m) }.filter { $0.isFinite }
        let critical = (Double(m) * lambda).squareRoot()
        let smallest = c.gradientNorm.filter { $0.isFinite }.min() ?? .nan
        let steps = c.medianStep.filter { $0.isFinite }
        let losses = Array(c.trainingLoss.dropFirst())
        let lowest = losses.indices.min { losses[$0] < losses[$1] }
        // The epoch whose training loss rose the most (ratio to the epoch before), if any rose.
        let jumps = (1..<c.trainingLoss.count).map { c.trainingLoss[$0] / c.trainingLoss[$0 - 1] }
        let jump = jumps.indices.max { jumps[$0] < jumps[$1] }.flatMap { jumps[$0] > 1 ? $0 : nil }
        var s = "\(name): the median mini-batch gradient norm is never below \(Fmt.sci(smallest, 2)), "
            + "\(Fmt.g(smallest / critical, 3)) times √(mλ) = \(Fmt.sci(critical, 2)), "
            + (smallest > 3 * critical ? "so λ ≪ ||g||²/m throughout and the damping does not limit the step; "
                                       : "so in some epochs the damping limits the step; ")
            + "the median step length stays between \(Fmt.sci(steps.min() ?? .nan, 2)) and \(Fmt.sci(steps.max() ?? .nan, 2)), "
            + "\(ratios.isEmpty ? "n/a" : Fmt.g(Stats.median(ratios), 3)) times η·m/||g|| on median over the epochs"
        if let k = lowest {
            s += ", while the training loss goes from \(Fmt.sci(c.trainingLoss[0], 2)) to its lowest, \(Fmt.sci(losses[k], 2)) after epoch \(k + 1)"
        }
        if let j = jump {
            s += "; the loss rises most in epoch \(j + 1), from \(Fmt.sci(c.trainingLoss[j], 2)) to \(Fmt.sci(c.trainingLoss[j + 1], 2)), "
                + "with a largest step of \(Fmt.sci(c.largestStep[j], 2)) and a median gradient norm of \(Fmt.sci(c.gradientNorm[j], 2))"
        }
        if let k = c.divergedInEpoch { s += "; the loss stops being finite in epoch \(k)" }
        else { s += "; the final training loss is \(Fmt.sci(c.finalLoss, 2))" }
        return s + "."
    }
}
