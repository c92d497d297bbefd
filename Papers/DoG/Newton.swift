import Foundation
import Numerics
import Learning

/// The exact minimizer x* of the convex problem, F(x) = mean cross-entropy of multinomial logistic
/// regression + (λ/2)||x||², by Newton's method with a backtracking line search: the second algorithm
/// that gives D = ||x₀ − x*|| and F* = F(x*) exactly, independent of every first-order run.
struct NewtonSolution: Sendable {
    let minimizer: [Double]
    let value: Double
    let gradientNorm: Double
    let iterations: Int

    /// Minimizes F from x = 0; throws if the Hessian is not positive definite or ||∇F|| does not drop
    /// below `tolerance` in `maxIterations` steps.
    init(_ problem: DigitsProblem, tolerance: Double = 1e-11, maxIterations: Int = 50) throws {
        precondition(problem.isConvex, "Newton: the convex problem only")
        let model = problem.network(replicate: 0)
        let lambda = problem.weightDecay
        func valueAndGradient(_ x: [Double]) -> (Double, [Double]) {
            let (v, g) = model.with(parameters: x).lossAndGradient(problem.trainX, problem.trainLoss)
            return (v + 0.5 * lambda * Vector.dot(x, x), zip(g, x).map { $0 + lambda * $1 })
        }
        var x = [Double](repeating: 0, count: model.parameterCount)
        var (f, g) = valueAndGradient(x)
        var k = 0
        while Vector.norm(g) > tolerance {
            guard k < maxIterations else { throw LinearAlgebraError.noConvergence(routine: "Newton's method for x*", iterations: k) }
            //: begin newton
            var h = NewtonSolution.hessian(model.with(parameters: x), problem.trainX)          // ∇²(mean CE)
            for i in 0..<h.rows { h[i, i] += lambda }                                           // + λI
            let step = try CholeskyFactorization(h).solve(g)                                    // H⁻¹∇F
            //: end newton
            var t = 1.0, next = x, fn = f, gn = g
            let decrement = Vector.dot(g, step)
            // Near x* the predicted decrease gᵀH⁻¹g falls below the round-off of F itself, where the
            // Armijo test compares noise (and backtracking would stall at tiny steps); there the full
            // Newton step is taken, which converges quadratically, and ||∇F|| decides when to stop.
            let belowRoundOff = decrement <= 64 * Double.ulpOfOne * Swift.max(1, abs(f))
            repeat {                                                                            // Armijo backtracking
                next = zip(x, step).map { $0 - t * $1 }
                (fn, gn) = valueAndGradient(next)
                if belowRoundOff || fn <= f - 0.25 * t * decrement || t < 1e-8 { break }
                t *= 0.5
            } while true
            x = next; f = fn; g = gn; k += 1
        }
        minimizer = x; value = f; gradientNorm = Vector.norm(g); iterations = k
    }

    /// The Hessian of the mean cross-entropy of multinomial logistic regression (a 64 → 10 MLP with
    /// identity output) in closed form: with aᵢ = (xᵢ, 1) and pᵢ the softmax probabilities,
    ///     ∂²L/∂w_k∂w_l = (1/n) Σᵢ p_ik (δ_kl − p_il) aᵢaᵢᵀ,
    /// one Aᵀ·diag(c)·A per class pair, in the MLP's parameter order (W row-major, then b).
    static func hessian(_ model: MLP, _ x: Matrix) -> Matrix {
        precondition(model.layerCount == 1, "closed-form Hessian: logistic regression only")
        let (n, d, k) = (x.rows, x.cols, model.outputSize)
        let p = Loss.softmax(model.forward(x))
        var a = Matrix(rows: n, cols: d + 1)
        for i in 0..<n { for j in 0..<d { a[i, j] = x[i, j] }; a[i, d] = 1 }
        func index(_ c: Int, _ j: Int) -> Int { j < d ? c * d + j : k * d + c }
        var h = Matrix(rows: k * (d + 1), cols: k * (d + 1))
        for c in 0..<k {
            for e in c..<k {
                var s = a
                for i in 0..<n {
                    let w = p[i, c] * ((c == e ? 1 : 0) - p[i, e]) / Double(n)
                    for j in 0...d { s[i, j] *= w }
                }
                let block = matmul(s, a, transA: true)                  // Aᵀ diag(c) A, (d+1) x (d+1)
                for j in 0...d { for m in 0...d {
                    h[index(c, j), index(e, m)] = block[j, m]; h[index(e, m), index(c, j)] = block[j, m]
                } }
            }
        }
        return h
    }
}
