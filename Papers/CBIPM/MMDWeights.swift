import Foundation
import Numerics

/*: mmd
 **CBIPM with the MMD.** For F the unit ball of the RKHS of a Gaussian kernel
 k(x, y) = exp(−||x − y||²/(2h²)), the IPM is the maximum mean discrepancy and its square is an
 explicit convex quadratic in w: MMD²(w) = wᵀK₀₀w − 2wᵀK₀₁1/n₁ + 1ᵀK₁₁1/n₁². The bandwidth h = 10
 on standardized covariates is the default of the authors' code. With so wide a kernel MMD² is
 nearly a low-degree polynomial in the data and has a large, nearly flat set of near-optimal
 weights, so *which* weights an estimator returns depends on the solver. We therefore run two:

 - **the authors' solver (primary)**: w = softmax(θ), θ started at a constant (the uniform
   weights), 1000 Adam steps (β = (0.9, 0.999), ε = 10⁻⁸) at learning rate 0.03 on MMD²(softmax θ),
   exactly the loop of their `CBIPM_ATT.py`. As in their code the kernel product K₀₀w is computed
   in single precision (the rest in double). The gradient through the softmax is
   ∂/∂θᵢ = wᵢ(gᵢ − wᵀg) with g = 2(K₀₀w − K₀₁1/n₁).
 - **pairwise Frank–Wolfe (sensitivity)**: from the uniform weights, each step moves mass between
   two control units with an exact line search, stopped when the Frank–Wolfe gap, a certificate
   that MMD²(w) − min MMD² ≤ gap, falls below a small fraction of MMD²(uniform). The two rows,
   with their effective sample sizes and the distance between their weights (solver diagnostics),
   show how much of the result is the IPM and how much is the optimizer.
 */

/// Settings of the authors' softmax-Adam loop.
struct AdamSettings {
    var steps: Int
    var learningRate: Double
    var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
}

/// What a CBIPM solve reports besides the weights.
struct SolverReport {
    var iterations: Int
    /// MMD² (or the game value) at the returned weights over its value at the uniform weights.
    var relativeObjective: Double
    /// The Frank–Wolfe gap (or duality gap) at the returned weights, over the same scale.
    var relativeGap: Double
    var converged: Bool
}

enum MMDWeights {
    /// The authors' solver: Adam on the logits of a softmax, a fixed number of steps.
    static func adam(_ objective: WeightedMMD, settings a: AdamSettings) -> ([Double], SolverReport) {
        let n = objective.linear.count
        var theta = [Double](repeating: 0, count: n)
        var m = [Double](repeating: 0, count: n), v = [Double](repeating: 0, count: n)
        var w = Simplex.uniform(n)
        let kernel = objective.quadratic.storage.map(Float.init)   // single precision, as the authors'
        for t in 1...a.steps {
            //: begin adam
            let g = zip(singlePrecisionProduct(kernel, w), objective.linear).map { 2 * ($0 - $1) }
            let gw = Vector.dot(g, w)
            let (c1, c2) = (1 - Foundation.pow(a.beta1, Double(t)), 1 - Foundation.pow(a.beta2, Double(t)))
            for i in 0..<n {
                let grad = w[i] * (g[i] - gw)                  // ∂ MMD²(softmax θ) / ∂θᵢ
                m[i] = a.beta1 * m[i] + (1 - a.beta1) * grad
                v[i] = a.beta2 * v[i] + (1 - a.beta2) * grad * grad
                theta[i] -= a.learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + a.epsilon)
            }
            w = softmax(theta)
            //: end adam
        }
        let scale = objective.value(Simplex.uniform(n))
        let gap = Simplex.frankWolfeGap(point: w, gradient: objective.problem.gradient(w))
        return (w, SolverReport(iterations: a.steps, relativeObjective: objective.value(w) / scale,
                                relativeGap: gap / scale, converged: true))
    }

    /// Pairwise Frank–Wolfe from the uniform weights to a Frank–Wolfe gap of
    /// `relativeTolerance` × MMD²(uniform).
    static func frankWolfe(_ objective: WeightedMMD, relativeTolerance: Double, maxIterations: Int) throws -> ([Double], SolverReport) {
        //: begin frankwolfe
        let start = Simplex.uniform(objective.linear.count)
        let scale = objective.value(start)
        let solution = try objective.problem.solve(start: start, tolerance: relativeTolerance * scale,
                                                   maxIterations: maxIterations)
        //: end frankwolfe
        return (solution.weights, SolverReport(iterations: solution.iterations,
                                               relativeObjective: objective.value(solution.weights) / scale,
                                               relativeGap: solution.gap / scale, converged: solution.converged))
    }

    /// K·w for a symmetric n x n kernel stored in single precision, as Σⱼ wⱼ Kⱼ (row axpys, four
    /// rows per pass over y; each yᵢ still gets its terms one at a time in the order j = 0, 1, …).
    static func singlePrecisionProduct(_ k: [Float], _ w: [Double]) -> [Double] {
        let n = w.count
        var y = [Float](repeating: 0, count: n)
        k.withUnsafeBufferPointer { kp in
            y.withUnsafeMutableBufferPointer { yp in
                let K = kp.baseAddress!, Y = yp.baseAddress!
                var j = 0
                while j + 4 <= n {
                    let (a0, a1, a2, a3) = (Float(w[j]), Float(w[j + 1]), Float(w[j + 2]), Float(w[j + 3]))
                    let r0 = K + j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
                    for i in 0..<n { Y[i] = Y[i] + a0 * r0[i] + a1 * r1[i] + a2 * r2[i] + a3 * r3[i] }
                    j += 4
                }
                while j < n {
                    let a = Float(w[j]), row = K + j * n
                    for i in 0..<n { Y[i] += a * row[i] }
                    j += 1
                }
            }
        }
        return y.map(Double.init)
    }

    /// exp(θᵢ − max θ) normalized.
    static func softmax(_ theta: [Double]) -> [Double] {
        let top = theta.max() ?? 0
        let e = Exponential.exp(theta, minus: top)
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}
