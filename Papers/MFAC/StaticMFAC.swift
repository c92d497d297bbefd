import Foundation
import Numerics

// M-FAC (Frantar, Kurtic & Alistarh, NeurIPS 2021, arXiv 2107.03356): inverse-Hessian-vector
// products (IHVPs) with the damped empirical Fisher
//
//     F = λ I + (1/m) Σᵢ gᵢ gᵢᵀ,        g₁, ..., g_m ∈ ℝᵈ (gradients), λ > 0 (damping),
//
// without ever forming a d x d matrix.
//
// The recursion both algorithms rest on. Add the rank-one terms one at a time, F₀ = λI,
// Fᵢ = Fᵢ₋₁ + gᵢgᵢᵀ/m. The Sherman–Morrison formula gives
//
//     Fᵢ⁻¹ = Fᵢ₋₁⁻¹ − vᵢ vᵢᵀ / denᵢ,     vᵢ = Fᵢ₋₁⁻¹ gᵢ,     denᵢ = m + gᵢᵀ vᵢ,
//
// and unrolling it, F⁻¹ = F_m⁻¹ = λ⁻¹ I − Σᵢ vᵢ vᵢᵀ / denᵢ. Hence
//
//     F⁻¹ x      = x/λ − Σᵢ vᵢ (vᵢᵀ x) / denᵢ          O(d m) once the vᵢ are known,
//     [F⁻¹]_jk   = δ_jk/λ − Σᵢ vᵢ[j] vᵢ[k] / denᵢ      O(m) per element,
//     vᵢ         = gᵢ/λ − Σ_{l<i} vₗ (vₗᵀ gᵢ) / denₗ    O(d m²) for all i together.
//
// Static algorithm (`StaticMFAC`): store the m vectors vᵢ (an m x d matrix) and the m numbers denᵢ.
//
// Dynamic algorithm (`DynamicMFAC`): for a sliding window of gradients the vᵢ cannot be kept (one
// new gradient changes all vᵢ after it, O(d m²)). Instead everything is written through the m x m
// Gram matrix K = G Gᵀ of the window (G is m x d, row i = gᵢ). With
//
//     D[l, i] = gᵢᵀ vₗ = gᵢᵀ Fₗ₋₁⁻¹ gₗ      (l ≤ i),
//
// the recursion a ᵀFₗ⁻¹ b = aᵀFₗ₋₁⁻¹ b − (aᵀvₗ)(vₗᵀb)/denₗ gives
//
//     D[l, i] = K[l, i]/λ − Σ_{p<l} D[p, l] D[p, i] / den_p,       den_l = m + D[l, l],
//
// and vᵢ is a combination of the gradients, vᵢ = Σₗ B[i, l] gₗ with B lower triangular:
//
//     B[i, ·] = eᵢ/λ − Σ_{l<i} (D[l, i]/denₗ) B[l, ·].
//
// Both are O(m³) from K. An IHVP then needs only Gx:
//
//     qᵢ = vᵢᵀ x = (Gx)ᵢ/λ − Σ_{l<i} D[l, i] qₗ / denₗ      O(m²)
//     F⁻¹ x = x/λ − Gᵀ c,   c = Bᵀ (q / den)              O(d m + m²)
//
// and replacing the oldest gradient by a new one changes one row of G and one row and column of
// K (O(d m)) and then D and B (O(m³)).
//
// Cost accounting. Every routine adds the number of multiply-adds its loops perform to an
// `MFACCost` counter: a deterministic measure of work that does not depend on the machine.

/// A tally of multiply-adds performed by M-FAC routines (a machine-independent cost measure).
public struct MFACCost: Sendable, Equatable {
    public var multiplyAdds: Int = 0
    public init() {}
}

/// Why an M-FAC structure could not be built.
public enum MFACError: Error, CustomStringConvertible {
    case invalid(String)
    case nonFinite(String)
    public var description: String {
        switch self {
        case .invalid(let s): return "M-FAC: \(s)"
        case .nonFinite(let s): return "M-FAC: non-finite value in \(s)"
        }
    }
}

// MARK: - Static algorithm

/// The static M-FAC algorithm: F⁻¹ for F = λI + (1/m) Σᵢ gᵢgᵢᵀ, from O(d m²) precomputation, with
/// O(d m) IHVPs and O(m) single elements. See the comment at the top of MFAC.swift.
public struct StaticMFAC: Sendable {
    /// d, the dimension.
    public let dimension: Int
    /// m, the number of gradients.
    public let gradientCount: Int
    /// λ.
    public let damping: Double
    /// The vectors vᵢ = Fᵢ₋₁⁻¹ gᵢ, row i of an m x d matrix (row-major).
    public private(set) var v: [Double]
    /// denᵢ = m + gᵢᵀ vᵢ.
    public private(set) var denominators: [Double]
    /// Multiply-adds of the precomputation.
    public private(set) var precomputationCost = MFACCost()

    /// Precomputes the vᵢ from the gradients (the rows of `gradients`, m x d).
    public init(gradients: Matrix, damping: Double) throws {
        try self.init(rows: gradients.rows, cols: gradients.cols, damping: damping) { gradients.storage }
    }

    /// Precomputes from m gradient vectors of equal length.
    public init(gradients: [[Double]], damping: Double) throws {
        guard let d = gradients.first?.count else { throw MFACError.invalid("need at least one gradient") }
        guard gradients.allSatisfy({ $0.count == d }) else { throw MFACError.invalid("gradients differ in length") }
        try self.init(rows: gradients.count, cols: d, damping: damping) { gradients.flatMap { $0 } }
    }

    private init(rows m: Int, cols d: Int, damping lambda: Double, storage: () -> [Double]) throws {
        guard m >= 1, d >= 1 else { throw MFACError.invalid("need m ≥ 1 gradients of dimension d ≥ 1") }
        guard lambda > 0, lambda.isFinite else { throw MFACError.invalid("the damping λ must be positive, got \(lambda)") }
        dimension = d; gradientCount = m; damping = lambda
        var vs = storage()                       // overwritten row by row: row i becomes vᵢ
        guard vs.allSatisfy({ $0.isFinite }) else { throw MFACError.nonFinite("the gradients") }
        var den = [Double](repeating: 0, count: m)
        var cost = MFACCost()
        var g = [Double](repeating: 0, count: d)
        vs.withUnsafeMutableBufferPointer { vp in
            let V = vp.baseAddress!
            g.withUnsafeMutableBufferPointer { gp in
                let gi = gp.baseAddress!
                for i in 0..<m {
                    let vi = V + i * d
                    gi.update(from: vi, count: d)
                    //: begin static-precompute
                    for k in 0..<d { vi[k] = gi[k] / lambda }                       // vᵢ ← gᵢ/λ
                    for l in 0..<i {
                        let vl = V + l * d
                        let c = Vector.dot(vl, gi, d) / den[l]                      // (vₗᵀgᵢ)/denₗ
                        MFACKernels.axpy(-c, vl, vi, d)                             // vᵢ ← vᵢ − c vₗ
                    }
                    den[i] = Double(m) + Vector.dot(gi, vi, d)                      // denᵢ = m + gᵢᵀvᵢ
                    //: end static-precompute
                    cost.multiplyAdds += d + 2 * d * i + d
                }
            }
        }
        guard den.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw MFACError.nonFinite("the precomputed denominators") }
        v = vs; denominators = den; precomputationCost = cost
    }

    /// F⁻¹ x in O(d m).
    public func inverseTimes(_ x: [Double]) -> [Double] {
        var c = MFACCost()
        return inverseTimes(x, cost: &c)
    }

    /// F⁻¹ x in O(d m), adding the multiply-adds to `cost`.
    public func inverseTimes(_ x: [Double], cost: inout MFACCost) -> [Double] {
        precondition(x.count == dimension, "StaticMFAC: x has \(x.count) entries, expected \(dimension)")
        let (d, m, lambda) = (dimension, gradientCount, damping)
        var out = x.map { $0 / lambda }                                           // x/λ
        v.withUnsafeBufferPointer { vp in
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    //: begin static-ihvp
                    for i in 0..<m {
                        let vi = vp.baseAddress! + i * d
                        let c = Vector.dot(vi, xp.baseAddress!, d) / denominators[i]  // (vᵢᵀx)/denᵢ
                        MFACKernels.axpy(-c, vi, op.baseAddress!, d)                 // − vᵢ (vᵢᵀx)/denᵢ
                    }
                    //: end static-ihvp
                }
            }
        }
        cost.multiplyAdds += d + 2 * d * m
        return out
    }

    /// One element [F⁻¹]_jk in O(m).
    public func inverseElement(_ j: Int, _ k: Int) -> Double {
        var c = MFACCost()
        return inverseElement(j, k, cost: &c)
    }

    /// One element [F⁻¹]_jk in O(m), adding the multiply-adds to `cost`.
    public func inverseElement(_ j: Int, _ k: Int, cost: inout MFACCost) -> Double {
        precondition((0..<dimension).contains(j) && (0..<dimension).contains(k), "StaticMFAC: index out of range")
        let d = dimension
        //: begin static-element
        var s = j == k ? 1 / damping : 0                                          // δ_jk/λ
        for i in 0..<gradientCount { s -= v[i * d + j] * v[i * d + k] / denominators[i] }
        //: end static-element
        cost.multiplyAdds += gradientCount
        return s
    }

    /// The diagonal of F⁻¹ (d elements at O(m) each).
    public func inverseDiagonal() -> [Double] {
        let d = dimension
        var out = [Double](repeating: 1 / damping, count: d)
        for i in 0..<gradientCount {
            let r = 1 / denominators[i]
            for j in 0..<d { let x = v[i * d + j]; out[j] -= x * x * r }
        }
        return out
    }
}

// MARK: - Dynamic algorithm

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
        //: begin dynamic-update-gram
        for k in 0..<n { gradients[slot * n + k] = g[k] }                        // G[slot, ·] ← g
        gradients.withUnsafeBufferPointer { gp in
            for l in 0..<m {                                                      // K[slot, ·] = K[·, slot] = G g
                let dot = Vector.dot(gp.baseAddress! + l * n, gp.baseAddress! + slot * n, n)
                gram[slot * m + l] = dot; gram[l * m + slot] = dot
            }
        }
        //: end dynamic-update-gram
        cost.multiplyAdds += n * m
        try recomputeCoefficients(cost: &cost)
        next = (next + 1) % m
        added += 1
    }

    /// D, den and B from K: O(m³).
    mutating func recomputeCoefficients(cost: inout MFACCost) throws {
        let (m, lambda) = (windowSize, damping)
        //: begin dynamic-coefficients
        for l in 0..<m {                  // D[l, i] = K[l, i]/λ − Σ_{p<l} (D[p, l]/den_p) D[p, i],  i ≥ l
            for i in l..<m { d[l * m + i] = gram[l * m + i] / lambda }
            for p in 0..<l {
                let c = d[p * m + l] / denominators[p]
                for i in l..<m { d[l * m + i] -= c * d[p * m + i] }
            }
            denominators[l] = Double(m) + d[l * m + l]
        }
        for i in 0..<m {                  // B[i, ·] = eᵢ/λ − Σ_{l<i} (D[l, i]/denₗ) B[l, ·]
            for k in 0..<m { b[i * m + k] = 0 }
            b[i * m + i] = 1 / lambda
            for l in 0..<i {
                let c = d[l * m + i] / denominators[l]
                for k in 0...l { b[i * m + k] -= c * b[l * m + k] }
            }
        }
        //: end dynamic-coefficients
        cost.multiplyAdds += m * (m + 1) * (m + 2) / 6 + (m - 1) * m * (m + 1) / 6
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
        gradients.withUnsafeBufferPointer { gp in
            x.withUnsafeBufferPointer { xp in
                for i in 0..<m { gx[i] = Vector.dot(gp.baseAddress! + i * n, xp.baseAddress!, n) }   // G x
            }
        }
        //: begin dynamic-ihvp
        var q = [Double](repeating: 0, count: m)          // qᵢ = vᵢᵀx = (Gx)ᵢ/λ − Σ_{l<i} D[l, i] qₗ/denₗ
        for i in 0..<m {
            var s = gx[i] / lambda
            for l in 0..<i { s -= d[l * m + i] * q[l] / denominators[l] }
            q[i] = s
        }
        var c = [Double](repeating: 0, count: m)          // c = Bᵀ (q / den)
        for i in 0..<m {
            let r = q[i] / denominators[i]
            for k in 0...i { c[k] += b[i * m + k] * r }
        }
        var out = x.map { $0 / lambda }                   // F⁻¹x = x/λ − Gᵀ c
        gradients.withUnsafeBufferPointer { gp in
            out.withUnsafeMutableBufferPointer { op in
                for k in 0..<m { MFACKernels.axpy(-c[k], gp.baseAddress! + k * n, op.baseAddress!, n) }
            }
        }
        //: end dynamic-ihvp
        cost.multiplyAdds += 2 * n * m + n + m * (m + 1)
        return out
    }

    /// Adds `g` to the window (replacing the oldest gradient), then returns F⁻¹ g.
    public mutating func addAndMultiply(_ g: [Double], cost: inout MFACCost) throws -> [Double] {
        try add(g, cost: &cost)
        return inverseTimes(g, cost: &cost)
    }
}

// MARK: - Optimizer

/// The M-FAC optimizer (the dynamic algorithm used as a preconditioner, as in the authors' code):
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
            checkedState(&velocity, x.count, "MFACOptimizer")
            for i in 0..<x.count { velocity[i] = momentum * velocity[i] + (1 - momentum) * u[i] }
            u = velocity
        }
        for i in 0..<x.count { x[i] -= learningRate * u[i] }                      // x ← x − η v
        //: end mfac-step
    }

    public mutating func reset() { state = nil; velocity = []; cost = MFACCost() }
}

/// Small raw-pointer kernels shared by the M-FAC loops.
enum MFACKernels {
    /// y ← y + a x on raw storage (SIMD, fixed order).
    @inline(__always)
    static func axpy(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        var i = 0
        let av = SIMD8<Double>(repeating: a)
        while i + 8 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self)
            var yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Double>.self)
            yv.addProduct(av, xv)
            UnsafeMutableRawPointer(y + i).storeBytes(of: yv, as: SIMD8<Double>.self)
            i += 8
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
