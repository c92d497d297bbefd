import Foundation
import Numerics
import Learning
import Notebook

extension Lipschitz {
    // MARK: - Lower bounds: sampling and smoothed gradient ascent

    /// Gradients of logit j at every row of X (N x d). With `beta` the ReLU is replaced by the
    /// softplus of temperature 1/β (σ' = sigmoid(β z)); without it, the ReLU gradient (σ'(0) = 0).
    static func gradients(_ net: MLP, _ x: Matrix, classIndex j: Int, beta: Double? = nil) -> Matrix {
        let hidden = net.layerCount - 1
        var a = x
        var masks: [Matrix] = []
        for l in 0..<hidden {
            var z = matmul(a, net.weights[l], transB: true)
            let n = z.cols
            for r in 0..<z.rows { for c in 0..<n { z.storage[r * n + c] += net.biases[l][c] } }
            if let b = beta {
                masks.append(z.map { 1 / (1 + Foundation.exp(-b * $0)) })
                a = z.map { t in let s = b * t; return (s > 30 ? s : Foundation.log1p(Foundation.exp(s))) / b }
            } else {
                masks.append(z.map { $0 > 0 ? 1 : 0 })
                a = z.map { Swift.max(0, $0) }
            }
        }
        let top = net.weights[hidden].row(j)
        var g = Matrix(rows: x.rows, cols: top.count)
        for r in 0..<x.rows { for c in 0..<top.count { g.storage[r * top.count + c] = top[c] } }
        for k in stride(from: hidden, through: 1, by: -1) {
            g = matmul(g.hadamard(masks[k - 1]), net.weights[k - 1])
        }
        return g
    }

    static func rowL1(_ g: Matrix) -> [Double] { (0..<g.rows).map { g.row($0).reduce(0) { $0 + abs($1) } } }

    /*: lower
     **Lower bound.** Any gradient at a point of B where f is differentiable is in the Clarke Jacobian,
     so its ℓ1 norm is a lower bound on L. We take the largest over N random points (half uniform in
     B, half random vertices of B), then climb from the best ones: the ReLU gradient norm is piecewise
     constant (its own gradient is zero almost everywhere), so we ascend the gradient norm of the
     softplus-smoothed network, ∇ₓ||∇f_β(x)||₁ = ∇²f_β(x) sign(∇f_β(x)) (the Hessian-vector product by a
     central difference of gradients), by projected sign steps, and record the true ReLU gradient norm
     at every iterate.
     */
    static func lowerBound(_ net: MLP, box: InputBox, samples: Int, restarts: Int, steps: Int, beta: Double,
                           rng: inout RandomSource) -> Double {
        let d = net.inputSize
        let classes = net.outputSize
        var x = Matrix(rows: samples, cols: d)
        for r in 0..<samples {
            for c in 0..<d {
                let t = r % 2 == 0 ? rng.uniform() : (rng.uniform() < 0.5 ? 0 : 1)
                x.storage[r * d + c] = box.lower[c] + t * (box.upper[c] - box.lower[c])
            }
        }
        var best = 0.0
        let eps = box.radius.max() ?? 0
        for j in 0..<classes {
            let norms = rowL1(gradients(net, x, classIndex: j))
            best = Swift.max(best, norms.max() ?? 0)
            guard steps > 0, eps > 0 else { continue }
            let order = (0..<samples).sorted { norms[$0] > norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
            var pts = Matrix(rows: Swift.min(restarts, samples), cols: d)
            for (r, idx) in order.prefix(pts.rows).enumerated() { pts.setRow(r, x.row(idx)) }
            //: begin ascent
            let h = 1e-3 * eps
            for t in 0..<steps {
                let eta = eps * (0.25 * (1 - Double(t) / Double(steps)) + 0.01)
                let sgn = gradients(net, pts, classIndex: j, beta: beta).map { $0 >= 0 ? 1 : -1 }
                let plus = gradients(net, pts + h * sgn, classIndex: j, beta: beta)
                let minus = gradients(net, pts - h * sgn, classIndex: j, beta: beta)
                let hv = plus - minus                                       // ∝ ∇²f_β · sign(∇f_β)
                for r in 0..<pts.rows {
                    for c in 0..<d {
                        let step = hv.storage[r * d + c] > 0 ? eta : (hv.storage[r * d + c] < 0 ? -eta : 0)
                        pts.storage[r * d + c] = Swift.min(box.upper[c], Swift.max(box.lower[c], pts.storage[r * d + c] + step))
                    }
                }
                best = Swift.max(best, rowL1(gradients(net, pts, classIndex: j)).max() ?? 0)
            }
            //: end ascent
        }
        return best
    }
}
