import Foundation
import Numerics

/// Low-rank matrix sensing: recover a rank-r matrix M* from m linear measurements
/// y_i = ⟨A_i, M*⟩ + noise_i with Gaussian sensing matrices A_i.
///
/// The operator is stored as one dense matrix with a row per measurement, so that 𝒜(M) and the
/// adjoint 𝒜*(r) = Σ r_i A_i are two matrix-vector products. Asymmetric operators store vec(A_i)
/// (n₁n₂ entries, row-major). Symmetric operators store only the upper triangle, packed, with
/// the off-diagonal entries doubled (a_(j,k) = 2 A_i[j,k] for j < k), which halves memory and time:
/// ⟨A_i, M⟩ = Σ_{j≤k} a_(j,k) M[j,k] for symmetric M.
public struct SensingOperator: Sendable {
    public let rows: Int          // n₁
    public let cols: Int          // n₂
    public let count: Int         // m
    public let symmetric: Bool
    /// m x (n₁ n₂), or m x n(n+1)/2 packed for a symmetric operator.
    public let matrix: Matrix

    /// m Gaussian sensing matrices. With `symmetric`, A_i = (G_i + G_iᵀ)/2 for G_i with iid N(0,1)
    /// entries (diagonal N(0,1), off-diagonal N(0,1/2); ⟨A_i, M⟩ = ⟨G_i, M⟩ for symmetric M, so
    /// E⟨A_i, M⟩² = ||M||_F²); otherwise A_i = G_i.
    public init(n1: Int, n2: Int, m: Int, symmetric: Bool, rng: inout RandomSource) {
        precondition(!symmetric || n1 == n2, "a symmetric operator needs a square matrix")
        rows = n1; cols = n2; count = m; self.symmetric = symmetric
        if symmetric {
            let n = n1
            var a = Matrix(rows: m, cols: n * (n + 1) / 2)
            let sqrt2 = 2.0.squareRoot()
            for i in 0..<m {
                var p = i * a.cols
                for j in 0..<n { for k in j..<n {
                    a.storage[p] = j == k ? rng.normal() : sqrt2 * rng.normal()   // 2·A[j,k] ~ N(0, 2)
                    p += 1
                } }
            }
            matrix = a
        } else {
            matrix = rng.normalMatrix(m, n1 * n2)
        }
    }

    /// The packed upper triangle of (M + Mᵀ)/2.
    private func pack(_ m: Matrix) -> [Double] {
        let n = rows
        var v = [Double](repeating: 0, count: n * (n + 1) / 2)
        var p = 0
        for j in 0..<n { for k in j..<n { v[p] = j == k ? m[j, j] : 0.5 * (m[j, k] + m[k, j]); p += 1 } }
        return v
    }

    /// 𝒜(M) = (⟨A_i, M⟩)_i.
    public func apply(_ m: Matrix) -> [Double] {
        precondition(m.rows == rows && m.cols == cols)
        return gemv(matrix, symmetric ? pack(m) : m.storage)
    }

    /// 𝒜*(r) = Σ r_i A_i.
    public func adjoint(_ r: [Double]) -> Matrix {
        precondition(r.count == count)
        return unpack(gemv(matrix, r, transposed: true))
    }

    /// r = 𝒜(M) − y and 𝒜*(r), the two products a least-squares gradient needs. Inside a parallel
    /// region (runs side by side) or on one thread, one fused pass over the operator
    /// (`gemvResidualAdjoint`); otherwise the two products, each on all threads. Same bits either way.
    public func residualAndAdjoint(_ m: Matrix, minus y: [Double]) -> (residual: [Double], adjoint: Matrix) {
        precondition(m.rows == rows && m.cols == cols && y.count == count)
        let x = symmetric ? pack(m) : m.storage
        if Threads.count == 1 || Threads.isBusy {
            let (r, w) = gemvResidualAdjoint(matrix, x, minus: y)
            return (r, unpack(w))
        }
        let r = Vector.subtract(gemv(matrix, x), y)
        return (r, unpack(gemv(matrix, r, transposed: true)))
    }

    /// The same for several matrices at once (runs that share this operator and y, stepped in
    /// lockstep): one pass over the operator for all of them, on the calling thread. Each result
    /// has the bits of `residualAndAdjoint` for its matrix alone.
    public func residualsAndAdjoints(_ ms: [Matrix], minus y: [Double]) -> [(residual: [Double], adjoint: Matrix)] {
        for m in ms { precondition(m.rows == rows && m.cols == cols) }
        precondition(y.count == count)
        return gemvResidualAdjoint(matrix, ms.map { symmetric ? pack($0) : $0.storage }, minus: y).map { ($0.residual, unpack($0.adjoint)) }
    }

    /// The n₁ x n₂ matrix of a vector in the operator's column space (symmetric: the packed triangle).
    private func unpack(_ w: [Double]) -> Matrix {
        guard symmetric else { return Matrix(rows: rows, cols: cols, elements: w) }
        let n = rows
        var s = Matrix(rows: n, cols: n)
        var p = 0
        for j in 0..<n { for k in j..<n {
            if j == k { s[j, j] = w[p] } else { s[j, k] = 0.5 * w[p]; s[k, j] = 0.5 * w[p] }
            p += 1
        } }
        return s
    }
}

/// A ground truth M* = X* X*ᵀ (symmetric PSD, rank r) or M* = U Σ Vᵀ (asymmetric), with prescribed
/// singular values, from Haar-random orthonormal factors.
public struct LowRankTruth: Sendable {
    public let matrix: Matrix
    /// The factor with M* = factor · factorᵀ (symmetric case) or U Σ^{1/2} (asymmetric).
    public let factor: Matrix
    public let singularValues: [Double]

    /// Singular values spread geometrically from 1 down to 1/κ.
    public static func geometricSpectrum(rank r: Int, condition kappa: Double) -> [Double] {
        if r == 1 { return [1] }
        return (0..<r).map { Foundation.pow(kappa, -Double($0) / Double(r - 1)) }
    }

    /// Symmetric PSD truth U diag(σ) Uᵀ, U Haar on the n x r Stiefel manifold.
    public static func symmetric(n: Int, singularValues s: [Double], rng: inout RandomSource) -> LowRankTruth {
        let u = rng.orthonormalColumns(n, s.count)
        var f = u
        for i in 0..<n { for j in 0..<s.count { f[i, j] *= s[j].squareRoot() } }
        return LowRankTruth(matrix: matmul(f, f, transB: true), factor: f, singularValues: s)
    }

    /// Asymmetric truth U diag(σ) Vᵀ.
    public static func asymmetric(n1: Int, n2: Int, singularValues s: [Double], rng: inout RandomSource) -> LowRankTruth {
        let u = rng.orthonormalColumns(n1, s.count), v = rng.orthonormalColumns(n2, s.count)
        var us = u
        for i in 0..<n1 { for j in 0..<s.count { us[i, j] *= s[j] } }
        var uh = u
        for i in 0..<n1 { for j in 0..<s.count { uh[i, j] *= s[j].squareRoot() } }
        return LowRankTruth(matrix: matmul(us, v, transB: true), factor: uh, singularValues: s)
    }
}

/// The least-squares sensing loss f(M) = (1/2m) Σ (⟨A_i, M⟩ − y_i)² and its gradient in M.
public struct SensingProblem: Sendable {
    public let op: SensingOperator
    public let y: [Double]
    public let truth: LowRankTruth

    public init(op: SensingOperator, truth: LowRankTruth, noiseStd: Double = 0, rng: inout RandomSource) {
        self.op = op
        self.truth = truth
        var y = op.apply(truth.matrix)
        if noiseStd > 0 { for i in 0..<y.count { y[i] += noiseStd * rng.normal() } }
        self.y = y
    }

    /// Residuals r_i = ⟨A_i, M⟩ − y_i.
    public func residual(_ m: Matrix) -> [Double] { Vector.subtract(op.apply(m), y) }

    /// f(M) = (1/2m) ||r||².
    public func loss(_ m: Matrix) -> Double {
        let r = residual(m)
        return 0.5 * Vector.dot(r, r) / Double(op.count)
    }

    /// ∇_M f = (1/m) 𝒜*(r), together with f.
    public func lossAndGradient(_ m: Matrix) -> (loss: Double, gradient: Matrix) {
        let (r, a) = op.residualAndAdjoint(m, minus: y)
        let g = a / Double(op.count)
        return (0.5 * Vector.dot(r, r) / Double(op.count), g)
    }

    /// `lossAndGradient` for several matrices in one pass over the operator (see
    /// `SensingOperator.residualsAndAdjoints`); each result has the bits of the one-matrix call.
    public func lossesAndGradients(_ ms: [Matrix]) -> [(loss: Double, gradient: Matrix)] {
        op.residualsAndAdjoints(ms, minus: y).map { r, a in (0.5 * Vector.dot(r, r) / Double(op.count), a / Double(op.count)) }
    }

    /// ||M − M*||_F / ||M*||_F.
    public func relativeError(_ m: Matrix) -> Double { (m - truth.matrix).frobeniusNorm / truth.matrix.frobeniusNorm }

    /// ||M − M*||_F.
    public func error(_ m: Matrix) -> Double { (m - truth.matrix).frobeniusNorm }
}

// MARK: - Factorized parameterizations

extension SensingProblem {
    /// Symmetric factorization M = X Xᵀ: the loss f(X Xᵀ) and its gradient in X,
    /// ∇_X = (∇_M f + ∇_M fᵀ) X = (1/m)(𝒜*(r) + 𝒜*(r)ᵀ) X.
    public func symmetricFactorGradient(_ x: Matrix) -> (loss: Double, gradient: Matrix, product: Matrix) {
        let m = matmul(x, x, transB: true)
        let (loss, g) = lossAndGradient(m)
        let gs = op.symmetric ? 2 * g : g + g.transposed
        return (loss, matmul(gs, x), m)
    }

    /// The same for several factors (runs stepped in lockstep): their gradients in M come from one pass
    /// over the operator (`lossesAndGradients`), each with the bits of its factor alone.
    public func symmetricFactorGradients(_ xs: [Matrix]) -> [(loss: Double, gradient: Matrix, product: Matrix)] {
        let products = xs.map { matmul($0, $0, transB: true) }
        let inM = lossesAndGradients(products)
        return xs.indices.map { k in
            let g = inM[k].gradient
            let gs = op.symmetric ? 2 * g : g + g.transposed
            return (inM[k].loss, matmul(gs, xs[k]), products[k])
        }
    }

    /// Asymmetric factorization M = F Gᵀ: the loss and the gradients ∇_F = (∇_M f) G, ∇_G = (∇_M f)ᵀ F.
    public func asymmetricFactorGradient(_ f: Matrix, _ g: Matrix)
        -> (loss: Double, gradF: Matrix, gradG: Matrix, product: Matrix)
    {
        asymmetricFactorGradients([(f, g)])[0]
    }

    /// The same for several factor pairs (runs stepped in lockstep): their gradients in M come from one
    /// pass over the operator (`lossesAndGradients`), each with the bits of its pair alone.
    public func asymmetricFactorGradients(_ pairs: [(f: Matrix, g: Matrix)])
        -> [(loss: Double, gradF: Matrix, gradG: Matrix, product: Matrix)]
    {
        let products = pairs.map { matmul($0.f, $0.g, transB: true) }
        let inM = lossesAndGradients(products)
        return pairs.indices.map { k in
            let (f, g) = pairs[k], gm = inM[k].gradient
            return (inM[k].loss, matmul(gm, g), matmul(gm, f, transA: true), products[k])
        }
    }
}
