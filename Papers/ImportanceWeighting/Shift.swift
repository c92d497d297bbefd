import Foundation
import Numerics
import Notebook

/// Gaussian covariate shift: density ratios, their second moments in closed form, and (weighted)
/// least squares. The source is always N(0, I).
enum Shift {
    /// ln w(x) for target N(0, diag(λ)) over source N(0, I): −½ Σ ln λᵢ − ½ Σ xᵢ²(1/λᵢ − 1).
    /// The normalizing constant is kept, so E_S[w] = 1 exactly.
    static func logRatio(_ x: UnsafePointer<Double>, variances: [Double]) -> Double {
        var s = 0.0
        for i in 0..<variances.count { s += -0.5 * Foundation.log(variances[i]) - 0.5 * x[i] * x[i] * (1 / variances[i] - 1) }
        return s
    }

    /// ln w(x) for target N(μ, s²) over source N(0, 1) in one dimension.
    static func logRatio1D(_ x: Double, mean mu: Double, std s: Double) -> Double {
        -Foundation.log(s) - 0.5 * (x - mu) * (x - mu) / (s * s) + 0.5 * x * x
    }

    /// E_S[w²] = ∫ p_T²/p_S for target N(0, diag(λ)): Π 1/√(λᵢ(2 − λᵢ)); infinite once some λᵢ ≥ 2.
    static func secondMoment(variances: [Double]) -> Double {
        var m = 1.0
        for l in variances {
            guard l < 2 else { return .infinity }
            m /= (l * (2 - l)).squareRoot()
        }
        return m
    }

    /// E_S[w²] for target N(μ, s²) over N(0, 1): exp(μ²/(2 − s²)) / (s √(2 − s²)); infinite once s² ≥ 2.
    static func secondMoment1D(mean mu: Double, std s: Double) -> Double {
        let v = s * s
        guard v < 2 else { return .infinity }
        return Foundation.exp(mu * mu / (2 - v)) / (s * (2 - v).squareRoot())
    }

    /// β̂ = (Σ wᵢ φᵢφᵢᵀ)⁻¹ Σ wᵢ φᵢ yᵢ for row-major features φ (n × d); `weights == nil` is OLS.
    static func leastSquares(_ phi: [Double], _ y: [Double], weights: [Double]?, d: Int) throws -> [Double] {
        let n = y.count
        var gram = [Double](repeating: 0, count: d * d), rhs = [Double](repeating: 0, count: d)
        phi.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let w = weights?[i] ?? 1
                let row = p.baseAddress! + i * d
                for a in 0..<d {
                    let wa = w * row[a]
                    rhs[a] += wa * y[i]
                    for b in a..<d { gram[a * d + b] += wa * row[b] }
                }
            }
        }
        for a in 0..<d { for b in 0..<a { gram[a * d + b] = gram[b * d + a] } }
        do {
            return try CholeskyFactorization(Matrix(rows: d, cols: d, elements: gram)).solve(rhs)
        } catch {
            throw NumericalFailure.failed("the \(weights == nil ? "OLS" : "weighted") normal equations at n = \(n) are singular: \(error)")
        }
    }

    /// Draws `reps` independent data sets in `chunks` fixed chunks (one generator each, seeded from
    /// `rng` in chunk order), so the result does not depend on the thread count.
    static func monteCarlo<T>(reps: Int, chunks: Int, rng: inout RandomSource,
                              _ body: @escaping (inout RandomSource) throws -> T) throws -> [T] {
        let seeds = (0..<chunks).map { _ in rng.next() }
        let perChunk = (0..<chunks).map { c in reps / chunks + (c < reps % chunks ? 1 : 0) }
        let parts = try Threads.map(chunks) { c -> [T] in
            var r = RandomSource(seed: seeds[c])
            return try (0..<perChunk[c]).map { _ in try body(&r) }
        }
        return parts.flatMap { $0 }
    }
}

/// A Monte Carlo mean with its standard error.
struct Estimate {
    var mean: Double, se: Double
    init(_ xs: [Double]) { mean = Stats.mean(xs); se = Stats.standardError(xs) }
    init(mean: Double, se: Double) { self.mean = mean; self.se = se }
    var text: String { Fmt.estimate(mean, se, digits: nil) }
}
