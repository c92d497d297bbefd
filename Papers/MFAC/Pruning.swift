import Foundation
import Numerics
import Learning
import Notebook

/// Test accuracies after pruning one trained network, at every sparsity of the ladder.
struct PruningResult {
    var dense: Double
    var magnitude: [Double] = [], oneShot: [Double] = [], oneShotBlocked: [Double] = []
    var scoresOnly: [Double] = [], recomputed: [Double] = []
    var weights = 0, oneShotCost = 0, recomputeCost = 0
}

extension Experiments {
    /// Prunes `network` (trained on `task`) up the sparsity ladder in every variant.
    func pruneLadder(_ network: MLP, task: DigitsTask, replicate r: Int) throws -> PruningResult {
        let c = config
        let weights = DigitsTask.weightIndices(network)
        let nW = weights.count
        let dense = PrunedState(theta: network.parameters, alive: [Bool](repeating: true, count: nW))
        func accuracy(_ s: PrunedState) -> Double { task.testAccuracy(network.with(parameters: s.theta)) }
        func target(_ sparsity: Double) -> Int { Int((sparsity * Double(nW)).rounded()) }

        var sampler = BatchSampler(n: task.trainX.rows, rng: stream(.pruningBatches, replicate: r))
        let g0 = pruningGradients(network, dense, weights: weights, task: task, sampler: &sampler)
        let full0 = try InverseFisher(gradients: g0, damping: c.pruneDamping, blockSize: nil)
        let blocked0 = try InverseFisher(gradients: g0, damping: c.pruneDamping, blockSize: c.blockSize)
        var out = PruningResult(dense: accuracy(dense), weights: nW, oneShotCost: full0.cost)
        for s in c.sparsities {
            out.magnitude.append(accuracy(magnitudePrune(dense, weights: weights, prunedTarget: target(s))))
            out.oneShot.append(accuracy(try obsPrune(dense, weights: weights, inverse: full0, prunedTarget: target(s))))
            out.oneShotBlocked.append(accuracy(try obsPrune(dense, weights: weights, inverse: blocked0, prunedTarget: target(s))))
            out.scoresOnly.append(accuracy(try obsPrune(dense, weights: weights, inverse: full0, prunedTarget: target(s), update: false)))
        }
        // Recomputation: up the ladder, re-estimating F before each step.
        var state = dense
        var previousDensity = 1.0
        for s in c.sparsities {
            let density = 1 - s
            let factor = pow(density / previousDensity, 1 / Double(c.recomputeSteps))
            for j in 1...c.recomputeSteps {
                let stepDensity = j == c.recomputeSteps ? density : previousDensity * pow(factor, Double(j))
                let g = pruningGradients(network, state, weights: weights, task: task, sampler: &sampler)
                let inv = try InverseFisher(gradients: g, damping: c.pruneDamping, blockSize: nil)
                out.recomputeCost += inv.cost
                state = try obsPrune(state, weights: weights, inverse: inv, prunedTarget: target(1 - stepDensity))
            }
            out.recomputed.append(accuracy(state))
            previousDensity = density
        }
        return out
    }

    /// What claim 3 is decided on, one entry per seed (accuracy differences in points).
    struct PruningEvidence {
        var gapAt90: [Double]              // one-shot M-FAC − magnitude at 90%
        var gapGrowth: [Double]            // (one-shot − magnitude) at the top sparsity − the same at 50%
        var recomputationGain: [Double]    // recomputation − one-shot at the top sparsity
        var top: Double                    // the top sparsity
    }

    static func claim3(_ e: PruningEvidence) -> Claim {
        let n = e.gapAt90.count
        let top = Fmt.pct(e.top, 0)
        func mean(_ name: String, _ xs: [Double], _ k: Criterion) -> Check {
            Check("\(name), mean of \(n) seeds (points)", measured: xs.isEmpty ? .nan : Stats.mean(xs), k, format: "%.1f")
        }
        func count(_ name: String, _ xs: [Double], _ holds: (Double) -> Bool) -> Check {
            let k = Criterion.atLeast(Double(n - 1))
            if n < 3 { return Check.notObserved("seeds with \(name) (of \(n))", k, because: "only \(n) seeds") }
            return Check("seeds with \(name) (of \(n))", measured: Double(xs.filter(holds).count), k, format: "%.0f")
        }
        return Claim(
            id: "C3",
            statement: "OBS pruning with M-FAC's inverse Fisher keeps accuracy better than magnitude pruning, increasingly so at high sparsity, and recomputing F in several steps helps further (abstract: state-of-the-art pruning results; the paper's one-shot pruning experiments).",
            checks: [
                mean("one-shot − magnitude at 90%", e.gapAt90, .atLeast(5)),
                count("one-shot − magnitude ≥ 5 points at 90%", e.gapAt90) { $0 >= 5 },
                mean("gap at \(top) − gap at 50%", e.gapGrowth, .greaterThan(0)),
                count("gap at \(top) > gap at 50%", e.gapGrowth) { $0 > 0 },
                mean("recomputation − one-shot at \(top)", e.recomputationGain, .atLeast(0)),
                count("recomputation ≥ one-shot at \(top)", e.recomputationGain) { $0 >= 0 },
            ],
            failsIf: "one-shot M-FAC were no better than magnitude pruning at 90% on most seeds, its advantage did not grow from 50% to the top sparsity, or recomputation lost to one-shot at the top",
            note: "one-shot and recomputation pruning of a small MLP on the digits data without retraining, \(n) seeds (split, initialization, training and gradient batches); no CNN, no ImageNet, no gradual pruning with fine-tuning")
    }
}
