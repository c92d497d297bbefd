import Foundation
import Numerics
import Learning
import Notebook

/// The three 1-Lipschitz layer families compared in this notebook.
enum LayerKind: String, CaseIterable, Sendable {
    case sandwich = "sandwich"
    case orthogonal = "orthogonal (Cayley)"
    case spectral = "spectral normalization"
}

/// The free parameters of one layer: a matrix W, the Cayley scale α (the authors' `alpha`,
/// initialized to ||W||_F), the sandwich's ψ, and the bias b.
struct LayerParameters: Sendable {
    var w: Matrix
    var alpha: Double
    var psi: [Double]
    var b: [Double]
}

/// A γ-Lipschitz network of one layer family: sizes d₀ → … → d_L, ReLU inside, γ split as √γ on the
/// input of the first layer and √γ on the last (the authors' `scale=g`), each layer 1-Lipschitz.
struct LipschitzNetwork: Sendable {
    let kind: LayerKind
    let sizes: [Int]
    let gamma: Double
    var layers: [LayerParameters]
    var depth: Int { sizes.count - 1 }

    /// The authors' initialization (PyTorch's `nn.Linear` default, U(±1/√fan-in)); a sandwich layer's
    /// W is d_out x (d_in + d_out) since [A B] comes from one Cayley transform; ψ = 0.
    init(kind: LayerKind, sizes: [Int], gamma: Double, rng: inout RandomSource) {
        self.kind = kind; self.sizes = sizes; self.gamma = gamma
        layers = (0..<(sizes.count - 1)).map { l in
            let fin = sizes[l], fout = sizes[l + 1]
            let cols = kind == .sandwich ? fin + fout : fin
            let a = 1 / Double(cols).squareRoot()
            let w = rng.uniformMatrix(fout, cols, -a, a)
            let b = (0..<fout).map { _ in rng.uniform(-a, a) }
            return LayerParameters(w: w, alpha: w.frobeniusNorm, psi: [Double](repeating: 0, count: fout), b: b)
        }
    }

    func scale(_ l: Int) -> Double { l == 0 || l == depth - 1 ? gamma.squareRoot() : 1 }
}

/// One layer's matrices after the parameterization (Cayley or spectral normalization), with what
/// the backward pass needs.
struct MaterializedLayer {
    var cayley: CayleyTransform?
    var q: Matrix                 // sandwich: [A B] (d_out x (d_out + d_in)); else the weight (d_out x d_in)
    var sigma = 1.0, u: [Double] = [], v: [Double] = []    // spectral normalization
}

extension LipschitzNetwork {
    /// Q = cayley(α W/||W||_F) or W/σ₁(W) with σ₁ from warm-started power iteration (`vectors`).
    func materialize(_ l: Int, vectors: inout [[Double]], iterations: Int) throws -> MaterializedLayer {
        let p = layers[l]
        switch kind {
        case .sandwich, .orthogonal:
            let c = try CayleyTransform(p.w * (p.alpha / p.w.frobeniusNorm))
            return MaterializedLayer(cayley: c, q: c.output)
        case .spectral:
            var v = vectors[l], u: [Double] = []
            for _ in 0..<iterations {
                u = p.w.apply(v); let nu = Vector.norm(u); u = u.map { $0 / nu }
                v = p.w.applyTransposed(u); let nv = Vector.norm(v); v = v.map { $0 / nv }
            }
            vectors[l] = v
            let sigma = Vector.dot(u, p.w.apply(v))
            guard sigma > 0, sigma.isFinite else { throw NumericalFailure.nonFinite("spectral norm of layer \(l) is \(sigma)") }
            return MaterializedLayer(q: p.w / sigma, sigma: sigma, u: u, v: v)
        }
    }

    //: begin sandwich-forward
    /// One layer on a batch (rows are samples). Sandwich: z = √2 Ψ⁻¹ B (s x) + b, y = √2 Aᵀ Ψ relu(z)
    /// (hidden layers), y = B (s x) + b (the last). Others: y = relu(s Q x + b), identity at the end.
    func layerForward(_ l: Int, _ m: MaterializedLayer, _ x: Matrix) -> (z: Matrix, y: Matrix) {
        let p = layers[l], s = scale(l), fout = sizes[l + 1], last = l == depth - 1
        if kind == .sandwich {
            let b = m.q.submatrix(rows: 0..<fout, cols: fout..<m.q.cols)
            var z = matmul(x, b, transB: true) * s
            let inner = last ? 1.0 : 2.0.squareRoot()
            let shrink = p.psi.map { last ? 1 : exp(-$0) }, grow = p.psi.map { exp($0) }   // Ψ⁻¹ and Ψ (diagonal)
            for i in 0..<z.rows { for j in 0..<fout { z.storage[i * fout + j] = z.storage[i * fout + j] * inner * shrink[j] + p.b[j] } }
            if last { return (z, z) }
            var h = z
            for i in 0..<h.rows { for j in 0..<fout { h.storage[i * fout + j] = max(0, h.storage[i * fout + j]) * grow[j] } }
            let a = m.q.submatrix(rows: 0..<fout, cols: 0..<fout)
            return (z, matmul(h, a) * 2.0.squareRoot())
        }
        var z = matmul(x, m.q, transB: true) * s
        for i in 0..<z.rows { for j in 0..<fout { z.storage[i * fout + j] += p.b[j] } }
        return (z, last ? z : z.map { max(0, $0) })
    }
    //: end sandwich-forward

    /// The batch outputs and every layer's (input, pre-activation).
    func forward(_ x: Matrix, _ ms: [MaterializedLayer]) -> (output: Matrix, inputs: [Matrix], zs: [Matrix]) {
        var h = x, inputs: [Matrix] = [], zs: [Matrix] = []
        for l in 0..<depth {
            inputs.append(h)
            let (z, y) = layerForward(l, ms[l], h)
            zs.append(z); h = y
        }
        return (h, inputs, zs)
    }

    /// Gradients of a loss with respect to every parameter, given ∂loss/∂output.
    func backward(_ pass: (output: Matrix, inputs: [Matrix], zs: [Matrix]), _ ms: [MaterializedLayer],
                  outputGradient: Matrix) -> [LayerParameters] {
        var grads: [LayerParameters] = []
        var dy = outputGradient
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let p = layers[l], m = ms[l], x = pass.inputs[l], z = pass.zs[l]
            let s = scale(l), fout = sizes[l + 1], fin = sizes[l], last = l == depth - 1, n = x.rows
            var dpsi = [Double](repeating: 0, count: fout), db = [Double](repeating: 0, count: fout)
            var dq: Matrix, dx: Matrix
            if kind == .sandwich {
                let bMat = m.q.submatrix(rows: 0..<fout, cols: fout..<(fout + fin))
                var dz = dy
                dq = Matrix(rows: fout, cols: fout + fin)
                let grow = p.psi.map { exp($0) }                                          // Ψ, once per layer
                if !last {
                    let aMat = m.q.submatrix(rows: 0..<fout, cols: 0..<fout)
                    var h = z
                    for k in 0..<h.count { h.storage[k] = max(0, h.storage[k]) * grow[k % fout] }
                    dq.setSubmatrix(at: 0, 0, matmul(h, dy, transA: true) * 2.0.squareRoot())   // ∂A = √2 Hᵀ dY
                    let dh = matmul(dy, aMat, transB: true) * 2.0.squareRoot()
                    dz = dh
                    for k in 0..<dz.count {
                        let j = k % fout
                        dpsi[j] += dh.storage[k] * h.storage[k] - (z.storage[k] > 0 ? dh.storage[k] * grow[j] * (z.storage[k] - p.b[j]) : 0)
                        dz.storage[k] = z.storage[k] > 0 ? dh.storage[k] * grow[j] : 0
                    }
                }
                var dpre = dz     // ∂ of (B s x) before the √2 Ψ⁻¹ factor
                let factor = p.psi.map { last ? 1 : 2.0.squareRoot() * exp(-$0) }
                for k in 0..<dz.count {
                    let j = k % fout
                    db[j] += dz.storage[k]
                    dpre.storage[k] = dz.storage[k] * s * factor[j]
                }
                dq.setSubmatrix(at: 0, fout, matmul(dpre, x, transA: true))
                dx = matmul(dpre, bMat)
            } else {
                var dz = dy
                if !last { for k in 0..<dz.count where z.storage[k] <= 0 { dz.storage[k] = 0 } }
                for k in 0..<dz.count { db[k % fout] += dz.storage[k] }
                dq = matmul(dz, x, transA: true) * s
                dx = matmul(dz, m.q) * s
            }
            // Through the parameterization: Cayley with its scale α, or W/σ₁(W).
            var dw: Matrix, dalpha = 0.0
            if let c = m.cayley {
                let g = c.pullback(dq), norm = p.w.frobeniusNorm
                let unit = p.w / norm
                dalpha = g.dot(unit)
                dw = (g - unit * dalpha) * (p.alpha / norm)
            } else {
                let proj = dq.dot(p.w) / (m.sigma * m.sigma)
                dw = dq / m.sigma
                for i in 0..<fout { for j in 0..<fin { dw.storage[i * fin + j] -= proj * m.u[i] * m.v[j] } }
            }
            _ = n
            grads.append(LayerParameters(w: dw, alpha: dalpha, psi: dpsi, b: db))
            dy = dx
        }
        return grads.reversed()
    }

    /// The same function as a plain MLP (weights d_{l+1} x d_l). For sandwich layers neighbouring
    /// factors merge: W_l = 2 Ψ_l⁻¹ B_l A_{l−1}ᵀ Ψ_{l−1}, with the √2's and √γ's at the ends.
    /// Spectral normalization divides by the exact σ₁ here (SVD), not the power-iteration estimate.
    func explicit() throws -> MLP {
        var weights: [Matrix] = [], biases: [[Double]] = []
        var carry: Matrix? = nil          // √2 A_{l−1}ᵀ Ψ_{l−1} of the previous sandwich layer
        for l in 0..<depth {
            let p = layers[l], fout = sizes[l + 1], fin = sizes[l], last = l == depth - 1
            switch kind {
            case .sandwich:
                let q = try CayleyTransform(p.w * (p.alpha / p.w.frobeniusNorm)).output
                var w = q.submatrix(rows: 0..<fout, cols: fout..<(fout + fin)) * scale(l)
                if !last { for i in 0..<fout { for j in 0..<fin { w[i, j] *= 2.0.squareRoot() * exp(-p.psi[i]) } } }
                if let c = carry { w = matmul(w, c) }
                weights.append(w)
                var a = q.submatrix(rows: 0..<fout, cols: 0..<fout).transposed     // Aᵀ Ψ √2
                for i in 0..<fout { for j in 0..<fout { a[i, j] *= exp(p.psi[j]) * 2.0.squareRoot() } }
                carry = a
            case .orthogonal:
                weights.append(try CayleyTransform(p.w * (p.alpha / p.w.frobeniusNorm)).output * scale(l))
            case .spectral:
                weights.append(p.w * (scale(l) / (try singularValues(p.w).first ?? 1)))
            }
            biases.append(p.b)
        }
        return MLP(sizes: sizes, activations: Array(repeating: .relu, count: depth - 1) + [.identity], weights: weights, biases: biases)
    }
}

/// The method section: the layer as the authors' code computes it.
enum Method {
    /*: method
     **The sandwich layer.** A free matrix W of size d_out x (d_out + d_in) goes through the Cayley
     transform, Q = cayley(α W/||W||_F) = [A B] with A Aᵀ + B Bᵀ = I; a free vector ψ gives
     Ψ = diag(e^ψ). The layer is h ↦ √2 Aᵀ Ψ relu(√2 Ψ⁻¹ B h + b): the two √2's and the Ψ, Ψ⁻¹ pair
     are what make it 1-Lipschitz for every W, α, ψ, b (Theorem 3.3 of the paper, through the
     1-slope-restriction of ReLU). The last layer is B h + b. A network scales its input by √γ before
     the first layer and its output by √γ in the last, so it is γ-Lipschitz. The competitors use the
     same √γ split: orthogonal layers relu(Q h + b) with Q = cayley(α W/||W||_F) (orthonormal rows or
     columns), and spectrally normalized layers relu(W h/σ₁(W) + b). Training differentiates through
     the Cayley transform by hand (the library's `CayleyTransform.pullback`, tested against finite
     differences).
     */
    static func run(_ c: LBDN.Config, options: RunOptions, report: Report) {
        report.section("The method")
        report.literate("method")
        report.code("sandwich-forward")
    }
}
