import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 1: weight decay against L2 regularization, for SGD and for Adam (claim 1).
enum Equivalence {
    struct Evidence {
        var sgdGap: Double          // max over steps of ||θ_SGDW − θ_SGD+L2|| / ||θ_SGDW||, MLP, λ' = λ/α
        var adamGap: Double         // the same for AdamW against Adam + L2 with λ' = λ/α
        var adamL2ToRidge: Double   // quadratic: Adam + L2's last iterate to (H + λ'I)⁻¹Hc, relative
        var adamWToBox: Double      // quadratic: AdamW's last iterate to the box solution, relative
        var ridgePathToBox: Double  // min over λ' of the ridge solution's distance to the box solution
        var activeCoordinates: Int  // coordinates of the box solution on the box (|x_i| = α/λ)
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(id: "C1",
              statement: "Weight decay and L2 regularization give identical SGD iterates once λ' = λ/α (Prop. 1), but not Adam iterates (Prop. 2); on a quadratic Adam + L2 settles at ∇f + λ'x = 0 and AdamW at the preconditioned α·∇f/(√v̂+δ) + λx = 0.",
              checks: [
                Check("SGD: max relative gap, SGDW vs SGD + L2", measured: e.sgdGap, .atMost(1e-10), format: "%.2e"),
                Check("Adam: relative gap, AdamW vs Adam + L2", measured: e.adamGap, .atLeast(1e-2), format: "%.3g"),
                Check("Adam + L2 to (H + λ'I)⁻¹Hc", measured: e.adamL2ToRidge, .atMost(1e-4), format: "%.2e"),
                Check("AdamW to the box solution", measured: e.adamWToBox, .atMost(1e-4), format: "%.2e",
                      notObserved: e.activeCoordinates == 0 ? "no coordinate of the box solution is on the box" : nil),
                Check("closest L2 solution to AdamW's (any λ')", measured: e.ridgePathToBox, .atLeast(0.05), format: "%.3g"),
              ],
              failsIf: "the SGD pair drifts apart beyond round-off (1e-10), the Adam pair stays within 1%, either Adam run misses its predicted fixed point by 1e-4, or some L2 coefficient reproduces AdamW's limit within 5%")
    }

    /*: equivalence
     **Proposition 1, exactly.** Without momentum, SGD on f + (λ'/2)||θ||² steps θ ← θ − η_tα(∇f + λ'θ),
     and SGDW steps θ ← θ − η_tα∇f − η_tλθ: the same map when λ' = λ/α. We train the digits MLP twice from
     the same start on the same mini-batches, once each way, and record the largest relative distance
     between the two parameter vectors over all steps; only round-off separates them. The same pair for
     Adam (Adam + L2 with λ' = λ/α against AdamW with λ) must come apart, because Adam divides the L2
     gradient λ'θ by √v̂ coordinate by coordinate (Proposition 2).

     **The two fixed points on a quadratic** f(x) = ½(x − c)ᵀH(x − c), full gradients, cosine schedule.
     Adam + L2 is Adam on f + (λ'/2)||x||²: at a rest point its moment estimate of ∇f + λ'x is zero, so
     (H + λ'I)x = Hc. AdamW rests where α·m̂/(√v̂ + δ) + λx = 0 with the moments of ∇f alone. Once the
     iterates settle, m̂ → g = ∇f(x) and √v̂ → |g|, so each coordinate satisfies α·gᵢ/(|gᵢ| + δ) = −λxᵢ:
     either gᵢ ≈ 0 with |xᵢ| < α/λ, or xᵢ = −(α/λ)·sign(gᵢ) up to δ. These are the KKT conditions of
     min f(x) subject to ||x||_∞ ≤ α/λ, the same box as Lion's (see the Lion report); we solve that
     problem independently by projected gradient descent. The L2 solutions (H + λ'I)⁻¹Hc for all λ'
     form a curve, the ridge path; we scan λ' over 10⁻⁴ … 10⁴ to show the box solution is not on it.
     Criteria: gap ≤ 1e-10 for SGD, ≥ 1% for Adam, each Adam run within 1e-4 (relative) of its
     predicted fixed point, and the ridge path at least 5% away from AdamW's limit.
     */
    static func run(_ c: DecoupledWeightDecay.Config, task: DigitsTask, options: RunOptions, report: Report) throws -> Evidence {
        report.section("Experiment 1: weight decay is L2 for SGD, not for Adam")
        report.literate("equivalence")
        // The MLP pairs: λ' = λ/α, no momentum for SGD (Proposition 1 is about plain SGD).
        let (alpha, lambda) = (c.equivalenceAlpha, c.equivalenceLambda)
        func gap<A: ScheduledOptimizer, B: ScheduledOptimizer>(_ a: inout A, _ b: inout B) -> Double {
            var pathA: [[Double]] = [], pathB: [[Double]] = []
            _ = task.train(&a, replicate: 0) { pathA.append($0.parameters) }
            _ = task.train(&b, replicate: 0) { pathB.append($0.parameters) }
            return zip(pathA, pathB).map { relativeDistance($1, $0) }.max() ?? .nan
        }
        //: begin pairs
        var sgdw = SGDW(learningRate: alpha, momentum: 0, weightDecay: lambda)
        var sgdL2 = SGDW(learningRate: alpha, momentum: 0, l2: lambda / alpha)         // λ' = λ/α
        var adamw = AdamWPaper(learningRate: c.equivalenceAlpha / 100, weightDecay: lambda)
        var adamL2 = AdamWPaper(learningRate: c.equivalenceAlpha / 100, l2: lambda / (c.equivalenceAlpha / 100))
        //: end pairs
        let sgdGap = gap(&sgdw, &sgdL2), adamGap = gap(&adamw, &adamL2)

        var rng = RandomSource.stream(seed: options.seed, DecoupledWeightDecay.Stream.quadratic)
        let q = Quadratic(dimension: c.quadraticDimension, rng: &rng)
        let radius = c.quadraticAlpha / c.quadraticLambda
        let ridge = try q.ridge(c.quadraticL2), box = try q.boxSolution(radius: radius)
        //: begin quadratic
        var l2Run = AdamWPaper(learningRate: c.quadraticAlpha, l2: c.quadraticL2)         // Adam + L2
        var wRun = AdamWPaper(learningRate: c.quadraticAlpha, weightDecay: c.quadraticLambda)  // AdamW
        let xL2 = q.run(&l2Run, steps: c.quadraticSteps), xW = q.run(&wRun, steps: c.quadraticSteps)
        //: end quadratic
        report.code("pairs")
        report.code("quadratic")
        let path = try (0...160).map { k in try q.ridge(Foundation.pow(10, -4 + 0.05 * Double(k))) }
        let e = Evidence(sgdGap: sgdGap, adamGap: adamGap, adamL2ToRidge: relativeDistance(xL2, ridge),
                         adamWToBox: relativeDistance(xW, box),
                         ridgePathToBox: path.map { relativeDistance($0, box) }.min() ?? .nan,
                         activeCoordinates: box.filter { abs($0) > radius * (1 - 1e-9) }.count)
        report.setup([
            Setting("MLP pairs", "α = \(Fmt.g(alpha)) (SGD), \(Fmt.g(alpha / 100)) (Adam); λ = \(Fmt.g(lambda)); λ' = λ/α",
                    "the digits MLP of experiment 2, replicate 0, \(c.epochs) epochs, cosine η_t"),
            Setting("quadratic", "d = \(c.quadraticDimension), H = AᵀA/d + 0.1·I, c ~ N(0, I)", "a non-diagonal H, so Adam's diagonal preconditioner matters"),
            Setting("quadratic runs", "α = \(Fmt.g(c.quadraticAlpha)), λ = \(Fmt.g(c.quadraticLambda)) (box α/λ = \(Fmt.g(radius))), λ' = \(Fmt.g(c.quadraticL2)), \(c.quadraticSteps) steps",
                    "per-step cosine η_t to 0, so that Adam's ±η_tα chatter dies out"),
        ])
        report.claim(claim(e))
        report.table(["coordinate", "c (no penalty)", "Adam + L2 limit", "(H + λ'I)⁻¹Hc", "AdamW limit", "box solution"],
                     (0..<q.c.count).map { i in [String(i + 1), Fmt.g(q.c[i], 3), Fmt.g(xL2[i], 6), Fmt.g(ridge[i], 6), Fmt.g(xW[i], 6), Fmt.g(box[i], 6)] },
                     caption: "The quadratic's last iterates beside the two predicted fixed points (box radius α/λ = \(Fmt.g(radius))).")
        report.prose("""
        SGDW and SGD + L2 stay within \(Fmt.sci(e.sgdGap)) of each other (relative) over the whole run, \
        while AdamW and Adam + L2 with the same rescaling end \(Fmt.g(e.adamGap, 3)) apart. On the \
        quadratic, \(e.activeCoordinates) of \(q.c.count) coordinates of AdamW's limit sit on the box \
        |xᵢ| = α/λ; the nearest point of the whole ridge path is \(Fmt.g(e.ridgePathToBox, 3)) away \
        (relative), so no L2 coefficient gives Adam the behaviour of AdamW here.
        """)
        return e
    }
}
