import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 3: gradient descent against gradient flow up to and past the first crossing of 2/η.
enum Flow {
    struct PerRun {
        var eta: Double
        var crossing: Int?               // first measured GD step with S ≥ 2/η
        var maxSharpnessGap: Double      // max over t ≤ t* of |S_GD(t) − S_flow(ηt)| / S_flow(ηt)
        var maxDistance: Double          // max over t ≤ t* of ‖θ_t − θ(ηt)‖ / ‖θ(ηt) − θ₀‖
        var flowAtEnd: Double            // S_flow(η·2t*) / (2/η)
        var distanceAtEnd: Double        // ‖θ_t − θ(ηt)‖ / ‖θ(ηt) − θ₀‖ at t = 2t*
    }

    static func claim4(_ runs: [PerRun]) -> Claim {
        var checks: [Check] = []
        for r in runs {
            let why = r.crossing == nil ? "GD's sharpness never reached 2/η" : nil
            checks.append(Check("η = \(Fmt.g(r.eta)): max sharpness gap GD vs flow up to t*", measured: r.maxSharpnessGap,
                                .atMost(0.05), format: "%.3g", notObserved: why))
            checks.append(Check("η = \(Fmt.g(r.eta)): max relative distance GD vs flow up to t*", measured: r.maxDistance,
                                .atMost(0.1), format: "%.3g", notObserved: why))
            checks.append(Check("η = \(Fmt.g(r.eta)): flow sharpness at 2t* / (2/η)", measured: r.flowAtEnd,
                                .atLeast(1.1), format: "%.3g", notObserved: why))
        }
        return Claim(
            id: "C4",
            statement: "Gradient descent tracks gradient flow until the sharpness first reaches 2/η and departs from it right after: the flow keeps sharpening (Sec. 3, Fig. 5).",
            checks: checks,
            failsIf: "Up to the first crossing t* the sharpness of GD and flow differ by > 5% or their parameters by > 10% of the flow's displacement, or the flow's sharpness at time η·2t* is below 1.1·2/η.",
            note: "The step sizes of Experiment 1; the flow is compared over GD steps 0…2t*.")
    }

    /*: flow
     **Gradient flow.** θ'(τ) = −∇L(θ), with GD step t at flow time τ = ηt. As in the authors' `flow.py`
     we integrate with the classical fourth-order Runge–Kutta method, re-estimating the sharpness S at
     every tick of length η (one GD step's worth of time) and taking RK steps of length min(1/S, what
     is left of the tick), so the integrator stays far inside RK4's stability region. We compare GD's
     iterates and sharpness with the flow's at the same times. **Criteria (fixed before the runs):**
     up to GD's first crossing t* (Experiment 1's), the relative sharpness gap stays ≤ 5% and the
     parameter distance ‖θ_t − θ(ηt)‖ ≤ 10% of the flow's displacement ‖θ(ηt) − θ₀‖; at τ = η·2t*
     the flow's sharpness is at least 1.1·2/η (it does not stop at the edge).
     */
    static func run(_ c: EdgeOfStability.Config, data: (x: Matrix, y: Matrix), start: MLP, gd: [Task.Run],
                    report: Report) throws {
        report.section("Experiment 3: gradient descent against gradient flow")
        report.literate("flow")
        let loss = Loss.meanSquaredError(targets: data.y)
        let theta0 = start.parameters, fixed = Task.frozen(start)
        let results: [(PerRun, [Double], [Double])] = try report.phase("gradient flow, \(gd.count) step sizes") {
            try gd.map { run in
                let s = RunSummary(run, edge: 2 / run.eta)
                guard let tStar = s.crossing else {
                    return (PerRun(eta: run.eta, crossing: nil, maxSharpnessGap: .nan, maxDistance: .nan, flowAtEnd: .nan, distanceAtEnd: .nan), [], [])
                }
                let horizon = Swift.min(2 * tStar, s.steps)
                var theta = theta0, top: [Double]? = nil
                var gaps: [Double] = [], dists: [Double] = [], flowS: [Double] = [], times: [Double] = []
                for t in 0...horizon {
                    let net = start.with(parameters: theta)
                    let sf = try Task.sharpnessLanczos(net, x: data.x, loss: loss, start: top)
                    top = sf.vector
                    if let k = run.sharpSteps.firstIndex(of: t) {
                        let d = zip(run.snapshots[k], theta).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                        let disp = zip(theta, theta0).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                        gaps.append(abs(run.sharpness[k] - sf.value) / sf.value)
                        dists.append(t == 0 ? 0 : d / disp)
                        flowS.append(sf.value); times.append(Double(t))
                    }
                    if t == horizon { break }
                    //: begin rk4
                    var left = run.eta                                        // one tick = one GD step of time
                    while left > 0 {
                        let h = Swift.min(1 / sf.value, left)
                        func f(_ p: [Double]) -> [Double] {                   // −∇L, output bias held fixed
                            var g = start.with(parameters: p).lossAndGradient(data.x, loss).gradient
                            g[fixed] = 0
                            return g.map { -$0 }
                        }
                        let k1 = f(theta)
                        let k2 = f(zip(theta, k1).map { $0 + h / 2 * $1 })
                        let k3 = f(zip(theta, k2).map { $0 + h / 2 * $1 })
                        let k4 = f(zip(theta, k3).map { $0 + h * $1 })
                        for i in theta.indices { theta[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
                        left -= h
                    }
                    //: end rk4
                    guard theta.allSatisfy({ $0.isFinite }) else { throw NumericalFailure.nonFinite("gradient flow at τ = \(Double(t) * run.eta)") }
                }
                let upTo = times.lastIndex { $0 <= Double(tStar) } ?? 0
                let per = PerRun(eta: run.eta, crossing: tStar, maxSharpnessGap: gaps[...upTo].max()!, maxDistance: dists[...upTo].max()!,
                                 flowAtEnd: flowS.last! * run.eta / 2, distanceAtEnd: dists.last!)
                return (per, times, flowS)
            }
        }
        report.code("rk4")
        let per = results.map(\.0)
        report.claim(claim4(per))
        if let (p, times, flowS) = results.first, let tStar = p.crossing, let run = gd.first {
            let gdPts = zip(run.sharpSteps, run.sharpness).filter { $0.0 <= 2 * tStar }
            report.plot(LinePlot(
                title: "η = \(Fmt.g(run.eta)): sharpness of GD and of gradient flow at τ = ηt; dotted: 2/η", xLabel: "step t", yLabel: "S",
                series: [Series("gradient descent", x: gdPts.map { Double($0.0) }, y: gdPts.map(\.1), marker: "o"),
                         Series("gradient flow", x: times, y: flowS, marker: "x"),
                         Series("2/η", x: [0, Double(2 * tStar)], y: [2 / run.eta, 2 / run.eta], marker: ".")]))
        }
        report.table(["η", "t*", "max sharpness gap ≤ t*", "max distance ≤ t*", "distance at 2t*", "flow S at 2t* / (2/η)"],
                     per.map { [Fmt.g($0.eta), Fmt.reached($0.crossing), Fmt.g($0.maxSharpnessGap, 3), Fmt.g($0.maxDistance, 3),
                                Fmt.g($0.distanceAtEnd, 3), Fmt.g($0.flowAtEnd, 3)] },
                     caption: "Distances are ‖θ_t − θ(ηt)‖ / ‖θ(ηt) − θ₀‖; t* is GD's first measured step with S ≥ 2/η.")
        report.discussion("""
            Up to t* the largest sharpness gap between GD and the flow is \(Fmt.list(per.map(\.maxSharpnessGap)) { Fmt.g($0, 3) }) \
            and the largest relative parameter distance \(Fmt.list(per.map(\.maxDistance)) { Fmt.g($0, 3) }); by 2t* the distance is \
            \(Fmt.list(per.map(\.distanceAtEnd)) { Fmt.g($0, 3) }) and the flow's sharpness is \
            \(Fmt.list(per.map(\.flowAtEnd)) { Fmt.g($0, 3) }) times 2/η (η = \(Fmt.list(per.map(\.eta)))).
            """)
    }
}
