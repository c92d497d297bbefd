import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 4: the top Hessian eigenvalue of SAM and SGD solutions at the same training loss
/// (Section 4.2).
enum Flatness {
    /// One seed: both methods stopped at the matched loss.
    struct Pair {
        var sgdTop: Double, samTop: Double            // λ_max of the training-loss Hessian
        var sgdBulk: Double, samBulk: Double          // λ₁/λ₅
        var sgdLoss: Double, samLoss: Double          // training loss at the stop (NaN if never reached)
        var sgdNorm: Double, samNorm: Double          // ||w||₂
        var sgdSteps: Int, samSteps: Int
    }
    struct Evidence {
        var pairs: [Pair]
        var lanczosError: Double                      // max relative error of the top 5 against the dense spectrum
    }

    static func logRatios(_ e: Evidence, _ f: (Pair) -> (Double, Double)) -> [Double] {
        e.pairs.map { let (a, b) = f($0); return log(a / b) }
    }

    static func claim(_ e: Evidence) -> Claim {
        let n = e.pairs.count
        let reached = e.pairs.allSatisfy { $0.sgdLoss.isFinite && $0.samLoss.isFinite }
        let why = reached ? (n >= 3 ? nil : "only \(n) seeds") : "a run did not reach the matched loss within the epoch cap"
        let top = logRatios(e) { ($0.sgdTop, $0.samTop) }
        let scaled = logRatios(e) { ($0.sgdTop * $0.sgdNorm * $0.sgdNorm, $0.samTop * $0.samNorm * $0.samNorm) }
        func lower(_ x: [Double]) -> Double { x.count >= 2 ? exp(Stats.mean(x) - 2 * Stats.standardError(x)) : .nan }
        let mismatch = e.pairs.map { abs($0.samLoss / $0.sgdLoss - 1) }.max() ?? .nan
        return Claim(
            id: "C5",
            statement: "SAM finds flatter minima: a smaller top Hessian eigenvalue at convergence (WideResNet on CIFAR-10, Section 4.2: λ_max ≈ 24 with SGD, 1.0 with SAM).",
            checks: [Check("seeds with λ_max(SAM) < λ_max(SGD) (of \(n))", measured: Double(top.filter { $0 > 0 }.count),
                           .atLeast(Double(Swift.max(n - 1, 1))), format: "%.0f", notObserved: why),
                     Check("λ_max ratio SGD/SAM, geometric mean ÷ e^(2 se)", measured: reached ? lower(top) : .nan, .greaterThan(1), format: "%.3g", notObserved: why),
                     Check("λ_max·||w||² ratio SGD/SAM, geometric mean ÷ e^(2 se)", measured: reached ? lower(scaled) : .nan, .greaterThan(1), format: "%.3g", notObserved: why),
                     Check("largest training-loss mismatch at the stop (relative)", measured: mismatch, .atMost(0.1), format: "%.3f", notObserved: why),
                     Check("Lanczos top 5 vs dense spectrum (max relative error)", measured: e.lanczosError, .atMost(1e-8), format: "%.1e")],
            failsIf: "At the same training loss SAM's λ_max is not smaller in all seeds but at most one, or the geometric-mean ratio (also after multiplying by ||w||²) is not above 1 by two standard errors.",
            note: "Clean digits, 64-32-10 ReLU MLP, both runs at the same learning rate and stopped at the first step whose full training loss is below the matched level.")
    }

    /*: flatness
     Cross-entropy sharpness falls as the loss goes to zero (the softmax saturates) and changes with
     the scale of the weights, so "SAM is flatter" only means something at a fixed loss and with the
     weight norm in view. Our controls, fixed before the run: on clean labels, SGD and SAM run with
     the same learning rate (SGD's tuned rate at p = 0, so both face the same stability ceiling
     2(1 + μ)/η on the sharpness) and SAM with its tuned ρ; each run stops at the first step whose full
     training loss falls below the matched level of the setup (the loss is measured after every step
     near the end). At that point we compute the top five eigenvalues of the full-training-set
     Hessian by Lanczos (full reorthogonalization) on exact Hessian-vector products, and the weight
     norm. The claim needs SAM's λ_max to be smaller in all seeds but at most one, and the
     geometric-mean ratio SGD/SAM to exceed 1 by two standard errors both for λ_max and for the
     scale-free product λ_max·||w||² (which does not change when the parameters are measured in
     other units, w → c·w), so a SAM solution that is flatter only because its weights are larger would
     fail. Before that, Lanczos is checked against the dense spectrum of a network small enough to
     form its Hessian.
     */
    static func run(_ c: SAM.Config, task: DigitsTask, tuned: LabelNoise.Tuned, options: RunOptions, report: Report) throws {
        report.section("Experiment 4: flatness at matched training loss")
        report.literate("flatness")
        let seed = options.seed, (rate, rho) = tuned.at(0)
        let loss = Loss.softmaxCrossEntropy(labels: task.trainLabels)
        // The instrument: Lanczos against the dense spectrum on a small network.
        var initRNG = SAM.stream(seed, replicate: 0, .initialization), order = SAM.stream(seed, replicate: 0, .batchOrder)
        let rows = Array(0..<c.denseRows)
        let small = DigitsTask(trainX: task.trainX.rows(rows), trainLabels: rows.map { task.trainLabels[$0] },
                               validationX: task.validationX, validationLabels: task.validationLabels, testX: task.testX, testLabels: task.testLabels)
        let smallNet = small.train(small.network(hidden: c.denseHidden, rng: &initRNG), labels: small.trainLabels,
                                   recipe: Recipe(learningRate: rate, momentum: c.momentum, epochs: 10, batch: c.batch, sam: nil), order: &order).model
        let op = smallNet.hessian(small.trainX, .softmaxCrossEntropy(labels: small.trainLabels))
        let dense = try SymmetricEigen(op.matrix(), computeVectors: false).values.reversed().prefix(5).map { $0 }
        let lz = try lanczosTop(dimension: op.dimension, count: 5, steps: c.lanczosSteps, seed: seed) { op.apply($0) }
        let lanczosError = zip(dense, lz.values).map { abs($0 - $1) / abs($0) }.max() ?? .nan
        // The comparison, one seed per job, SGD and SAM paired.
        let s = c.seeds
        let runs = try Threads.map(2 * s) { j -> (RunRecord, LanczosResult, Double) in
            var ir = SAM.stream(seed, replicate: j / 2, .initialization), or = SAM.stream(seed, replicate: j / 2, .batchOrder)
            let recipe = Recipe(learningRate: rate, momentum: c.momentum, epochs: c.epochCap, batch: c.batch,
                                sam: j % 2 == 0 ? nil : SharpnessAware(rho: rho, microBatch: nil))
            let rec = task.train(task.network(hidden: c.hidden, rng: &ir), labels: task.trainLabels, recipe: recipe, order: &or, stopBelow: c.matchedLoss)
            if let d = rec.diverged { throw TrainingDiverged(detail: d) }
            //: begin lanczos
            let h = rec.model.hessian(task.trainX, loss)                  // exact v ↦ Hv on the whole training set
            let top = try lanczosTop(dimension: h.dimension, count: 5, steps: c.lanczosSteps, seed: seed &+ UInt64(j)) { h.apply($0) }
            //: end lanczos
            let v = top.vectors[0]
            var r = h.apply(v); Vector.axpy(-top.values[0], v, &r)      // the true residual ||Hv − θv||
            return (rec, top, Vector.norm(r) / top.values[0])
        }
        let pairs = (0..<s).map { i -> Pair in
            let (a, la, _) = runs[2 * i], (b, lb, _) = runs[2 * i + 1]
            return Pair(sgdTop: la.values[0], samTop: lb.values[0], sgdBulk: la.values[0] / la.values[4], samBulk: lb.values[0] / lb.values[4],
                        sgdLoss: a.stoppedAtLoss ?? .nan, samLoss: b.stoppedAtLoss ?? .nan,
                        sgdNorm: Vector.norm(a.model.parameters), samNorm: Vector.norm(b.model.parameters), sgdSteps: a.steps, samSteps: b.steps)
        }
        let evidence = Evidence(pairs: pairs, lanczosError: lanczosError)
        report.code("lanczos")
        report.claim(claim(evidence))
        report.table(["seed", "loss SGD / SAM", "λ_max SGD", "λ_max SAM", "λ₁/λ₅ SGD", "λ₁/λ₅ SAM", "||w|| SGD", "||w|| SAM", "steps SGD / SAM"],
                     pairs.enumerated().map { i, p in
                         ["\(i)", "\(Fmt.g(p.sgdLoss, 3)) / \(Fmt.g(p.samLoss, 3))", Fmt.g(p.sgdTop, 4), Fmt.g(p.samTop, 4),
                          Fmt.g(p.sgdBulk, 3), Fmt.g(p.samBulk, 3), Fmt.g(p.sgdNorm, 4), Fmt.g(p.samNorm, 4), "\(p.sgdSteps) / \(p.samSteps)"]
                     }, caption: "Each seed's two runs stopped at training loss below \(Fmt.g(c.matchedLoss)); learning rate \(Fmt.g(rate)), ρ = \(Fmt.g(rho)); largest relative Lanczos residual ||Hv − λv||/λ of λ_max \(Fmt.sci(runs.map { $0.2 }.max() ?? .nan)).")
        let top = logRatios(evidence) { ($0.sgdTop, $0.samTop) }
        report.discussion("""
        **Experiment 4.** Lanczos with \(c.lanczosSteps) steps matches the dense top five of a \(op.dimension)-parameter network to \
        \(Fmt.sci(lanczosError)) relative (dense λ_max = \(Fmt.g(dense.first ?? .nan, 6))). At the matched loss the \
        geometric-mean ratio λ_max(SGD)/λ_max(SAM) is \(Fmt.g(exp(Stats.mean(top)), 3)) (×/÷ \(Fmt.g(exp(Stats.standardError(top)), 3)) \
        standard error), against about 24 in the paper's WideResNet; the stability ceiling 2(1 + μ)/η is \(Fmt.g(2 * (1 + c.momentum) / rate, 4)).
        """)
    }
}
