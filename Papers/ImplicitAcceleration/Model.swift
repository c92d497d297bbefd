import Foundation
import Numerics
import Notebook
import Learning

/// ℓ_p linear regression, L(w) = (1/(p·n)) Σᵢ |xᵢᵀw − yᵢ|^p, with its gradient and an exact optimum.
struct LpRegression: Sendable {
    let x: Matrix          // n x d
    let y: [Double]
    let p: Int             // 2 or 4

    var n: Int { x.rows }
    var d: Int { x.cols }

    /// Residuals r = Xw − y.
    func residuals(_ w: [Double]) -> [Double] {
        var r = gemv(x, w)
        for i in 0..<r.count { r[i] -= y[i] }
        return r
    }

    func loss(_ w: [Double]) -> Double {
        let r = residuals(w)
        var s = 0.0
        for v in r { s += p == 2 ? v * v : (v * v) * (v * v) }
        return s / Double(p * n)
    }

    /// The loss and ∇L = (1/n) Σ |rᵢ|^{p−2} rᵢ xᵢ.
    func lossAndGradient(_ w: [Double]) -> (loss: Double, gradient: [Double]) {
        var r = residuals(w)
        var s = 0.0
        for i in 0..<r.count {
            let v = r[i], v2 = v * v
            s += p == 2 ? v2 : v2 * v2
            r[i] = (p == 2 ? v : v2 * v) / Double(n)
        }
        return (s / Double(p * n), gemv(x, r, transposed: true))
    }

    func gradient(_ w: [Double]) -> [Double] { lossAndGradient(w).gradient }

    /// The optimum by Newton's method on the convex objective (exact least squares for p = 2), started
    /// from least squares, with a backtracking line search; it stops when the Newton decrement is at
    /// round-off. Throws if it does not converge in 100 steps.
    func optimum() throws -> (w: [Double], loss: Double, gradientNorm: Double) {
        let gram = matmul(x, x, transA: true)
        var w = try CholeskyFactorization(gram).solve(gemv(x, y, transposed: true))
        if p == 2 { return (w, loss(w), Vector.norm(gradient(w))) }
        var polish = 0
        for _ in 0..<100 {
            let (f, g) = lossAndGradient(w)
            // Hessian (3/n) Σ rᵢ² xᵢxᵢᵀ = Xᵀ D X with D = diag(3rᵢ²/n).
            let r = residuals(w)
            var dx = x
            for i in 0..<n { let s = 3 * r[i] * r[i] / Double(n); for j in 0..<d { dx[i, j] *= s } }
            let h = matmul(x, dx, transA: true)
            let step = try CholeskyFactorization(h).solve(g)
            let decrement = Vector.dot(g, step)
            // ½·decrement estimates L − L*: below 1e-16·L the loss is at round-off; two more full
            // steps bring the gradient down to its own round-off (quadratic convergence).
            if decrement <= 1e-16 * max(f, 1e-300) {
                polish += 1
                if polish > 2 { return (w, f, Vector.norm(g)) }
            }
            // Close to the optimum the decrease is below the loss's round-off: take the full step.
            var t = 1.0
            var trial = zip(w, step).map { $0 - t * $1 }
            while decrement > 1e-8 * f && loss(trial) > f - 0.25 * t * decrement && t > 1e-12 {
                t /= 2
                trial = zip(w, step).map { $0 - t * $1 }
            }
            w = trial
        }
        throw NumericalFailure.failed("Newton's method on the ℓ_\(p) objective did not converge in 100 steps")
    }

    /// The shipped 8x8 digits as a real regression table. The 4x4 means of 2x2 pixel blocks are the
    /// variables; the response is block `response` (row-major in the 4x4 grid), predicted from the
    /// other 15 blocks, or, with `response` nil, the digit's label from all 16. Everything standardized.
    static func digits(_ data: DigitsDataset, p: Int, response: Int?) -> LpRegression {
        let n = data.count
        var blocks = Matrix.zeros(n, 16)
        for i in 0..<n {
            for r in 0..<8 { for c in 0..<8 { blocks[i, (r / 2) * 4 + c / 2] += data.pixels[i, r * 8 + c] / 4 } }
        }
        func standardized(_ v: [Double]) -> [Double] {
            let (mean, sd) = (Stats.mean(v), Stats.std(v))
            return v.map { sd > 0 ? ($0 - mean) / sd : 0 }
        }
        let columns = (0..<16).filter { $0 != response }
        var x = Matrix.zeros(n, columns.count)
        for (j, k) in columns.enumerated() { x.setColumn(j, standardized(blocks.column(k))) }
        let y = response.map { blocks.column($0) } ?? data.labels.map(Double.init)
        return LpRegression(x: x, y: standardized(y), p: p)
    }

    /// The synthetic regression of experiment 2: x ~ N(0, Q diag(λ) Qᵀ), λ geometric from 1 to 1/κ,
    /// y = xᵀβ + ε with β ~ N(0, I/λ-weighted) scaled so that var(xᵀβ) = 1, ε ~ N(0, σ²).
    static func synthetic(n: Int, d: Int, condition: Double, noise: Double, p: Int, rng: inout RandomSource) -> LpRegression {
        let q = rng.orthonormalColumns(d, d)
        let lambdas = (0..<d).map { Foundation.pow(condition, -Double($0) / Double(max(d - 1, 1))) }
        var root = q
        for i in 0..<d { for j in 0..<d { root[i, j] *= lambdas[j].squareRoot() } }   // Q diag(√λ)
        let z = rng.normalMatrix(n, d)
        let x = matmul(z, root, transB: true)                                           // rows ~ N(0, QΛQᵀ)
        let coefficients = rng.normalVector(d)
        // var(xᵀβ) = βᵀQΛQᵀβ; rescale β to make it 1.
        let qb = gemv(q, coefficients, transposed: true)
        let variance = zip(qb, lambdas).reduce(0) { $0 + $1.0 * $1.0 * $1.1 }
        let beta = coefficients.map { $0 / variance.squareRoot() }
        let signal = gemv(x, beta)
        let y = signal.map { $0 + noise * rng.normal() }
        return LpRegression(x: x, y: y, p: p)
    }
}

/// A depth-N linear network with scalar output whose added layers are scalars (hidden width 1):
/// x ↦ a_N ⋯ a_2 · wᵀx. Balanced means ||w||² = a_2² = ⋯ = a_N² (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ).
struct ScalarLayerNetwork {
    var w: [Double]        // the first layer, 1 x d
    var a: [Double]        // a_2 … a_N

    var depth: Int { a.count + 1 }
    var endToEnd: [Double] { let c = a.reduce(1, *); return w.map { c * $0 } }

    /// The balanced network with end-to-end vector w_e: every layer has norm ||w_e||^{1/N}.
    init(balanced we: [Double], depth: Int) {
        let s = Foundation.pow(Vector.norm(we), 1 / Double(depth))
        let c = s / Vector.norm(we)
        w = we.map { c * $0 }
        a = Array(repeating: s, count: depth - 1)
    }

    /// One step of gradient descent on every layer at once, given ∇L at the current end-to-end vector.
    mutating func step(_ eta: Double, gradient g: [Double]) {
        let c = a.reduce(1, *)
        let gw = Vector.dot(g, w)
        var newA = a
        for j in 0..<a.count {
            var others = 1.0
            for k in 0..<a.count where k != j { others *= a[k] }
            newA[j] -= eta * others * gw
        }
        for i in 0..<w.count { w[i] -= eta * c * g[i] }
        a = newA
    }
}

/// The paper's end-to-end update (Theorem 1) and its single-output form (Claim 1).
enum EndToEnd {
    /// A^t for symmetric positive semi-definite A; A^0 is the identity. Eigenvalues below n·ε·λ_max are
    /// round-off of zero and are set to zero: a fractional power would inflate them (ε^{1/4} ≈ 1e-4).
    static func power(_ a: Matrix, _ t: Double) throws -> Matrix {
        if t == 0 { return Matrix.identity(a.rows) }
        let e = try SymmetricEigen(a.symmetrized)
        let floor = Double(a.rows) * Double.ulpOfOne * (e.values.map(abs).max() ?? 0)
        var scaled = e.vectors
        for j in 0..<a.rows {
            let f = e.values[j] > floor ? Foundation.pow(e.values[j], t) : 0
            for i in 0..<a.rows { scaled[i, j] *= f }
        }
        return matmul(scaled, e.vectors, transB: true)
    }

    //: begin preconditioner
    /// Σ_{j=1}^{N} [W_e W_eᵀ]^{(j−1)/N} · G · [W_eᵀ W_e]^{(N−j)/N}: the end-to-end matrix moves by −η times this.
    static func preconditioned(_ we: Matrix, gradient g: Matrix, depth n: Int) throws -> Matrix {
        let left = matmul(we, we, transB: true), right = matmul(we, we, transA: true)
        var sum = Matrix.zeros(g.rows, g.cols)
        for j in 1...n {
            let l = try power(left, Double(j - 1) / Double(n)), r = try power(right, Double(n - j) / Double(n))
            sum += matmul(matmul(l, g), r)
        }
        return sum
    }

    /// Single output (W_e = wᵀ): ||w||^{2−2/N} · (g + (N−1) · (ŵᵀg) ŵ).
    static func vectorForm(_ w: [Double], gradient g: [Double], depth n: Int) -> [Double] {
        let norm = Vector.norm(w)
        let scale = Foundation.pow(norm, 2 - 2 / Double(n))
        let along = Vector.dot(w, g) / (norm * norm)
        return zip(g, w).map { scale * ($0 + Double(n - 1) * along * $1) }
    }
    //: end preconditioner
}

/// A general deep linear network W_N ⋯ W_1 (matrices), for the one-step test of Theorem 1.
struct DeepLinearNetwork {
    var layers: [Matrix]        // W_1 first

    var endToEnd: Matrix { layers.dropFirst().reduce(layers[0]) { matmul($1, $0) } }

    /// The balanced factorization of W_e = U Σ Vᵀ (rank r): W_1 = R_1 Σ^{1/N} Vᵀ, W_j = R_j Σ^{1/N} R_{j−1}ᵀ,
    /// W_N = U Σ^{1/N} R_{N−1}ᵀ, with R_j (h x r) random orthonormal columns. Then W_{j+1}ᵀW_{j+1} = W_jW_jᵀ.
    init(balanced we: Matrix, depth n: Int, hidden h: Int, rng: inout RandomSource) throws {
        let f = try svd(we)
        let r = f.singularValues.count
        precondition(h >= r, "hidden width below the rank")
        let root = Matrix.diagonal(f.singularValues.map { Foundation.pow($0, 1 / Double(n)) })
        var rs = [f.v]
        for _ in 1..<n { rs.append(rng.orthonormalColumns(h, r)) }
        rs.append(f.u)
        layers = (1...n).map { j in matmul(matmul(rs[j], root), rs[j - 1], transB: true) }
    }

    /// max_j ||W_{j+1}ᵀW_{j+1} − W_jW_jᵀ||_F: zero for a balanced network.
    var imbalance: Double {
        (0..<(layers.count - 1)).map { j in
            (matmul(layers[j + 1], layers[j + 1], transA: true) - matmul(layers[j], layers[j], transB: true)).frobeniusNorm
        }.max() ?? 0
    }

    /// One step of gradient descent on every layer: ∂L/∂W_j = (W_N⋯W_{j+1})ᵀ ∇L(W_e) (W_{j−1}⋯W_1)ᵀ.
    mutating func step(_ eta: Double, gradient g: Matrix) {
        let n = layers.count
        var prefix = [Matrix.identity(layers[0].cols)]            // prefix[j] = W_j ⋯ W_1
        for j in 0..<n { prefix.append(matmul(layers[j], prefix[j])) }
        var suffix = Array(repeating: Matrix.identity(layers[n - 1].rows), count: n + 1)   // suffix[j] = W_N ⋯ W_{j+1}
        for j in stride(from: n - 1, through: 0, by: -1) { suffix[j] = matmul(suffix[j + 1], layers[j]) }
        let grads = (0..<n).map { j in matmul(matmul(suffix[j + 1], g, transA: true), prefix[j], transB: true) }
        for j in 0..<n { layers[j] = layers[j] - eta * grads[j] }
    }
}

/// Matrix ℓ_4 regression L(W) = (1/(4n)) Σᵢ ||W xᵢ − yᵢ||₄⁴ for the one-step test (inputs are columns of X).
struct MatrixL4 {
    let x: Matrix   // d x n
    let y: Matrix   // k x n

    func gradient(_ w: Matrix) -> Matrix {
        var r = matmul(w, x) - y
        let n = Double(x.cols)
        r = r.map { $0 * $0 * $0 / n }
        return matmul(r, x, transB: true)
    }
}
