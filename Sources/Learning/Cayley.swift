import Foundation
import Numerics

// The Cayley transform as a differentiable parameterization of matrices with orthonormal columns.
//
// For a tall n x m matrix W (n ≥ m) split into its top m x m block U and the (n − m) x m rest V,
//
//     Z = U − Uᵀ + VᵀV,      Q = [ (I + Z)⁻¹ (I − Z) ;  −2 V (I + Z)⁻¹ ]
//
// has QᵀQ = I for every W (Trockman & Kolter 2021; Wang & Manchester 2023 use it for the sandwich
// layer). Z's symmetric part VᵀV is positive semidefinite, so I + Z is never singular. Since
// (I + Z)⁻¹(I − Z) = 2 (I + Z)⁻¹ − I, the whole transform needs one inverse S = (I + Z)⁻¹.
// A wide W (m x n, n > m) is transformed through its transpose, giving orthonormal rows.
//
// Pullback: with Ḡ_top, Ḡ_bot the gradients of a loss with respect to Q's two blocks,
//     Ḡ_Z = Sᵀ (−2 Ḡ_top + 2 Vᵀ Ḡ_bot) Sᵀ,
//     Ḡ_U = Ḡ_Z − Ḡ_Zᵀ,      Ḡ_V = −2 Ḡ_bot Sᵀ + V (Ḡ_Z + Ḡ_Zᵀ),
// from dS = −S dZ S and dZ = dU − dUᵀ + dVᵀV + VᵀdV.
//
// This lives in Learning rather than Numerics because it is a training-time parameterization with
// its backward pass, not a factorization; the linear algebra it needs (LU inverse, GEMM) is Numerics'.

/// The Cayley transform of one matrix, with what its pullback needs.
public struct CayleyTransform: Sendable {
    /// The input W.
    public let input: Matrix
    /// Q: orthonormal columns if W is tall or square, orthonormal rows if W is wide.
    public let output: Matrix
    /// Whether W was wide (then the transform ran on Wᵀ).
    public let wide: Bool
    /// S = (I + Z)⁻¹ of the tall form.
    let inverse: Matrix
    /// V of the tall form, (n − m) x m.
    let lower: Matrix

    /// Computes Q = cayley(W). Throws if W has a non-finite entry or I + Z is singular to working
    /// precision (it cannot be in exact arithmetic).
    public init(_ w: Matrix) throws {
        guard !w.hasNonFinite else { throw LinearAlgebraError.nonFiniteInput(routine: "CayleyTransform") }
        input = w
        wide = w.cols > w.rows
        let t = wide ? w.transposed : w
        let n = t.rows, m = t.cols
        let u = t.submatrix(rows: 0..<m, cols: 0..<m)
        lower = t.submatrix(rows: m..<n, cols: 0..<m)
        var z = u - u.transposed
        if n > m { z += matmul(lower, lower, transA: true) }
        for i in 0..<m { z.storage[i * m + i] += 1 }          // z is now I + Z
        inverse = try LUFactorization(z).inverse
        var q = Matrix(rows: n, cols: m)
        var top = 2 * inverse
        for i in 0..<m { top.storage[i * m + i] -= 1 }
        q.setSubmatrix(at: 0, 0, top)
        if n > m { q.setSubmatrix(at: m, 0, -2 * matmul(lower, inverse)) }
        output = wide ? q.transposed : q
    }

    /// The gradient with respect to W of a loss whose gradient with respect to Q is `g` (Q's shape).
    public func pullback(_ g: Matrix) -> Matrix {
        precondition(g.rows == output.rows && g.cols == output.cols, "CayleyTransform.pullback: gradient has the wrong shape")
        let t = wide ? g.transposed : g
        let n = t.rows, m = t.cols
        let gTop = t.submatrix(rows: 0..<m, cols: 0..<m)
        var inner = -2 * gTop
        var gBot = Matrix(rows: 0, cols: m)
        if n > m {
            gBot = t.submatrix(rows: m..<n, cols: 0..<m)
            inner.addScaled(matmul(lower, gBot, transA: true), 2)
        }
        let gz = matmul(matmul(inverse, inner, transA: true), inverse, transB: true)
        let gzT = gz.transposed
        var out = Matrix(rows: n, cols: m)
        out.setSubmatrix(at: 0, 0, gz - gzT)
        if n > m {
            var gv = -2 * matmul(gBot, inverse, transB: true)
            gv += matmul(lower, gz + gzT)
            out.setSubmatrix(at: m, 0, gv)
        }
        return wide ? out.transposed : out
    }

    /// ||QᵀQ − I||_max for a tall Q (Q Qᵀ for a wide one): the orthonormality residual.
    public var orthonormalityResidual: Double {
        let gram = wide ? matmul(output, output, transB: true) : matmul(output, output, transA: true)
        var worst = 0.0
        for i in 0..<gram.rows { for j in 0..<gram.cols { worst = Swift.max(worst, abs(gram[i, j] - (i == j ? 1 : 0))) } }
        return worst
    }
}
