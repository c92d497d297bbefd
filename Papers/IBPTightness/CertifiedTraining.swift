import Foundation
import Numerics
import Learning
import Notebook

/// The three training methods: standard, PGD (adversarial) and IBP (certified), on a ReLU MLP.
enum Method: String, CaseIterable { case standard, pgd = "PGD", ibp = "IBP" }

enum CertifiedTraining {
    /*: ibp-loss
     **IBP training (Gowal et al., 2018).** A mini-batch's input boxes (ε-balls clipped to [0, 1])
     are pushed through the network in center-radius form, c' = W c + b, r' = |W| r, then through
     ReLU endpoint by endpoint; at the last layer the margins z_y − z_j are bounded with the layer
     elided (lower bound m̲_j = w̃_jᵀ c − |w̃_j|ᵀ r + b̃_j, w̃_j = (W_L)_y − (W_L)_j). The robust loss is
     the cross-entropy of the worst-case logits (0 for y, −m̲_j for j ≠ y). Every step of this
     forward pass is differentiable almost everywhere and we back-propagate through it by hand
     (the gradient of |W| is sign(W)); the test file checks it against finite differences and the
     forward pass against the shared `IntervalBoundPropagation`.
     */
    /// Mean robust (IBP) cross-entropy on a batch and its gradient in the flat parameter order.
    static func ibpLossAndGradient(_ net: MLP, x: Matrix, labels: [Int], epsilon: Double) -> (loss: Double, gradient: [Double]) {
        let (b, h) = (x.rows, net.layerCount - 1)
        var c = x.map { $0 }, r = Matrix(rows: b, cols: x.cols)
        for i in 0..<x.storage.count {
            let lo = Swift.max(x.storage[i] - epsilon, 0), hi = Swift.min(x.storage[i] + epsilon, 1)
            c.storage[i] = (lo + hi) / 2; r.storage[i] = (hi - lo) / 2
        }
        var cs = [c], rs = [r], lows: [Matrix] = [], ups: [Matrix] = []
        //: begin ibp-forward
        for l in 0..<h {
            let w = net.weights[l], aw = w.map { abs($0) }
            var zc = Matrix(rows: b, cols: w.rows), zr = Matrix(rows: b, cols: w.rows)
            gemm(transB: true, cs[l], w, into: &zc)                      // centers: C Wᵀ + b
            gemm(transB: true, rs[l], aw, into: &zr)                     // radii:   R |W|ᵀ
            var lo = zc, up = zc
            for i in 0..<zc.storage.count {
                let bias = net.biases[l][i % w.rows]
                lo.storage[i] += bias - zr.storage[i]; up.storage[i] += bias + zr.storage[i]
            }
            lows.append(lo); ups.append(up)
            let a0 = lo.map { Swift.max(0, $0) }, a1 = up.map { Swift.max(0, $0) }   // ReLU on both ends
            cs.append((a1 + a0) * 0.5); rs.append((a1 - a0) * 0.5)
        }
        //: end ibp-forward
        let wl = net.weights[h], bl = net.biases[h], k = net.outputSize, n = wl.cols
        var grad = [Double](repeating: 0, count: net.parameterCount)
        var gc = Matrix(rows: b, cols: n), gr = Matrix(rows: b, cols: n)
        var total = 0.0
        let (ow, ob) = net.offsets(layer: h)
        // The worst-case margins and their gradient, sample by sample (raw pointers: the same
        // operations in the same order as element access, without a uniqueness check per access).
        wl.storage.withUnsafeBufferPointer { wp in
            cs[h].storage.withUnsafeBufferPointer { cp in
                rs[h].storage.withUnsafeBufferPointer { rp in
                    gc.storage.withUnsafeMutableBufferPointer { gcp in
                        gr.storage.withUnsafeMutableBufferPointer { grp in
                            grad.withUnsafeMutableBufferPointer { gp in
                                let W = wp.baseAddress!, G = gp.baseAddress!
                                var negLower = [Double](repeating: 0, count: k)   // worst-case logits: 0 for y, −m̲_j else
                                for i in 0..<b {
                                    let y = labels[i], ci = cp.baseAddress! + i * n, ri = rp.baseAddress! + i * n
                                    let gci = gcp.baseAddress! + i * n, gri = grp.baseAddress! + i * n
                                    let wy = W + y * n
                                    for j in 0..<k { negLower[j] = 0 }
                                    for j in 0..<k where j != y {
                                        let wj = W + j * n
                                        var m = bl[y] - bl[j]
                                        for t in 0..<n { let w = wy[t] - wj[t]; m += w * ci[t] - abs(w) * ri[t] }
                                        negLower[j] = -m
                                    }
                                    let mx = negLower.max()!, ex = negLower.map { Foundation.exp($0 - mx) }, s = ex.reduce(0, +)
                                    total += mx + Foundation.log(s)
                                    for j in 0..<k where j != y {
                                        let wj = W + j * n, gy = G + ow + y * n, gj = G + ow + j * n
                                        let g = -(ex[j] / s) / Double(b)                       // ∂loss/∂m̲_j
                                        for t in 0..<n {
                                            let w = wy[t] - wj[t], sg: Double = w > 0 ? 1 : (w < 0 ? -1 : 0)
                                            gci[t] += g * w; gri[t] -= g * abs(w)
                                            let dw = g * (ci[t] - sg * ri[t])
                                            gy[t] += dw; gj[t] -= dw
                                        }
                                        G[ob + y] += g; G[ob + j] -= g
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for l in stride(from: h - 1, through: 0, by: -1) {
            let w = net.weights[l], m = w.rows
            var gzc = Matrix(rows: b, cols: m), gzr = Matrix(rows: b, cols: m)
            for i in 0..<gc.storage.count {
                let gu = ups[l].storage[i] > 0 ? (gc.storage[i] + gr.storage[i]) / 2 : 0      // ∂/∂ upper end
                let gl = lows[l].storage[i] > 0 ? (gc.storage[i] - gr.storage[i]) / 2 : 0     // ∂/∂ lower end
                gzc.storage[i] = gu + gl; gzr.storage[i] = gu - gl
            }
            let (owl, obl) = net.offsets(layer: l)
            let dwc = matmul(gzc, cs[l], transA: true), dwr = matmul(gzr, rs[l], transA: true)
            for t in 0..<dwc.storage.count {
                let sg: Double = w.storage[t] > 0 ? 1 : (w.storage[t] < 0 ? -1 : 0)
                grad[owl + t] += dwc.storage[t] + sg * dwr.storage[t]
            }
            for i in 0..<b { for t in 0..<m { grad[obl + t] += gzc.storage[i * m + t] } }
            if l > 0 { gc = matmul(gzc, w); gr = matmul(gzr, w.map { abs($0) }) }
        }
        return (total / Double(b), grad)
    }

    /// The gradient of the mean cross-entropy in the inputs (for the PGD attack).
    static func inputGradient(_ net: MLP, x: Matrix, labels: [Int]) -> Matrix {
        let pass = net.forwardPass(x)
        var g = Loss.softmaxCrossEntropy(labels: labels).valueAndGradient(pass.output).gradient
        for l in stride(from: net.layerCount - 1, through: 0, by: -1) {
            if net.activations[l] == .relu {
                let z = pass.preActivations[l]
                for i in 0..<g.storage.count where z.storage[i] <= 0 { g.storage[i] = 0 }
            }
            g = matmul(g, net.weights[l])
        }
        return g
    }

    /*: pgd
     **PGD training (Madry et al., 2018)** replaces each training point by the result of `steps`
     signed-gradient ascent steps of size 2.5ε/steps on the cross-entropy, from a uniform random
     start in the clipped box and projected back onto it after each step, and trains on those points.
     */
    static func pgd(_ net: MLP, x: Matrix, labels: [Int], epsilon: Double, steps: Int, rng: inout RandomSource) -> Matrix {
        let lo = x.map { Swift.max($0 - epsilon, 0) }, hi = x.map { Swift.min($0 + epsilon, 1) }
        var adv = x
        for i in 0..<adv.storage.count { adv.storage[i] = rng.uniform(lo.storage[i], hi.storage[i]) }
        let alpha = 2.5 * epsilon / Double(steps)
        for _ in 0..<steps {
            let g = inputGradient(net, x: adv, labels: labels)
            for i in 0..<adv.storage.count {
                let s: Double = g.storage[i] > 0 ? 1 : (g.storage[i] < 0 ? -1 : 0)
                adv.storage[i] = Swift.min(Swift.max(adv.storage[i] + alpha * s, lo.storage[i]), hi.storage[i])
            }
        }
        return adv
    }

    /*: schedule
     **Schedules.** All three methods use Adam (learning rate 10⁻³) on mini-batches. PGD and IBP
     ramp ε linearly from 0 to its final value between the end of the first epoch and the middle of
     training (the usual ramp; the authors' scripts ramp over the first 20 of 70 epochs). IBP uses
     the mixed loss of Gowal et al., κ·CE(clean) + (1 − κ)·CE(IBP worst case), with κ ramped from 1
     to 0.5 along the same schedule; PGD trains on the adversarial points alone.
     */
    static func train(_ method: Method, hidden: [Int], epsilon: Double, config c: IBPTightness.Config,
                      data: DigitsSplit, rng source: RandomSource) throws -> MLP {
        var rng = source
        var net = MLP(sizes: [data.trainX.cols] + hidden + [10], hidden: .relu, initialization: .he, rng: &rng)
        var adam = Adam(learningRate: c.learningRate)
        var theta = net.parameters
        let nTrain = data.trainX.rows, perEpoch = (nTrain + c.batch - 1) / c.batch
        let total = c.epochs * perEpoch, rampStart = perEpoch, rampEnd = total / 2
        var step = 0
        for epoch in 0..<c.epochs {
            let order = rng.permutation(nTrain)
            for s in 0..<perEpoch {
                let idx = Array(order[(s * c.batch)..<Swift.min((s + 1) * c.batch, nTrain)])
                let x = data.trainX.rows(idx), y = idx.map { data.trainLabels[$0] }
                let ramp = Swift.min(1, Swift.max(0, Double(step - rampStart) / Double(Swift.max(rampEnd - rampStart, 1))))
                let eps = epsilon * ramp
                var g: [Double]
                switch method {
                case .standard:
                    g = net.lossAndGradient(x, .softmaxCrossEntropy(labels: y)).gradient
                case .pgd:
                    let adv = eps > 0 ? pgd(net, x: x, labels: y, epsilon: eps, steps: c.pgdSteps, rng: &rng) : x
                    g = net.lossAndGradient(adv, .softmaxCrossEntropy(labels: y)).gradient
                case .ibp:
                    let kappa = 1 - 0.5 * ramp
                    let clean = net.lossAndGradient(x, .softmaxCrossEntropy(labels: y))
                    let robust = ibpLossAndGradient(net, x: x, labels: y, epsilon: eps)
                    g = zip(clean.gradient, robust.gradient).map { kappa * $0 + (1 - kappa) * $1 }
                    if !(clean.loss + robust.loss).isFinite { throw NumericalFailure.nonFinite("IBP loss in epoch \(epoch + 1), \(hidden), ε = \(epsilon)") }
                }
                adam.step(&theta, gradient: g)
                net = net.with(parameters: theta)
                step += 1
            }
        }
        guard theta.allSatisfy({ $0.isFinite }) else { throw NumericalFailure.nonFinite("parameters of the \(method.rawValue) network \(hidden), ε = \(epsilon)") }
        return net
    }
}
