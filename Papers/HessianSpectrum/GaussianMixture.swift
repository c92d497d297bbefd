import Foundation
import Numerics

/// Labelled data from a mixture of isotropic Gaussians, one cluster per class:
///
///     x = μ_c + σ z,   z ~ N(0, I_d),   label c,
///
/// with the k means μ_c placed at distance `separation` from the origin along orthonormal random
/// directions when k ≤ d (so every pair of means is separation·√2 apart), or drawn as
/// N(0, separation²/d · I) when k > d. The ratio σ / separation sets how much the clusters overlap.
struct GaussianMixture: Sendable {
    /// k x d, one mean per row.
    let means: Matrix
    let noise: Double

    var classes: Int { means.rows }
    var dimension: Int { means.cols }

    /// A mixture with the given means and noise level σ.
    init(means: Matrix, noise: Double) {
        precondition(means.rows >= 1 && noise >= 0, "GaussianMixture: need at least one mean and σ ≥ 0")
        self.means = means; self.noise = noise
    }

    /// k clusters in ℝᵈ with random means at distance `separation` from the origin (see the type).
    init(classes k: Int, dimension d: Int, separation: Double, noise: Double, rng: inout RandomSource) {
        precondition(k >= 1 && d >= 1, "GaussianMixture: k and d must be positive")
        let m: Matrix
        if k <= d {
            m = rng.orthonormalColumns(d, k).transposed * separation
        } else {
            m = rng.normalMatrix(k, d, std: separation / Double(d).squareRoot())
        }
        self.init(means: m, noise: noise)
    }

    /// `perClass` samples of every class, class by class (labels 0,0,...,1,1,...): n = k·perClass rows.
    func sample(perClass: Int, rng: inout RandomSource) -> (x: Matrix, labels: [Int]) {
        let (k, d) = (classes, dimension)
        var x = Matrix(rows: k * perClass, cols: d)
        var labels: [Int] = []
        labels.reserveCapacity(k * perClass)
        for c in 0..<k {
            for s in 0..<perClass {
                let i = c * perClass + s
                for j in 0..<d { x.storage[i * d + j] = means[c, j] + noise * rng.normal() }
                labels.append(c)
            }
        }
        return (x, labels)
    }

    /// The Bayes-optimal error rate is hard to state in general; this is the fraction of `x` whose
    /// nearest mean is not the label's (the Bayes rule for equal priors and a shared isotropic σ).
    func nearestMeanError(_ x: Matrix, labels: [Int]) -> Double {
        var wrong = 0
        for i in 0..<x.rows {
            var best = 0, bestD = Double.infinity
            for c in 0..<classes {
                var dd = 0.0
                for j in 0..<dimension { let t = x[i, j] - means[c, j]; dd += t * t }
                if dd < bestD { bestD = dd; best = c }
            }
            if best != labels[i] { wrong += 1 }
        }
        return Double(wrong) / Double(Swift.max(x.rows, 1))
    }
}
