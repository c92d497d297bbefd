import Foundation
import Numerics

// Linear regression with Gaussian design: a data generator with a prescribed covariance spectrum,
// ridge / least-squares solvers built on the kernel's Cholesky factorization, and the
// deterministic equivalents of ridge regression (bias, variance, effective regularization) that
// high-dimensional analyses of linear models use.

/// Rows x ~ N(0, Σ) with Σ = U diag(spectrum) Uᵀ; U is the identity unless a basis is given.
public struct GaussianDesign: Sendable {
    /// The eigenvalues of Σ (non-negative), in the order of the basis vectors.
    public let spectrum: [Double]
    /// Orthonormal eigenvectors of Σ as the columns of a d x d matrix; nil means the coordinate axes.
    public let basis: Matrix?
    private let roots: [Double]

    /// A design with covariance U diag(spectrum) Uᵀ.
    public init(spectrum: [Double], basis: Matrix? = nil) {
        precondition(spectrum.allSatisfy { $0 >= 0 && $0.isFinite }, "GaussianDesign: the spectrum must be finite and non-negative")
        if let u = basis { precondition(u.rows == spectrum.count && u.cols == spectrum.count, "GaussianDesign: basis must be d x d") }
        self.spectrum = spectrum
        self.basis = basis
        self.roots = spectrum.map { $0.squareRoot() }
    }

    /// Σ = I_d.
    public static func isotropic(_ d: Int) -> GaussianDesign { GaussianDesign(spectrum: Array(repeating: 1, count: d)) }

    /// The power law λ_j = scale · j^(−β), j = 1…d (a "capacity condition" with exponent β).
    public static func powerLaw(dimension d: Int, exponent beta: Double, scale: Double = 1) -> GaussianDesign {
        GaussianDesign(spectrum: (1...max(d, 1)).prefix(d).map { scale * Foundation.pow(Double($0), -beta) })
    }

    /// The dimension d.
    public var dimension: Int { spectrum.count }

    /// A `rows` x d matrix whose rows are iid N(0, Σ), drawn row by row from `rng`.
    public func sample(_ rows: Int, rng: inout RandomSource) -> Matrix {
        let d = dimension
        var z = rng.normalMatrix(rows, d)                     // the draws in the same order as one by one
        for i in 0..<rows {
            for j in 0..<d { z.storage[i * d + j] = roots[j] * z.storage[i * d + j] }
        }
        guard let u = basis else { return z }
        return matmul(z, u, transB: true)   // rows zᵢ diag(√λ) Uᵀ
    }

    /// Labels y = X w + ε with ε ~ N(0, noise² I).
    public func labels(_ x: Matrix, _ w: [Double], noise: Double, rng: inout RandomSource) -> [Double] {
        var y = gemv(x, w)
        if noise != 0 {
            let e = rng.normalVector(y.count)
            for i in 0..<y.count { y[i] += noise * e[i] }
        }
        return y
    }

    /// The coordinates Uᵀv of v in the eigenbasis.
    public func coordinates(_ v: [Double]) -> [Double] {
        guard let u = basis else { return v }
        return gemv(u, v, transposed: true)
    }

    /// ||v||²_Σ = vᵀ Σ v.
    public func normSquared(_ v: [Double]) -> Double {
        let c = coordinates(v)
        var s = 0.0
        for j in 0..<c.count { s += spectrum[j] * c[j] * c[j] }
        return s
    }

    /// The excess risk (test error) of a linear predictor: E_x[(xᵀw − xᵀw*)²] = ||w − w*||²_Σ.
    public func excessRisk(_ w: [Double], _ wStar: [Double]) -> Double {
        normSquared(Vector.subtract(w, wStar))
    }
}

/// Ridge regression ŵ = (XᵀX/T + λ I)⁻¹ Xᵀy / T on a T x d design, factored once so that many label
/// vectors can be fitted with the same design.
///
/// With λ = 0 this is least squares when T ≥ d, and the minimum-norm interpolator Xᵀ(XXᵀ)⁻¹y when
/// T < d. The normal equations are solved with the kernel's Cholesky factorization, on the d x d
/// Gram matrix when T ≥ d and on the T x T kernel matrix XXᵀ otherwise (the same estimator:
/// (XᵀX/T + λ)⁻¹Xᵀ = Xᵀ(XXᵀ/T + λ)⁻¹). A singular problem (λ = 0 and a rank-deficient X) throws
/// the kernel's `LinearAlgebraError.notPositiveDefinite`.
public struct RidgeRegression: Sendable {
    /// The regularization λ (in the normalization XᵀX/T + λ I).
    public let lambda: Double
    /// The design.
    public let design: Matrix
    /// True when the d x d normal equations are used (T ≥ d), false for the T x T dual system.
    public let primal: Bool
    private let factor: CholeskyFactorization

    /// Factors the normal equations of ridge regression with penalty `lambda` on design `x`.
    public init(design x: Matrix, lambda: Double) throws {
        precondition(lambda >= 0, "RidgeRegression: λ must be non-negative")
        let t = Double(x.rows)
        self.lambda = lambda
        self.design = x
        self.primal = x.rows >= x.cols
        var a = primal ? gram(x) : matmul(x, x, transB: true)   // XᵀX or XXᵀ
        if !(1 / t).isFinite { throw LinearAlgebraError.dimensionMismatch("ridge regression needs at least one sample") }
        for i in 0..<a.storage.count { a.storage[i] /= t }
        for i in 0..<a.rows { a[i, i] += lambda }
        factor = try CholeskyFactorization(a)
    }

    /// ŵ for one label vector y (length T).
    public func fit(_ y: [Double]) -> [Double] {
        precondition(y.count == design.rows, "RidgeRegression.fit: \(y.count) labels for \(design.rows) samples")
        let t = Double(design.rows)
        if primal {
            return factor.solve(gemv(design, y, transposed: true).map { $0 / t })
        }
        let alpha = factor.solve(y)
        return gemv(design, alpha, transposed: true).map { $0 / t }
    }

    /// ŵ for every column of Y (T x k): the columns of the returned d x k matrix.
    public func fit(_ y: Matrix) -> Matrix {
        precondition(y.rows == design.rows, "RidgeRegression.fit: \(y.rows) label rows for \(design.rows) samples")
        let t = Double(design.rows)
        if primal {
            var rhs = matmul(design, y, transA: true)
            for i in 0..<rhs.storage.count { rhs.storage[i] /= t }
            return factor.solve(rhs)
        }
        var w = matmul(design, factor.solve(y), transA: true)
        for i in 0..<w.storage.count { w.storage[i] /= t }
        return w
    }
}

/// Deterministic equivalents of ridge regression on T samples x ~ N(0, Σ), y = xᵀw* + N(0, σ²), in
/// the proportionate high-dimensional limit (d, T → ∞ with d/T fixed): the random matrix
/// λ(Σ̂ + λ)⁻¹, Σ̂ = XᵀX/T, behaves like κ(Σ + κ)⁻¹, where the effective regularization κ ≥ λ is
/// the unique positive solution of
///
///     κ − λ = κ · df₁(κ) / T,   df₁(κ) = tr Σ(Σ + κ)⁻¹,   df₂(κ) = tr Σ²(Σ + κ)⁻².
///
/// Then (Hastie et al. 2022; Bach 2024, "High-dimensional analysis of double descent for linear
/// regression with random projections"):
///
///     bias     ≃ κ² w*ᵀ Σ (Σ + κ)⁻² w* / (1 − df₂/T),
///     variance ≃ σ² df₂ / (T − df₂).
///
/// With λ = 0 and T > d, κ = 0 and the variance is σ² d/(T − d), against the exact finite-sample
/// σ² d/(T − d − 1) for Gaussian design.
public struct RidgeEquivalent: Sendable {
    public let spectrum: [Double]
    public let samples: Int
    public let lambda: Double
    /// The effective regularization κ.
    public let kappa: Double
    /// df₁(κ) = Σ λⱼ/(λⱼ + κ).
    public let df1: Double
    /// df₂(κ) = Σ λⱼ²/(λⱼ + κ)².
    public let df2: Double

    /// Solves the fixed-point equation for κ (geometric bisection; throws if the problem is
    /// degenerate: λ = 0 with T = d, or a non-finite input).
    public init(spectrum: [Double], samples t: Int, lambda: Double) throws {
        guard lambda >= 0, lambda.isFinite, t > 0, spectrum.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw LinearAlgebraError.nonFiniteInput(routine: "RidgeEquivalent (λ = \(lambda), T = \(t))")
        }
        self.spectrum = spectrum
        self.samples = t
        self.lambda = lambda
        let T = Double(t), d = spectrum.count
        func df1(_ k: Double) -> Double { spectrum.reduce(0) { $0 + $1 / ($1 + k) } }
        func g(_ k: Double) -> Double { k - lambda - k * df1(k) / T }
        var k: Double
        if lambda == 0 && d < t {
            k = 0
        } else if lambda == 0 && d == t {
            throw LinearAlgebraError.singular(pivot: d - 1)
        } else {
            let trace = spectrum.reduce(0, +)
            var lo = lambda > 0 ? lambda : trace * 1e-300
            var hi = lambda + trace / T + Double.leastNormalMagnitude
            if lambda == 0 { while g(lo) >= 0 && lo > 1e-300 { lo *= 1e-3 } }
            // g(lo) < 0 ≤ g(hi); bisect in log scale to full double precision.
            for _ in 0..<200 {
                let mid = lo > 0 ? (lo * hi).squareRoot() : 0.5 * (lo + hi)
                if g(mid) >= 0 { hi = mid } else { lo = mid }
                if hi - lo <= 1e-15 * hi { break }
            }
            k = 0.5 * (lo + hi)
        }
        self.kappa = k
        self.df1 = spectrum.reduce(0) { $0 + $1 / ($1 + k) }
        self.df2 = spectrum.reduce(0) { $0 + ($1 / ($1 + k)) * ($1 / ($1 + k)) }
    }

    /// The bias κ² Σⱼ λⱼ cⱼ²/(λⱼ + κ)² / (1 − df₂/T) for a target with squared coordinates cⱼ² in the
    /// eigenbasis of Σ.
    public func bias(coefficientsSquared c2: [Double]) -> Double {
        precondition(c2.count == spectrum.count)
        if kappa == 0 { return 0 }
        var s = 0.0
        for j in 0..<spectrum.count {
            let r = kappa / (spectrum[j] + kappa)
            s += spectrum[j] * c2[j] * r * r
        }
        return s / (1 - df2 / Double(samples))
    }

    /// The variance σ² df₂/(T − df₂).
    public func variance(noise: Double) -> Double { noise * noise * df2 / (Double(samples) - df2) }

    /// bias + variance.
    public func testError(coefficientsSquared c2: [Double], noise: Double) -> Double {
        bias(coefficientsSquared: c2) + variance(noise: noise)
    }

    /// E tr(Σ⁻¹ Σ̂R Σ RΣ̂), R = (Σ̂ + λ)⁻¹: the error ||RΣ̂ δ||²_Σ that ridge passes on from a
    /// perturbation δ of the target with covariance Σ⁻¹. Writing Σ̂R = I − λR and using the first- and
    /// second-order equivalents above, it is df₂ + κ² tr(Σ + κ)⁻² · (df₂/T)/(1 − df₂/T); d when λ = 0
    /// and T > d.
    public var perturbationGain: Double {
        if kappa == 0 { return df2 }
        let t = Double(samples)
        let trR2 = spectrum.reduce(0) { $0 + 1 / (($1 + kappa) * ($1 + kappa)) }
        return df2 + kappa * kappa * trR2 * (df2 / t) / (1 - df2 / t)
    }
}
