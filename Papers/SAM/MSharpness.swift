import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 5: m-sharpness (Section 4.1): the ascent taken independently on micro-batches of m
/// examples and the resulting SAM gradients averaged.
enum MSharpness {
    /// Per micro-batch size (ascending), the early-stopped test accuracy of each seed.
    struct Evidence { var sizes: [Int]; var accuracy: [[Double]] }

    static func claim(_ e: Evidence) -> Claim {
        let n = e.accuracy.first?.count ?? 0
        guard e.sizes.count >= 2, n >= 2 else {
            return Claim(id: "C6", statement: "Smaller m tends to generalize better.",
                         checks: [Check.notObserved("gain of the smallest m", .atLeast(0), because: "fewer than two sizes or seeds")], failsIf: "")
        }
        let gain = (0..<n).map { 100 * (e.accuracy[0][$0] - e.accuracy[e.accuracy.count - 1][$0]) }
        let means = e.accuracy.map { 100 * Stats.mean($0) }
        let slope = e.sizes.count >= 3 ? (try? LineFit(x: e.sizes.map { log2(Double($0)) }, y: means).slope) ?? .nan : .nan
        return Claim(
            id: "C6",
            statement: "m-sharpness: with the ascent taken on micro-batches of m examples, smaller values of m tend to yield models that generalize better (small ResNet on CIFAR-10, Figure 3 middle).",
            checks: [Check("m = \(e.sizes[0]) vs m = \(e.sizes.last!): mean gain + 2 se (pp)", measured: Stats.mean(gain) + 2 * Stats.standardError(gain), .atLeast(0), format: "%.2f"),
                     Check("m = \(e.sizes[0]) vs m = \(e.sizes.last!): mean gain (pp)", measured: Stats.mean(gain), .greaterThan(0), format: "%.2f"),
                     Check("slope of mean accuracy in log₂ m (pp per doubling)", measured: slope, .atMost(0), format: "%.3f",
                           notObserved: e.sizes.count >= 3 ? nil : "fit over \(e.sizes.count) sizes")],
            failsIf: "The smallest m is worse than plain SAM by more than two paired standard errors, or not better on average, or accuracy rises with m.",
            note: "Clean digits, ρ tuned on validation for each m; the smallest m is 4 here, 1 in the paper's figure.")
    }

    /*: msharp
     With micro-batches of m rows, each slice Bₖ of the batch gets its own ascent ε̂ₖ = ρ·gₖ/||gₖ||
     from its own gradient and contributes ∇L_Bₖ(w + ε̂ₖ); the step averages these (the code above,
     with `microBatch = m`). m = batch is plain SAM; m = 1 would perturb every example separately.
     The best ρ depends on m (the paper's figure sweeps ρ for each m), so for each m < batch we pick ρ
     from the same grid and by the same validation rule as plain SAM's at p = 0. Then we train on
     clean labels with SGD's tuned rate, one run per m and seed (the same initialization and batch
     order for every m), and compare the early-stopped test accuracy. Criterion, fixed before the run: the smallest m is better than m = batch on
     average, not worse by more than two paired standard errors, and the fitted slope of the
     seed-mean accuracy against log₂ m is not positive.
     */
    static func run(_ c: SAM.Config, task: DigitsTask, tuned: LabelNoise.Tuned, options: RunOptions, report: Report) throws {
        report.section("Experiment 5: m-sharpness")
        report.literate("msharp")
        let seed = options.seed, (rate, rhoPlain) = tuned.at(0), sizes = c.microBatches.sorted(), s = c.seeds
        func runOne(_ m: Int, _ rho: Double, _ r: Int) -> RunRecord {
            var ir = SAM.stream(seed, replicate: r, .initialization), or = SAM.stream(seed, replicate: r, .batchOrder)
            let recipe = Recipe(learningRate: rate, momentum: c.momentum, epochs: c.samEpochs, batch: c.batch,
                                sam: SharpnessAware(rho: rho, microBatch: m))
            return task.train(task.network(hidden: c.hidden, rng: &ir), labels: task.trainLabels, recipe: recipe, order: &or)
        }
        // ρ for each m < batch on the grid, as for plain SAM (tuning replicates 100, 101, …).
        let small = sizes.filter { $0 < c.batch }, (h, t) = (c.rhos.count, c.tuningReplicates)
        let tune = try Threads.map(small.count * h * t) { j in runOne(small[j / (h * t)], c.rhos[(j / t) % h], 100 + j % t) }
        func score(_ k: Int, _ i: Int) -> Double {
            Stats.mean((0..<t).map { let r = tune[(k * h + i) * t + $0]; return r.diverged == nil ? r.bestValidation : 0 })
        }
        let rho = sizes.map { m -> Double in
            guard let k = small.firstIndex(of: m) else { return rhoPlain }
            return c.rhos[(0..<h).max { score(k, $0) < score(k, $1) }!]
        }
        let runs = try Threads.map(sizes.count * s) { j -> RunRecord in
            let rec = runOne(sizes[j / s], rho[j / s], j % s)
            if let d = rec.diverged { throw TrainingDiverged(detail: d) }
            return rec
        }
        let acc = sizes.indices.map { k in (0..<s).map { runs[k * s + $0].earlyStoppedTest } }
        let fin = sizes.indices.map { k in (0..<s).map { runs[k * s + $0].finalTest } }
        let evidence = Evidence(sizes: sizes, accuracy: acc)
        report.claim(claim(evidence))
        report.table(["m", "ρ", "early-stopped test (%)", "final test (%)", "best validation (%)"], sizes.indices.map { k in
            [sizes[k] >= c.batch ? "\(sizes[k]) (plain SAM)" : "\(sizes[k])", Fmt.g(rho[k]), NoiseReport.pct(acc[k]), NoiseReport.pct(fin[k]),
             NoiseReport.pct((0..<s).map { runs[k * s + $0].bestValidation })]
        }, caption: "Clean labels, rate \(Fmt.g(rate)), mean ± standard error over \(s) seeds.")
        let means = acc.map { 100 * Stats.mean($0) }
        report.discussion("**Experiment 5.** Seed-mean early-stopped test accuracy by m (\(sizes.map(String.init).joined(separator: ", "))): \(Fmt.list(means) { Fmt.fixed($0, 2) }) %, with ρ = \(Fmt.list(rho)) chosen on validation.")
    }
}
