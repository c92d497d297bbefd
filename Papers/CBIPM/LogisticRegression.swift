import Foundation
import Numerics

/// Binary logistic regression P(y = 1 | x) = 1 / (1 + exp(−β₀ − xᵀβ)), fitted by Newton's method
/// (iteratively reweighted least squares) on the penalized log-likelihood
///
///     ℓ(β) = Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] − (ridge/2) ||β||²,
///
/// where the intercept β₀ is never penalized. Each Newton system (XᵀWX + ridge·I) δ = ∇ℓ is solved
/// with the kernel's Cholesky factorization; a step that does not increase ℓ is halved (up to 30
/// times), so the iteration is monotone even far from the optimum. `ridge = 0` is the maximum
/// likelihood fit (R's `glm`); `ridge = 1` with the intercept free is scikit-learn's default
/// `LogisticRegression(C = 1)`. Under complete separation the unpenalized fit has no maximizer and
/// the iteration stops with `LinearAlgebraError.noConvergence` (or a non-positive-definite Hessian).
struct LogisticRegression: Sendable {
    /// Coefficients, the intercept first when `fitIntercept` (then one per column of the features).
    let coefficients: [Double]
    /// Fitted probabilities P(y = 1 | xᵢ) for the training rows.
    let probabilities: [Double]
    /// The penalized log-likelihood at the fit.
    let logLikelihood: Double
    /// Newton iterations used.
    let iterations: Int
    let ridge: Double
    let fitIntercept: Bool

    /// Fits the model to `features` (n x d) and 0/1 `labels`.
    /// Converged when the Newton decrement δᵀ∇ℓ falls below `tolerance` (relative to max(1, |ℓ|)); that
    /// last step is taken.
    init(features x: Matrix, labels y: [Double], ridge: Double = 0, fitIntercept: Bool = true,
                tolerance: Double = 1e-12, maxIterations: Int = 100) throws {
        precondition(y.count == x.rows, "LogisticRegression: \(y.count) labels for \(x.rows) rows")
        precondition(y.allSatisfy { $0 == 0 || $0 == 1 }, "LogisticRegression: labels must be 0 or 1")
        precondition(ridge >= 0, "LogisticRegression: ridge must be non-negative")
        if x.hasNonFinite { throw LinearAlgebraError.nonFiniteInput(routine: "LogisticRegression") }
        let design = fitIntercept ? LogisticRegression.withIntercept(x) : x
        let (n, p) = (design.rows, design.cols)
        let penalized = (0..<p).map { fitIntercept && $0 == 0 ? 0.0 : ridge }

        func objective(_ beta: [Double]) -> Double {
            let eta = gemv(design, beta)
            var ll = 0.0
            for i in 0..<n {   // y η − log(1 + e^η), evaluated without overflow
                ll += y[i] * eta[i] - LogisticRegression.softplus(eta[i])
            }
            for j in 0..<p { ll -= 0.5 * penalized[j] * beta[j] * beta[j] }
            return ll
        }

        var beta = [Double](repeating: 0, count: p)
        var current = objective(beta)
        var iteration = 0
        while true {
            if iteration == maxIterations {
                throw LinearAlgebraError.noConvergence(routine: "LogisticRegression (Newton)", iterations: iteration)
            }
            iteration += 1
            let prob = gemv(design, beta).map(LogisticRegression.sigmoid)
            // Gradient Xᵀ(y − p) − ridge·β and Hessian XᵀWX + ridge·I, W = diag(p(1 − p)).
            var gradient = design.applyTransposed(zip(y, prob).map { $0 - $1 })
            for j in 0..<p { gradient[j] -= penalized[j] * beta[j] }
            var weighted = design
            for i in 0..<n {
                let s = (prob[i] * (1 - prob[i])).squareRoot()
                for j in 0..<p { weighted.storage[i * p + j] *= s }
            }
            var hessian = gram(weighted)
            for j in 0..<p { hessian[j, j] += penalized[j] }
            let step = try CholeskyFactorization(hessian).solve(gradient)
            let decrement = Vector.dot(step, gradient)
            if !(decrement.isFinite) { throw LinearAlgebraError.nonFiniteInput(routine: "LogisticRegression (Newton step)") }
            // A decrement below the tolerance means the Newton step changes ℓ by less than that; the
            // step is still taken (it is then accurate to about the square of its own size).
            let lastStep = decrement < tolerance * Swift.max(1, abs(current))
            var t = 1.0, accepted = false
            for _ in 0..<30 {
                let trial = zip(beta, step).map { $0 + t * $1 }
                let value = objective(trial)
                if value >= current {
                    beta = trial
                    current = value
                    accepted = true
                    break
                }
                t *= 0.5
            }
            if !accepted || lastStep { break }   // converged, or no ascent left at machine precision
        }
        self.coefficients = beta
        self.probabilities = gemv(design, beta).map(LogisticRegression.sigmoid)
        self.logLikelihood = current
        self.iterations = iteration
        self.ridge = ridge
        self.fitIntercept = fitIntercept
    }

    /// P(y = 1 | x) for one feature vector (without the intercept column).
    func probability(_ x: [Double]) -> Double {
        let eta = fitIntercept ? coefficients[0] + Vector.dot(Array(coefficients.dropFirst()), x)
                               : Vector.dot(coefficients, x)
        return LogisticRegression.sigmoid(eta)
    }

    /// 1 / (1 + e^(−z)), accurate for large |z|.
    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + Foundation.exp(-z)) : { let e = Foundation.exp(z); return e / (1 + e) }()
    }

    /// log(1 + e^z) without overflow.
    static func softplus(_ z: Double) -> Double {
        z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))
    }

    /// [1, X]: the design with a leading column of ones.
    static func withIntercept(_ x: Matrix) -> Matrix {
        Matrix(rows: x.rows, cols: x.cols + 1) { i, j in j == 0 ? 1 : x[i, j - 1] }
    }
}
