import Foundation

/// LU factorization with partial pivoting, P A = L U (L unit lower triangular, stored below the
/// diagonal of `lu`; U on and above it).
///
/// Recursive blocked (Toledo 1997, "Locality of reference in LU decomposition with partial
/// pivoting"): to factor the panel of columns [c, c + w) (rows c..<n),
///   1. factor its left half recursively (choosing pivots and swapping rows),
///   2. U12 = L11⁻¹ A12 (unit lower triangular solve, through GEMM),
///   3. A22 ← A22 − L21 U12 (GEMM),
///   4. factor the right half (rows below the left half's pivots) recursively.
/// Panels of at most `unblockedWidth` columns are factored column by column. Row interchanges are
/// applied to whole rows as soon as a pivot is chosen (rows are contiguous in row-major storage,
/// so a swap is cheap), which is the same permutation LAPACK's dgetrf produces.
///
/// Singularity follows LAPACK (dgetrf, dgesv): only an exactly zero pivot makes the matrix
/// singular, so an ill-conditioned matrix is solved backward stably rather than refused;
/// `reciprocalCondition` (dgecon) says how far the solution can be trusted, and
/// `SingularTolerance.strict` refuses pivots that are negligible to working precision instead.
public struct LUFactorization: Sendable {
    public let lu: Matrix
    /// `pivots[i]` is the row swapped with row i at step i.
    public let pivots: [Int]
    /// +1 or −1: the sign of the row permutation.
    public let permutationSign: Double
    /// ||A||₁ of the factored matrix (one O(n²) pass before the factorization), kept for
    /// `reciprocalCondition`.
    public let inputNorm1: Double

    /// Panels of at most this many columns are factored column by column.
    static let unblockedWidth = 16

    /// When a pivot counts as singular.
    public enum SingularTolerance: Sendable, Equatable {
        /// Only an exactly zero pivot is singular, as in LAPACK's dgetrf/dgesv. A nonsingular but
        /// ill-conditioned matrix (even with κ far beyond 1/ε) is factored, and `solve` returns
        /// the backward-stable solution; `reciprocalCondition` tells how much it can be trusted.
        case exactZero
        /// A pivot is singular when |u_kk| ≤ n·ε·max_i |a_ik| (the largest entry of its column in
        /// the original A, so that a well-scaled but badly graded matrix such as diag(1e20, 1)
        /// passes): a refusal of matrices that are singular to working precision.
        case strict
    }

    /// Factors `a` (LAPACK's dgetrf). Throws `.singular(pivot:)` naming the first singular pivot
    /// (by default only an exactly zero one; see `SingularTolerance`), `.nonFiniteInput` on NaN
    /// or ∞, `.dimensionMismatch` for a non-square matrix.
    public init(_ a: Matrix, singularTolerance: SingularTolerance = .exactZero) throws {
        let (f, singularPivot) = try LUFactorization.factorize(a, strict: singularTolerance == .strict)
        if let k = singularPivot { throw LinearAlgebraError.singular(pivot: k) }
        self = f
    }

    private init(lu: Matrix, pivots: [Int], inputNorm1: Double) {
        self.lu = lu
        self.pivots = pivots
        self.inputNorm1 = inputNorm1
        // Each pivots[i] != i is one transposition.
        permutationSign = pivots.enumerated().reduce(1.0) { $1.offset == $1.element ? $0 : -$0 }
    }

    /// The factorization and the first singular pivot. In the `.exactZero` mode the factorization
    /// is completed past a zero pivot as dgetrf does (its column has nothing to eliminate), so
    /// that U and the determinant (exactly 0) are defined; in the strict mode it stops there.
    static func factorize(_ a: Matrix, strict: Bool) throws -> (LUFactorization, Int?) {
        MemoryTuning.ensure()
        try requireSquare(a, "LU")
        try requireFinite(a, "LU")
        let n = a.rows
        var m = a
        var piv = [Int](repeating: 0, count: n)
        var columnScale = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { columnScale[j] += abs(a.storage[i * n + j]) } }
        let anorm = nanPropagatingMax(columnScale)
        if strict {
            for j in 0..<n { columnScale[j] = 0 }
            for i in 0..<n { for j in 0..<n { columnScale[j] = Swift.max(columnScale[j], abs(a.storage[i * n + j])) } }
        }
        var singular: Int?
        m.storage.withUnsafeMutableBufferPointer { mp in
            guard let A = mp.baseAddress else { return }
            piv.withUnsafeMutableBufferPointer { pp in
                columnScale.withUnsafeBufferPointer { cs in
                    var panel = LUPanel(a: A, n: n, pivots: pp.baseAddress!, columnScale: cs.baseAddress!, strict: strict)
                    singular = panel.factor(column: 0, width: n)
                }
            }
        }
        return (LUFactorization(lu: m, pivots: piv, inputNorm1: anorm), singular)
    }

    public var dimension: Int { lu.rows }

    /// Solves A x = b (dgetrs).
    public func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == dimension, "LU.solve: right-hand side has wrong length")
        var x = b
        for (i, p) in pivots.enumerated() where p != i { x.swapAt(i, p) }
        x = Triangular.solveLower(lu, x, unitDiagonal: true)
        return Triangular.solveUpper(lu, x)
    }

    /// Solves A X = B. Each column gets the bits of `solve(_:)` on it: the columns are held as
    /// contiguous rows and go four at a time, each row of L and U read once for the four dot
    /// products (`Vector.dot4` forms each as `Vector.dot` does; xᵢ·lᵢⱼ = lᵢⱼ·xᵢ).
    public func solve(_ b: Matrix) -> Matrix {
        let n = dimension, k = b.cols
        precondition(b.rows == n, "LU.solve: right-hand side has wrong number of rows")
        let blocked = k / 4 * 4                        // columns solved four at a time
        var xt = b.transposed                          // row c is column c of B
        xt.storage.withUnsafeMutableBufferPointer { xp in
            lu.storage.withUnsafeBufferPointer { fp in
                guard let X = xp.baseAddress, let F = fp.baseAddress else { return }
                var out = [Double](repeating: 0, count: 4)
                for c0 in stride(from: 0, to: blocked, by: 4) {
                    let rows = X + c0 * n
                    for c in 0..<4 {
                        for (i, p) in pivots.enumerated() where p != i { (rows[c * n + i], rows[c * n + p]) = (rows[c * n + p], rows[c * n + i]) }
                    }
                    for i in 0..<n {                                           // L y = P b, unit diagonal
                        Vector.dot4(UnsafePointer(rows), n, F + i * n, i, &out)
                        for c in 0..<4 { rows[c * n + i] = rows[c * n + i] - out[c] }
                    }
                    var i = n - 1
                    while i >= 0 {                                             // U x = y
                        Vector.dot4(UnsafePointer(rows + i + 1), n, F + i * n + i + 1, n - i - 1, &out)
                        for c in 0..<4 { rows[c * n + i] = (rows[c * n + i] - out[c]) / F[i * n + i] }
                        i -= 1
                    }
                }
            }
        }
        for c in blocked..<k { xt.setRow(c, solve(b.column(c))) }     // the last k mod 4 alone
        return xt.transposed
    }

    /// Solves Aᵀ x = b (dgetrs with trans = "T"): Aᵀ = Uᵀ Lᵀ P, so Uᵀ y = b, Lᵀ z = y, x = Pᵀ z.
    public func solveTransposed(_ b: [Double]) -> [Double] {
        let n = dimension
        precondition(b.count == n, "LU.solveTransposed: right-hand side has wrong length")
        var x = b
        lu.storage.withUnsafeBufferPointer { fp in
            x.withUnsafeMutableBufferPointer { xp in
                guard let F = fp.baseAddress, let X = xp.baseAddress else { return }
                // Uᵀ y = b, column-oriented on the rows of U (contiguous).
                for i in 0..<n {
                    X[i] /= F[i * n + i]
                    let yi = X[i]
                    if yi != 0 && i + 1 < n { Vector.axpy(-yi, F + i * n + i + 1, X + i + 1, n - i - 1) }
                }
                // Lᵀ z = y (unit diagonal), on the rows of L.
                var i = n - 1
                while i > 0 {
                    let zi = X[i]
                    if zi != 0 { Vector.axpy(-zi, F + i * n, X, i) }
                    i -= 1
                }
            }
        }
        var i = n - 1
        while i >= 0 { if pivots[i] != i { x.swapAt(i, pivots[i]) }; i -= 1 }
        return x
    }

    /// det A = ±Π u_ii (overflows or underflows for large n: see `logAbsDeterminant`).
    public var determinant: Double { lu.diagonalElements.reduce(permutationSign, *) }

    /// log |det A| (with the sign in `determinantSign`), safe from overflow.
    public var logAbsDeterminant: Double { lu.diagonalElements.reduce(0) { $0 + Foundation.log(abs($1)) } }

    /// The sign of det A: ±1 (0 never occurs: a factorization with a zero pivot is not returned).
    public var determinantSign: Double {
        lu.diagonalElements.reduce(permutationSign) { $0 * ($1 < 0 ? -1 : 1) }
    }

    public var inverse: Matrix { solve(Matrix.identity(dimension)) }

    /// An estimate of the reciprocal condition number in the 1-norm, 1 / (||A||₁ ||A⁻¹||₁), as
    /// LAPACK's dgecon computes it: ||A⁻¹||₁ is estimated from a few solves with the factors
    /// (Hager's method as refined by Higham, LAPACK's dlacn2), never by forming A⁻¹. The estimate
    /// of ||A⁻¹||₁ is a lower bound, almost always within a factor 3 of it (usually exact), so
    /// the value returned is at least the true reciprocal condition number. Near 1 for a
    /// well-conditioned matrix, near ε (or below) when the solution of A x = b may have no
    /// correct digits; 0 for A = 0 or when a solve overflows.
    public var reciprocalCondition: Double {
        let n = dimension
        if n == 0 { return 1 }
        if inputNorm1 == 0 { return 0 }
        let inverseNorm = estimateInverseNorm1(n: n, solve: { self.solve($0) }, solveTransposed: { self.solveTransposed($0) })
        if inverseNorm.isNaN { return .nan }
        if inverseNorm == 0 { return .infinity }
        return (1 / inverseNorm) / inputNorm1
    }

    /// The unit lower factor L and upper factor U, and the permutation as a row order (P A = L U).
    public var factors: (l: Matrix, u: Matrix, rowOrder: [Int]) {
        let n = dimension
        var l = Matrix.identity(n), u = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n { if j < i { l[i, j] = lu[i, j] } else { u[i, j] = lu[i, j] } } }
        var order = Array(0..<n)
        for (i, p) in pivots.enumerated() where p != i { order.swapAt(i, p) }
        return (l, u, order)
    }
}

/// Solves A x = b by LU with partial pivoting (LAPACK's dgesv). Only an exactly zero pivot is
/// singular unless `singularTolerance` is `.strict`; throws `.singular(pivot:)`, `.nonFiniteInput`
/// or `.dimensionMismatch`. For the conditioning of the answer, factor once with
/// `LUFactorization` and read its `reciprocalCondition`.
public func solve(_ a: Matrix, _ b: [Double],
                  singularTolerance: LUFactorization.SingularTolerance = .exactZero) throws -> [Double] {
    try LUFactorization(a, singularTolerance: singularTolerance).solve(b)
}

/// Solves A x = b by LU with partial pivoting and estimates the reciprocal condition number of A
/// in the 1-norm (LAPACK's dgesv followed by dgecon, as the expert driver dgesvx reports RCOND).
/// An rcond near ε or below means x may have no correct digit, although it is backward stable.
/// Throws as `solve(_:_:singularTolerance:)`.
public func solveWithCondition(_ a: Matrix, _ b: [Double],
                               singularTolerance: LUFactorization.SingularTolerance = .exactZero) throws
    -> (x: [Double], reciprocalCondition: Double) {
    let f = try LUFactorization(a, singularTolerance: singularTolerance)
    return (f.solve(b), f.reciprocalCondition)
}

/// det A by LU with partial pivoting: ±Π u_ii, exactly 0 when a pivot is exactly zero (the
/// factorization goes on past it, as LAPACK's dgetrf; no error is thrown for a singular matrix).
/// Throws only `.nonFiniteInput` or `.dimensionMismatch`. The product can overflow or underflow
/// for large n: `logDeterminant` cannot.
public func determinant(_ a: Matrix) throws -> Double {
    let (f, singular) = try LUFactorization.factorize(a, strict: false)
    return singular == nil ? f.determinant : 0
}

/// The sign and the logarithm of the absolute value of det A, det A = sign · exp(logAbs), by LU
/// with partial pivoting (NumPy's `slogdet`): sign is ±1, or 0 with logAbs = −∞ for a matrix with
/// an exactly zero pivot. Neither overflows nor underflows. Throws only `.nonFiniteInput` or
/// `.dimensionMismatch`.
public func logDeterminant(_ a: Matrix) throws -> (sign: Double, logAbs: Double) {
    let (f, singular) = try LUFactorization.factorize(a, strict: false)
    if singular != nil { return (0, -.infinity) }
    return (f.determinantSign, f.logAbsDeterminant)
}

/// ||A⁻¹||₁ estimated from solves with A and Aᵀ: Hager's (1984) method with Higham's (1988)
/// refinements, LAPACK's dlacn2 (at most five iterations, then the alternating-sign vector
/// x_i = (−1)^i (1 + i/(n − 1)) as a safeguard). A lower bound on ||A⁻¹||₁; NaN if a solve gives NaN.
func estimateInverseNorm1(n: Int, solve: ([Double]) -> [Double], solveTransposed: ([Double]) -> [Double]) -> Double {
    precondition(n > 0)
    var y = solve([Double](repeating: 1 / Double(n), count: n))
    if n == 1 { return abs(y[0]) }
    var est = Vector.norm1(y)
    if est.isNaN { return .nan }
    func signs(_ v: [Double]) -> [Double] { v.map { $0 >= 0 ? 1 : -1 } }
    func argmaxAbs(_ v: [Double]) -> Int {
        var j = 0
        for i in 1..<v.count where abs(v[i]) > abs(v[j]) { j = i }
        return j
    }
    var xi = signs(y)
    var z = solveTransposed(xi)
    var j = argmaxAbs(z)
    var iteration = 2
    while true {
        var e = [Double](repeating: 0, count: n)
        e[j] = 1
        y = solve(e)
        let old = est
        est = Vector.norm1(y)
        if est.isNaN { return .nan }
        let newSigns = signs(y)
        if newSigns == xi || est <= old { est = Swift.max(est, old); break }
        xi = newSigns
        z = solveTransposed(xi)
        let jLast = j
        j = argmaxAbs(z)
        if abs(z[jLast]) == abs(z[j]) || iteration >= 5 { break }
        iteration += 1
    }
    // The alternating-sign safeguard (exact for some matrices the iteration misses).
    var x = [Double](repeating: 0, count: n)
    for i in 0..<n {
        let magnitude: Double = 1 + Double(i) / Double(n - 1)
        x[i] = i % 2 == 0 ? magnitude : -magnitude
    }
    let alternating = 2 * Vector.norm1(solve(x)) / Double(3 * n)
    return Swift.max(est, alternating.isNaN ? est : alternating)
}

/// The recursive panel factorization behind `LUFactorization` (raw row-major storage, n x n).
struct LUPanel {
    let a: UnsafeMutablePointer<Double>
    let n: Int
    let pivots: UnsafeMutablePointer<Int>
    let columnScale: UnsafePointer<Double>
    /// Stop at the first pivot with |pivot| ≤ n·ε·columnScale (else only an exact zero is
    /// singular, and elimination goes on past it).
    let strict: Bool

    /// Factors columns [c, c + w) over rows c..<n, swapping whole rows. Returns the first singular
    /// pivot, or nil. In the strict mode it stops there; otherwise it completes the factorization.
    mutating func factor(column c: Int, width w: Int) -> Int? {
        if w <= LUFactorization.unblockedWidth { return factorUnblocked(column: c, width: w) }
        let w1 = BlockedKernels.split(w), w2 = w - w1
        let c1 = c + w1
        // 1. The left half: L11, L21 and the pivots of rows c..<c1.
        let first = factor(column: c, width: w1)
        if strict, let k = first { return k }
        // 2. U12 = L11⁻¹ A12 (rows c..<c1, columns c1..<c+w).
        BlockedKernels.solveLeftUnitLower(n: w1, w: w2, l: UnsafePointer(a + c * n + c), ldl: n,
                                          b: a + c * n + c1, ldb: n)
        // 3. A22 −= L21 U12 (rows c1..<n, columns c1..<c+w).
        gemmRaw(m: n - c1, n: w2, k: w1, alpha: -1,
                a: a + c1 * n + c, lda: n, transA: false,
                b: a + c * n + c1, ldb: n, transB: false,
                beta: 1, c: a + c1 * n + c1, ldc: n)
        // 4. The right half.
        let second = factor(column: c1, width: w2)
        return first ?? second
    }

    /// Column-by-column elimination restricted to the panel's columns (right-looking).
    mutating func factorUnblocked(column c: Int, width w: Int) -> Int? {
        let end = c + w
        var singular: Int?
        for k in c..<end {
            // Partial pivoting: the largest |A[i, k]|, i ≥ k (first one on ties).
            var p = k
            var best = abs(a[k * n + k])
            var i = k + 1
            while i < n {
                let v = abs(a[i * n + k])
                if v > best { best = v; p = i }
                i += 1
            }
            pivots[k] = p
            if strict && best <= Double(n) * Double.ulpOfOne * columnScale[k] { return k }
            if best == 0 {
                // The column is zero from row k down: nothing to eliminate (dgetf2 goes on too).
                if singular == nil { singular = k }
                continue
            }
            if p != k { swapRows(k, p) }
            let rowk = a + k * n
            let inv = 1 / rowk[k]
            let tail = end - k - 1
            i = k + 1
            while i < n {
                let rowi = a + i * n
                let f = rowi[k] * inv
                rowi[k] = f
                if f != 0 && tail > 0 {
                    for j in 1...tail { rowi[k + j] -= f * rowk[k + j] }
                }
                i += 1
            }
        }
        return singular
    }

    /// Exchanges rows i and j (all n columns).
    @inline(__always)
    func swapRows(_ i: Int, _ j: Int) {
        let ri = a + i * n, rj = a + j * n
        for c in 0..<n { let t = ri[c]; ri[c] = rj[c]; rj[c] = t }
    }
}
