import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 4 (Sec. 4): small-batch and large-batch solutions and the straight line between them.
enum BasinExperiment {
    /// What claim 4 is decided on: the relative rise on each segment, per seed.
    struct Evidence {
        /// Per seed: relative rise on the segment θ_LB → θ_SB, θ_SB continued from θ_LB.
        var continued: [Double]
        /// Per seed: relative rise on the segment θ_S → θ_L, both trained from θ₀.
        var sameStart: [Double]
        /// Per seed: ‖θ_SB − θ_LB‖ / ‖θ_LB − θ₀‖, how far the continued run left θ_LB.
        var continuedTravel: [Double]
        var tolerance: Double
        var required: Int
    }

    struct Seed {
        var largeLoss: Double, continuedLoss: Double, smallLoss: Double
        /// The highest training loss seen along the continued small-batch path, over L(θ_LB).
        var climb: Double
        /// ‖θ_SB − θ_LB‖ / ‖θ_LB − θ₀‖.
        var travel: Double
        var distanceSameStart: Double
        var curveContinued: [Double], curveSameStart: [Double]
    }

    struct Result { var evidence: Evidence; var seeds: [Seed]; var ts: [Double] }

    /// A continued run that moves less than this fraction of ‖θ_LB − θ₀‖ has not left θ_LB.
    static let minimumTravel = 0.1

    static func claim(_ e: Evidence) -> Claim {
        func noBarrier(_ name: String, _ rises: [Double], stalled: String? = nil) -> Check {
            let label = "\(name): seeds with no barrier (of \(rises.count))"
            if let stalled { return Check.notObserved(label, .atLeast(Double(e.required)), because: stalled) }
            if rises.isEmpty || rises.contains(where: { !$0.isFinite }) {
                return Check.notObserved(label, .atLeast(Double(e.required)), because: "an end loss of the segment is not positive and finite")
            }
            return Check(label, measured: Double(rises.filter { $0 <= e.tolerance }.count), .atLeast(Double(e.required)), format: "%.0f")
        }
        let travel = e.continuedTravel.isEmpty ? Double.nan : Stats.median(e.continuedTravel)
        let stalled = travel >= minimumTravel ? nil
            : "the continued small-batch run moved only \(Fmt.g(travel, 2)) of the distance θ₀ → θ_LB (median over seeds), so its segment probes only the immediate neighbourhood of θ_LB"
        return Claim(
            id: "C4",
            statement: "Small- and large-batch solutions that look like different basins are connected through the flat region: the straight line between them crosses no barrier (Sec. 4).",
            checks: [noBarrier("small batch continued from the large-batch solution", e.continued, stalled: stalled),
                     noBarrier("both from one initialization", e.sameStart)],
            failsIf: "on two or more seeds the training loss on a segment rises above its larger end by more than the barrier tolerance (a fraction of that end loss)",
            note: "A barrier is measured relative to the end losses, (max L(θ(t)) − max of the ends) / max of the ends for t ∈ [0, 1]; Gaussian clusters, not MNIST.")
    }

    static func run(_ lab: Lab, _ report: Report) throws -> Result {
        let c = lab.config
        let k = c.baseClasses
        report.section("Experiment 4: small-batch and large-batch solutions share a basin")
        /*: claim4
         **Claim 4 (no barrier).** The paper's Section 4 revisits the small-batch / large-batch
         comparison of Keskar et al. (2017): a large-batch solution θ_LB is sharper than a
         small-batch one, which suggests different basins, and a gradient method that goes from one
         to the other first climbs and then descends. The paper's point is that the two lie in one
         basin, connected through its flat directions. We run two protocols on the base data and
         network, every seed: (a) as in the paper, full-batch gradient descent from θ₀ to θ_LB, then
         small-batch SGD *continued from θ_LB* to θ_SB, with the same step, so that only the batch
         size changes at the switch; (b) as in Keskar et al.'s line plots, both
         solutions trained from the same θ₀. On each segment we evaluate the full training loss at
         θ(t) = (1 − t) θ_a + t θ_b. A barrier that separates basins is a rise by a multiple of the
         end losses, so the criterion is relative: the segment has no barrier when its loss never
         exceeds the larger end by more than the barrier tolerance (a fraction of that end loss).
         Criteria fixed before the run: no barrier on all seeds but one, for each protocol. A
         continued run that barely leaves θ_LB (less than a tenth of the way θ₀ → θ_LB) cannot show
         a barrier either way; its check is then reported as not observed.
         */
        report.literate("claim4")
        /*: interpolation
         **The straight line between two solutions.** With θ_a and θ_b two solutions, we evaluate the
         full training loss at θ(t) = (1 − t) θ_a + t θ_b on a grid of t. A barrier is a point of the
         segment where the loss rises above both ends; two basins separated by a ridge would show one.
         */
        report.literate("interpolation")
        report.code("interpolate", file: Literate.sibling("Spectrum.swift"))
        let m = c.interpolationPoints - 1
        let ts = (-m / 2...(m + m / 2)).map { Double($0) / Double(m) }      // t ∈ [−0.5, 1.5]
        let seeds = try report.phase("Experiment 4: large batch, continued small batch and small batch × \(c.seeds) seeds") {
            try lab.replicates.map { r -> Seed in
                let (x, labels) = lab.data(replicate: r, classes: k, noise: c.noise)
                let loss = Loss.softmaxCrossEntropy(labels: labels)
                let start = lab.initialNetwork(replicate: r, classes: k, width: c.baseWidth)
                var none = lab.batchOrder(replicate: r)
                let large = try Training.sgd(start, x: x, loss: loss, batch: x.rows, learningRate: c.largeBatchLearningRate,
                                             epochs: c.largeBatchSteps, rng: &none, label: "large batch, seed \(r)").net
                var order = lab.batchOrder(replicate: r)
                let continued = try Training.sgd(large, x: x, loss: loss, batch: c.smallBatch, learningRate: c.largeBatchLearningRate,
                                                 epochs: c.epochs, rng: &order, label: "small batch from θ_LB, seed \(r)", probeEvery: 10)
                var order2 = lab.batchOrder(replicate: r)
                let small = try Training.sgd(start, x: x, loss: loss, batch: c.smallBatch, learningRate: c.learningRate,
                                             epochs: c.epochs, rng: &order2, label: "small batch from θ₀, seed \(r)").net
                let curveA = Analysis.lossAlongLine(start, from: large.parameters, to: continued.net.parameters, ts: ts, x: x, loss: loss)
                let curveB = Analysis.lossAlongLine(start, from: small.parameters, to: large.parameters, ts: ts, x: x, loss: loss)
                guard (curveA + curveB).allSatisfy(\.isFinite) else { throw NumericalFailure.nonFinite("loss along a segment, seed \(r)") }
                return Seed(largeLoss: large.loss(x, loss), continuedLoss: continued.net.loss(x, loss), smallLoss: small.loss(x, loss),
                            climb: continued.probes.max()! / continued.probes[0],
                            travel: Vector.distance(large.parameters, continued.net.parameters) / Vector.distance(large.parameters, start.parameters),
                            distanceSameStart: Vector.distance(small.parameters, large.parameters),
                            curveContinued: curveA, curveSameStart: curveB)
            }
        }
        let inside = { (curve: [Double]) in zip(ts, curve).filter { $0.0 >= 0 && $0.0 <= 1 }.map(\.1) }
        let evidence = Evidence(continued: seeds.map { Analysis.relativeBarrier(inside($0.curveContinued)) },
                                sameStart: seeds.map { Analysis.relativeBarrier(inside($0.curveSameStart)) },
                                continuedTravel: seeds.map(\.travel),
                                tolerance: c.barrierTolerance, required: c.seedsRequired)
        report.claim(claim(evidence))

        report.plot(LinePlot(
            title: "training loss along the segments, seed 0", xLabel: "t", yLabel: "loss (log)", yScale: .log10,
            series: [Series("θ_LB → θ_SB (continued)", x: ts, y: seeds[0].curveContinued),
                     Series("θ_S → θ_L (one θ₀)", x: ts, y: seeds[0].curveSameStart)]),
            caption: "The segments are t ∈ [0, 1]; the extensions to −0.5 and 1.5 show the walls of the valley.")
        report.table(["seed", "L(θ_LB)", "L(θ_SB) continued", "rise, continued", "peak on the SGD path / L(θ_LB)", "L(θ_S) from θ₀", "rise, one θ₀", "‖θ_SB − θ_LB‖ / ‖θ_LB − θ₀‖", "‖θ_S − θ_L‖"],
                     seeds.enumerated().map { r, s in
                         ["\(r)", Fmt.sci(s.largeLoss, 2), Fmt.sci(s.continuedLoss, 2), Fmt.pct(evidence.continued[r]), Fmt.g(s.climb, 3),
                          Fmt.sci(s.smallLoss, 2), Fmt.pct(evidence.sameStart[r]), Fmt.g(s.travel, 3), Fmt.g(s.distanceSameStart, 3)]
                     },
                     caption: "Rises are relative to the larger end loss of each segment (negative: the segment stays below its ends).")
        return Result(evidence: evidence, seeds: seeds, ts: ts)
    }

    static func discussion(_ r: Result) -> String {
        let climbs = r.seeds.map(\.climb)
        let climbed = climbs.filter { $0 > 1 }.count
        let travel = Stats.median(r.seeds.map(\.travel))
        let worstA = r.evidence.continued.max() ?? .nan
        let barriers = r.evidence.sameStart.filter { $0 > r.evidence.tolerance }
        let path = climbed == 0
            ? "never rose above L(θ_LB) at any probe (every 10 steps) on any seed"
            : "rose above L(θ_LB) on \(climbed) of \(climbs.count) seeds, by up to ×\(Fmt.g(climbs.max()!, 3))"
        let n = r.evidence.sameStart.count
        let sameStart = barriers.isEmpty
            ? "none of the \(n) segments rose above its larger end by more than the tolerance."
            : "\(barriers.count) of \(n) segments rose above their larger end by more than the tolerance (by \(Fmt.list(barriers.sorted()) { Fmt.pct($0) })): on those seeds the straight line between the two solutions crosses a ridge."
        let reach = travel < minimumTravel
            ? "at the loss full-batch descent reaches here, the per-sample gradients are too small for the batch noise to carry the run out of θ_LB's neighbourhood, so the continued protocol does not test the basin."
            : "its segments are short but past the stall guard, and the largest relative rise on them was \(Fmt.pct(worstA))."
        return """
        **Batches.** Continued from θ_LB with the same step, small-batch SGD \(path), and it travelled a \
        median \(Fmt.g(travel, 2)) of the distance θ₀ → θ_LB: \(reach) From one initialization, \(sameStart) The \
        large batch is the whole training set (gradient descent); the paper's networks and data (MNIST) are larger.
        """
    }
}
