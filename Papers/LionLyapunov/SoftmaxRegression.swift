import Foundation
import Numerics

/// Multinomial logistic (softmax) regression with the mean cross-entropy loss, unregularized:
///
///     f(W) = (1/n) Σᵢ [ log Σ_c exp(zᵢc) − zᵢ,yᵢ ],   Z = X W,
///     ∇f(W) = (1/n) Xᵀ (P − Y),   P = row-wise softmax(Z), Y = one-hot labels.
///
/// W (p x k, p features including any bias column, k classes) is handled as a flat vector of p·k
/// entries in row-major order, so that any `Optimizer` can train it.
public struct SoftmaxRegression: Sendable {
    /// n x p design matrix.
    public let features: Matrix
    public let labels: [Int]
    public let classes: Int

    public init(features: Matrix, labels: [Int], classes: Int) {
        precondition(features.rows == labels.count, "SoftmaxRegression: one label per row")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "SoftmaxRegression: labels must lie in 0..<classes")
        self.features = features; self.labels = labels; self.classes = classes
    }

    public var sampleCount: Int { features.rows }
    /// p·k.
    public var parameterCount: Int { features.cols * classes }

    /// The logits Z = X W (n x k).
    public func logits(_ w: [Double]) -> Matrix {
        precondition(w.count == parameterCount, "SoftmaxRegression: expected \(parameterCount) parameters, got \(w.count)")
        return matmul(features, Matrix(rows: features.cols, cols: classes, elements: w))
    }

    /// f(W).
    public func loss(_ w: [Double]) -> Double { lossAndGradient(w, wantGradient: false).loss }

    /// f(W) and ∇f(W) (flattened like W).
    public func lossAndGradient(_ w: [Double]) -> (loss: Double, gradient: [Double]) {
        let r = lossAndGradient(w, wantGradient: true)
        return (r.loss, r.gradient)
    }

    func lossAndGradient(_ w: [Double], wantGradient: Bool) -> (loss: Double, gradient: [Double]) {
        var z = logits(w)
        let (n, k) = (sampleCount, classes)
        var total = 0.0
        z.storage.withUnsafeMutableBufferPointer { zp in
            // Each row shifted by its largest logit, then every exponential in one call (eight at a
            // time), then each row's sum in column order.
            var rowMax = [Double](repeating: 0, count: n), labelLogit = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let row = i * k
                var mx = -Double.infinity
                for c in 0..<k { mx = Swift.max(mx, zp[row + c]) }
                rowMax[i] = mx
                labelLogit[i] = zp[row + labels[i]]
                for c in 0..<k { zp[row + c] = zp[row + c] - mx }
            }
            if let base = zp.baseAddress { Exponential.exp(UnsafePointer(base), times: 1, base, n * k) }
            for i in 0..<n {
                let row = i * k
                let (mx, y, zy) = (rowMax[i], labels[i], labelLogit[i])
                var s = 0.0
                for c in 0..<k { s += zp[row + c] }
                total += mx + Foundation.log(s) - zy                // log Σ exp(z) − z_y, stably
                if wantGradient {
                    let inv = 1 / s
                    for c in 0..<k { zp[row + c] *= inv }          // P
                    zp[row + y] -= 1                               // P − Y
                }
            }
        }
        let loss = total / Double(n)
        guard wantGradient else { return (loss, []) }
        let g = matmul(features, z, transA: true)                  // Xᵀ (P − Y), p x k
        return (loss, g.storage.map { $0 / Double(n) })
    }

    /// The fraction of rows whose largest logit is the label's.
    public func accuracy(_ w: [Double]) -> Double {
        let z = logits(w)
        var right = 0
        for i in 0..<sampleCount {
            var best = 0
            for c in 1..<classes where z[i, c] > z[i, best] { best = c }
            if best == labels[i] { right += 1 }
        }
        return Double(right) / Double(sampleCount)
    }

    /// The Hessian ∇²f(W), (p·k) x (p·k) in the flattened order of W:
    ///
    ///     ∂²f / ∂W_jc ∂W_j'c' = (1/n) Σᵢ xᵢⱼ xᵢⱼ' pᵢc (δ_cc' − pᵢc').
    ///
    /// It is singular: adding one vector to every class's weights leaves the softmax unchanged.
    public func hessian(_ w: [Double]) -> Matrix {
        let z = logits(w)
        let (n, p, k) = (sampleCount, features.cols, classes)
        var prob = z
        for i in 0..<n {
            var mx = -Double.infinity
            for c in 0..<k { mx = Swift.max(mx, z[i, c]) }
            var s = 0.0
            for c in 0..<k { let e = Foundation.exp(z[i, c] - mx); prob[i, c] = e; s += e }
            for c in 0..<k { prob[i, c] /= s }
        }
        var h = Matrix(rows: p * k, cols: p * k)
        var weighted = Matrix(rows: n, cols: p)
        for c in 0..<k {
            for c2 in c..<k {
                for i in 0..<n {
                    let wi = prob[i, c] * ((c == c2 ? 1 : 0) - prob[i, c2]) / Double(n)
                    for j in 0..<p { weighted[i, j] = wi * features[i, j] }
                }
                let block = matmul(features, weighted, transA: true)      // Xᵀ diag(w) X, p x p
                for j in 0..<p {
                    for j2 in 0..<p {
                        h[j * k + c, j2 * k + c2] = block[j, j2]
                        h[j2 * k + c2, j * k + c] = block[j, j2]
                    }
                }
            }
        }
        return h
    }

    /// An upper bound on the Lipschitz constant of ∇f: λ_max(XᵀX) / (2n), since the Hessian of the
    /// softmax cross-entropy in the logits, diag(p) − ppᵀ, has norm at most ½.
    public func smoothnessBound() throws -> Double {
        let values = try symmetricEigenvalues(gram(features))
        return (values.max() ?? 0) / (2 * Double(sampleCount))
    }
}
