import Foundation

// Every norm and reduction here propagates NaN: a NaN anywhere in the input gives NaN (an infinity
// gives ∞). `Swift.max` and `Sequence.max()` drop a NaN unless it comes first (every comparison
// with NaN is false), so the maxima below go through `nanPropagatingMax`.

/// max(x, y), or NaN if either is NaN.
@inline(__always)
func nanPropagatingMax(_ x: Double, _ y: Double) -> Double {
    if x.isNaN || y.isNaN { return .nan }
    return x > y ? x : y
}

/// The largest element of `xs` (0 for an empty sequence), or NaN if any element is NaN.
@inline(__always)
func nanPropagatingMax<S: Sequence>(_ xs: S) -> Double where S.Element == Double {
    var best = 0.0
    for x in xs {
        if x.isNaN { return .nan }
        if x > best { best = x }
    }
    return best
}

extension Matrix {
    /// ||A||_F, computed with scaling (no overflow for huge entries). NaN if any entry is NaN.
    public var frobeniusNorm: Double { Vector.norm(storage) }

    /// ||A||_2 = σ_max (by the singular values, without vectors). Throws `.nonFiniteInput` on NaN or ∞.
    public func spectralNorm() throws -> Double { try singularValues(self).first ?? 0 }

    /// ||A||_* = Σ σ_i (by the singular values, without vectors). Throws `.nonFiniteInput` on NaN or ∞.
    public func nuclearNorm() throws -> Double { try singularValues(self).reduce(0, +) }

    /// ||A||_1 = max column sum of |a_ij| (LAPACK's dlange with norm = "1"); NaN if any entry is NaN.
    public var norm1: Double {
        var sums = [Double](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { sums[j] += abs(self[i, j]) } }
        return nanPropagatingMax(sums)
    }

    /// ||A||_∞ = max row sum of |a_ij| (dlange with norm = "I"); NaN if any entry is NaN.
    public var normInf: Double {
        nanPropagatingMax((0..<rows).lazy.map { i in (0..<self.cols).reduce(0) { $0 + abs(self[i, $1]) } })
    }

    /// max |a_ij| (dlange with norm = "M"; 0 for an empty matrix); NaN if any entry is NaN.
    public var maxAbs: Double { nanPropagatingMax(storage.lazy.map { abs($0) }) }
}
