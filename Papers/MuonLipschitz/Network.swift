import Foundation
import Numerics
import Learning
import Notebook

/// A bias-free ReLU MLP on normalized inputs: f(x) = W_L relu(… relu(W_1 (x − μ)/s)).
/// Every map is Lipschitz in the ℓ2 norm: the normalization with constant 1/s, each W_l with σ₁(W_l),
/// ReLU with 1; so L(f) ≤ Π σ₁(W_l) / s, the certified bound (exact singular values).
struct LipschitzNet: Sendable {
    var weights: [Matrix]          // W_l is fan-out x fan-in
    let mean: [Double]             // μ, per input feature
    let scale: Double              // s, one scalar for all features (so the normalization is 1/s-Lipschitz)

    /// (x − μ)/s, row by row.
    func normalize(_ x: Matrix) -> Matrix {
        var z = x
        for i in 0..<x.rows { for j in 0..<x.cols { z.storage[i * x.cols + j] = (x.storage[i * x.cols + j] - mean[j]) / scale } }
        return z
    }

    /// Pre-activations of every layer (the last one is the logits).
    func forward(_ x: Matrix) -> [Matrix] {
        var h = normalize(x)
        var zs: [Matrix] = []
        for (l, w) in weights.enumerated() {
            let z = matmul(h, w, transB: true)
            zs.append(z)
            if l < weights.count - 1 { h = z.map { max($0, 0) } }
        }
        return zs
    }

    /// The gradient with respect to the inputs x of Σ_i ⟨e_i, f(x_i)⟩ (a vector-Jacobian product), and
    /// with respect to every weight of the same sum. `zs` from `forward(x)`.
    func backward(_ x: Matrix, _ zs: [Matrix], outputGradient e: Matrix) -> (input: Matrix, weights: [Matrix]) {
        var delta = e
        var grads = [Matrix](repeating: Matrix(rows: 0, cols: 0), count: weights.count)
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            let input = l == 0 ? normalize(x) : zs[l - 1].map { max($0, 0) }
            grads[l] = matmul(delta, input, transA: true)
            var back = matmul(delta, weights[l])
            if l > 0 { for k in 0..<back.count where zs[l - 1].storage[k] <= 0 { back.storage[k] = 0 } }
            delta = back
        }
        return (delta / scale, grads)
    }

    /// Mean cross-entropy of the logits and its gradient with respect to the weights.
    func lossAndGradients(_ x: Matrix, _ labels: [Int]) -> (loss: Double, gradients: [Matrix]) {
        let zs = forward(x)
        let logits = zs[zs.count - 1]
        var e = Matrix(rows: logits.rows, cols: logits.cols)
        var loss = 0.0
        let n = Double(x.rows)
        for i in 0..<logits.rows {
            let row = logits.row(i)
            let top = row.max()!
            let ex = row.map { Foundation.exp($0 - top) }
            let total = ex.reduce(0, +)
            loss -= (row[labels[i]] - top - Foundation.log(total)) / n
            for j in 0..<logits.cols { e[i, j] = (ex[j] / total - (j == labels[i] ? 1 : 0)) / n }
        }
        return (loss, backward(x, zs, outputGradient: e).weights)
    }

    func accuracy(_ x: Matrix, _ labels: [Int]) -> Double {
        let logits = forward(x).last!
        var right = 0
        for i in 0..<logits.rows {
            let row = logits.row(i)
            if row.firstIndex(of: row.max()!) == labels[i] { right += 1 }
        }
        return Double(right) / Double(x.rows)
    }

    /// The certified bound Π σ₁(W_l) / s.
    func certifiedBound() throws -> Double {
        try weights.reduce(1 / scale) { $0 * (try Spectral.norm($1)) }
    }

    /// The input Jacobian at one raw input x: W_L D_{L−1} W_{L−1} … D_1 W_1 / s, D_l = diag(1[z_l > 0]).
    func jacobian(at x: [Double]) -> Matrix {
        let zs = forward(Matrix(rows: 1, cols: x.count, elements: x))
        var j = weights[0] / scale
        for l in 1..<weights.count {
            for r in 0..<j.rows where zs[l - 1].storage[r] <= 0 { for c in 0..<j.cols { j[r, c] = 0 } }
            j = matmul(weights[l], j)
        }
        return j
    }
}

/// The optimizer of one run, on every weight matrix.
enum OptimizerKind: String, CaseIterable, Sendable { case adamW = "AdamW", muon = "Muon" }

/// The weight regulation of one run: decoupled weight decay (no projection) or a spectral constraint.
enum Regulation: String, CaseIterable, Sendable {
    case weightDecay = "weight decay", normalize = "spectral normalization", hardCap = "spectral hard cap", softCap = "spectral soft cap"
}

/// One run's settings.
struct RunSpec: Sendable {
    var optimizer: OptimizerKind
    var regulation: Regulation
    var learningRate: Double
    var strength: Double        // λ for weight decay, w_max for the spectral constraints
    var seed: Int
}

/// Trains one network with minibatch steps; after every step the constraint is applied to every layer.
struct Trainer {
    static let sourceFile = #filePath
    let sizes: [Int]
    let epochs: Int
    let batch: Int

    //: begin constrained-step
    func train(_ spec: RunSpec, data: DigitsSplit, mean: [Double], scale: Double, rng: inout RandomSource) throws -> LipschitzNet {
        // Initial weights: semi-orthogonal, times √(fan-out/fan-in) (as in the authors' code), then feasible.
        let constraint: SpectralConstraint
        switch spec.regulation {
        case .weightDecay: constraint = .none
        case .normalize: constraint = .normalize(maxNorm: spec.strength)
        case .hardCap: constraint = .hardCap(maxNorm: spec.strength)
        case .softCap: constraint = .softCap(maxNorm: spec.strength)
        }
        var weights = try (0..<(sizes.count - 1)).map { l -> Matrix in
            let w = try Spectral.polarFactor(rng.normalMatrix(sizes[l + 1], sizes[l])) * (Double(sizes[l + 1]) / Double(sizes[l])).squareRoot()
            return spec.regulation == .weightDecay ? w : try SpectralConstraint.normalize(maxNorm: spec.strength).apply(w)
        }
        let decay = spec.regulation == .weightDecay ? spec.strength : 0
        var adam = weights.map { _ in AdamW(learningRate: spec.learningRate, weightDecay: decay) }
        var muon = weights.map { _ in Muon(learningRate: spec.learningRate, weightDecay: decay) }
        // The largest singular value a Muon update can have: √(fan-out/fan-in) · max p on [0, 1].
        let muonPeak = (0...1000).map { NewtonSchulz.lipschitzTransformers.trajectory(Double($0) / 1000).last! }.max()!
        let n = data.trainX.rows
        for _ in 0..<epochs {
            let order = rng.permutation(n)
            for start in stride(from: 0, to: n - batch + 1, by: batch) {
                let idx = Array(order[start..<(start + batch)])
                let net = LipschitzNet(weights: weights, mean: mean, scale: scale)
                let (loss, grads) = net.lossAndGradients(data.trainX.rows(idx), idx.map { data.trainLabels[$0] })
                guard loss.isFinite else { throw NumericalFailure.nonFinite("training loss is \(loss) (\(spec.optimizer.rawValue), \(spec.regulation.rawValue))") }
                for l in 0..<weights.count {
                    let before = weights[l]
                    var reach = Double.nan
                    switch spec.optimizer {
                    case .adamW:
                        adam[l].step(&weights[l].storage, gradient: grads[l].storage)
                        if case .softCap(let m) = constraint { reach = m + (try Spectral.norm(weights[l] - before)) }
                    case .muon:
                        muon[l].step(&weights[l], gradient: grads[l])
                        let shape = (Double(before.rows) / Double(before.cols)).squareRoot()
                        if case .softCap(let m) = constraint { reach = m + spec.learningRate * shape * muonPeak }
                    }
                    weights[l] = try constraint.apply(weights[l], reach: reach)
                }
            }
        }
        return LipschitzNet(weights: weights, mean: mean, scale: scale)
    }
    //: end constrained-step
}
