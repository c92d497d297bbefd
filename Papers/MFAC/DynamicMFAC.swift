import Foundation
import Numerics
import Learning

/*: dynamic-derivation
 **The dynamic algorithm.** For a sliding window of gradients the vᵢ cannot be kept (one new
 gradient changes every vᵢ after it, O(d m²)). Everything is instead written through the m x m Gram
 matrix K = GGᵀ of the window (G is m x d, row i = gᵢ). With D[l, i] = gᵢᵀvₗ (l ≤ i), the recursion
 aᵀFₗ⁻¹b = aᵀFₗ₋₁⁻¹b − (aᵀvₗ)(vₗᵀb)/denₗ gives

     D[l, i] = K[l, i]/λ − Σ_{p<l} D[p, l]D[p, i]/den_p,     den_l = m + D[l, l],

 and vᵢ = Σₗ B[i, l]gₗ with B lower triangular, B[i, ·] = eᵢ/λ − Σ_{l<i} (D[l, i]/denₗ)B[l, ·].
 Both are O(m³) from K. An IHVP needs only Gx: qᵢ = vᵢᵀx = (Gx)ᵢ/λ − Σ_{l<i} D[l, i]qₗ/denₗ (O(m²)),
 then F⁻¹x = x/λ − Gᵀc with c = Bᵀ(q/den) (O(d m + m²)). Replacing the oldest gradient changes one
 row of G and one row and column of K (O(d m)), then D and B (O(m³)).
 */

/// The dynamic M-FAC algorithm: F⁻¹ for F = λI + (1/m) Σ over a sliding window of the last m
/// gradients, with O(d m + m²) IHVPs and O(d m + m³) to replace the oldest gradient.
/// Empty slots of the window hold zero gradients (they add nothing to F, but m stays the window
/// size in the 1/m).
public struct DynamicMFAC: Sendable {
    public let dimension: Int
    /// m, the window size.
    public let windowSize: Int
    public let damping: Double
    /// G, m x d: row i is the gradient in slot i.
    public private(set) var gradients: [Double]
    /// K = G Gᵀ, m x m.
    public private(set) var gram: [Double]
    /// D[l, i] for l ≤ i (upper triangle), m x m.
    public private(set) var d: [Double]
    /// B, lower triangular, m x m: vᵢ = Σₗ B[i, l] gₗ.
    public private(set) var b: [Double]
    /// denᵢ = m + D[i, i].
    public private(set) var denominators: [Double]
    /// The slot the next gradient replaces (the oldest one once the window is full).
    public private(set) var next = 0
    /// How many gradients were ever added.
    public private(set) var added = 0

    /// An empty window (all gradients zero, so F = λI).
    public init(dimension: Int, windowSize m: Int, damping: Double) {
        precondition(dimension >= 1 && m >= 1, "DynamicMFAC: need d ≥ 1 and m ≥ 1")
        precondition(damping > 0, "DynamicMFAC: the damping λ must be positive")
        self.dimension = dimension; windowSize = m; self.damping = damping
        gradients = [Double](repeating: 0, count: m * dimension)
        gram = [Double](repeating: 0, count: m * m)
        d = [Double](repeating: 0, count: m * m)
        b = [Double](repeating: 0, count: m * m)
        denominators = [Double](repeating: Double(m), count: m)
        for i in 0..<m { b[i * m + i] = 1 / damping }
    }

    /// Replaces the oldest gradient of the window with `g` and updates D and B: O(d m + m³).
    public mutating func add(_ g: [Double]) throws {
        var c = MFACCost()
        try add(g, cost: &c)
    }

    /// `add(_:)`, adding the multiply-adds to `cost`.
    public mutating func add(_ g: [Double], cost: inout MFACCost) throws {
        precondition(g.count == dimension, "DynamicMFAC: gradient has \(g.count) entries, expected \(dimension)")
        guard g.allSatisfy({ $0.isFinite }) else { throw MFACError.nonFinite("a gradient added to the window") }
        let (n, m, slot) = (dimension, windowSize, next)
        for k in 0..<n { gradients[slot * n + k] = g[k] }                        // G[slot, ·] ← g
        var row = [Double](repeating: 0, count: m)
        gradients.withUnsafeBufferPointer { gp in
            for l in 0..<m { row[l] = Counted.dot(gp.baseAddress! + l * n, gp.baseAddress! + slot * n, n, &cost) }   // G g
        }
        for l in 0..<m { gram[slot * m + l] = row[l]; gram[l * m + slot] = row[l] }  // K[slot, ·] = K[·, slot]
        try recomputeCoefficients(cost: &cost)
        next = (next + 1) % m
        added += 1
    }

    /// D, den and B from K: O(m³).
    mutating func recomputeCoefficients(cost: inout MFACCost) throws {
        let (m, lambda) = (windowSize, damping)
        var dd = d, bb = b, den = denominators
        dd.withUnsafeMutableBufferPointer { dp in
            bb.withUnsafeMutableBufferPointer { bp in
                let D = dp.baseAddress!, B = bp.baseAddress!
                //: begin dynamic-coefficients
                for l in 0..<m {          // D[l, i] = K[l, i]/λ − Σ_{p<l} (D[p, l]/den_p) D[p, i],  i ≥ l
                    for i in l..<m { D[l * m + i] = gram[l * m + i] / lambda; cost.multiplyAdds += 1 }
                    for p in 0..<l {
                        let c = D[p * m + l] / den[p]
                        Counted.axpy(-c, D + p * m + l, D + l * m + l, m - l, &cost)
                    }
                    den[l] = Double(m) + D[l * m + l]
                }
                for i in 0..<m {          // B[i, ·] = eᵢ/λ − Σ_{l<i} (D[l, i]/denₗ) B[l, ·]
                    for k in 0..<m { B[i * m + k] = 0 }
                    B[i * m + i] = 1 / lambda
                    for l in 0..<i {
                        let c = D[l * m + i] / den[l]
                        Counted.axpy(-c, B + l * m, B + i * m, l + 1, &cost)
                    }
                }
                //: end dynamic-coefficients
            }
        }
        d = dd; b = bb; denominators = den
        guard denominators.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw MFACError.nonFinite("the dynamic coefficients (denominators not positive)")
        }
    }

    /// F⁻¹ x in O(d m + m²).
    public func inverseTimes(_ x: [Double]) -> [Double] {
        var c = MFACCost()
        return inverseTimes(x, cost: &c)
    }

    /// F⁻¹ x in O(d m + m²), adding the multiply-adds to `cost`.
    public func inverseTimes(_ x: [Double], cost: inout MFACCost) -> [Double] {
        precondition(x.count == dimension, "DynamicMFAC: x has \(x.count) entries, expected \(dimension)")
        let (n, m, lambda) = (dimension, windowSize, damping)
        var gx = [Double](repeating: 0, count: m)
        var out = [Double](repeating: 0, count: n)
        gradients.withUnsafeBufferPointer { gp in
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    //: begin dynamic-ihvp
                    for i in 0..<m { gx[i] = Counted.dot(gp.baseAddress! + i * n, xp.baseAddress!, n, &cost) }  // G x
                    var q = [Double](repeating: 0, count: m)      // qᵢ = vᵢᵀx = (Gx)ᵢ/λ − Σ_{l<i} D[l, i] qₗ/denₗ
                    for i in 0..<m {
                        var s = gx[i] / lambda
                        for l in 0..<i { s -= d[l * m + i] * q[l] / denominators[l]; cost.multiplyAdds += 1 }
                        q[i] = s
                    }
                    var c = [Double](repeating: 0, count: m)      // c = Bᵀ (q / den)
                    for i in 0..<m {
                        let r = q[i] / denominators[i]
                        for k in 0...i { c[k] += b[i * m + k] * r; cost.multiplyAdds += 1 }
                    }
                    for k in 0..<n { op[k] = xp[k] / lambda; cost.multiplyAdds += 1 }          // F⁻¹x = x/λ − Gᵀc
                    for k in 0..<m { Counted.axpy(-c[k], gp.baseAddress! + k * n, op.baseAddress!, n, &cost) }
                    //: end dynamic-ihvp
                }
            }
        }
        return out
    }

    /// Adds `g` to the window (replacing the oldest gradient), then returns F⁻¹ g.
    public mutating func addAndMultiply(_ g: [Double], cost: inout MFACCost) throws -> [Double] {
        try add(g, cost: &cost)
        return inverseTimes(g, cost: &cost)
    }
}

/// The M-FAC optimizer (the dynamic algorithm used as a preconditioner, as in the authors' `optim.py`):
///
///     g̃ = g + w·x                              (w = weightDecay, coupled)
///     add g̃ to the window of the last m gradients; u = F⁻¹ g̃,  F = λI + (1/m) Σ_window gᵢgᵢᵀ
///     v ← μ·v + (1 − μ)·u                       (if μ = momentum > 0; otherwise v = u)
///     x ← x − η·v
public struct MFACOptimizer: Optimizer {
    public var learningRate: Double
    public var windowSize: Int
    public var damping: Double
    public var momentum: Double
    public var weightDecay: Double
    public private(set) var state: DynamicMFAC?
    public private(set) var velocity: [Double] = []
    /// Multiply-adds spent in the M-FAC window updates and IHVPs so far.
    public private(set) var cost = MFACCost()

    public init(learningRate: Double, windowSize: Int = 1024, damping: Double = 1e-5, momentum: Double = 0, weightDecay: Double = 0) {
        precondition(windowSize >= 1 && damping > 0 && momentum >= 0 && momentum < 1, "MFACOptimizer: bad settings")
        self.learningRate = learningRate; self.windowSize = windowSize; self.damping = damping
        self.momentum = momentum; self.weightDecay = weightDecay
    }

    public var name: String { "M-FAC (m = \(windowSize))" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "MFACOptimizer: x and gradient differ in length")
        if state == nil { state = DynamicMFAC(dimension: x.count, windowSize: windowSize, damping: damping) }
        precondition(state!.dimension == x.count, "MFACOptimizer: the parameter count changed")
        var gt = g
        if weightDecay != 0 { for i in 0..<x.count { gt[i] += weightDecay * x[i] } }
        //: begin mfac-step
        var u: [Double]
        do { u = try state!.addAndMultiply(gt, cost: &cost) }                      // u = F⁻¹ g̃
        catch { u = gt.map { _ in .nan } }                                        // a NaN step: the caller's loss check stops the run
        if momentum > 0 {
            if velocity.isEmpty { velocity = [Double](repeating: 0, count: x.count) }
            for i in 0..<x.count { velocity[i] = momentum * velocity[i] + (1 - momentum) * u[i] }
            u = velocity
        }
        for i in 0..<x.count { x[i] -= learningRate * u[i] }                      // x ← x − η v
        //: end mfac-step
    }

    public mutating func reset() { state = nil; velocity = []; cost = MFACCost() }
}
