import Foundation

/// Eigendecomposition A = V diag(λ) Vᵀ of a symmetric matrix, eigenvalues ascending.
///
/// The input is used through its symmetric part (A + Aᵀ)/2: both triangles are read.
/// First a Householder reduction to tridiagonal form T = Qᵀ A Q (from `blockedOrder` rows blocked in
/// panels, the trailing matrix updated by GEMM: see `tridiagonalizeBlocked`). Then:
///   - with eigenvectors and n > `TridiagonalDC.leafSize`: divide and conquer on T (see
///     `TridiagonalDC`), T = Z Λ Zᵀ, and V = Q Z with Q applied to Z in blocks of reflectors
///     (compact WY, through GEMM);
///   - otherwise (eigenvalues only, or small n): the implicit QL algorithm with Wilkinson-type
///     shifts on T. When vectors are wanted, the plane rotations act on the rows of
///     Wᵀ = (Q S)ᵀ, which are contiguous in row-major storage; they are recorded and applied in
///     batches, one cache-sized strip of columns at a time (see `SweepRotations`).
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Orthonormal eigenvectors as columns (column i goes with `values[i]`); empty if not requested.
    public let vectors: Matrix

    public init(_ a: Matrix, computeVectors: Bool = true) throws {
        MemoryTuning.ensure()
        try requireSquare(a, "symmetric eigensolver")
        try requireFinite(a, "symmetric eigensolver")
        let n = a.rows
        if n == 0 { values = []; vectors = Matrix(rows: 0, cols: 0); return }
        // The reduction forms sums of squares of entries: scale by an exact power of two when
        // they could overflow or underflow (λ(sA) = s·λ(A), eigenvectors unchanged).
        if let s = safeScale(a) {
            let t = try SymmetricEigen(a * s, computeVectors: computeVectors)
            values = t.values.map { $0 / s }; vectors = t.vectors; return
        }
        if computeVectors && n > TridiagonalDC.leafSize {
            // Divide and conquer on the tridiagonal, T = Z Λ Zᵀ, then V = Q Z (Q's reflectors
            // applied to Z in blocks).
            let (d, e, reduced, taus) = SymmetricEigen.tridiagonalize(a)
            let (lambda, zRows) = try TridiagonalDC.solve(d: d, e: e)
            values = lambda
            vectors = SymmetricEigen.formQ(reflectors: reduced, taus: taus,
                                           applyingTo: Matrix(rows: n, cols: n, elements: zRows).transposed)
            return
        }
        var (d, e, reduced, taus) = SymmetricEigen.tridiagonalize(a)
        let w = AlignedRows(computeVectors ? SymmetricEigen.formQ(reflectors: reduced, taus: taus).transposed : Matrix(rows: 0, cols: 0))
        try SymmetricEigen.implicitQL(&d, &e, w, computeVectors: computeVectors)
        let order = (0..<n).sorted { d[$0] < d[$1] || (d[$0] == d[$1] && $0 < $1) }
        values = order.map { d[$0] }
        if computeVectors {
            var v = Matrix(rows: n, cols: n)
            for (col, src) in order.enumerated() {
                let row = w.base + src * w.ld
                for i in 0..<n { v.storage[i * n + col] = row[i] }
            }
            vectors = v
        } else {
            vectors = Matrix(rows: 0, cols: 0)
        }
    }

    /// Trailing sizes from which a tridiagonalization step is split across threads (below, one
    /// step is a few microseconds: less than handing half of it to another core).
    static let parallelRows = 96

    /// Householder tridiagonalization A = Q T Qᵀ. Returns the diagonal, the sub-diagonal (length n,
    /// last 0), and the reflectors that make Q (row k of the matrix holds v_k right of column k,
    /// with their τ_k; see `formQ`). From `blockedOrder` rows (or with `blocked`) the blocked
    /// reduction; below, the unblocked one here.
    static func tridiagonalize(_ a: Matrix, blocked: Bool? = nil) -> ([Double], [Double], Matrix, [Double]) {
        let n = a.rows
        if blocked ?? (n >= blockedOrder) { return tridiagonalizeBlocked(a) }
        var A = a.symmetrized
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        var taus = [Double](repeating: 0, count: n)
        // Step k: v from row k (right of the diagonal), p = τ A22 v, w = p − (τ/2)(pᵀv) v, and the
        // rank-2 update A22 −= v wᵀ + w vᵀ. The update of step k is applied lazily, fused with
        // the matrix-vector product of step k+1 (each row is updated and then multiplied by
        // v_{k+1} while in cache): one pass over the trailing matrix per step instead of two.
        // `pending` is the (v, w) of the previous step, indexed from its first column.
        var wPrev = [Double](repeating: 0, count: n), wNext = [Double](repeating: 0, count: n)
        A.storage.withUnsafeMutableBufferPointer { ap in
            let M = ap.baseAddress!
            var pendingV: UnsafeMutablePointer<Double>? = nil   // v of step k−1 (columns k..<n)
            for k in 0..<Swift.max(0, n - 2) {
                let len = n - k - 1
                let rowk = M + k * n
                wPrev.withUnsafeMutableBufferPointer { wp in
                    wNext.withUnsafeMutableBufferPointer { np in
                        let Wp = wp.baseAddress!, P = np.baseAddress!
                        // 1. Bring row k (columns k..<n) up to date.
                        if let v = pendingV {
                            let vk = v[0], wk = Wp[0]
                            for j in 0...len { rowk[k + j] -= vk * Wp[j] + wk * v[j] }
                        }
                        d[k] = rowk[k]
                        // 2. The reflector that zeroes row k beyond column k+1.
                        let x = rowk + k + 1
                        let (tau, offDiagonal) = SymmetricEigen.householderRow(x, len)
                        e[k] = offDiagonal
                        taus[k] = tau
                        // 3. One pass over rows k+1..<n (columns k+1..<n): apply the pending update,
                        //    then p_i = τ (row i)·v. Column k of these rows is never read again.
                        //    Rows are independent, so they are split into fixed ranges across threads
                        //    (the same arithmetic per row whatever the split); each range's data stays
                        //    in one core's cache from step to step (`pinned`).
                        let pv = pendingV.map { $0 + 1 }, pw = Wp + 1
                        let rowsPass: (Int, Int) -> Void = { i0, i1 in
                            for i in i0..<i1 {
                                let row = M + (k + 1 + i) * n + k + 1
                                var acc = SIMD8<Double>()
                                var j = 0
                                if let pv = pv {
                                    let vi = pv[i], wi = pw[i]
                                    while j + 8 <= len {
                                        var r = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Double>.self)
                                        let vj = UnsafeRawPointer(pv + j).loadUnaligned(as: SIMD8<Double>.self)
                                        let wj = UnsafeRawPointer(pw + j).loadUnaligned(as: SIMD8<Double>.self)
                                        r -= vi * wj + wi * vj
                                        UnsafeMutableRawPointer(row + j).storeBytes(of: r, as: SIMD8<Double>.self)
                                        acc.addProduct(r, UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Double>.self))
                                        j += 8
                                    }
                                    var tail = 0.0
                                    while j < len { row[j] -= vi * pw[j] + wi * pv[j]; tail += row[j] * x[j]; j += 1 }
                                    P[i] = tau * (acc.sum() + tail)
                                } else {
                                    P[i] = tau * Vector.dot(UnsafePointer(row), UnsafePointer(x), len)
                                }
                            }
                        }
                        if len >= SymmetricEigen.parallelRows && Threads.count > 1 {
                            // Four row ranges per thread: a thread that is late to a step (its
                            // core busy) then delays it by one small range at most.
                            let chunks = 4 * Threads.count
                            Threads.forEach(chunks, pinned: true) { c in
                                rowsPass(c * len / chunks, (c + 1) * len / chunks)
                            }
                        } else {
                            rowsPass(0, len)
                        }
                        // 4. w = p − (τ/2)(pᵀv) v becomes the pending update.
                        if tau != 0 {
                            let kk = 0.5 * tau * Vector.dot(UnsafePointer(P), UnsafePointer(x), len)
                            for i in 0..<len { P[i] -= kk * x[i] }
                        }
                    }
                }
                swap(&wPrev, &wNext)
                pendingV = taus[k] != 0 ? rowk + k + 1 : nil
            }
            // The last 2 x 2 block, brought up to date.
            if n >= 2 {
                if let v = pendingV {
                    wPrev.withUnsafeBufferPointer { wp in
                        for r in 0..<2 { for j in 0..<2 {
                            M[(n - 2 + r) * n + n - 2 + j] -= v[r] * wp[j] + wp[r] * v[j]
                        } }
                    }
                }
                d[n - 2] = M[(n - 2) * n + n - 2]
                e[n - 2] = M[(n - 2) * n + n - 1]
            }
            d[n - 1] = M[(n - 1) * n + n - 1]
        }
        return (d, e, A, taus)
    }

    /// The reflector H = I − τ v vᵀ with H x = β e₁ for x[0..<len] (len ≥ 1), written over x as v
    /// (v[0] = 1). Returns (τ, β); when x[1...] is zero, (0, x[0]) and x is left as it is.
    @inline(__always)
    static func householderRow(_ x: UnsafeMutablePointer<Double>, _ len: Int) -> (tau: Double, beta: Double) {
        let alpha = x[0]
        var xnorm2 = 0.0
        for i in 1..<len { xnorm2 += x[i] * x[i] }
        if xnorm2 == 0 { return (0, alpha) }
        let beta = -(alpha >= 0 ? 1.0 : -1.0) * (alpha * alpha + xnorm2).squareRoot()
        let tau = (beta - alpha) / beta
        let scale = 1 / (alpha - beta)
        x[0] = 1
        for i in 1..<len { x[i] *= scale }
        return (tau, beta)
    }

    /// Q = H_0 H_1 ⋯ H_{n−3} from the reflectors left in the rows of `reduced` by `tridiagonalize`
    /// (v_k in row k, columns k+1..<n, with v_k[0] = 1 stored).
    ///
    /// Q = diag(1, Q̃), and Q̃ is formed like LAPACK's dorgqr: blocks of `QRFactorization.blockWidth`
    /// reflectors, last block first, each applied as I − V T Vᵀ (three GEMMs) to the rows and columns
    /// it touches; the columns left of a block are still those of I there.
    ///
    /// With `z`, returns Q z instead (the blocks then act on all columns of z).
    static func formQ(reflectors reduced: Matrix, taus: [Double], applyingTo z: Matrix? = nil) -> Matrix {
        let n = reduced.rows
        var q = z ?? Matrix.identity(n)
        let allColumns = z != nil
        let count = n - 2                  // reflectors; Q̃ is (n−1) x (n−1)
        if count <= 0 { return q }
        let nb = QRFactorization.blockWidth
        q.storage.withUnsafeMutableBufferPointer { qp in
            reduced.storage.withUnsafeBufferPointer { ap in
                taus.withUnsafeBufferPointer { tp in
                    let Q = qp.baseAddress!, M = ap.baseAddress!
                    let qt = Q + n + 1             // Q̃ = Q[1..<n, 1..<n], row stride n
                    var k0 = ((count - 1) / nb) * nb
                    while k0 >= 0 {
                        let b = Swift.min(nb, count - k0)
                        let rows = n - 1 - k0
                        // V (rows x b): V[r, j] = v_{k0+j}[r − j] = M[k0 + j, k0 + 1 + r] for r ≥ j.
                        var v = [Double](repeating: 0, count: rows * b)
                        for j in 0..<b {
                            let src = M + (k0 + j) * n + k0 + 1
                            for r in j..<rows { v[r * b + j] = src[r] }
                        }
                        var t = [Double](repeating: 0, count: b * b)
                        v.withUnsafeBufferPointer { vp in
                            t.withUnsafeMutableBufferPointer { tb in
                                let V = vp.baseAddress!, T = tb.baseAddress!
                                Householder.formT(rows: rows, reflectors: b, v: V, ldv: b, tau: tp.baseAddress! + k0, t: T, ldt: b)
                                if allColumns {
                                    Householder.applyBlock(rows: rows, cols: n, reflectors: b, v: V, ldv: b,
                                                           t: UnsafePointer(T), ldt: b, c: Q + (1 + k0) * n, ldc: n)
                                } else {
                                    Householder.applyBlock(rows: rows, cols: rows, reflectors: b, v: V, ldv: b,
                                                           t: UnsafePointer(T), ldt: b, c: qt + k0 * n + k0, ldc: n)
                                }
                            }
                        }
                        k0 -= nb
                    }
                }
            }
        }
        return q
    }

    /// Implicit QL iterations on the tridiagonal (d, e); rotations applied to the rows of `w`.
    static func implicitQL(_ d: inout [Double], _ e: inout [Double], _ w: AlignedRows, computeVectors: Bool) throws {
        let n = d.count
        if n <= 1 { return }
        e[n - 1] = 0
        var batch = SweepRotations(rows: computeVectors ? n : 0)
        defer { if computeVectors { batch.flush(into: w) } }
        let maxIterations = 60
        // The test |e_m| ≤ ε(|d_m| + |d_m+1|) is relative to the entries it couples. For a block of
        // eigenvalues far below ‖T‖ (the numerically zero eigenvalues of a singular Hessian, say)
        // the iteration can creep towards it for ever: after `slowIterations` on one eigenvalue,
        // |e_m| ≤ ε‖T‖ is accepted as well (a perturbation within the backward error of the
        // reduction, as in EISPACK's tql2). Up to then the iteration is exactly the relative one.
        let slowIterations = 30
        var norm = 0.0
        for i in 0..<n { norm = Swift.max(norm, abs(d[i]) + abs(e[i])) }
        let absoluteTolerance = Double.ulpOfOne * norm
        for l in 0..<n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let dd = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * dd { break }
                    if iterations >= slowIterations && abs(e[m]) <= absoluteTolerance { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > maxIterations {
                    throw LinearAlgebraError.noConvergence(routine: "symmetric eigensolver (implicit QL)", iterations: maxIterations)
                }
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = fastHypot(g, 1)
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? abs(r) : -abs(r)))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var underflow = false
                while i >= l {
                    let f = s * e[i], b = c * e[i]
                    r = fastHypot(f, g)
                    e[i + 1] = r
                    if r == 0 {
                        d[i + 1] -= p
                        e[m] = 0
                        underflow = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    if computeVectors {
                        // (row_i, row_i+1) ← (c·row_i − s·row_i+1, s·row_i + c·row_i+1)
                        batch.record(i, c: c, s: -s)
                        if batch.isFull { batch.flush(into: w) }
                    }
                    i -= 1
                }
                if underflow { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
    }
}

/// √(a² + b²): the plain formula when a² + b² is safely inside the normal range (no overflow, no
/// underflow), else libm's `hypot` (which is about 10x slower and dominated the QL stage).
@inline(__always)
func fastHypot(_ a: Double, _ b: Double) -> Double {
    let s = a * a + b * b
    if s >= 0x1p-960 && s <= 0x1p960 { return s.squareRoot() }
    return hypot(a, b)
}

/// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.
public func symmetricEigen(_ a: Matrix) throws -> SymmetricEigen { try SymmetricEigen(a) }

/// Eigenvalues of a symmetric matrix, ascending (no eigenvectors: about 3x cheaper).
public func symmetricEigenvalues(_ a: Matrix) throws -> [Double] { try SymmetricEigen(a, computeVectors: false).values }

/// A power of two that brings max|a_ij| near 1, or nil when the entries are already in a range
/// where sums of their squares can neither overflow nor underflow (or the matrix is zero).
/// Multiplying by a power of two is exact (barring underflow of entries far below the largest).
/// The exponent is capped at 1020: for a subnormal largest entry (exponent below −1020) 2^−exponent
/// would overflow to ∞; 2^1020 still brings it above 2^−400.
func safeScale(_ a: Matrix) -> Double? {
    let m = a.maxAbs
    if m == 0 || (m >= 0x1p-400 && m <= 0x1p400) { return nil }
    return Double(sign: .plus, exponent: Swift.min(-m.exponent, 1020), significand: 1)
}
