import Foundation
import Numerics

/// The top eigenpairs of a symmetric operator given only as v ↦ A v, by the Lanczos process with
/// full reorthogonalization.
///
/// From a unit vector q₁ the process builds an orthonormal basis Q_m = [q₁ … q_m] of the Krylov space
/// span{q₁, A q₁, …, A^{m−1} q₁} in which A is tridiagonal, T_m = Q_mᵀ A Q_m, with diagonal αⱼ = qⱼᵀ A qⱼ
/// and off-diagonal βⱼ = ‖A qⱼ − αⱼ qⱼ − βⱼ₋₁ qⱼ₋₁‖. The eigenvalues of T_m (Ritz values) approach the
/// extreme eigenvalues of A first; a Ritz pair (θ, Q_m y) has residual ‖A Q_m y − θ Q_m y‖ = β_m |y_m|.
/// Every new vector is orthogonalized twice against all previous ones (classical Gram–Schmidt,
/// repeated), so the basis stays orthonormal to round-off and no spurious copies of converged
/// eigenvalues appear. If the Krylov space becomes invariant (β ≈ 0, e.g. a warm start that is
/// already an eigenvector), the process continues from a seeded random vector orthogonal to the
/// basis, with a zero coupling in T.
public struct LanczosResult: Sendable {
    /// The top `count` Ritz values, largest first.
    public let values: [Double]
    /// Their Ritz vectors (unit length), in the same order.
    public let vectors: [[Double]]
    /// Residual norms ‖A y − θ y‖ of the returned pairs, from the recurrence (β_m |e_mᵀ s|).
    public let residuals: [Double]
    /// The Krylov dimension used.
    public let steps: Int
}

/// The `count` algebraically largest eigenpairs of the symmetric operator `apply` on ℝ^dimension,
/// from `steps` Lanczos steps (capped at the dimension). `start` warm-starts the process (e.g. the
/// previous top eigenvector along a trajectory); otherwise a seeded random vector is used.
public func lanczosTop(dimension n: Int, count k: Int, steps m: Int, start: [Double]? = nil, seed: UInt64 = 1,
                       apply: ([Double]) -> [Double]) throws -> LanczosResult {
    precondition(n >= 1 && k >= 1 && k <= n, "lanczosTop: need 1 ≤ count ≤ dimension")
    let steps = Swift.min(Swift.max(m, k), n)
    var rng = RandomSource(seed: seed)
    func dot(_ a: [Double], _ b: [Double]) -> Double { var s = 0.0; for i in 0..<a.count { s += a[i] * b[i] }; return s }
    func orthogonalize(_ w: inout [Double], against basis: [[Double]]) {
        for _ in 0..<2 {
            for q in basis { let c = dot(q, w); for i in 0..<n { w[i] -= c * q[i] } }
        }
    }
    func fresh(_ basis: [[Double]]) -> [Double]? {
        for _ in 0..<3 {
            var w = rng.normalVector(n)
            orthogonalize(&w, against: basis)
            let nw = dot(w, w).squareRoot()
            if nw > 1e-8 { return w.map { $0 / nw } }
        }
        return nil
    }
    var q: [Double]
    if let s = start, s.count == n, dot(s, s) > 0 { let ns = dot(s, s).squareRoot(); q = s.map { $0 / ns } }
    else { q = fresh([])! }
    var basis: [[Double]] = [], alpha: [Double] = [], beta: [Double] = []
    var lastBeta = 0.0
    for j in 0..<steps {
        basis.append(q)
        var w = apply(q)
        guard w.count == n, w.allSatisfy({ $0.isFinite }) else { throw LinearAlgebraError.nonFiniteInput(routine: "Lanczos (A q at step \(j))") }
        let a = dot(q, w)
        alpha.append(a)
        orthogonalize(&w, against: basis)                      // removes α q_j and β q_{j−1} and round-off
        let b = dot(w, w).squareRoot()
        if j == steps - 1 { lastBeta = b; break }
        let scale = Swift.max(abs(a), alpha.map(abs).max() ?? 0, 1e-300)
        if b <= 1e-12 * scale {                                // invariant subspace: restart, decoupled
            guard let r = fresh(basis) else { lastBeta = 0; break }
            beta.append(0); q = r
        } else {
            beta.append(b); q = w.map { $0 / b }
        }
    }
    let d = alpha.count
    var t = Matrix(rows: d, cols: d)
    for i in 0..<d { t[i, i] = alpha[i] }
    for i in 0..<(d - 1) { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
    let eig = try SymmetricEigen(t)
    let take = Swift.min(k, d)
    var values: [Double] = [], vectors: [[Double]] = [], residuals: [Double] = []
    for r in 0..<take {
        let col = d - 1 - r                                      // ascending → largest first
        values.append(eig.values[col])
        var y = [Double](repeating: 0, count: n)
        for i in 0..<d { let s = eig.vectors[i, col]; for p in 0..<n { y[p] += s * basis[i][p] } }
        vectors.append(y)
        residuals.append(abs(lastBeta * eig.vectors[d - 1, col]))
    }
    return LanczosResult(values: values, vectors: vectors, residuals: residuals, steps: d)
}
