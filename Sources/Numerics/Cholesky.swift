import Foundation

/// Cholesky factorization A = L Lᵀ of a symmetric positive definite matrix (only the lower
/// triangle of A is read).
///
/// Recursive blocked (Gustavson / Toledo): with A = [A11 ·; A21 A22] split in halves,
///   1. factor A11 = L11 L11ᵀ recursively,
///   2. L21 = A21 L11⁻ᵀ (a triangular solve with many right-hand sides, itself through GEMM),
///   3. A22 ← A22 − L21 L21ᵀ (the symmetric rank-k update, through GEMM),
///   4. factor A22 recursively.
/// Blocks of order ≤ `unblockedOrder` use the row-oriented Cholesky–Crout loop
/// L[i, j] = (A[i, j] − L[i, 0..<j]·L[j, 0..<j]) / L[j, j], whose inner products run over contiguous
/// rows. Nearly all of the n³/3 flops run in the packed GEMM kernel.
public struct CholeskyFactorization: Sendable {
    /// The lower-triangular factor (the strict upper triangle is zero).
    public let l: Matrix

    /// Diagonal blocks of at most this order are factored by the unblocked loop.
    static let unblockedOrder = 32

    /// Factors `a`; throws `.notPositiveDefinite` naming the failing pivot, or `.nonFiniteInput`.
    public init(_ a: Matrix) throws {
        MemoryTuning.ensure()
        try requireSquare(a, "Cholesky")
        try requireFinite(a, "Cholesky")
        let n = a.rows
        // Work in place on a copy of A. The strict upper triangle is never read; the blocked
        // updates may scribble on it, and it is zeroed at the end.
        var l = a
        var failure: LinearAlgebraError?
        l.storage.withUnsafeMutableBufferPointer { lp in
            guard let L = lp.baseAddress else { return }
            failure = CholeskyFactorization.factor(n: n, L, ld: n, offset: 0)
            for i in 0..<n { (L + i * n + i + 1).update(repeating: 0, count: n - i - 1) }
        }
        if let f = failure { throw f }
        self.l = l
    }

    /// Factors the n x n block at `a` (row stride `ld`) in place; `offset` is the block's position
    /// on the diagonal of the whole matrix, so that a failing pivot is named by its global index.
    static func factor(n: Int, _ a: UnsafeMutablePointer<Double>, ld: Int, offset: Int) -> LinearAlgebraError? {
        if n <= unblockedOrder { return factorUnblocked(n: n, a, ld: ld, offset: offset) }
        let n1 = BlockedKernels.split(n), n2 = n - n1
        // 1. A11 = L11 L11ᵀ.
        if let f = factor(n: n1, a, ld: ld, offset: offset) { return f }
        // 2. L21 = A21 L11⁻ᵀ.
        let a21 = a + n1 * ld
        BlockedKernels.solveRightLowerTransposed(m: n2, n: n1, l: UnsafePointer(a), ldl: ld, b: a21, ldb: ld)
        // 3. A22 −= L21 L21ᵀ (lower triangle).
        BlockedKernels.subtractGramLower(n: n2, k: n1, a: UnsafePointer(a21), lda: ld, c: a21 + n1, ldc: ld)
        // 4. A22 = L22 L22ᵀ.
        return factor(n: n2, a21 + n1, ld: ld, offset: offset + n1)
    }

    /// Row-oriented Cholesky–Crout on the lower triangle of an n x n block, in place.
    static func factorUnblocked(n: Int, _ a: UnsafeMutablePointer<Double>, ld: Int, offset: Int) -> LinearAlgebraError? {
        for i in 0..<n {
            let li = a + i * ld
            for j in 0...i {
                let lj = a + j * ld
                let s = li[j] - Vector.dot(UnsafePointer(li), UnsafePointer(lj), j)
                if i == j {
                    if !(s > 0) || !s.isFinite { return .notPositiveDefinite(pivot: offset + i, value: s) }
                    li[i] = s.squareRoot()
                } else {
                    li[j] = s / lj[j]
                }
            }
        }
        return nil
    }

    public var dimension: Int { l.rows }

    /// Solves A x = b by two triangular solves.
    public func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == dimension, "Cholesky.solve: right-hand side has wrong length")
        return Triangular.solveUpperTransposed(l, Triangular.solveLower(l, b))
    }

    /// Solves A X = B column by column.
    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension)
        var x = Matrix(rows: b.rows, cols: b.cols)
        for j in 0..<b.cols { x.setColumn(j, solve(b.column(j))) }
        return x
    }

    /// log det A = 2 Σ log L_ii.
    public var logDeterminant: Double { 2 * l.diagonalElements.reduce(0) { $0 + Foundation.log($1) } }

    /// A⁻¹.
    public var inverse: Matrix { solve(Matrix.identity(dimension)) }

    /// An estimate of the reciprocal condition number in the 1-norm, 1 / (||A||₁ ||A⁻¹||₁), as
    /// LAPACK's dpocon computes it (||A⁻¹||₁ estimated by Hager's method as refined by Higham,
    /// dlacn2, from solves with the factor; A⁻¹ is symmetric, so no transposed solve is needed).
    /// `norm1` is ||A||₁ of the factored matrix (`a.norm1`), passed in as dpocon's ANORM is: the
    /// factorization does not read A a second time to keep it. At least the true value, almost
    /// always within a factor 3 of it; 1 for n = 0, 0 when `norm1` is 0.
    public func reciprocalCondition(norm1 inputNorm1: Double) -> Double {
        let n = dimension
        if n == 0 { return 1 }
        if inputNorm1.isNaN { return .nan }
        if inputNorm1 == 0 { return 0 }
        let inverseNorm = estimateInverseNorm1(n: n, solve: { self.solve($0) }, solveTransposed: { self.solve($0) })
        if inverseNorm.isNaN { return .nan }
        if inverseNorm == 0 { return .infinity }
        return (1 / inverseNorm) / inputNorm1
    }
}

/// The lower Cholesky factor of `a`.
public func cholesky(_ a: Matrix) throws -> Matrix { try CholeskyFactorization(a).l }

/// Triangular solves on row-major matrices.
public enum Triangular {
    /// Solves L x = b with L lower triangular.
    public static func solveLower(_ l: Matrix, _ b: [Double], unitDiagonal: Bool = false) -> [Double] {
        let n = l.rows
        var x = b
        l.storage.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { xp in
                for i in 0..<n {
                    let s = xp[i] - Vector.dot(lp.baseAddress! + i * n, UnsafePointer(xp.baseAddress!), i)
                    xp[i] = unitDiagonal ? s : s / lp[i * n + i]
                }
            }
        }
        return x
    }

    /// Solves U x = b with U upper triangular.
    public static func solveUpper(_ u: Matrix, _ b: [Double]) -> [Double] {
        let n = u.rows
        var x = b
        u.storage.withUnsafeBufferPointer { up in
            x.withUnsafeMutableBufferPointer { xp in
                var i = n - 1
                while i >= 0 {
                    let s = xp[i] - Vector.dot(up.baseAddress! + i * n + i + 1,
                                               UnsafePointer(xp.baseAddress! + i + 1), n - i - 1)
                    xp[i] = s / up[i * n + i]
                    i -= 1
                }
            }
        }
        return x
    }

    /// Solves Lᵀ x = b with L lower triangular (column-oriented on the rows of L).
    public static func solveUpperTransposed(_ l: Matrix, _ b: [Double]) -> [Double] {
        let n = l.rows
        var x = b
        l.storage.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { xp in
                var i = n - 1
                while i >= 0 {
                    xp[i] /= lp[i * n + i]
                    let xi = xp[i]
                    let row = lp.baseAddress! + i * n
                    for j in 0..<i { xp[j] -= row[j] * xi }
                    i -= 1
                }
            }
        }
        return x
    }
}
