import Foundation

/// Gauss–Hermite quadrature for expectations under the standard normal:
/// E[g(Z)], Z ~ N(0, 1), ≈ Σᵢ wᵢ g(xᵢ), exact for polynomials of degree ≤ 2K − 1.
///
/// Nodes and weights by Golub–Welsch: the probabilists' Hermite polynomials satisfy
/// x·Heₖ = Heₖ₊₁ + k·Heₖ₋₁, so their Jacobi matrix is tridiagonal with zero diagonal and
/// off-diagonal √k (k = 1 … K − 1). Its eigenvalues are the nodes, and the squared first
/// components of its unit eigenvectors are the weights (they sum to 1, the mass of N(0, 1)).
public struct GaussHermite: Sendable {
    /// Nodes, ascending.
    public let nodes: [Double]
    /// Weights, summing to 1.
    public let weights: [Double]

    /// The K-point rule (K ≥ 1).
    public init(points k: Int) throws {
        guard k >= 1 else { throw LinearAlgebraError.dimensionMismatch("Gauss–Hermite needs at least one point, got \(k)") }
        var j = Matrix(rows: k, cols: k)
        for i in 1..<max(k, 1) { j[i, i - 1] = Double(i).squareRoot(); j[i - 1, i] = Double(i).squareRoot() }
        let eig = try SymmetricEigen(j)
        nodes = eig.values
        var w = (0..<k).map { eig.vectors[0, $0] * eig.vectors[0, $0] }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        weights = w
    }

    /// E[g(Z)] for Z ~ N(0, 1).
    public func expectation(_ g: (Double) -> Double) -> Double {
        var s = 0.0
        for (x, w) in zip(nodes, weights) { s += w * g(x) }
        return s
    }
}
