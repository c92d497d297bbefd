import Foundation
import Numerics
import Learning
import Notebook

/// The iterates stay near the start: max_t ||x_t − x₀|| against D = ||x₀ − x*|| (claim 5).
enum Bounded {
    struct Evidence {
        var dog: [Double]            // every DoG run of the convex sweep: max_t ||x_t − x₀|| / max(D, r_ε)
        var tamed: [Double]          // the same for T-DoG
    }

    static let bound = 3.0
    /// Below this fraction of max(D, r_ε) in every run, T-DoG has not moved enough to test a bound.
    static let minimalMovement = 0.1

    static func claim(_ e: Evidence) -> Claim {
        func worst(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.max()! }
        let still = worst(e.tamed) < minimalMovement
            ? "T-DoG moved at most \(Fmt.g(worst(e.tamed), 2)) of max(D, r_ε) in every run: too little to test a bound" : nil
        return Claim(
            id: "C5",
            statement: "The iterates stay bounded, within a constant multiple of max(D, r_ε), D = ||x₀ − x*|| (the paper's analysis: T-DoG's iterates provably, with high probability; DoG's observed not to diverge).",
            checks: [
                Check("DoG, every run of the r_ε sweep: max of max_t ||x_t − x₀|| / max(D, r_ε)", measured: worst(e.dog), .atMost(bound), format: "%.3g"),
                Check("T-DoG, every run of the r_ε sweep: max of max_t ||x_t − x₀|| / max(D, r_ε)", measured: worst(e.tamed), .atMost(bound), format: "%.3g", notObserved: still),
            ],
            failsIf: "any run of DoG or T-DoG on the convex problem, at any r_ε of the sweep, moves farther than 3·max(D, r_ε) from x₀",
            note: "The constant 3 is our reading of the paper's bound r̄_T = O(max(D, r_ε)) for T-DoG; only the convex problem has a known D.")
    }

    /*: bounded
     **What is measured.** For every run on the convex problem, the largest distance from the start,
     max_t ||x_t − x₀||₂ over the whole run (not only at the end), divided by the exact D = ||x₀ − x*||
     from Newton's method, or by r_ε when the initial movement is larger than D (the sweep goes
     beyond D on purpose). DoG's step is the distance travelled over the root-summed squared gradients,
     so a run that overshoots feeds its own overshoot back into a larger step: this is the instability
     that T-DoG's larger denominator tames in the paper's analysis. **Criterion, fixed before the run:**
     every run within 3·max(D, r_ε) of the start.
     */
    static func report(_ c: Convex.Results, sweep s: Sensitivity.Results, config: DoG.Config, report: Report) {
        report.section("Experiment 4: bounded iterates")
        report.literate("bounded")
        let d = c.distance
        func ratios(_ runs: [[RunResult]]) -> [[Double]] {
            zip(s.values, runs).map { v, row in row.map { $0.maxDistance / Swift.max(d, v) } }    // r_ε = reps_rel (x₀ = 0)
        }
        let (dog, tamed) = (ratios(s.convex), ratios(s.tamed))
        report.claim(claim(Evidence(dog: Array(dog.joined()), tamed: Array(tamed.joined()))))
        let fStar = c.optimum.value
        report.table(["reps_rel = r_ε", "DoG: max_t ||x_t − x₀|| / max(D, r_ε), worst replicate", "T-DoG: the same", "DoG: F(x̄) − F*", "T-DoG: F(x̄) − F*"],
                     s.values.indices.map { i in
                         [Fmt.g(s.values[i]), Fmt.g(dog[i].max() ?? .nan, 3), Fmt.g(tamed[i].max() ?? .nan, 3),
                          Fmt.sci(Stats.mean(s.convex[i].map { $0.averageObjective - fStar })), Fmt.sci(Stats.mean(s.tamed[i].map { $0.averageObjective - fStar }))]
                     },
                     caption: "Convex problem, \(config.replicates) replicates per row; D = \(Fmt.g(d, 4)); x₀ = 0, so r_ε = reps_rel.")
    }
}
