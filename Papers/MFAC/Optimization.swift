import Foundation
import Numerics
import Learning
import Notebook

extension Experiments {
    /// What claim 4 is decided on, per protocol and per seed: M-FAC's test accuracy minus the better
    /// baseline's (points), and whether M-FAC's final training loss is at most twice the better baseline's.
    struct OptimizationEvidence {
        struct ProtocolResult { var name: String; var accuracyGap: [Double]; var lossWithinTwice: [Bool] }
        var protocols: [ProtocolResult]
    }

    static func claim4(_ e: OptimizationEvidence, scope: String) -> Claim {
        var checks: [Check] = []
        for p in e.protocols {
            let n = p.accuracyGap.count
            checks.append(Check("\(p.name): M-FAC − best baseline test accuracy, mean of \(n) seeds (points)",
                                measured: n == 0 ? .nan : Stats.mean(p.accuracyGap), .atLeast(-2), format: "%.1f"))
            let k = Criterion.atLeast(Double(n - 1))
            checks.append(n < 3
                ? Check.notObserved("\(p.name): seeds with M-FAC training loss ≤ 2 × best baseline's (of \(n))", k, because: "only \(n) seeds")
                : Check("\(p.name): seeds with M-FAC training loss ≤ 2 × best baseline's (of \(n))",
                        measured: Double(p.lossWithinTwice.filter { $0 }.count), k, format: "%.0f"))
        }
        return Claim(
            id: "C4",
            statement: "The dynamic algorithm yields a competitive optimizer (abstract: state-of-the-art optimization results); tested here against SGD with momentum and Adam.",
            checks: checks,
            failsIf: "the M-FAC runs ended more than 2 points of test accuracy below the better baseline on average, or with more than twice its training loss on more than one seed, in either protocol",
            note: scope)
    }

    func optimization() throws {
        let c = config
        report.section("Claim 4: M-FAC as an optimizer (secondary)")
        /*: opt-method
         **Method.** The dynamic algorithm as a preconditioner: at every step the new mini-batch gradient
         replaces the oldest one in a window of the last m, and the update is η F⁻¹g with F the damped
         Fisher of the window, at O(d m + m³) per step. SGD with heavy-ball momentum 0.9 and Adam are the
         baselines. Every run of a seed starts from the same initialization and sees the same
         mini-batches. Two protocols:

         - **A, learning-rate grids.** Each optimizer gets the best learning rate of a small grid, chosen
           on the run's seed (best = lowest final training loss; a diverged run is never chosen), and
           that rate is then run on every seed. For a gradient in the window, F⁻¹g has a length of order
           m/||g|| when λ is small, so the step grows with the window; the M-FAC grid spans the authors'
           η = 1e-3 unscaled up to η·m well above the authors' value.
         - **B, the authors' example settings** of `main_optim.py`, scaled to this task as listed in the
           setup: window, batch, weight decay, the two tenfold learning-rate drops, and the authors'
           baselines (SGD with η = 0.1, Adam with its default η).
         */
        report.literate("opt-method")
        report.code("mfac-step", file: Literate.sibling("DynamicMFAC.swift"))
        /*: claim4
         **Claim 4 (optimization, secondary).** The abstract reports state-of-the-art optimization results
         with lower overhead than other second-order methods; what we test is the weaker statement that
         the optimizer is competitive with the usual first-order baselines, in each protocol, after the
         same number of epochs: M-FAC's test accuracy at most a couple of points below the better
         baseline's on average over the seeds (a small fraction of the test images), and its training
         loss within a factor of two of the better baseline's on all seeds but at most one.
         */
        report.literate("claim4")

        let task0 = try DigitsTask.load(seed: seed(replicate: 0))
        let gridProtocol = TrainingProtocol(epochs: c.optEpochs, batch: c.batchSize)
        let grid: [(String, (Double) -> any Optimizer, [Double])] = [
            ("SGD", { SGD(learningRate: $0, momentum: 0.9) }, c.sgdRates),
            ("Adam", { Adam(learningRate: $0) }, c.adamRates),
            ("M-FAC", { MFACOptimizer(learningRate: $0, windowSize: c.mfacWindow, damping: c.mfacDamping) }, c.mfacRates),
        ]
        let jobs = grid.flatMap { g in g.2.map { (g.0, g.1, $0) } }
        Progress.log("claim 4 A: \(jobs.count) grid runs")
        let gridRuns = try Threads.map(jobs.count) { i in run(jobs[i].1(jobs[i].2), task: task0, replicate: 0, protocol: gridProtocol) }
        let chosen = grid.map { g in best(zip(jobs, gridRuns).filter { $0.0.0 == g.0 }.map(\.1)) }
        let chosenRates = chosen.map { $0?.learningRate }

        // Protocol A on every seed with the chosen rates; protocol B on every seed.
        let b = TrainingProtocol(epochs: c.authorsEpochs, batch: c.authorsBatch, decayBefore: c.authorsDecayEpochs)
        let authors: [() -> any Optimizer] = [
            { SGD(learningRate: 0.1, momentum: 0.9, weightDecay: c.authorsWeightDecay) },
            { Adam(learningRate: 1e-3) },
            { MFACOptimizer(learningRate: c.authorsRate, windowSize: c.authorsWindow, damping: c.mfacDamping, weightDecay: c.authorsWeightDecay) },
        ]
        Progress.log("claim 4: protocols A and B on \(c.replicates) seeds")
        let perSeed = try Threads.map(c.replicates) { r -> (a: [OptimizerRun?], b: [OptimizerRun]) in
            let task = r == 0 ? task0 : try DigitsTask.load(seed: seed(replicate: r))
            let a = r == 0 ? chosen : grid.indices.map { i in chosenRates[i].map { run(grid[i].1($0), task: task, replicate: r, protocol: gridProtocol) } }
            return (a, authors.map { run($0(), task: task, replicate: r, protocol: b) })
        }
        func protocolEvidence(_ name: String, _ runs: [[OptimizerRun?]]) -> OptimizationEvidence.ProtocolResult {
            var gaps: [Double] = [], within: [Bool] = []
            for seedRuns in runs {
                guard let mfac = seedRuns[2] else { continue }
                let baselines = seedRuns[0..<2].compactMap { $0 }.filter { !$0.diverged }
                guard let bestAccuracy = baselines.map(\.lastAccuracy).max(), let bestLoss = baselines.map(\.finalLoss).min() else { continue }
                gaps.append(100 * (mfac.lastAccuracy - bestAccuracy))
                within.append(!mfac.diverged && mfac.finalLoss <= 2 * bestLoss)
            }
            return .init(name: name, accuracyGap: gaps, lossWithinTwice: within)
        }
        let evidence = OptimizationEvidence(protocols: [protocolEvidence("A (grids)", perSeed.map(\.a)),
                                                        protocolEvidence("B (authors' settings)", perSeed.map { $0.b.map { Optional($0) } })])
        report.claim(Experiments.claim4(evidence, scope: "a 64-\(c.hidden.map(String.init).joined(separator: "-"))-10 MLP on the digits data, \(c.replicates) seeds; protocol A: M-FAC m = \(c.mfacWindow), λ = \(Fmt.g(c.mfacDamping)), \(c.optEpochs) epochs; protocol B: the authors' example settings scaled (m = \(c.authorsWindow), \(c.authorsEpochs) epochs). No CNN, no CIFAR, no data augmentation, no window of 1024"))

        try optimizationTables(gridRuns: zip(jobs, gridRuns).map { ($0.0.0, $0.1) }, chosen: chosen, perSeed: perSeed, task: task0, evidence: evidence)
    }

    /// Type-erased `optimizerRun`.
    func run(_ optimizer: any Optimizer, task: DigitsTask, replicate r: Int, protocol p: TrainingProtocol) -> OptimizerRun {
        func open<O: Optimizer>(_ o: O) -> OptimizerRun { optimizerRun(o, task: task, replicate: r, protocol: p) }
        return open(optimizer)
    }
}
