import Foundation
import Numerics

/// The Gaussian (RBF) kernel k(x, y) = exp(−||x − y||² / (2 h²)) with bandwidth h, its kernel
/// matrices, and the maximum mean discrepancy between two weighted samples.
struct GaussianKernel: Sendable {
    /// The bandwidth h > 0.
    let bandwidth: Double

    init(bandwidth: Double) {
        precondition(bandwidth > 0 && bandwidth.isFinite, "GaussianKernel: bandwidth must be positive and finite")
        self.bandwidth = bandwidth
    }

    /// k(x, y).
    func callAsFunction(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "GaussianKernel: points of different dimension")
        var s = 0.0
        for j in 0..<x.count { s += (x[j] - y[j]) * (x[j] - y[j]) }
        return Foundation.exp(-s / (2 * bandwidth * bandwidth))
    }

    /// The kernel matrix K[i, j] = k(aᵢ, bⱼ) between the rows of `a` (m x d) and `b` (n x d).
    func matrix(_ a: Matrix, _ b: Matrix) -> Matrix {
        let d2 = GaussianKernel.squaredDistances(a, b)
        let scale = -1 / (2 * bandwidth * bandwidth)
        return Matrix(rows: d2.rows, cols: d2.cols, elements: Exponential.exp(d2.storage, times: scale))
    }

    /// The Gram matrix K[i, j] = k(aᵢ, aⱼ) (exactly symmetric, ones on the diagonal).
    func matrix(_ a: Matrix) -> Matrix {
        var k = matrix(a, a)
        for i in 0..<a.rows {
            k[i, i] = 1
            for j in 0..<i { k[j, i] = k[i, j] }
        }
        return k
    }

    /// Squared Euclidean distances between the rows of `a` and `b`, computed directly (no
    /// cancellation from the ||a||² + ||b||² − 2aᵀb expansion).
    static func squaredDistances(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.cols == b.cols, "squaredDistances: \(a.cols) and \(b.cols) columns")
        let d = a.cols
        var out = Matrix(rows: a.rows, cols: b.rows)
        for i in 0..<a.rows {
            for j in 0..<b.rows {
                var s = 0.0
                for c in 0..<d {
                    let t = a.storage[i * d + c] - b.storage[j * d + c]
                    s += t * t
                }
                out.storage[i * b.rows + j] = s
            }
        }
        return out
    }

    /// The squared maximum mean discrepancy between the weighted empirical measures
    /// P = Σᵢ pᵢ δ(xᵢ) and Q = Σⱼ qⱼ δ(yⱼ):
    ///
    ///     MMD²(P, Q) = pᵀKₓₓp − 2 pᵀKₓᵧq + qᵀKᵧᵧq  (a V-statistic; ≥ 0 up to rounding).
    func mmdSquared(_ x: Matrix, weights p: [Double], _ y: Matrix, weights q: [Double]) -> Double {
        precondition(p.count == x.rows && q.count == y.rows, "mmdSquared: one weight per point")
        let kxx = matrix(x), kxy = matrix(x, y), kyy = matrix(y)
        return Vector.dot(p, gemv(kxx, p)) - 2 * Vector.dot(p, gemv(kxy, q)) + Vector.dot(q, gemv(kyy, q))
    }
}

/// The squared distances within and between the control rows (source) and treated rows (target),
/// computed once per data set and shared by every bandwidth.
struct PairwiseDistances: Sendable {
    let sourceSource: Matrix, sourceTarget: Matrix, targetTarget: Matrix

    init(source: Matrix, target: Matrix) {
        sourceSource = GaussianKernel.squaredDistances(source, source)
        sourceTarget = GaussianKernel.squaredDistances(source, target)
        targetTarget = GaussianKernel.squaredDistances(target, target)
    }
}

/// The weighted MMD² between a reweighted sample (rows of `source`, weights w on the simplex)
/// and a fixed target sample with uniform weights, as the quadratic
///
///     f(w) = wᵀ Q w − 2 bᵀ w + c,   Q = K(source, source), b = K(source, target)·1/m,
///                                   c = 1ᵀK(target, target)1 / m²,
///
/// which is convex in w (Q is positive semi-definite). This is the objective of kernel balancing
/// weights; `SimplexQuadratic` minimizes it.
struct WeightedMMD: Sendable {
    let quadratic: Matrix
    let linear: [Double]
    let constant: Double

    init(kernel: GaussianKernel, source: Matrix, target: Matrix) {
        self.init(kernel: kernel, distances: PairwiseDistances(source: source, target: target))
    }

    init(kernel: GaussianKernel, distances: PairwiseDistances) {
        let scale = -1 / (2 * kernel.bandwidth * kernel.bandwidth)
        // Every entry is exp(scale · d²) (Exponential: eight at a time, the C library's bits); the
        // sums run in index order.
        let source = distances.sourceSource
        quadratic = Matrix(rows: source.rows, cols: source.cols, elements: Exponential.exp(source.storage, times: scale))
        let cross = distances.sourceTarget
        let m = cross.cols
        let crossKernel = Exponential.exp(cross.storage, times: scale)
        linear = (0..<cross.rows).map { i in
            var s = 0.0
            for j in 0..<m { s += crossKernel[i * m + j] }
            return s / Double(m)
        }
        constant = Exponential.exp(distances.targetTarget.storage, times: scale).reduce(0, +) / Double(m * m)
    }

    /// f(w) = MMD²(Σ wᵢ δ(sourceᵢ), uniform on target).
    func value(_ w: [Double]) -> Double {
        Vector.dot(w, Simplex.symmetricProduct(quadratic, w)) - 2 * Vector.dot(linear, w) + constant
    }

    /// The MMD itself, √max(f(w), 0).
    func distance(_ w: [Double]) -> Double { Swift.max(value(w), 0).squareRoot() }

    /// The problem as a `SimplexQuadratic` (f minus its constant).
    var problem: SimplexQuadratic { SimplexQuadratic(quadratic: quadratic, linear: linear) }
}
