import Foundation
import Numerics
import Learning
import Notebook

/// The training losses of the authors' code: mean squared error (the toy) and their offset
/// cross-entropy (certified robustness), whose gradient is taken with respect to the outputs.
enum TrainingLoss: Sendable {
    case meanSquared
    /// T · CE((logits − o·e_y)/T) with o = √2·offset, T = 0.25 (the authors' `Xent`, offset 1.5).
    case offsetCrossEntropy(offset: Double, temperature: Double)

    func valueAndGradient(_ out: Matrix, targets: Matrix, labels: [Int]) -> (Double, Matrix) {
        var g = Matrix(rows: out.rows, cols: out.cols)
        var loss = 0.0
        switch self {
        case .meanSquared:
            let n = Double(out.count)
            for k in 0..<out.count {
                let r = out.storage[k] - targets.storage[k]
                loss += r * r / n; g.storage[k] = 2 * r / n
            }
        case .offsetCrossEntropy(let offset, let t):
            let o = 2.0.squareRoot() * offset, n = Double(out.rows)
            for i in 0..<out.rows {
                let row = (0..<out.cols).map { (out[i, $0] - ($0 == labels[i] ? o : 0)) / t }
                let top = row.max()!
                let ex = row.map { exp($0 - top) }, total = ex.reduce(0, +)
                loss += t * (top + log(total) - row[labels[i]]) / n
                for j in 0..<out.cols { g[i, j] = (ex[j] / total - (j == labels[i] ? 1 : 0)) / n }
            }
        }
        return (loss, g)
    }
}

/// Minibatch Adam with the authors' learning-rate schedule: linear warm-up from 0 to η over the first
/// 2/5 of the epochs, down to η/20 at 4/5, then to 0 (`train_toy` in acfr/LBDN).
struct Trainer: Sendable {
    var epochs: Int
    var batch: Int
    var learningRate: Double
    var powerIterations: Int     // per step, warm-started (spectral normalization only)
    var loss: TrainingLoss

    func rate(at t: Double) -> Double {
        let e = Double(epochs), knots = [0, e * 2 / 5, e * 4 / 5, e], values = [0, learningRate, learningRate / 20, 0]
        for k in 1..<knots.count where t <= knots[k] {
            return values[k - 1] + (values[k] - values[k - 1]) * (t - knots[k - 1]) / (knots[k] - knots[k - 1])
        }
        return 0
    }

    //: begin train
    func train(_ net: inout LipschitzNetwork, x: Matrix, targets: Matrix, labels: [Int], rng: inout RandomSource) throws -> [Double] {
        var adams = net.layers.map { _ in (w: Adam(learningRate: 0), a: Adam(learningRate: 0), psi: Adam(learningRate: 0), b: Adam(learningRate: 0)) }
        var vectors = net.sizes.dropFirst().indices.map { l in rng.normalVector(net.sizes[l - 1]) }
        let n = x.rows, steps = n / batch
        var curve: [Double] = []
        for epoch in 0..<epochs {
            let order = rng.permutation(n)
            var total = 0.0
            for s in 0..<steps {
                let idx = Array(order[(s * batch)..<((s + 1) * batch)])
                let ms = try (0..<net.depth).map { try net.materialize($0, vectors: &vectors, iterations: powerIterations) }
                let pass = net.forward(x.rows(idx), ms)
                let (value, g) = loss.valueAndGradient(pass.output, targets: targets.rows(idx), labels: idx.map { labels.isEmpty ? 0 : labels[$0] })
                guard value.isFinite else { throw NumericalFailure.nonFinite("training loss \(value) (\(net.kind.rawValue), γ = \(net.gamma))") }
                total += value / Double(steps)
                let grads = net.backward(pass, ms, outputGradient: g)
                let lr = rate(at: Double(epoch) + Double(s + 1) / Double(steps))
                for l in 0..<net.depth {
                    adams[l].w.learningRate = lr; adams[l].a.learningRate = lr; adams[l].psi.learningRate = lr; adams[l].b.learningRate = lr
                    adams[l].w.step(&net.layers[l].w.storage, gradient: grads[l].w.storage)
                    adams[l].b.step(&net.layers[l].b, gradient: grads[l].b)
                    if net.kind != .spectral {
                        var a = [net.layers[l].alpha]
                        adams[l].a.step(&a, gradient: [grads[l].alpha]); net.layers[l].alpha = a[0]
                    }
                    if net.kind == .sandwich && l < net.depth - 1 { adams[l].psi.step(&net.layers[l].psi, gradient: grads[l].psi) }
                }
            }
            curve.append(total)
        }
        return curve
    }
    //: end train
}
