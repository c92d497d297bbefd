import Foundation
import Numerics

/// Bertsekas' projected Newton method (SIAM J. Control Optim. 20, 1982) for a box-constrained smooth
/// problem min f(x) s.t. −r ≤ xᵢ ≤ r (r = ∞ gives a damped Newton method for smooth problems), used to compute reference solutions to high accuracy.
///
/// At each iterate, with g = ∇f(x) and the residual ρ = ||x − Π(x − g)||_∞:
///
///     A = { i : xᵢ ≤ −r + δ and gᵢ > 0,  or  xᵢ ≥ r − δ and gᵢ < 0 },   δ = min(δ₀, ρ)   (bound-active)
///     F = the rest (free)
///     (∇²f_FF + μI) d_F = −g_F,   d_A = −g_A / max(diag ∇²f_AA, tiny),   μ = μ₀ + ρ   (damped Newton)
///     x ← Π(x + α d),  α = 1, ½, ¼, … until the Armijo condition along the projection arc holds:
///     f(x) − f(x(α)) ≥ σ ( α Σ_F −gᵢdᵢ + Σ_A gᵢ (xᵢ − xᵢ(α)) ).
///
/// Stops when the projected-gradient residual ||x − Π(x − g)||_∞ ≤ `tolerance`.
public enum ProjectedNewton {
    public struct Result: Sendable {
        public var x: [Double]
        public var iterations: Int
        /// ||x − Π(x − ∇f(x))||_∞ at the returned point.
        public var residual: Double
        public var converged: Bool
    }

    public static func minimizeInBox(from x0: [Double], radius r: Double, maxIterations: Int, tolerance: Double,
                                     damping mu0: Double = 1e-10,
                                     objective: ([Double]) -> (value: Double, gradient: [Double]),
                                     hessian: ([Double]) -> Matrix) throws -> Result {
        let n = x0.count
        func project(_ v: [Double]) -> [Double] { v.map { Swift.min(r, Swift.max(-r, $0)) } }
        var x = project(x0)
        var (f, g) = objective(x)
        func residual(_ x: [Double], _ g: [Double]) -> Double {
            var worst = 0.0
            for i in 0..<n { worst = Swift.max(worst, abs(x[i] - Swift.min(r, Swift.max(-r, x[i] - g[i])))) }
            return worst
        }
        var rho = residual(x, g)
        for k in 0..<maxIterations {
            if rho <= tolerance { return Result(x: x, iterations: k, residual: rho, converged: true) }
            let delta = Swift.min(1e-3 * r, rho)
            let active = (0..<n).map { i in (x[i] <= -r + delta && g[i] > 0) || (x[i] >= r - delta && g[i] < 0) }
            let free = (0..<n).filter { !active[$0] }
            let h = hessian(x)
            var d = [Double](repeating: 0, count: n)
            for i in 0..<n where active[i] { d[i] = -g[i] / Swift.max(h[i, i], 1e-12) }
            if !free.isEmpty {
                let m = free.count
                var hf = Matrix(rows: m, cols: m)
                var trace = 0.0
                for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { hf[a, b] = h[i, j] }; trace += h[i, i] }
                let mu = Swift.max(trace / Double(m), 1e-300) * (mu0 + Swift.min(rho, 1e-2))
                for a in 0..<m { hf[a, a] += mu }
                let sol = try CholeskyFactorization(hf).solve(free.map { -g[$0] })
                for (a, i) in free.enumerated() { d[i] = sol[a] }
            }
            var alpha = 1.0, accepted = false
            for _ in 0..<60 {
                let trial = project((0..<n).map { x[$0] + alpha * d[$0] })
                var predicted = 0.0
                for i in 0..<n { predicted += active[i] ? g[i] * (x[i] - trial[i]) : -alpha * g[i] * d[i] }
                let (ft, gt) = objective(trial)
                if ft.isFinite && f - ft >= 1e-4 * predicted {
                    x = trial; f = ft; g = gt; accepted = true
                    break
                }
                alpha /= 2
            }
            if !accepted {      // no decrease measurable at machine precision: as converged as it gets
                return Result(x: x, iterations: k + 1, residual: rho, converged: rho <= tolerance)
            }
            rho = residual(x, g)
        }
        return Result(x: x, iterations: maxIterations, residual: rho, converged: rho <= tolerance)
    }
}
