import Foundation
import Numerics

/// The zero-sum matrix game min_{w ∈ Δₙ} max_{p ∈ Δₘ} pᵀ(Aw − c), i.e. minimizing the worst of m
/// affine functions of simplex weights: max_k (Aw − c)_k. Solved by Nemirovski's mirror-prox
/// (extragradient with the entropy on both simplices, i.e. multiplicative-weights updates) with step
/// η = `stepScale`/max|A_ij|; the ergodic averages (w̄, p̄) converge at rate O(1/T). It stops when the
/// duality gap
///
///     max_k (A w̄ − c)_k − min_i [(Aᵀp̄)_i − p̄ᵀc]
///
/// is at most `tolerance`: then the worst-case value at w̄ is within `tolerance` of the game's value.
///
/// `SimplexMinimax(absoluteDeviations: Φ, target: m)` is the game with A = [Φ; −Φ], c = [m; −m],
/// i.e. min_w max_k |Φw − m|_k (a Chebyshev fit over the simplex), computed with products by Φ only.
struct SimplexMinimax: Sendable {
    /// A, or Φ for the absolute-deviation form.
    let payoff: Matrix
    /// c, or m for the absolute-deviation form.
    let offset: [Double]
    /// Whether the game is the absolute-deviation form [Φ; −Φ].
    let absolute: Bool

    /// `payoff` is A (m x n), `offset` is c (length m).
    init(payoff: Matrix, offset: [Double]) {
        precondition(payoff.rows == offset.count, "SimplexMinimax: c must have one entry per row of A")
        self.payoff = payoff
        self.offset = offset
        self.absolute = false
    }

    /// min_w max_k |Φw − m|_k over the simplex.
    init(absoluteDeviations phi: Matrix, target m: [Double]) {
        precondition(phi.rows == m.count, "SimplexMinimax: the target must have one entry per row of Φ")
        self.payoff = phi
        self.offset = m
        self.absolute = true
    }

    struct Solution: Sendable {
        /// The minimizing player's (averaged) weights.
        let weights: [Double]
        /// The maximizing player's (averaged) mixed strategy over the rows (2K rows, +Φ then −Φ,
        /// for the absolute-deviation form).
        let adversary: [Double]
        /// max_k (A·weights − c)_k, the worst case at `weights`.
        let value: Double
        /// The duality gap (an upper bound on value − game value).
        let gap: Double
        let iterations: Int
        let converged: Bool
    }

    /// The number of rows of the game (2K in the absolute-deviation form).
    var rowCount: Int { absolute ? 2 * payoff.rows : payoff.rows }

    /// Aw − c.
    func residual(_ w: [Double]) -> [Double] {
        var r = gemv(payoff, w)
        for k in 0..<r.count { r[k] -= offset[k] }
        return absolute ? r + r.map { -$0 } : r
    }

    /// (Aᵀp, pᵀc).
    func transposedProduct(_ p: [Double]) -> ([Double], Double) {
        if !absolute { return (gemv(payoff, p, transposed: true), Vector.dot(p, offset)) }
        let k = payoff.rows
        let diff = (0..<k).map { p[$0] - p[k + $0] }
        return (gemv(payoff, diff, transposed: true), Vector.dot(diff, offset))
    }

    /// (Aw − c, Aᵀp) in one pass over A: the two gradients of a mirror-prox step at (w, p).
    func gradients(_ w: [Double], _ p: [Double]) -> (residual: [Double], transposed: [Double]) {
        let k = payoff.rows
        let z = absolute ? (0..<k).map { p[$0] - p[k + $0] } : p
        var (r, g) = gemvPair(payoff, w, transposedTimes: z)
        for i in 0..<k { r[i] -= offset[i] }
        return (absolute ? r + r.map { -$0 } : r, g)
    }

    /// max_k (Aw − c)_k.
    func worstCase(_ w: [Double]) -> Double { residual(w).max() ?? -.infinity }

    /// Mirror-prox from the uniform strategies; the gap is checked every `checkEvery` steps.
    func solve(tolerance: Double, maxIterations: Int = 50_000, stepScale: Double = 1,
                      checkEvery: Int = 10) throws -> Solution {
        let (m, n) = (rowCount, payoff.cols)
        if payoff.hasNonFinite || offset.contains(where: { !$0.isFinite }) {
            throw LinearAlgebraError.nonFiniteInput(routine: "SimplexMinimax")
        }
        let scale = payoff.storage.reduce(0) { Swift.max($0, abs($1)) }
        let eta = stepScale / Swift.max(scale, .leastNormalMagnitude)
        // Strategies are kept as logits (log-weights) so that repeated multiplicative updates
        // never underflow; `normalized` turns logits into a point of the simplex.
        func normalized(_ logits: [Double]) -> [Double] {
            let top = logits.max() ?? 0
            var e = Exponential.exp(logits, minus: top)
            let s = e.reduce(0, +)
            for i in 0..<e.count { e[i] /= s }
            return e
        }
        func dualityGap(_ w: [Double], _ p: [Double]) -> Double {
            let (atp, pc) = transposedProduct(p)
            return worstCase(w) - ((atp.min() ?? 0) - pc)
        }
        var logW = [Double](repeating: 0, count: n), logP = [Double](repeating: 0, count: m)
        var sumW = [Double](repeating: 0, count: n), sumP = [Double](repeating: 0, count: m)
        var gap = Double.infinity, iteration = 0
        while iteration < maxIterations {
            iteration += 1
            let w = normalized(logW), p = normalized(logP)
            // Extrapolation step from (w, p) with the gradients at (w, p):
            // ∂/∂w pᵀ(Aw − c) = Aᵀp, ∂/∂p = Aw − c.
            let (gp, gw) = gradients(w, p)
            let wh = normalized((0..<n).map { logW[$0] - eta * gw[$0] })
            let ph = normalized((0..<m).map { logP[$0] + eta * gp[$0] })
            // Update step from (w, p) with the gradients at the extrapolated point.
            let (gph, gwh) = gradients(wh, ph)
            for i in 0..<n { logW[i] -= eta * gwh[i] }
            for k in 0..<m { logP[k] += eta * gph[k] }
            // Shift the logits to keep them bounded (a common shift leaves the strategy unchanged).
            let topW = logW.max() ?? 0, topP = logP.max() ?? 0
            for i in 0..<n { logW[i] -= topW }
            for k in 0..<m { logP[k] -= topP }
            for i in 0..<n { sumW[i] += wh[i] }
            for k in 0..<m { sumP[k] += ph[k] }
            if iteration % checkEvery == 0 {
                gap = dualityGap(sumW.map { $0 / Double(iteration) }, sumP.map { $0 / Double(iteration) })
                if !gap.isFinite { throw LinearAlgebraError.nonFiniteInput(routine: "SimplexMinimax (iterate)") }
                if gap <= tolerance { break }
            }
        }
        let avgW = sumW.map { $0 / Double(Swift.max(iteration, 1)) }
        let avgP = sumP.map { $0 / Double(Swift.max(iteration, 1)) }
        gap = dualityGap(avgW, avgP)
        return Solution(weights: avgW, adversary: avgP, value: worstCase(avgW), gap: gap,
                        iterations: iteration, converged: gap <= tolerance)
    }
}
