import Foundation
import Numerics
import Learning
import Notebook

/// The optimizers compared in experiment 2, each run on the same ℓ_p problem from the same start.
enum Method: String, CaseIterable, Sendable {
    case gd = "GD (depth 1)"
    case depth2 = "depth 2"
    case depth3 = "depth 3"
    case adagrad = "AdaGrad"
    case adadelta = "AdaDelta"
    case adam = "Adam"

    var marker: Character {
        switch self { case .gd: "1"; case .depth2: "2"; case .depth3: "3"; case .adagrad: "g"; case .adadelta: "d"; case .adam: "a" }
    }
}

/// One optimizer run: the iteration at which L ≤ target (nil: not within the budget, or diverged).
struct RunOutcome {
    var reached: Int?
    var diverged: Bool
    var trace: [Double]      // L(w_t) at every step when recorded, else empty
}

enum Runner {
    /// Runs `method` at step size η from the end-to-end start w₀ until L ≤ target, divergence
    /// (L > 10³·L(w₀) or not finite), or `budget` steps. Every method sees the gradient of the same
    /// ℓ_p loss at the current end-to-end vector, once per step.
    static func run(_ method: Method, problem: LpRegression, start: [Double], eta: Double, target: Double,
                    budget: Int, record: Bool = false) -> RunOutcome
    {
        var trace: [Double] = []
        var we = start
        var net2 = ScalarLayerNetwork(balanced: start, depth: 2), net3 = ScalarLayerNetwork(balanced: start, depth: 3)
        var adam = Adam(learningRate: eta)
        var adagradSum = Array(repeating: 0.0, count: start.count)
        var meanSquare = adagradSum, meanStep = adagradSum        // AdaDelta's running averages
        let ceiling = 1e3 * problem.loss(start)
        for t in 0...budget {
            switch method {
            case .depth2: we = net2.endToEnd
            case .depth3: we = net3.endToEnd
            default: break
            }
            let (loss, g) = problem.lossAndGradient(we)
            if record { trace.append(loss) }
            if !loss.isFinite || loss > ceiling { return RunOutcome(reached: nil, diverged: true, trace: trace) }
            if loss <= target { return RunOutcome(reached: t, diverged: false, trace: trace) }
            if t == budget { break }
            //: begin methods
            switch method {
            case .gd: for i in 0..<we.count { we[i] -= eta * g[i] }
            case .depth2: net2.step(eta, gradient: g)        // GD on w and the scalar a₂
            case .depth3: net3.step(eta, gradient: g)        // GD on w, a₂ and a₃
            case .adagrad:
                for i in 0..<we.count {
                    adagradSum[i] += g[i] * g[i]
                    we[i] -= eta * g[i] / (adagradSum[i].squareRoot() + 1e-8)
                }
            case .adadelta:                                   // ρ = 0.95, ε = 1e-6 (Zeiler 2012), scaled by η
                for i in 0..<we.count {
                    meanSquare[i] = 0.95 * meanSquare[i] + 0.05 * g[i] * g[i]
                    let delta = -((meanStep[i] + 1e-6) / (meanSquare[i] + 1e-6)).squareRoot() * g[i]
                    meanStep[i] = 0.95 * meanStep[i] + 0.05 * delta * delta
                    we[i] += eta * delta
                }
            case .adam: adam.step(&we, gradient: g)          // β₁ = 0.9, β₂ = 0.999, ε = 1e-8
            }
            //: end methods
        }
        return RunOutcome(reached: nil, diverged: false, trace: trace)
    }

    /// The best step size on the grid: fewest steps to the target (ties: the larger η). Runs are tried
    /// from the largest η down, each capped at the best count so far (a capped run cannot win).
    static func tune(_ method: Method, problem: LpRegression, start: [Double], grid: [Double], target: Double,
                     budget: Int) -> (steps: Int?, eta: Double?, diverged: Int)
    {
        var best: (Int, Double)? = nil
        var diverged = 0
        for eta in grid.sorted(by: >) {
            let cap = best.map { $0.0 - 1 } ?? budget
            if cap < 0 { break }
            let r = run(method, problem: problem, start: start, eta: eta, target: target, budget: cap)
            if r.diverged { diverged += 1 }
            if let t = r.reached { best = (t, eta) }
        }
        return (best?.0, best?.1, diverged)
    }
}
