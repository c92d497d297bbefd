import Foundation
import Numerics
import Notebook
import Learning

/// Experiment 1: the paper's two-dimensional example of heterogeneous curvature (its Figure 2).
enum Toy {
    // L(θ) = L₁(θ₁) + L₂(θ₂), L₁ = 8(θ₁ − 1)²(1.3θ₁² + 2θ₁ + 1), L₂ = ½(θ₂ − 4)².
    static func loss(_ t: [Double]) -> Double {
        let a = t[0] - 1
        return 8 * a * a * (1.3 * t[0] * t[0] + 2 * t[0] + 1) + 0.5 * (t[1] - 4) * (t[1] - 4)
    }
    /// ∇L: L₁′(θ) = 8(θ − 1)(5.2θ² + 3.4θ) = 8(5.2θ³ − 1.8θ² − 3.4θ), L₂′ = θ₂ − 4.
    static func gradient(_ t: [Double]) -> [Double] {
        let x = t[0]
        return [8 * (5.2 * x * x * x - 1.8 * x * x - 3.4 * x), t[1] - 4]
    }
    /// The Hessian is diagonal (L is separable): L₁″ = 8(15.6θ² − 3.6θ − 3.4), L₂″ = 1.
    static func hessianDiagonal(_ t: [Double]) -> [Double] {
        let x = t[0]
        return [8 * (15.6 * x * x - 3.6 * x - 3.4), 1]
    }
    /// Stationary points in closed form: L₁′ = 8(θ − 1) θ (5.2θ + 3.4) vanishes at θ₁ ∈ {1, 0, −17/26}.
    static let minimum = [1.0, 4.0], saddle = [0.0, 4.0], localMinimum = [-17.0 / 26.0, 4.0]

    enum Method: String, CaseIterable { case gd = "GD", sign = "sign descent", adam = "Adam", newton = "Newton", sophia = "Sophia (clipped)" }

    /// The iterates θ₀ … θ_K of one method at one step size.
    static func path(_ method: Method, eta: Double, _ c: Sophia.Config) -> [[Double]] {
        var theta = c.toyStart, out = [theta]
        var adam = Adam(learningRate: eta)          // the shared optimizer (Sources/Learning)
        for _ in 0..<c.toySteps {
            let g = gradient(theta)
            switch method {
            case .gd: for i in 0..<2 { theta[i] -= eta * g[i] }
            case .sign: for i in 0..<2 { theta[i] -= eta * (g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)) }
            case .adam: adam.step(&theta, gradient: g)
            case .newton: let h = hessianDiagonal(theta); for i in 0..<2 { theta[i] -= eta * g[i] / h[i] }
            case .sophia: SophiaOptimizer.clippedStep(&theta, m: g, h: hessianDiagonal(theta), eta: eta, rho: c.rho, epsilon: c.epsilon)
            }
            out.append(theta)
        }
        return out
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double { hypot(a[0] - b[0], a[1] - b[1]) }

    struct Evidence {
        var sophiaDistance: Double       // ‖θ_K − θ*‖ for Sophia
        var newtonToSaddle: Double       // ‖θ_K − (0, 4)‖ for Newton
        var gdBest: Double               // min over GD's step grid of ‖θ_K − θ*‖
        var signAdamBest: Double         // min over the grids of sign descent and Adam of max_{last window} ‖θ_t − θ*‖
    }

    /*: toy
     **Claim 1 (the two-dimensional example).** The paper's Figure 2 uses
     L(θ) = 8(θ₁ − 1)²(1.3θ₁² + 2θ₁ + 1) + ½(θ₂ − 4)²: sharp in θ₁ (L″ = 68.8 at the minimum), flat in
     θ₂ (L″ = 1). Since L₁′(θ) = 8θ(θ − 1)(5.2θ + 3.4), the stationary points are the global minimum
     (1, 4), the saddle (0, 4) (L₁ has a local maximum at 0) and a local minimum (−17/26, 4). We
     start in the region −0.365 < θ₁ < 0.596 where L₁ is concave, so Newton's step points uphill.
     The start point and step sizes of the paper's figure are not given in the text we could read;
     ours are in the setup table. Every method runs K steps with the exact gradient; Sophia uses
     the exact diagonal Hessian and no moving averages (a deterministic problem). GD, sign descent
     and Adam each get a grid of step sizes and are judged by their best one.
     Criteria, fixed before the run: Sophia ends within 10⁻⁶ of the minimum; Newton ends within
     10⁻⁶ of the saddle; GD's best final distance and the best sign-descent / Adam distance (the
     largest over the last 10 steps, to catch bouncing) both exceed the tolerance 10⁻³.
     */
    static func claim(_ e: Evidence, _ c: Sophia.Config) -> Claim {
        Claim(
            id: "C1",
            statement: "On the 2-D example with a sharp and a flat direction, clipped Sophia reaches the minimum in a few steps, Newton's method is attracted to the saddle, GD crawls along the flat direction and sign descent / Adam bounce (Sec. 2, Fig. 2).",
            checks: [
                Check("Sophia: ‖θ_K − θ*‖", measured: e.sophiaDistance, .atMost(1e-6), format: "%.2e"),
                Check("Newton: ‖θ_K − saddle‖", measured: e.newtonToSaddle, .atMost(1e-6), format: "%.2e"),
                Check("GD, best step: ‖θ_K − θ*‖", measured: e.gdBest, .atLeast(c.toyTolerance), format: "%.3g"),
                Check("sign descent / Adam, best step: max ‖θ_t − θ*‖ over the last 10 steps", measured: e.signAdamBest, .atLeast(c.toyTolerance), format: "%.3g"),
            ],
            failsIf: "Sophia ended farther than 1e-6 from (1, 4), or Newton farther than 1e-6 from (0, 4), or GD, sign descent or Adam at some grid step ended (and stayed) within \(Fmt.g(c.toyTolerance)) of the minimum after K = \(c.toySteps) steps.",
            note: "Deterministic, exact derivatives; K = \(c.toySteps) steps; step grids in the setup table.")
    }

    static func run(_ c: Sophia.Config, report: Report) {
        report.section("Experiment 1: the two-dimensional example")
        report.literate("toy")
        Methods.showUpdate(report)
        let final = { (p: [[Double]]) in distance(p.last!, minimum) }
        let window = { (p: [[Double]]) in p.suffix(10).map { distance($0, minimum) }.max()! }
        let gd = c.gdSteps.map { path(.gd, eta: $0, c) }
        let sign = c.signSteps.map { path(.sign, eta: $0, c) }
        let adam = c.signSteps.map { path(.adam, eta: $0, c) }
        let newton = path(.newton, eta: 1, c), sophia = path(.sophia, eta: c.sophiaEta, c)
        let e = Evidence(sophiaDistance: final(sophia), newtonToSaddle: distance(newton.last!, saddle),
                         gdBest: gd.map(final).map { $0.isNaN ? .infinity : $0 }.min()!,
                         signAdamBest: (sign + adam).map(window).min()!)
        report.claim(claim(e, c))
        let firstWithin = { (p: [[Double]]) in p.firstIndex { distance($0, minimum) <= c.toyTolerance } }
        var rows: [[String]] = []
        for (name, steps, paths) in [("GD", c.gdSteps, gd), ("sign descent", c.signSteps, sign), ("Adam", c.signSteps, adam)] {
            for (eta, p) in zip(steps, paths) {
                rows.append([name, Fmt.g(eta), Fmt.g(p.last![0], 5), Fmt.g(p.last![1], 5), Fmt.g(final(p), 3), Fmt.g(window(p), 3), Fmt.reached(firstWithin(p))])
            }
        }
        rows.append(["Newton", "1", Fmt.g(newton.last![0], 5), Fmt.g(newton.last![1], 5), Fmt.g(final(newton), 3), Fmt.g(window(newton), 3), Fmt.reached(firstWithin(newton))])
        rows.append(["Sophia", Fmt.g(c.sophiaEta), Fmt.g(sophia.last![0], 5), Fmt.g(sophia.last![1], 5), Fmt.g(final(sophia), 3), Fmt.g(window(sophia), 3), Fmt.reached(firstWithin(sophia))])
        report.table(["method", "step η", "θ₁ at K", "θ₂ at K", "‖θ_K − θ*‖", "max over last 10", "first within \(Fmt.g(c.toyTolerance))"], rows,
                     caption: "All runs from θ₀ = (\(Fmt.g(c.toyStart[0])), \(Fmt.g(c.toyStart[1]))), K = \(c.toySteps) steps; θ* = (1, 4), saddle (0, 4).")
        let pick = { (paths: [[[Double]]], steps: [Double], eta: Double) in paths[steps.firstIndex(of: eta) ?? 0] }
        let shown: [(String, [[Double]], Character)] = [
            ("GD η = \(Fmt.g(c.gdSteps.last!))", gd.last!, "g"), ("sign descent η = \(Fmt.g(c.signSteps[1]))", pick(sign, c.signSteps, c.signSteps[1]), "s"),
            ("Adam η = \(Fmt.g(c.signSteps[1]))", pick(adam, c.signSteps, c.signSteps[1]), "a"), ("Newton", newton, "n"), ("Sophia", sophia, "S")]
        report.plot(ScatterPlot(title: "trajectories in the (θ₁, θ₂) plane", xLabel: "θ₁", yLabel: "θ₂", height: 18,
                                series: shown.map { Series($0.0, x: $0.1.map { $0[0] }, y: $0.1.map { $0[1] }, marker: $0.2) },
                                yRange: -0.5...5, xRange: -1...1.6),
                    caption: "Minimum (1, 4), saddle (0, 4), local minimum (−0.654, 4); points outside the window are not drawn.")
        let ts = (0...c.toySteps).map(Double.init)
        report.plot(LinePlot(title: "distance to the minimum", xLabel: "step t", yLabel: "‖θ_t − θ*‖ (log)", yScale: .log10, height: 16,
                             series: shown.map { s in
                                 let kept = ts.indices.filter { distance(s.1[$0], minimum) >= 1e-15 }
                                 return Series(s.0, x: kept.map { ts[$0] }, y: kept.map { distance(s.1[$0], minimum) }, marker: s.2) }),
                    caption: "Distances below 1e-15 (Sophia once it lands on the minimum exactly) are not drawn.")
        report.discussion("Sophia is first within \(Fmt.g(c.toyTolerance)) of the minimum at \(Fmt.reached(firstWithin(sophia))) and ends at distance \(Fmt.g(e.sophiaDistance, 3)); Newton ends \(Fmt.g(e.newtonToSaddle, 3)) from the saddle. GD's best step leaves it \(Fmt.g(e.gdBest, 3)) away after \(c.toySteps) steps, mostly along the flat θ₂; the best sign-descent or Adam run is still up to \(Fmt.g(e.signAdamBest, 3)) away over its last 10 steps.")
    }
}
