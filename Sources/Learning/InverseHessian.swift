import Foundation
import Numerics

/// Matrix-free solvers for H x = v given only the product v ↦ H v: conjugate gradient for a
/// symmetric positive definite H, and LiSSA (Agarwal, Bullins and Hazan 2017), the truncated Neumann
/// series that Koh and Liang (2017) use for inverse-Hessian-vector products.
public enum InverseHessian {
    /// Why conjugate gradient could not proceed.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// pᵀ H p was not positive (or not finite) at this iteration: H is not positive definite.
        case notPositiveDefinite(curvature: Double, iteration: Int)
        public var description: String {
            switch self {
            case let .notPositiveDefinite(c, k):
                return "conjugate gradient: pᵀHp = \(c) at iteration \(k); H is not positive definite"
            }
        }
    }

    /// The outcome of an iterative solve: the solution estimate and the residual after each iteration.
    public struct Solution: Sendable {
        /// The estimate of H⁻¹ v.
        public var x: [Double]
        /// ‖v − H x_k‖ / ‖v‖ after iteration k (entry 0 = the start, x₀ = 0). Empty for LiSSA, whose
        /// iterations use sampled products and have no exact residual.
        public var relativeResiduals: [Double]
        /// Products H v evaluated.
        public var products: Int
        /// Whether the stopping tolerance was met (CG) or the recursion stayed finite (LiSSA).
        public var converged: Bool
    }

    /// Conjugate gradient (Hestenes and Stiefel) for H x = v from x₀ = 0, with H symmetric positive
    /// definite and given by `hvp`. Stops when ‖v − H x_k‖ ≤ `tolerance` · ‖v‖ or after
    /// `maxIterations`; the residual is updated by the recurrence r ← r − α H p (one product per
    /// iteration). `observe(k, x_k)` is called after each iteration (k ≥ 1), e.g. to record the error
    /// against a reference. Throws if a curvature pᵀ H p is not positive (H is not positive definite
    /// along p) or a value stops being finite.
    public static func conjugateGradient(_ v: [Double], hvp: ([Double]) -> [Double], tolerance: Double = 1e-12,
                                         maxIterations: Int, observe: ((Int, [Double]) -> Void)? = nil) throws -> Solution {
        let n = v.count
        let vNorm = Vector.norm(v)
        guard vNorm > 0 else { return Solution(x: [Double](repeating: 0, count: n), relativeResiduals: [0], products: 0, converged: true) }
        var x = [Double](repeating: 0, count: n)
        var r = v, p = v
        var rr = Vector.dot(r, r)
        var residuals = [1.0]
        var k = 0
        while k < maxIterations && rr.squareRoot() > tolerance * vNorm {
            let hp = hvp(p)
            let curvature = Vector.dot(p, hp)
            guard curvature > 0, curvature.isFinite else {
                throw Failure.notPositiveDefinite(curvature: curvature, iteration: k + 1)
            }
            let alpha = rr / curvature
            Vector.axpy(alpha, p, &x)
            Vector.axpy(-alpha, hp, &r)
            let next = Vector.dot(r, r)
            let beta = next / rr
            rr = next
            for i in 0..<n { p[i] = r[i] + beta * p[i] }
            k += 1
            residuals.append(rr.squareRoot() / vNorm)
            observe?(k, x)
        }
        return Solution(x: x, relativeResiduals: residuals, products: k, converged: rr.squareRoot() <= tolerance * vNorm)
    }

    /// LiSSA with Koh and Liang's recursion: from u₀ = v,
    ///
    ///     u_j = v + (1 − d) u_{j−1} − H_j u_{j−1} / s,    j = 1 … depth,
    ///
    /// whose fixed point is u = s (H + d s I)⁻¹ v, so u_depth / s estimates (H + d s I)⁻¹ v; the
    /// estimate is averaged over `repeats` independent recursions. `hvp(u, r, j)` returns H_j u for
    /// recursion r at step j (the exact H, or an unbiased sample such as the Hessian of one mini-batch).
    /// With the exact H the recursion is Richardson's iteration and converges only when every
    /// eigenvalue of I − (H/s + d I) lies in (−1, 1): for d = 0, when s > λ_max(H)/2. `observe(r, j,
    /// u_j / s)` is called at every step. A recursion that stops being finite ends the solve with
    /// `converged = false` (the caller decides whether that is an error).
    public static func lissa(_ v: [Double], hvp: ([Double], Int, Int) -> [Double], scale s: Double, damping d: Double = 0,
                             depth: Int, repeats: Int = 1, observe: ((Int, Int, [Double]) -> Void)? = nil) -> Solution {
        precondition(s > 0 && depth >= 0 && repeats >= 1, "LiSSA needs scale > 0, depth ≥ 0 and at least one repeat")
        let n = v.count
        var sum = [Double](repeating: 0, count: n)
        var finite = true
        for r in 0..<repeats {
            var u = v
            for j in 1...max(depth, 1) where depth > 0 {
                let hu = hvp(u, r, j)
                for i in 0..<n { u[i] = v[i] + (1 - d) * u[i] - hu[i] / s }   // u ← v + (1 − d) u − H u / s
                if let observe { observe(r, j, u.map { $0 / s }) }
                if !u.allSatisfy(\.isFinite) { finite = false; break }
            }
            Vector.axpy(1 / (s * Double(repeats)), u, &sum)
        }
        return Solution(x: sum, relativeResiduals: [], products: depth * repeats, converged: finite && sum.allSatisfy(\.isFinite))
    }
}
