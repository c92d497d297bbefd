import Foundation
import Numerics
import Learning
import Notebook

// MARK: - Experiment 1: phase 1, reaching the box

/// The two runs from outside the box; Experiment 2 reads their end points.
struct MainRuns {
    var quadratic: Run
    var digits: Run
}

/// Phase-1 quantities of one run that starts outside the box.
struct PhaseOneTrace {
    var excess: [Double]
    var bound: [Double]
    var boundHolds: Bool
    /// First step with excess ≤ δ = ε, nil if never.
    var entry: Int?
    var predicted: Int
    /// Whether the excess stayed ≤ δ after `entry` (nil when there was no entry).
    var staysInside: Bool?
    var fittedRate: Double
}

/// What Claim 1 is decided on.
struct PhaseOneEvidence {
    var quadratic: PhaseOneTrace
    var digits: PhaseOneTrace
}

extension Lab {
    /// Excess eₜ = (||xₜ||_∞ − 1/λ)₊ against the bound e₀ Πₛ (1 − εₛλ), the entry time at margin δ = ε,
    /// and the fitted decay rate of ln eₜ.
    func phaseOneTrace(_ run: Run) -> PhaseOneTrace {
        let lambda = config.lambda
        //: begin phase1-bound
        let excess = run.normInf.map { Swift.max(0, $0 - radius) }           // eₜ = (||xₜ||_∞ − 1/λ)₊
        var bound = [excess[0]], product = excess[0]
        for t in 0..<run.steps { product *= 1 - run.stepSize[t] * lambda; bound.append(product) }   // e₀ Π (1 − εₛλ)
        let boundHolds = zip(excess, bound).allSatisfy { $0 <= $1 * (1 + 1e-9) + 1e-12 }
        let delta = epsilon                                                  // a step-size-sized margin
        let entry = excess.firstIndex { $0 <= delta }
        let predicted = Int((Foundation.log(excess[0] / delta) / -Foundation.log(1 - config.rho)).rounded(.up))
        //: end phase1-bound
        let stays = entry.map { t0 in excess[t0...].allSatisfy { $0 <= delta } }
        var rate = Double.nan
        if let t1 = entry, t1 > 10 {
            let xs = (0...t1).map(Double.init), ys = (0...t1).map { excess[$0] }
            if ys.allSatisfy({ $0 > 0 }), let fit = try? LineFit.logLinear(x: xs, y: ys) { rate = -fit.slope }
        }
        return PhaseOneTrace(excess: excess, bound: bound, boundHolds: boundHolds, entry: entry, predicted: predicted,
                             staysInside: stays, fittedRate: rate)
    }

    func phaseOne() throws -> MainRuns {
        let c = config
        //: begin outside-start
        let x0Quadratic = quadraticMinimizer.map { 3 * radius * ($0 >= 0 ? 1 : -1) }   // 3/λ, on x*'s side
        var rng = RandomSource.stream(seed: options.seed, Int(LionLyapunov.Stream.digitsStart.rawValue))
        let x0Digits = (0..<digits.dimension).map { _ in 3 * radius * rng.rademacher() }  // 3/λ, random signs
        //: end outside-start
        let runs = try Threads.map(2) { i in
            try i == 0 ? Algorithms.run(quadratic, optimizer: lion(epsilon), from: x0Quadratic, schedule: schedule(epsilon), lyapunov: false, label: "quadratic")
                : Algorithms.run(digits, optimizer: lion(epsilon), from: x0Digits, schedule: schedule(epsilon), lyapunov: false, label: "digits")
        }
        let main = MainRuns(quadratic: runs[0], digits: runs[1])

        report.section("Experiment 1: phase 1, the iterates reach the box exponentially fast")
        /*: phase1
         **Phase 1.** Outside the box, weight decay wins: for a coordinate with |xᵢ| > 1/λ,
         |xᵢ − ε(sign(cᵢ) + λxᵢ)| ≤ (1 − ελ)|xᵢ| + ε, so the excess eₜ = (||xₜ||_∞ − 1/λ)₊ obeys
         e_{t+1} ≤ (1 − ελ) eₜ, the discrete form of the paper's phase-1 statement that the distance to the
         constraint set decays like e^{−λt}. Equality holds for a coordinate the gradient keeps pushing
         outward, so the bound is also the rate. And once inside, the same inequality with |xᵢ| ≤ 1/λ gives
         |x_{t+1,i}| ≤ 1/λ: the box is never left. We start both problems at ||x₀||_∞ = 3/λ (the quadratic on
         the side of x*, where the gradient pushes outward; the digits weights with random signs) and
         record the excess at every step.
         */
        report.literate("phase1")
        report.code("outside-start")
        report.code("phase1-bound")
        let e = PhaseOneEvidence(quadratic: phaseOneTrace(main.quadratic), digits: phaseOneTrace(main.digits))
        /*: claim1
         **Claim 1 (phase 1).** Criteria fixed before the run: (a) on both problems the excess never exceeds
         the bound e₀ Πₛ (1 − εₛλ) (the paper's exponential rate, as a bound, at every step; the tolerance
         is round-off only); (b) once within a step-size-sized margin δ = ε of the box, the iterates stay
         within it; (c) the rate is the paper's, not merely bounded by it: on the quadratic, started where
         the gradient pushes outward, the time to reach the margin is close to the predicted
         ⌈ln(e₀/δ)/(−ln(1 − ελ))⌉ steps (a slower or faster exponential would miss it by its ratio of rates).
         */
        report.literate("claim1")
        report.claim(Lab.claim1(e))
        let (pq, pl) = (e.quadratic, e.digits)
        let end = Swift.min(pq.predicted * 3 / 2, c.steps)
        let steps = (0...end).map(Double.init)
        report.plot(LinePlot(
            title: "phase 1: excess (||x_t||_∞ − 1/λ)₊ over the box, and the bound e₀(1 − ελ)^t",
            xLabel: "step t", yLabel: "excess (log)", yScale: .log10,
            series: [Series("bound e₀(1 − ελ)^t", x: steps, y: Array(pq.bound[0...end]), marker: ".").thinned(to: 300),
                     Series("quadratic", x: steps, y: Array(pq.excess[0...end])).thinned(to: 300),
                     Series("digits", x: steps, y: Array(pl.excess[0...end])).thinned(to: 300)]),
            caption: "Zero excess (inside the box) is not drawn on the log axis. Where the curves coincide some coordinate is pushed outward all along and the bound holds with equality. The margin is δ = ε = \(Fmt.g(epsilon)).")
        func row(_ name: String, _ p: PhaseOneTrace) -> [String] {
            [name, Fmt.g(p.excess[0]), Fmt.reached(p.entry, prefix: ""), "\(p.predicted)", Fmt.g(p.fittedRate, 5),
             Fmt.g(-Foundation.log(1 - c.rho), 5), "\(p.boundHolds)", p.staysInside.map { "\($0)" } ?? "no entry"]
        }
        report.table(["problem", "e₀", "entry step (δ = ε)", "predicted", "fitted rate −d ln e/dt", "−ln(1 − ελ)", "bound held", "stayed inside"],
                     [row("quadratic", pq), row("digits", pl)])
        return main
    }

    static func claim1(_ e: PhaseOneEvidence) -> Claim {
        let (q, d) = (e.quadratic, e.digits)
        let noEntry = [(q, "quadratic"), (d, "digits")].filter { $0.0.entry == nil }.map(\.1)
        let entryRatio = q.entry.map { Double($0) / Double(q.predicted) } ?? .nan
        return Claim(
            id: "C1",
            statement: "Phase 1: from outside, the iterates reach the box ||x||_∞ ≤ 1/λ exponentially fast (distance decays like e^{−λt}, i.e. (1 − ελ) per step) and then stay in it.",
            checks: [
                Check("excess ≤ e₀Π(1 − εₛλ) at every step (both problems)", q.boundHolds && d.boundHolds),
                Check("stays within δ = ε after entry (both)", (q.staysInside ?? false) && (d.staysInside ?? false),
                      notObserved: noEntry.isEmpty ? nil : "the excess never fell to δ on the \(noEntry.joined(separator: " and ")) in the run"),
                Check("quadratic entry step / predicted", measured: entryRatio, .between(0.95, 1.05), format: "%.4f",
                      notObserved: q.entry == nil ? "the quadratic never reached the margin δ in the run" : nil),
            ],
            failsIf: "the excess exceeds e₀Π(1 − εₛλ) at some step, an iterate leaves the margin after entering it, or the quadratic's entry step is off the prediction by more than 5%",
            note: "Deterministic full-batch runs from ||x₀||_∞ = 3/λ at one ε and one λ.")
    }
}
