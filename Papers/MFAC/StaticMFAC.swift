import Foundation
import Numerics

/*: recursion
 **The recursion both algorithms rest on.** Add the rank-one terms one at a time: F₀ = λI,
 Fᵢ = Fᵢ₋₁ + gᵢgᵢᵀ/m. The Sherman–Morrison formula gives

     Fᵢ⁻¹ = Fᵢ₋₁⁻¹ − vᵢvᵢᵀ/denᵢ,     vᵢ = Fᵢ₋₁⁻¹gᵢ,     denᵢ = m + gᵢᵀvᵢ,

 and unrolling it, F⁻¹ = λ⁻¹I − Σᵢ vᵢvᵢᵀ/denᵢ. Hence

     F⁻¹x     = x/λ − Σᵢ vᵢ(vᵢᵀx)/denᵢ           O(d m) once the vᵢ are known,
     [F⁻¹]ⱼₖ  = δⱼₖ/λ − Σᵢ vᵢ[j]vᵢ[k]/denᵢ       O(m) per element,
     vᵢ       = gᵢ/λ − Σ_{l<i} vₗ(vₗᵀgᵢ)/denₗ     O(d m²) for all i together.

 The **static algorithm** stores the m vectors vᵢ (an m x d matrix) and the m numbers denᵢ.
 Every loop below adds the multiply-adds it executes to a counter (`MFACCost`) as it runs, one per
 scalar multiply-add, or the length of the vector for a SIMD dot product or axpy; claim 2 fits its
 exponents to these counts.
 */

/// Multiply-adds executed by the M-FAC loops, counted inside the loops that execute them
/// (a machine-independent measure of work).
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

/// The vector kernels of the M-FAC loops; each adds its length to the counter it is given.
enum Counted {
    /// xᵀy over n entries (n multiply-adds).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int, _ cost: inout MFACCost) -> Double {
        cost.multiplyAdds += n
        return Vector.dot(x, y, n)
    }

    /// y ← y + a x over n entries (n multiply-adds).
    @inline(__always)
    static func axpy(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int,
                     _ cost: inout MFACCost) {
        cost.multiplyAdds += n
        Vector.axpy(a, x, y, n)
    }
}

/// The static M-FAC algorithm: F⁻¹ for F = λI + (1/m) Σᵢ gᵢgᵢᵀ, from O(d m²) precomputation, with
/// O(d m) IHVPs and O(m) single elements.
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
        var g = [Double](repeating: 0, count: 4 * d + 4)       // the block's gradients, then four coefficients
        vs.withUnsafeMutableBufferPointer { vp in
            let V = vp.baseAddress!
            g.withUnsafeMutableBufferPointer { gp in
                let G = gp.baseAddress!, c = G + 4 * d
                //: begin static-precompute
                // vᵢ = gᵢ/λ − Σ_{l<i} (vₗᵀgᵢ/denₗ) vₗ, the terms in the order l = 0, 1, …, i − 1.
                // The rows go in blocks of four: the rows finished before a block are read once for
                // its four rows (a dot product with each gᵢ, then an update of each vᵢ), the rows
                // inside the block one at a time. Each vᵢ gets the same terms in the same order as
                // row by row, so the same bits.
                var i0 = 0
                while i0 < m {
                    let b = Swift.min(4, m - i0)
                    G.update(from: V + i0 * d, count: b * d)
                    for k in 0..<(b * d) { V[i0 * d + k] = G[k] / lambda }             // vᵢ ← gᵢ/λ
                    cost.multiplyAdds += b * d
                    for l in 0..<i0 {                                                  // finished rows
                        let vl = V + l * d
                        if b == 4 {
                            Vector.dot4(G, d, vl, d, c)                                // vₗᵀgᵢ, four i
                            for r in 0..<4 { c[r] = -(c[r] / den[l]) }
                            Vector.axpyToRows4(c, vl, V + i0 * d, d, d)                // vᵢ ← vᵢ − cᵢ vₗ
                        } else {
                            for r in 0..<b {
                                let cr = Vector.dot(vl, G + r * d, d) / den[l]
                                Vector.axpy(-cr, vl, V + (i0 + r) * d, d)
                            }
                        }
                        cost.multiplyAdds += 2 * b * d
                    }
                    for r in 0..<b {                                                   // inside the block
                        let i = i0 + r, gi = G + r * d, vi = V + i * d
                        for l in i0..<i {
                            let vl = V + l * d
                            let cl = Counted.dot(vl, gi, d, &cost) / den[l]            // (vₗᵀgᵢ)/denₗ
                            Counted.axpy(-cl, vl, vi, d, &cost)                        // vᵢ ← vᵢ − cₗ vₗ
                        }
                        den[i] = Double(m) + Counted.dot(gi, vi, d, &cost)             // denᵢ = m + gᵢᵀvᵢ
                    }
                    i0 += b
                }
                //: end static-precompute
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
        var out = [Double](repeating: 0, count: d)
        for k in 0..<d { out[k] = x[k] / lambda; cost.multiplyAdds += 1 }                  // x/λ
        v.withUnsafeBufferPointer { vp in
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    //: begin static-ihvp
                    for i in 0..<m {
                        let vi = vp.baseAddress! + i * d
                        let c = Counted.dot(vi, xp.baseAddress!, d, &cost) / denominators[i]  // (vᵢᵀx)/denᵢ
                        Counted.axpy(-c, vi, op.baseAddress!, d, &cost)                      // − vᵢ (vᵢᵀx)/denᵢ
                    }
                    //: end static-ihvp
                }
            }
        }
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
        var s = j == k ? 1 / damping : 0                                                   // δ_jk/λ
        for i in 0..<gradientCount {
            s -= v[i * d + j] * v[i * d + k] / denominators[i]; cost.multiplyAdds += 1
        }
        //: end static-element
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
