import Foundation
import Numerics
import Learning
import Notebook

/*: softmax-model
 **The convex model.** Multinomial logistic regression without a bias (as in the authors'
 `LogisticRegressionWithLBFGS`): θ = W ∈ ℝ^{d×K}, logits z = Wᵀx, and the training objective

     L(θ) = (1/n) Σᵢ ℓ(zᵢ, yᵢ) + (λ/2) ‖θ‖²,   ℓ = cross-entropy of softmax(z).

 Its gradient is Xᵀ(P − Y)/n + λW and its Hessian-vector product is Xᵀ R / n + λV with
 R = P ∘ (XV) − P ∘ rowsum(P ∘ XV), where P holds the softmax probabilities. The L2 term is part of
 the objective, so λI is part of H: without it H is singular (the softmax is unchanged when the same
 vector is added to every column of W).
 */

/// Multinomial logistic regression with an L2 penalty, on a fixed design; θ is W (d×K) row-major.
struct SoftmaxRegression {
    let x: Matrix            // n × d
    let labels: [Int]
    let classes: Int
    let lambda: Double

    var n: Int { x.rows }
    var d: Int { x.cols }
    var dimension: Int { d * classes }

    func weights(_ theta: [Double]) -> Matrix { Matrix(rows: d, cols: classes, elements: theta) }

    /// Softmax probabilities of the rows of `x` (n × K).
    static func probabilities(_ x: Matrix, _ theta: [Double], classes: Int) -> Matrix {
        var z = matmul(x, Matrix(rows: x.cols, cols: classes, elements: theta))
        for i in 0..<z.rows {
            var m = -Double.infinity
            for c in 0..<classes { m = max(m, z[i, c]) }
            var s = 0.0
            for c in 0..<classes { let e = Foundation.exp(z[i, c] - m); z[i, c] = e; s += e }
            for c in 0..<classes { z[i, c] /= s }
        }
        return z
    }

    func probabilities(_ theta: [Double]) -> Matrix { Self.probabilities(x, theta, classes: classes) }

    /// Cross-entropy of one example with probabilities p.
    static func crossEntropy(_ p: [Double], _ y: Int) -> Double { -Foundation.log(max(p[y], .leastNormalMagnitude)) }

    /// L(θ) with weight 1/n on every example except `excluded` (weight 0), its gradient, and P.
    func objective(_ theta: [Double], excluding excluded: Int? = nil) -> (value: Double, gradient: [Double], p: Matrix) {
        let p = probabilities(theta)
        var r = p
        var data = 0.0
        for i in 0..<n {
            if i == excluded { for c in 0..<classes { r[i, c] = 0 }; continue }
            data += Self.crossEntropy(p.row(i), labels[i])
            r[i, labels[i]] -= 1
        }
        var g = matmul(x, r, transA: true).storage           // Xᵀ (P − Y)
        for k in 0..<g.count { g[k] = g[k] / Double(n) + lambda * theta[k] }
        return (data / Double(n) + 0.5 * lambda * Vector.dot(theta, theta), g, p)
    }

    /// H v at the point whose probabilities are `p`.
    func hessianVectorProduct(_ p: Matrix, _ v: [Double]) -> [Double] {
        let zv = matmul(x, weights(v))
        var r = Matrix(rows: n, cols: classes)
        for i in 0..<n {
            var s = 0.0
            for c in 0..<classes { s += p[i, c] * zv[i, c] }
            for c in 0..<classes { r[i, c] = p[i, c] * (zv[i, c] - s) }
        }
        var out = matmul(x, r, transA: true).storage
        for k in 0..<out.count { out[k] = out[k] / Double(n) + lambda * v[k] }
        return out
    }

    /// The Hessian of the one-example loss ℓ(x_i) applied to v (no 1/n, no λ): LiSSA's sampled product.
    static func sampleHessianVectorProduct(_ xi: [Double], _ p: [Double], _ v: [Double], classes k: Int) -> [Double] {
        var zv = [Double](repeating: 0, count: k)
        for f in 0..<xi.count where xi[f] != 0 { for c in 0..<k { zv[c] += xi[f] * v[f * k + c] } }
        var s = 0.0
        for c in 0..<k { s += p[c] * zv[c] }
        let r = (0..<k).map { p[$0] * (zv[$0] - s) }
        var out = [Double](repeating: 0, count: xi.count * k)
        for f in 0..<xi.count where xi[f] != 0 { for c in 0..<k { out[f * k + c] = xi[f] * r[c] } }
        return out
    }

    /// The dense Hessian (1/n) Σᵢ (diag pᵢ − pᵢpᵢᵀ) ⊗ xᵢxᵢᵀ + λI, as (1/n)(Σ_a e_a e_aᵀ ⊗ Xᵀdiag(p_a)X − UᵀU)
    /// with the rows of U the vectors xᵢ ⊗ pᵢ: one large GEMM and K small ones.
    func hessian(_ p: Matrix) -> Matrix {
        let dim = dimension, k = classes
        var u = Matrix(rows: n, cols: dim)
        u.storage.withUnsafeMutableBufferPointer { ub in
            x.storage.withUnsafeBufferPointer { xb in
                p.storage.withUnsafeBufferPointer { pb in
                    for i in 0..<n { for f in 0..<d {
                        let xf = xb[i * d + f]
                        for a in 0..<k { ub[i * dim + f * k + a] = xf * pb[i * k + a] }
                    } }
                }
            }
        }
        var h = matmul(u, u, transA: true)                           // UᵀU
        for a in 0..<k {
            var s = x
            for i in 0..<n { let w = p[i, a]; for f in 0..<d { s.storage[i * d + f] *= w } }
            let m = matmul(x, s, transA: true)                        // Xᵀ diag(p_a) X
            for f in 0..<d { for g in 0..<d { h.storage[(f * k + a) * dim + g * k + a] -= m.storage[f * d + g] } }
        }
        for idx in 0..<h.storage.count { h.storage[idx] = -h.storage[idx] / Double(n) }
        for j in 0..<dim { h.storage[j * dim + j] += lambda }
        return h
    }

    /// ∇ℓ(z) of one example: x ⊗ (p − e_y).
    static func exampleGradient(_ xi: [Double], _ p: [Double], _ y: Int) -> [Double] {
        let k = p.count
        var g = [Double](repeating: 0, count: xi.count * k)
        for f in 0..<xi.count where xi[f] != 0 { for c in 0..<k { g[f * k + c] = xi[f] * (p[c] - (c == y ? 1 : 0)) } }
        return g
    }

    /// Newton's method from θ = 0 until ‖∇L‖ ≤ tolerance (the objective is strongly convex). Each
    /// Newton system H d = ∇L is solved by conjugate gradient on Hessian-vector products, to a relative
    /// residual min(0.1, ‖∇L‖) (an inexact Newton method that still converges superlinearly).
    func train(tolerance: Double, label: String) throws -> [Double] {
        var theta = [Double](repeating: 0, count: dimension)
        for _ in 0..<100 {
            let o = objective(theta)
            let gn = Vector.norm(o.gradient)
            if gn <= tolerance { return theta }
            let step = try InverseHessian.conjugateGradient(o.gradient, hvp: { hessianVectorProduct(o.p, $0) },
                                                            tolerance: min(0.1, gn), maxIterations: 2 * dimension).x
            var t = 1.0                                         // backtracking on L (Armijo)
            while t > 1e-8 {
                let trial = zip(theta, step).map { $0 - t * $1 }
                let value = objective(trial).value
                if value <= o.value - 1e-4 * t * Vector.dot(o.gradient, step) || (t == 1 && gn < 1e-6) { theta = trial; break }
                t /= 2
            }
            guard theta.allSatisfy(\.isFinite) else { throw NumericalFailure.nonFinite("Newton iterate of \(label)") }
        }
        let g = Vector.norm(objective(theta).gradient)
        guard g <= tolerance else { throw NumericalFailure.failed("Newton did not reach ‖∇L‖ ≤ \(tolerance) for \(label) (‖∇L‖ = \(g))") }
        return theta
    }

    /// The Hessian of L₋ⱼ at the point with probabilities p: H minus point j's term (p_j diag − p_j p_jᵀ) ⊗ x_j x_jᵀ / n.
    func hessian(_ h: Matrix, _ p: Matrix, without j: Int) -> Matrix {
        var out = h
        let xj = x.row(j), pj = p.row(j)
        for f in 0..<d where xj[f] != 0 { for g in 0..<d where xj[g] != 0 {
            let xx = xj[f] * xj[g] / Double(n)
            for a in 0..<classes { for b in 0..<classes {
                out[f * classes + a, g * classes + b] -= xx * ((a == b ? pj[a] : 0) - pj[a] * pj[b])
            } }
        } }
        return out
    }

    //: begin retrain
    /// Leave-one-out retraining, warm-started at θ̂: Newton steps with the Hessian of L₋ⱼ at θ̂ kept
    /// fixed, θ ← θ − H₋ⱼ(θ̂)⁻¹ ∇L₋ⱼ(θ), until ‖∇L₋ⱼ‖ ≤ tolerance. L₋ⱼ keeps the weight 1/n on every
    /// other point (the removal is the up-weighting ε = −1/n of the theory).
    func retrain(from theta: [Double], excluding j: Int, hessian h: Matrix, p: Matrix,
                 tolerance: Double, maxSteps: Int = 50) throws -> (theta: [Double], gradientNorm: Double, steps: Int) {
        let factor = try CholeskyFactorization(hessian(h, p, without: j))
        var t = theta
        for step in 0...maxSteps {
            let g = objective(t, excluding: j).gradient
            let norm = Vector.norm(g)
            if norm <= tolerance { return (t, norm, step) }
            Vector.axpy(-1, factor.solve(g), &t)
        }
        throw NumericalFailure.failed("leave-one-out retraining without point \(j) did not reach ‖∇L‖ ≤ \(tolerance) in \(maxSteps) steps")
    }
    //: end retrain
}
