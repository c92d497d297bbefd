import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 2: a small MLP, SGD (momentum 0.9) and Adam on learning-rate grids against DoG and L-DoG (claim 3).
enum Network {
    struct Results {
        let sgdGrid: [Double], adamGrid: [Double]
        let sgd: [[RunResult]], adam: [[RunResult]]
        let dog: [RunResult], layerwise: [RunResult]
    }

    static func run(_ p: DigitsProblem, config c: DoG.Config) throws -> Results {
        let methods = c.networkSGD.map { Method.sgd(learningRate: $0, momentum: c.networkMomentum) }
            + c.networkAdam.map { Method.adam(learningRate: $0) } + [.dog(repsRel: c.repsRel), .layerwise(repsRel: c.repsRel)]
        let all = try p.trainAll(methods, replicates: c.replicates)
        let (s, a) = (c.networkSGD.count, c.networkAdam.count)
        return Results(sgdGrid: c.networkSGD, adamGrid: c.networkAdam, sgd: Array(all[0..<s]), adam: Array(all[s..<(s + a)]),
                       dog: all[s + a], layerwise: all[s + a + 1])
    }

    struct Evidence {
        var sgdMinusDoG: [Double]           // per replicate, test accuracy (fraction), tuned SGD − DoG
        var layerwiseMinusSGD: [Double]     // L-DoG − tuned SGD
        var adamMinusLayerwise: [Double]    // tuned Adam − L-DoG
    }

    /// A paired difference "is not below zero" when its mean + 2 se ≥ 0 (pp).
    static func upper(_ d: [Double]) -> Double { 100 * (Stats.mean(d) + 2 * Stats.standardError(d)) }

    static func claim(_ e: Evidence) -> Claim {
        let few = e.sgdMinusDoG.count < 3 ? "fewer than 3 replicates" : nil
        return Claim(
            id: "C3",
            statement: "On a network, DoG's performance is close to tuned SGD's, and the per-layer L-DoG lies between tuned SGD and tuned Adam (abstract).",
            checks: [
                Check("tuned SGD − DoG test accuracy, mean (pp)", measured: 100 * Stats.mean(e.sgdMinusDoG), .atMost(1), format: "%.2f", notObserved: few),
                Check("L-DoG − tuned SGD, mean + 2 se (pp)", measured: upper(e.layerwiseMinusSGD), .atLeast(0), format: "%.2f", notObserved: few),
                Check("tuned Adam − L-DoG, mean + 2 se (pp)", measured: upper(e.adamMinusLayerwise), .atLeast(0), format: "%.2f", notObserved: few),
            ],
            failsIf: "the DoG runs trail tuned SGD by more than 1 pp on average, or L-DoG is below tuned SGD or above tuned Adam by more than two standard errors of the paired difference",
            note: "A 64-64-10 ReLU MLP on 1000 digits; the paper fine-tunes large pre-trained models. Baselines tuned on the test accuracy they are compared on (a bias in their favour).")
    }

    /*: network
     **Setup.** The same split, a 64 → 64 → 10 ReLU MLP from He initialization, no weight decay. SGD
     with momentum 0.9 and Adam run on grids of learning rates in half-decade steps; each is tuned
     like SGD in experiment 1, over the grid and the last-or-averaged iterate, by mean test accuracy
     over the replicates. DoG and L-DoG run once each per replicate, at their averaged iterate, with the
     default reps_rel = 1e-6; L-DoG keeps one r̄ and one Σ||g||² per tensor (each weight matrix and each
     bias vector), so each layer gets its own step.

     **Criteria, fixed before the run.** The ranking is decided on paired differences of test accuracy
     over the replicates (same initialization and batch order for every method). DoG is close to tuned
     SGD if it trails by at most 1 percentage point on average. L-DoG lies "between" if it is not below
     tuned SGD and not above tuned Adam: each paired difference (L-DoG − SGD, Adam − L-DoG) must have
     mean + 2 se ≥ 0, so a tie within noise counts as between and a clear inversion fails.
     */
    static func report(_ r: Results, config c: DoG.Config, report: Report) {
        report.section("Experiment 2: a small MLP, DoG and L-DoG against tuned SGD and Adam")
        report.literate("network")
        let acc: (RunResult, Bool) -> Double = { $1 ? $0.averageAccuracy : $0.lastAccuracy }
        let sgd = Convex.tuned(r.sgd, score: acc), adam = Convex.tuned(r.adam, score: acc)
        let dog = r.dog.map(\.averageAccuracy), ldog = r.layerwise.map(\.averageAccuracy)
        let e = Evidence(sgdMinusDoG: zip(sgd.perReplicate, dog).map { $0 - $1 },
                         layerwiseMinusSGD: zip(ldog, sgd.perReplicate).map { $0 - $1 },
                         adamMinusLayerwise: zip(adam.perReplicate, ldog).map { $0 - $1 })
        report.claim(claim(e))
        func pct(_ x: [Double]) -> String { Fmt.estimate(100 * Stats.mean(x), 100 * Stats.standardError(x)) }
        report.table(["method", "setting", "test accuracy % (mean ± se)", "training loss (mean)"], [
            ["tuned SGD (μ = \(Fmt.g(c.networkMomentum)))", "η = \(Fmt.g(r.sgdGrid[sgd.index], 3)), \(sgd.averaged ? "averaged" : "last")", pct(sgd.perReplicate),
             Fmt.g(Stats.mean(r.sgd[sgd.index].map { sgd.averaged ? $0.averageObjective : $0.lastObjective }), 3)],
            ["tuned Adam", "η = \(Fmt.g(r.adamGrid[adam.index], 3)), \(adam.averaged ? "averaged" : "last")", pct(adam.perReplicate),
             Fmt.g(Stats.mean(r.adam[adam.index].map { adam.averaged ? $0.averageObjective : $0.lastObjective }), 3)],
            ["DoG", "reps_rel = \(Fmt.g(c.repsRel)), averaged", pct(dog), Fmt.g(Stats.mean(r.dog.map(\.averageObjective)), 3)],
            ["L-DoG", "reps_rel = \(Fmt.g(c.repsRel)), averaged", pct(ldog), Fmt.g(Stats.mean(r.layerwise.map(\.averageObjective)), 3)],
            ["DoG, last iterate", "", pct(r.dog.map(\.lastAccuracy)), Fmt.g(Stats.mean(r.dog.map(\.lastObjective)), 3)],
            ["L-DoG, last iterate", "", pct(r.layerwise.map(\.lastAccuracy)), Fmt.g(Stats.mean(r.layerwise.map(\.lastObjective)), 3)],
        ], caption: "Test accuracy over \(r.dog.count) replicates; paired differences (pp): SGD − DoG \(pct(e.sgdMinusDoG)), L-DoG − SGD \(pct(e.layerwiseMinusSGD)), Adam − L-DoG \(pct(e.adamMinusLayerwise)).")
        let grids = [("SGD", r.sgdGrid, r.sgd), ("Adam", r.adamGrid, r.adam)]
        report.plot(LinePlot(title: "Test accuracy of the grids (averaged iterate) against DoG and L-DoG", xLabel: "learning rate η",
                             yLabel: "test accuracy %", xScale: .log10,
                             series: grids.map { name, g, runs in
                                 Series(name, x: g, y: runs.map { 100 * Stats.mean($0.map(\.averageAccuracy)) }, style: .line)
                             } + [Series("DoG", x: [r.sgdGrid.first!, r.sgdGrid.last!], y: [100 * Stats.mean(dog), 100 * Stats.mean(dog)]),
                                  Series("L-DoG", x: [r.sgdGrid.first!, r.sgdGrid.last!], y: [100 * Stats.mean(ldog), 100 * Stats.mean(ldog)])],
                             yRange: 80...100),
                    caption: "DoG and L-DoG have no learning rate: their lines are flat. Diverged runs count as accuracy 0.")
    }
}
