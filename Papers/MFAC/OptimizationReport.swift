import Foundation
import Numerics
import Learning
import Notebook

extension Experiments {
    /// The tables, plots, logs and diagnostic of claim 4.
    func optimizationTables(gridRuns: [(String, OptimizerRun)], chosen: [OptimizerRun?],
                            perSeed: [(a: [OptimizerRun?], b: [OptimizerRun])], task: DigitsTask,
                            evidence: OptimizationEvidence) throws {
        let c = config
        func final(_ r: OptimizerRun) -> [String] {
            [r.diverged ? "diverged in epoch \(r.curve.divergedInEpoch!)" : Fmt.sci(r.finalLoss, 2), Fmt.pct(r.lastAccuracy)]
        }
        let chosenLabels = Set(chosen.compactMap { $0?.label })
        report.table(["optimizer", "η", "training loss after epoch 1", "final training loss", "final test accuracy", ""],
                     gridRuns.map { (_, r) in
                         [r.optimizer, Fmt.g(r.learningRate), r.curve.trainingLoss.count > 1 ? Fmt.sci(r.curve.trainingLoss[1], 2) : "—"]
                             + final(r) + [chosenLabels.contains(r.label) ? "best η" : ""]
                     },
                     caption: "Protocol A on seed \(options.seed): every run of the grids (batch \(c.batchSize), \(c.optEpochs) epochs). A diverged run's accuracy is that of its last finite epoch.")
        var seedRows: [[String]] = []
        for (r, s) in perSeed.enumerated() {
            for (p, runs) in [("A", s.a), ("B", s.b.map { Optional($0) })] {
                seedRows.append(["\(seed(replicate: r))", p] + runs.map { $0.map { final($0).joined(separator: ", ") } ?? "—" })
            }
        }
        report.table(["seed", "protocol", "SGD: final loss, accuracy", "Adam: final loss, accuracy", "M-FAC: final loss, accuracy"], seedRows,
                     caption: "Both protocols on every seed (A with the rates chosen on seed \(options.seed): \(chosen.map { $0.map { "\($0.optimizer) η = \(Fmt.g($0.learningRate))" } ?? "none" }.joined(separator: ", ")); B with the authors' settings).")
        for p in evidence.protocols {
            report.prose("Protocol \(p.name): M-FAC − best baseline test accuracy per seed \(Fmt.list(p.accuracyGap) { Fmt.fixed($0, 1) }) points, \(Fmt.estimate(Stats.mean(p.accuracyGap), Stats.standardError(p.accuracyGap), digits: 1)) on average.")
        }

        let b0 = perSeed[0].b
        var curves = chosen.compactMap { $0 }.map { ("A: \($0.label)", $0) }
        curves += b0.map { ("B: \($0.label)", $0) }
        report.plot(LinePlot(
            title: "training loss per epoch (seed \(options.seed))", xLabel: "epoch", yLabel: "training loss (log)", yScale: .log10,
            series: curves.map { (name, r) in Series(name, x: (0..<r.curve.trainingLoss.count).map(Double.init), y: r.curve.trainingLoss) }))

        /*: opt-logs
         **Logs of the M-FAC runs.** Per epoch: the median norm of the mini-batch gradients, the median
         and the largest step length ||x_{t+1} − x_t||, the parameter norm and the training loss. For a
         gradient in the window and a small λ, F⁻¹g has length about ||g||/(λ + ||g||²/m): it grows as
         the gradients shrink, up to √(m/λ)/2 at ||g|| = √(mλ), and only then falls as ||g||/λ. When
         the window's gradients are close to orthogonal (m ≪ d), F⁻¹g ≈ m g/||g||² for λ ≪ ||g||²/m: a
         step of length η·m/||g||, which the column "median step / (η m/||g||)" compares with the logs.
         */
        report.literate("opt-logs")
        let mfacA = chosen[2] ?? gridRuns.filter { $0.0 == "M-FAC" }.map(\.1).min { $0.lastAccuracy > $1.lastAccuracy }!
        let mfacB = b0[2]
        logTable([("A: \(mfacA.label)", mfacA, c.mfacWindow), ("B: \(mfacB.label)", mfacB, c.authorsWindow)],
                 caption: "M-FAC on seed \(options.seed), protocol A at its chosen η (m = \(c.mfacWindow)) and protocol B (m = \(c.authorsWindow), weight decay \(Fmt.g(c.authorsWeightDecay)), η drops before epochs \(c.authorsDecayEpochs.map { "\($0 + 1)" }.joined(separator: ", "))).")

        // Diagnostic, not part of any verdict: protocol A's M-FAC grid with larger dampings (seed 0).
        let gridProtocol = TrainingProtocol(epochs: c.optEpochs, batch: c.batchSize)
        let pairs = c.mfacDampingSweep.flatMap { l in c.mfacRates.map { (l, $0) } }
        let damped = try Threads.map(pairs.count) { i in
            run(MFACOptimizer(learningRate: pairs[i].1, windowSize: c.mfacWindow, damping: pairs[i].0), task: task, replicate: 0, protocol: gridProtocol)
        }
        /*: opt-damping
         **Diagnostic: the damping.** The table below, not part of any verdict, repeats protocol A's
         M-FAC grid with larger dampings: a larger λ caps the step at √(m/λ)/2.
         */
        report.literate("opt-damping")
        report.table(["λ", "η", "final training loss", "final test accuracy"],
                     zip(pairs, damped).map { [Fmt.g($0.0.0), Fmt.g($0.0.1)] + final($0.1) },
                     caption: "M-FAC (m = \(c.mfacWindow)) with larger dampings; seed \(options.seed), protocol A.")
        let bestDamped = zip(pairs, damped).filter { !$0.1.diverged }.min { ($0.1.finalLoss, $0.0.0) < ($1.1.finalLoss, $1.0.0) }

        let explanationA = explanation("Protocol A (\(mfacA.label), λ = \(Fmt.g(c.mfacDamping)))", mfacA, window: c.mfacWindow, damping: c.mfacDamping)
        let explanationB = explanation("Protocol B (\(mfacB.label), λ = \(Fmt.g(c.mfacDamping)))", mfacB, window: c.authorsWindow, damping: c.mfacDamping)
        let sgdA = chosen[0], adamA = chosen[1]
        func firstEpoch(_ r: OptimizerRun?) -> String { r.map { $0.curve.trainingLoss.count > 1 ? Fmt.sci($0.curve.trainingLoss[1], 2) : "n/a" } ?? "n/a" }
        report.discussion("""
        **The optimizer and its damping (from the logs, seed \(options.seed)).** \(explanationA) \(explanationB) \
        After the first epoch of protocol A the training loss is \(firstEpoch(mfacA)) for M-FAC, \(firstEpoch(sgdA)) for \
        SGD and \(firstEpoch(adamA)) for Adam. For λ ≪ ||g||²/m the preconditioned step is close to a \
        normalized one, of length set by η·m/||g|| rather than by the loss: a learning rate small enough \
        for the late epochs is slow early, and one fast early keeps taking steps of the same length near \
        the minimum. A λ comparable to ||g||²/m turns M-FAC towards a gradient step again; in the damping \
        diagnostic (not part of the verdict) \
        \(bestDamped.map { "the lowest final training loss, \(Fmt.sci($0.1.finalLoss, 2)) with test accuracy \(Fmt.pct($0.1.lastAccuracy)), comes with λ = \(Fmt.g($0.0.0)), η = \(Fmt.g($0.0.1))" } ?? "every run diverged"). \
        Choosing λ after seeing the verdict would be tuning to the criterion, so claim 4 is judged with \
        the authors' value. The authors train ResNets with data augmentation for 164 epochs on CIFAR with \
        m = 512 or 1024; we have not tested that setting.
        """)
    }
}
