import Foundation
import Numerics
import Learning
import Notebook

/// What claim 1 is decided on: per radius, the largest relative gap of ours above the exact value over
/// the tiny networks, and the smallest share of a gap that BaB closed.
struct TinyEvidence {
    var radii: [Double]
    /// Largest (ours − exact)/exact over the tiny networks at each radius (NaN if none was computed).
    var largestGap: [Double]
    /// Largest (ours+BaB − exact)/exact over all tiny networks and radii.
    var largestGapAfterBaB: Double
    /// Smallest (ours − ours+BaB)/(ours − exact) over all tiny networks and radii (1 where there is no gap).
    var leastClosedByBaB: Double
}

/// Experiment 1: tiny networks, where the exact constant can be computed.
enum TinyNetworks {
    /// Returns the violations of the soundness chain found on the tiny networks (for claim 2).
    static func run(_ study: Study) throws -> [String] {
        let c = study.config, report = study.report
        report.section("Experiment 1: tiny networks against the exact value")
        var results: [(net: TrainedNetwork, epsilon: Double, a: Analysis)] = []
        for (i, hidden) in c.tiny.enumerated() {
            let t = study.network(hidden)
            for (e, eps) in c.tinyEpsilons.enumerated() {
                Progress.log("tiny network \(t.name), ε = \(eps): bounds, BaB and exact enumeration")
                let a = try study.analyze(t, epsilon: eps, exact: true, babBudget: c.babBudgetTiny,
                                          stream: LocalLipschitz.Stream.tinyLowerBound.offset(10 * i + e))
                results.append((t, eps, a))
            }
        }
        let gaps = results.map { ($0.a.ours - $0.a.exact!) / $0.a.exact! }
        let closed = results.map { r -> Double in
            let gap = r.a.ours - r.a.exact!
            return gap <= 1e-9 * r.a.exact! ? 1 : (r.a.ours - r.a.bab) / gap
        }
        report.table(["network", "ε", "unstable / hidden", "lower", "exact", "ours + BaB", "ours", "ours, least-volume planes", "interval", "naive", "(ours − exact)/exact", "gap closed by BaB"],
                     results.enumerated().map { i, r in
                         [r.net.name, Fmt.g(r.epsilon), "\(r.a.unstable) / \(r.a.hiddenNeurons)", Fmt.g(r.a.lower, 5), Fmt.g(r.a.exact!, 5), Fmt.g(r.a.bab, 5),
                          Fmt.g(r.a.ours, 5), Fmt.g(r.a.oursLeastVolume!, 5), Fmt.g(r.a.interval, 5), Fmt.g(r.a.naive, 5), Fmt.pct(gaps[i]), Fmt.pct(closed[i])]
                     },
                     caption: "ℓ∞ local Lipschitz constant over B∞(0.5·1, ε), max over the 10 logits.")
        report.table(["network", "ε", "activation regions meeting the box", "linear programs (exact)", "rows propagated (ours + BaB)", "BaB domains bounded"],
                     results.map { r in
                         [r.net.name, Fmt.g(r.epsilon), "\(r.a.work.regions)", "\(r.a.work.linearPrograms)", "\(r.a.work.propagatedRows)", "\(r.a.work.domains)"]
                     },
                     caption: "Deterministic cost of each method.")
        let evidence = TinyEvidence(
            radii: c.tinyEpsilons,
            largestGap: c.tinyEpsilons.map { eps in results.indices.filter { results[$0].epsilon == eps }.map { gaps[$0] }.max() ?? .nan },
            largestGapAfterBaB: results.map { ($0.a.bab - $0.a.exact!) / $0.a.exact! }.max() ?? .nan,
            leastClosedByBaB: closed.min() ?? .nan)
        /*: claim1
         **Claim 1 (tiny models: close to exact; BaB closes the gap).** The paper reports that on tiny
         models its bound is comparable to the exact value of mixed-integer methods, and that BaB
         tightens it further. What is measured here is our one-shot bound — relaxation planes chosen by
         coordinate descent, forward slopes fixed (see the Discussion) — and the same with our BaB.
         Criteria fixed before the run: at each radius, on every tiny network, the one-shot bound is
         within 20% of the exact value — "comparable" read as the same magnitude, a fifth of the value
         being well inside the spread between interval and exact; ours + BaB is within the same 20%
         everywhere; and BaB, within its fixed budget of bounded domains, closes at least half of
         every remaining gap. The radii are checked separately because the number of unstable
         neurons, and with it the difficulty, grows with ε.
         */
        report.literate("claim1")
        report.claim(claim1(evidence))
        let regions = results.map { Double($0.a.work.regions) }
        let unstableShare = results.map { Double($0.a.unstable) / Double($0.a.hiddenNeurons) }
        report.prose("""
            Over the tiny networks, the box meets \(Fmt.g(regions.min() ?? .nan)) to \(Fmt.g(regions.max() ?? .nan)) activation \
            regions and \(Fmt.pct(unstableShare.min() ?? .nan)) to \(Fmt.pct(unstableShare.max() ?? .nan)) of the hidden neurons \
            are unstable. The largest gap of ours above the exact value is \(Fmt.list(evidence.largestGap) { Fmt.pct($0) }) at \
            ε = \(Fmt.list(evidence.radii)); interval is \(Fmt.list(c.tinyEpsilons.map { eps in results.filter { $0.epsilon == eps }.map { ($0.a.interval - $0.a.exact!) / $0.a.exact! }.max() ?? .nan }) { Fmt.pct($0) }) \
            above it at the same radii. BaB closes at least \(Fmt.pct(evidence.leastClosedByBaB)) of every gap, leaving ours + BaB at most \
            \(Fmt.pct(evidence.largestGapAfterBaB)) above exact.
            """)
        return results.flatMap { r in r.a.orderingViolations.map { "\(r.net.name), ε = \(Fmt.g(r.epsilon)): \($0)" } }
    }

    static func claim1(_ e: TinyEvidence) -> Claim {
        var checks = zip(e.radii, e.largestGap).map { eps, gap in
            Check("largest (ours − exact)/exact, ε = \(Fmt.g(eps))", measured: gap, .atMost(0.2), format: "%.3f")
        }
        checks.append(Check("largest (ours+BaB − exact)/exact", measured: e.largestGapAfterBaB, .atMost(0.2), format: "%.3f"))
        checks.append(Check("smallest share of the gap closed by BaB", measured: e.leastClosedByBaB, .atLeast(0.5), format: "%.3f"))
        return Claim(
            id: "C1",
            statement: "On tiny models the bound-propagation value is comparable to the exact local Lipschitz constant, and BaB closes most of the remaining gap (here: our relaxation, optimized by coordinate descent over a few candidate planes, forward slopes fixed).",
            checks: checks,
            failsIf: "ours or ours + BaB is more than 20% above the exact value on some tiny network at some radius, or BaB closes less than half of some gap",
            note: "Ours chooses among fixed candidate planes by coordinate descent and keeps CROWN's fixed forward slopes, instead of the paper's gradient optimization of the relaxation parameters (α-CROWN); exact is region enumeration, not LipMIP; BaB has a fixed budget of bounded domains and does not optimize its sub-domains' relaxations.")
    }
}
