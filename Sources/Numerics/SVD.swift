import Foundation

/// Thin singular value decomposition A = U diag(σ) Vᵀ, σ descending, for any m x n matrix.
///
/// Three stages (LAPACK's dgesvd path with dbdsqr; from `divideAndConquerOrder` columns, stage 3
/// is LAPACK's dgesdd path with dbdsdc, see `BidiagonalDC`):
///  1. Golub–Kahan bidiagonalization A = Q B Pᵀ by Householder reflectors, alternately from the
///     left (zeroing a column below the diagonal) and from the right (zeroing a row right of the
///     superdiagonal). Wide matrices are transposed first; tall ones (m > 1.5 n) are reduced by QR
///     first (A = Q_R R, then the SVD of the square R).
///  2. Q and P formed from their reflectors in blocks (compact WY, through GEMM), as for QR.
///  3. The SVD of the upper bidiagonal B by implicit QR (Demmel & Kahan 1990, LAPACK's dbdsqr):
///     shifted sweeps, or zero-shift sweeps when the shift would spoil the relative accuracy of the
///     smallest singular values, with relative-accuracy convergence tests. The plane rotations act
///     on the rows of Uᵀ = (Q U_B)ᵀ and Vᵀ = (P V_B)ᵀ, which are contiguous in row-major storage;
///     they are recorded and applied in batches, strip by strip (see `SweepRotations`).
///     From `divideAndConquerOrder` columns the vectors of B come from divide and conquer
///     instead (`BidiagonalDC`), Q and P are applied to them without being formed, and the
///     singular values come from dqds (`Dqds`, O(n²), relatively accurate), as in
///     `singularValues(_:)`, so that they keep the relative accuracy below and equal its values
///     bit for bit.
///
/// Accuracy: backward stable (A + ΔA = U Σ Vᵀ with ||ΔA|| = O(ε)||A||), so every σ_i has absolute
/// error O(ε)σ_max and U, V are orthonormal to O(ε). Beyond that, small singular values keep high
/// relative accuracy for a matrix graded by columns or by rows, A = B D or D B (B well
/// conditioned, D diagonal), as one-sided Jacobi gives them for column grading:
///   - the rows and the columns are first ordered by decreasing norm (permutations, exact; the
///     rows of U and V are permuted back). Householder bidiagonalization of a matrix graded from
///     large to small perturbs each column (row) by O(ε) relative to its own size, but not one
///     graded the other way (measured: the smallest σ of a 4 x 4 column-graded test matrix with
///     its columns reversed lost all its digits; sorted, every σ is within a few ulps);
///   - the QR preprocessing of a tall matrix, on the row-sorted matrix, has a columnwise-small
///     backward error (Higham, ASNA §19.3), and R keeps A's column norms;
///   - the bidiagonal SVD is relatively accurate: zero-shift QR sweeps whenever a shift would
///     swamp the smallest singular value, and relative convergence tests (Demmel & Kahan).
public struct SVD: Sendable {
    /// m x p with orthonormal columns, p = min(m, n).
    public let u: Matrix
    /// Singular values, descending, length p.
    public let singularValues: [Double]
    /// n x p with orthonormal columns (V, not Vᵀ).
    public let v: Matrix

    public init(_ a: Matrix) throws {
        MemoryTuning.ensure()
        try requireFinite(a, "SVD")
        let (m, n) = (a.rows, a.cols)
        if m == 0 || n == 0 {
            let p = Swift.min(m, n)
            u = Matrix(rows: m, cols: p); singularValues = []; v = Matrix(rows: n, cols: p); return
        }
        // The reflectors form sums of squares: scale by an exact power of two when they could
        // overflow or underflow (σ(sA) = s·σ(A), singular vectors unchanged).
        if let s = safeScale(a) {
            let t = try SVD(a * s)
            u = t.u; singularValues = t.singularValues.map { $0 / s }; v = t.v; return
        }
        if m < n {
            let t = try SVD(a.transposed)
            u = t.v; singularValues = t.singularValues; v = t.u; return
        }
        if m > n + n / 2 {
            // Reduce a tall matrix: Π_r A = Q R (rows by decreasing norm), R = U_R Σ Vᵀ, U = Π_rᵀ Q U_R.
            let rowPerm = SVD.decreasingNormOrder(a, rows: true)
            var pa = a
            for i in 0..<m { for j in 0..<n { pa.storage[i * n + j] = a.storage[rowPerm[i] * n + j] } }
            let f = try QRFactorization(pa)
            let inner = try SVD(f.r)
            let qu = f.q * inner.u
            var uu = Matrix(rows: m, cols: n)
            for i in 0..<m { for j in 0..<n { uu.storage[rowPerm[i] * n + j] = qu.storage[i * n + j] } }
            u = uu; singularValues = inner.singularValues; v = inner.v; return
        }
        (u, singularValues, v) = try SVD.bidiagonalQR(a)
    }

    /// From this many columns the bidiagonal stage computes the singular vectors by divide and
    /// conquer (`BidiagonalDC`) instead of the implicit QR's rotations. Measured on square
    /// Gaussian matrices, one thread, divide and conquer's time over the QR path's (medians of
    /// 6-8 alternating runs): n = 200 1.03-1.10, 250 0.90-0.94, 300 0.86-0.87, 500 0.78-0.79
    /// (two threads: n = 200 0.95-0.98, 500 0.76-0.78).
    static let divideAndConquerOrder = 250

    /// Bidiagonalization, then the SVD of the bidiagonal with Q and P formed and rotated (implicit
    /// QR), or, from `divideAndConquerOrder` columns, by divide and conquer with Q and P applied
    /// to its vectors; for m ≥ n ≥ 1.
    static func bidiagonalQR(_ a: Matrix, divideAndConquer: Bool? = nil) throws -> (Matrix, [Double], Matrix) {
        let (m, n) = (a.rows, a.cols)
        // Bidiagonalize Π_r A Π_c, the permutations ordering the rows and the columns by decreasing
        // norm (see the type's doc comment); then U = Π_rᵀ U', V = Π_c V'.
        let rowPerm = SVD.decreasingNormOrder(a, rows: true)
        let perm = SVD.decreasingNormOrder(a, rows: false)
        var work = a
        if perm != Array(0..<n) || rowPerm != Array(0..<m) {
            for i in 0..<m { for j in 0..<n { work.storage[i * n + j] = a.storage[rowPerm[i] * n + perm[j]] } }
        }
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)         // e[n − 1] unused
        var tauQ = [Double](repeating: 0, count: n)
        var tauP = [Double](repeating: 0, count: n)
        work.storage.withUnsafeMutableBufferPointer { wp in
            bidiagonalize(wp.baseAddress!, m: m, n: n, d: &d, e: &e, tauQ: &tauQ, tauP: &tauP)
        }
        if divideAndConquer ?? (n >= divideAndConquerOrder) {
            // Vectors by divide and conquer, B = U_B Σ V_Bᵀ, then U = Q U_B and V = P V_B with the
            // reflectors applied to U_B and V_B directly (Q and P are never formed); the singular
            // values as `singularValues` computes them (`bidiagonalValues`: relatively accurate,
            // the same bits), both sorted descending.
            let (_, ub, vb) = try BidiagonalDC.solve(d: d, e: Array(e[0..<(n - 1)]))
            let values = try bidiagonalValues(d, e)
            var qu = Matrix(rows: m, cols: n, elements: m == n ? ub : ub + [Double](repeating: 0, count: (m - n) * n))   // [U_B; 0], then Q U_B
            var pv = Matrix(rows: n, cols: n, elements: vb)                  // V_B, then P V_B = diag(1, P̃) V_B
            work.storage.withUnsafeBufferPointer { wp in
                tauQ.withUnsafeBufferPointer { tp in
                    qu.storage.withUnsafeMutableBufferPointer { cp in
                        Householder.applyOrthogonal(wp.baseAddress!, ld: n, rows: m, count: n, tau: tp.baseAddress!,
                                                    to: cp.baseAddress!, cols: n, ldc: n)
                    }
                }
            }
            if n > 1 {
                let k = n - 1
                rightReflectors(work, n).withUnsafeBufferPointer { rp in
                    tauP.withUnsafeBufferPointer { tp in
                        pv.storage.withUnsafeMutableBufferPointer { cp in
                            Householder.applyOrthogonal(rp.baseAddress!, ld: k, rows: k, count: k, tau: tp.baseAddress!,
                                                        to: cp.baseAddress! + n, cols: n, ldc: n)
                        }
                    }
                }
            }
            return (qu.rowsPermuted(to: rowPerm), values, pv.rowsPermuted(to: perm))
        }
        // Qᵀ (n x m) and Pᵀ (n x n) as rows.
        let q = work.storage.withUnsafeBufferPointer { wp in
            tauQ.withUnsafeBufferPointer { tp in
                Householder.formOrthogonal(UnsafePointer(wp.baseAddress!), ld: n, rows: m, count: n, tau: tp.baseAddress!)
            }
        }
        var pt = Matrix(rows: n, cols: n)                 // Pᵀ = diag(1, P̃ᵀ)
        pt.storage[0] = 1
        if n > 1 {
            let k = n - 1
            let pTilde = rightReflectors(work, n).withUnsafeBufferPointer { rp in
                tauP.withUnsafeBufferPointer { tp in
                    Householder.formOrthogonal(rp.baseAddress!, ld: k, rows: k, count: k, tau: tp.baseAddress!)
                }
            }
            for i in 0..<k { for j in 0..<k { pt.storage[(1 + i) * n + 1 + j] = pTilde.storage[j * k + i] } }
        }
        let ut = AlignedRows(q.transposed), vt = AlignedRows(pt)
        try bidiagonalSVD(&d, &e, ut: ut, vt: vt)
        // Signs and order.
        for i in 0..<n where d[i] < 0 {
            d[i] = -d[i]
            let row = vt.base + i * vt.ld
            for j in 0..<n { row[j] = -row[j] }
        }
        let order = (0..<n).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var u = Matrix(rows: m, cols: n), v = Matrix(rows: n, cols: n)
        for (col, src) in order.enumerated() {
            let ur = ut.base + src * ut.ld, vr = vt.base + src * vt.ld
            for r in 0..<m { u.storage[rowPerm[r] * n + col] = ur[r] }
            for r in 0..<n { v.storage[perm[r] * n + col] = vr[r] }
        }
        return (u, order.map { d[$0] }, v)
    }

    /// The right reflectors of a bidiagonalized n-column `work` (reflector j in row j, right of the
    /// superdiagonal) in the QR layout that `Householder` reads: P̃ (order n − 1) with reflector j in
    /// column j below the diagonal, P = diag(1, P̃).
    static func rightReflectors(_ work: Matrix, _ n: Int) -> [Double] {
        let k = n - 1
        var r = [Double](repeating: 0, count: k * k)
        for j in 0..<k { for i in (j + 1)..<k { r[i * k + j] = work.storage[j * n + 1 + i] } }
        return r
    }

    /// The rows (or columns) of `a` in order of decreasing Euclidean norm, ties in index order.
    static func decreasingNormOrder(_ a: Matrix, rows: Bool) -> [Int] {
        let (m, n) = (a.rows, a.cols)
        let norms = a.storage.withUnsafeBufferPointer { ap in
            rows ? (0..<m).map { Householder.stridedNorm(n, ap.baseAddress! + $0 * n, 1) }
                 : (0..<n).map { Householder.stridedNorm(m, ap.baseAddress! + $0, n) }
        }
        return norms.indices.sorted { norms[$0] > norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
    }

    /// Trailing sizes (rows x columns) from which a bidiagonalization step is done in two halves.
    static let splitBidiagonalWork = 64 * 64

    /// Panel width of the blocked bidiagonalization (see `bidiagonalizeBlocked`). Measured on
    /// square Gaussian matrices, one thread, bidiagonalization alone, panels while more than 96
    /// columns remain, the trailing update as two products of depth nb: at n = 500, nb = 16 took
    /// 21.8 ms, 24 took 22.7 ms and 32 took 23.3 ms (unblocked: 29.1 ms); at n = 200, 16 took
    /// 1.76 ms and 32 took 2.07 ms (unblocked: 1.92 ms). A wider panel moves more flops into the
    /// GEMM, but the GEMM is a small part of the time (with nb = 32, 4 ms of the 23.3); what grows
    /// with nb is the panel's own level-2 work (its per-step updates with the i previous y_l and
    /// u_l, and the products with a row of V and of X in every row of every pass).
    static let bidiagonalBlock = 16

    /// The blocked bidiagonalization runs panels while more than this many columns remain; the
    /// unblocked routine does the rest (and all of a matrix with at most this many columns).
    /// Measured with nb = 16 (bidiagonalization alone, milliseconds, unblocked / blocked with
    /// this 96, 128, 160): n = 300, one thread 10.0 / 7.1, 7.2, 6.8, two threads 7.1 / 6.8, 6.6,
    /// 6.5; n = 250, two threads 3.9 / 4.1, 4.0, 3.9; n = 200, one thread 2.9 / 2.6, 2.6, 2.6,
    /// two threads 2.0 / 2.2, 2.2, 2.1. On two threads each core's cache holds half of a small
    /// trailing matrix and the unblocked passes are fast; the choice must not depend on the
    /// thread count (the results would), so it is made by size alone.
    static let bidiagonalBlockedFrom = 160

    /// Householder bidiagonalization of the m x n (m ≥ n) row-major `a` (row stride n) in place:
    /// A = Q B Pᵀ with B upper bidiagonal (diagonal `d`, superdiagonal `e`), in the layout of
    /// `bidiagonalizeUnblocked`. Blocked (`bidiagonalizeBlocked`) for wide enough matrices.
    static func bidiagonalize(_ a: UnsafeMutablePointer<Double>, m: Int, n: Int,
                              d: inout [Double], e: inout [Double], tauQ: inout [Double], tauP: inout [Double]) {
        d.withUnsafeMutableBufferPointer { dp in
            e.withUnsafeMutableBufferPointer { ep in
                tauQ.withUnsafeMutableBufferPointer { qp in
                    tauP.withUnsafeMutableBufferPointer { pp in
                        let (D, E, Q, P) = (dp.baseAddress!, ep.baseAddress!, qp.baseAddress!, pp.baseAddress!)
                        if n > bidiagonalBlockedFrom {
                            bidiagonalizeBlocked(a, m: m, n: n, nb: bidiagonalBlock, tail: bidiagonalBlockedFrom,
                                                 d: D, e: E, tauQ: Q, tauP: P)
                        } else {
                            bidiagonalizeUnblocked(a, m: m, n: n, ld: n, d: D, e: E, tauQ: Q, tauP: P)
                        }
                    }
                }
            }
        }
    }

    /// Blocked Householder bidiagonalization (LAPACK's dgebrd with dlabrd) of the m x n (m ≥ n)
    /// row-major `a` (row stride n), with the outputs of `bidiagonalizeUnblocked`.
    ///
    /// The unblocked routine rewrites the whole trailing matrix at every step (two rank-one
    /// updates, 8 flops per entry, half of them stores). dlabrd reduces a panel of nb rows and
    /// columns without touching the trailing matrix: after i steps of the panel (reflectors
    /// H_l = I − τ_q v_l v_lᵀ from the left and G_l = I − τ_p u_l u_lᵀ from the right, l < i), the
    /// reduced matrix is
    ///
    ///     Ã = A − V Yᵀ − X Uᵀ,   V = [v_0 … v_{i−1}], U = [u_0 … u_{i−1}],
    ///
    /// with the columns of Y and X built one per step:
    ///
    ///     y_i = τ_q Ãᵀ v_i = τ_q (Aᵀ v_i − Y (Vᵀ v_i) − U (Xᵀ v_i)),
    ///     x_i = τ_p Ã′ u_i = τ_p (A u_i − V (Yᵀ u_i) − X (Uᵀ u_i)),
    ///
    /// (Ã′ is Ã after H_i, so Y and V already hold column i there). Only column i (to build v_i)
    /// and row i (to build u_i) of Ã are formed explicitly. After the panel the trailing matrix
    /// is brought up to date by two matrix products, A ← A − V Yᵀ − X Uᵀ, which is half of the
    /// flops, in GEMM.
    ///
    /// The level-2 half is one pass over the trailing rows per step, read only (the trailing matrix
    /// at n = 500 is larger than a core's cache, so the time of either routine is nearly that of
    /// streaming it once per step; the unblocked one also writes it back): row j gives the
    /// product (A u_i)_j, hence x_{i,j}, hence the updated entry of column i+1 in row j,
    /// a_j = A[j, i+1] − V[j, :]·Y[i+1, :] − X[j, :]·U[i+1, :]; and, as in the unblocked routine,
    /// the next step's Aᵀ v_{i+1} is accumulated in the same pass as Σ_j a_j A[j, :] (v_{i+1} is
    /// a_j/(α − β), with α − β known only at the end of the pass), along with Σ_j a_j V[j, :] and
    /// Σ_j a_j X[j, :] for Vᵀ v_{i+1} and Xᵀ v_{i+1}. One pass per step over the trailing matrix
    /// (a panel's first step needs one more, for Aᵀ v), 4 flops per entry, no stores.
    ///
    /// Storage: Yᵀ (nb rows over the global columns) and X (m rows of nb, padded) in work arrays;
    /// V and U are the reflectors already stored in `a` (their implied ones supplied where a
    /// product needs them).
    /// Large passes split the rows into two fixed halves with their own partial sums, added in
    /// order, and the GEMM splits its work by size only, so the result is the same bit for bit
    /// for any thread count. The panel width nb and the crossover `tail` are `bidiagonalBlock`
    /// and `bidiagonalBlockedFrom` (measured there); panels run while more than `tail` columns
    /// remain (tail ≥ nb rounded up to a multiple of 8), and the unblocked routine reduces the
    /// last ones.
    static func bidiagonalizeBlocked(_ a: UnsafeMutablePointer<Double>, m: Int, n: Int, nb: Int, tail: Int,
                                     d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>,
                                     tauQ: UnsafeMutablePointer<Double>, tauP: UnsafeMutablePointer<Double>) {
        // The panel's short vectors (a row of V, of X, Yᵀu, …) are padded with zeros to nbp, a
        // multiple of 8, so that the products with them are whole SIMD8 blocks. A row of V is
        // read as A[j, k..<k+nbp], whose entries past the panel's current column are other
        // (finite) entries of A, each multiplied by a padding zero.
        let nbp = (nb + 7) / 8 * 8
        precondition(m >= n && nb >= 1 && tail >= nbp, "bidiagonalizeBlocked: m ≥ n, 1 ≤ nb, tail ≥ nb rounded up to 8")
        typealias V8 = SIMD8<Double>
        @inline(__always) func load(_ p: UnsafePointer<Double>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
        @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ v: V8) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) }
        let ld = n
        let yt = UnsafeMutablePointer<Double>.allocate(capacity: nb * n)        // Yᵀ, row l = y_l
        let x = UnsafeMutablePointer<Double>.allocate(capacity: m * nbp)        // X, row j = X[j, :]
        let stride = n + 2 * nbp + 8
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 2 * stride)
        let small = UnsafeMutablePointer<Double>.allocate(capacity: 8 * nbp)
        let uvec = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let left = UnsafeMutablePointer<Double>.allocate(capacity: m * 2 * nb)      // [V X] for the update
        let right = UnsafeMutablePointer<Double>.allocate(capacity: 2 * nb * n)     // [Y U]ᵀ for the update
        defer {
            yt.deallocate(); x.deallocate(); sums.deallocate(); small.deallocate(); uvec.deallocate()
            left.deallocate(); right.deallocate()
        }
        yt.initialize(repeating: 0, count: nb * n)
        x.initialize(repeating: 0, count: m * nbp)
        // Per half h, at sums + h·stride: Σ a_j A[j, c] (w entries, c from the step's column + 1;
        // the first is not used), then Σ a_j V[j, :] and Σ a_j X[j, :] (nbp each).
        let coefY = small, coefU = small + nbp                       // coefficients of y_l and u_l
        let yu = small + 2 * nbp, xu = small + 3 * nbp               // Yᵀu and Uᵀu, padded
        let ycol = small + 4 * nbp, ucol = small + 5 * nbp           // Y[p+1, :] and U[p+1, :], padded
        let A = SharedPointer(a), Xs = SharedPointer(x), S = SharedPointer(sums)
        let chunks = nbp / 8

        var k = 0
        while n - k > tail {
            // The panel's first step: Σ_{j > k} A[j, k] A[j, k+1...] by a separate pass.
            do {
                let w = n - k - 1, rows = m - k - 1
                let halves = rows * w >= splitBidiagonalWork ? 2 : 1
                for h in 0..<halves { (sums + h * stride).update(repeating: 0, count: w + 1) }
                let pass: (Int) -> Void = { h in
                    let j0 = k + 1 + h * rows / halves, j1 = k + 1 + (h + 1) * rows / halves
                    let s = S.base + h * stride + 1
                    for j in j0..<j1 {
                        let rj = A.base + j * ld
                        let aj = rj[k]
                        if aj != 0 { Vector.axpy(aj, UnsafePointer(rj + k + 1), s, w) }
                    }
                }
                if halves == 2 {
                    Threads.forEach(2, pinned: true, pass)
                    Vector.axpy(1, UnsafePointer(sums + stride), sums, w + 1)
                } else {
                    pass(0)
                }
            }
            for i in 0..<nb {
                let p = k + i, w = n - p - 1                      // w ≥ 1: n − k > tail ≥ nb
                let row = a + p * ld
                let rowp = row + p + 1                            // row p from column p+1
                let yrows = UnsafePointer(yt + p + 1)             // y_0, y_1, … from column p+1 (stride n)
                let urows = UnsafePointer(a + k * ld + p + 1)     // u_0, u_1, … from column p+1 (stride ld)
                // 1. The left reflector from column p (already up to date, rows p..<m).
                var tq = 0.0, scale = 0.0
                let alpha = row[p]
                let xnorm = Householder.stridedNorm(m - p - 1, row + ld + p, ld)
                if xnorm != 0 {
                    let beta = -(alpha >= 0 ? 1.0 : -1.0) * hypot(alpha, xnorm)
                    tq = (beta - alpha) / beta
                    scale = 1 / (alpha - beta)
                    row[p] = beta
                    for j in (p + 1)..<m { a[j * ld + p] *= scale }
                }
                tauQ[p] = tq
                d[p] = row[p]
                // 2. y_i = τ_q (Aᵀ v − Y (Vᵀ v) − U (Xᵀ v)) over columns p+1..<n, where
                //    Aᵀ v = A[p, :] + scale·Σ a_j A[j, :] and likewise Vᵀ v, Xᵀ v (l < i).
                let yi = yt + i * n + p + 1
                if tq != 0 {
                    for c in 0..<w { yi[c] = rowp[c] + scale * sums[1 + c] }
                    for l in 0..<i {
                        coefY[l] = -(row[k + l] + scale * sums[w + 1 + l])
                        coefU[l] = -(x[p * nbp + l] + scale * sums[w + 1 + nbp + l])
                    }
                    Vector.combineRows(coefY, yrows, n, i, yi, w)
                    Vector.combineRows(coefU, urows, ld, i, yi, w)
                    for c in 0..<w { yi[c] *= tq }
                } else {
                    yi.update(repeating: 0, count: w)
                }
                // 3. Row p of Ã′: A[p, :] − Σ_{l ≤ i} V[p, l] y_l − Σ_{l < i} X[p, l] u_l (V[p, i] = 1).
                for l in 0..<i { coefY[l] = -row[k + l]; coefU[l] = -x[p * nbp + l] }
                coefY[i] = -1
                Vector.combineRows(coefY, yrows, n, i + 1, rowp, w)
                Vector.combineRows(coefU, urows, ld, i, rowp, w)
                // 4. The right reflector from it.
                let tp = Householder.generate(len: w, rowp, stride: 1)
                tauP[p] = tp
                e[p] = rowp[0]
                uvec[0] = 1
                for c in 1..<Swift.max(w, 1) { uvec[c] = rowp[c] }
                // 5. Yᵀu (l ≤ i) and Uᵀu (l < i) for x_i; row p+1 of Y and column p+1 of U for the
                //    update of column p+1 (U[i, p+1] = 1). All padded with zeros to nbp.
                for c in 0..<(4 * nbp) { yu[c] = 0 }                 // yu, xu, ycol, ucol
                Vector.dotRows(yrows, n, i + 1, UnsafePointer(uvec), w, yu)
                Vector.dotRows(urows, ld, i, UnsafePointer(uvec), w, xu)
                let next = i + 1 < nb
                if next {
                    for l in 0...i { ycol[l] = yt[l * n + p + 1]; ucol[l] = l == i ? 1 : a[(k + l) * ld + p + 1] }
                }
                // 6. One pass over rows p+1..<m: x_i, column p+1 of Ã, and the next step's sums.
                let rows = m - p - 1
                let halves = rows * w >= splitBidiagonalWork ? 2 : 1
                if next { for h in 0..<halves { (sums + h * stride).update(repeating: 0, count: stride) } }
                let up = UnsafePointer(uvec), yup = UnsafePointer(yu), xup = UnsafePointer(xu)
                let ycp = UnsafePointer(ycol), ucp = UnsafePointer(ucol)
                let pass: (Int) -> Void = { h in
                    let j0 = p + 1 + h * rows / halves, j1 = p + 1 + (h + 1) * rows / halves
                    let s = S.base + h * stride, sv = s + w, sx = s + w + nbp
                    // Rows four at a time: their four products with u in one sweep (four
                    // independent chains), then their four a_j added into the sums in one sweep
                    // over them (still in cache), the sums loaded and stored once per four rows.
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 8) { buffer in
                        let product = buffer.baseAddress!, coef = product + 4
                        var j = j0
                        while j < j1 {
                            let g = Swift.min(4, j1 - j)
                            if g == 4 {
                                Vector.dot4(A.base + j * ld + p + 1, ld, up, w, product)
                            } else {
                                for r in 0..<g { product[r] = Vector.dot(A.base + (j + r) * ld + p + 1, up, w) }   // as dot4 sums
                            }
                            for r in 0..<g {
                                let jr = j + r
                                let rj = A.base + jr * ld, vj = UnsafePointer(rj + k), xj = Xs.base + jr * nbp
                                // x_ij = τ_p (A[j, :]·u − V[j, :]·Yᵀu − X[j, :]·Uᵀu)
                                var corrX = V8()
                                for c in 0..<chunks {
                                    var t = load(vj + 8 * c) * load(yup + 8 * c)
                                    t.addProduct(load(xj + 8 * c), load(xup + 8 * c))
                                    corrX += t
                                }
                                xj[i] = tp == 0 ? 0 : tp * (product[r] - corrX.sum())
                                coef[r] = 0
                                if next {
                                    // a_j = A[j, p+1] − V[j, :]·Y[p+1, :] − X[j, :]·U[p+1, :]
                                    var corr = V8()
                                    for c in 0..<chunks {
                                        var t = load(vj + 8 * c) * load(ycp + 8 * c)
                                        t.addProduct(load(xj + 8 * c), load(ucp + 8 * c))
                                        corr += t
                                    }
                                    let aj = rj[p + 1] - corr.sum()
                                    rj[p + 1] = aj
                                    if jr > p + 1 && aj != 0 {
                                        coef[r] = aj
                                        let av = V8(repeating: aj)
                                        for c in 0..<chunks {
                                            var t = load(sv + 8 * c); t.addProduct(av, load(vj + 8 * c)); store(sv + 8 * c, t)
                                            var u = load(sx + 8 * c); u.addProduct(av, load(xj + 8 * c)); store(sx + 8 * c, u)
                                        }
                                    }
                                }
                            }
                            if next {
                                // Σ a_j A[j, p+1...] (entry 0, now a_j itself, is not used).
                                if g == 4 {
                                    axpy4(coef, A.base + j * ld + p + 1, ld, s, w)
                                } else {
                                    for r in 0..<g where coef[r] != 0 { Vector.axpy(coef[r], A.base + (j + r) * ld + p + 1, s, w) }
                                }
                            }
                            j += g
                        }
                    }
                }
                if halves == 2 {
                    Threads.forEach(2, pinned: true, pass)
                    if next { Vector.axpy(1, UnsafePointer(sums + stride), sums, w + 2 * nbp) }
                } else {
                    pass(0)
                }
            }
            // The trailing update A ← A − V Yᵀ − X Uᵀ = A − [V X] [Y U]ᵀ (rows and columns from
            // k + nb) as one product of depth 2nb, its factors copied side by side (the implied 1
            // of the last right reflector put in). At n = 500, with nb = 16, the panels' updates
            // took 6.4 ms this way against 7.6 ms as two products of depth 16.
            let k2 = k + nb, mm = m - k2, nn = n - k2, depth = 2 * nb
            for r in 0..<mm {
                let dst = left + r * depth
                dst.update(from: a + (k2 + r) * ld + k, count: nb)
                (dst + nb).update(from: x + (k2 + r) * nbp, count: nb)
            }
            for l in 0..<nb {
                (right + l * nn).update(from: yt + l * n + k2, count: nn)
                (right + (nb + l) * nn).update(from: a + (k + l) * ld + k2, count: nn)
            }
            right[(2 * nb - 1) * nn] = 1
            gemmRaw(m: mm, n: nn, k: depth, alpha: -1, a: UnsafePointer(left), lda: depth, transA: false,
                    b: UnsafePointer(right), ldb: nn, transB: false, beta: 1, c: a + k2 * ld + k2, ldc: ld)
            k = k2
        }
        bidiagonalizeUnblocked(a + k * ld + k, m: m - k, n: n - k, ld: ld,
                               d: d + k, e: e + k, tauQ: tauQ + k, tauP: tauP + k)
    }

    /// Unblocked Householder bidiagonalization of the m x n (m ≥ n) row-major `a` in place:
    /// A = Q B Pᵀ with B upper bidiagonal (diagonal `d`, superdiagonal `e`). Left reflector k is stored below the
    /// diagonal in column k (the QR layout, τ in `tauQ`); right reflector k acts on columns
    /// k+1..<n, its vector (1 implied at column k+1) right of the superdiagonal in row k (τ in `tauP`).
    ///
    /// Step k needs u = τ_q v_qᵀ A (a sum of rows) and then, row by row, the left update
    /// row −= v_q,i u, the product w_i = row · v_p and the right update row −= τ_p w_i v_p. The
    /// sum of rows for step k+1 is accumulated in the same pass, while each row is in cache:
    /// v_{q,i} of step k+1 is x_i/(α − β) for the row's (final) entry x_i in column k+1, so
    /// y = Σ_{i > k+1} x_i row_i gives u_{k+1} = τ (row_{k+1} + y/(α − β)). One pass over the
    /// trailing matrix per step instead of two.
    ///
    /// `ld` is the row stride of `a` (the blocked routine runs this one on its trailing submatrix).
    static func bidiagonalizeUnblocked(_ a: UnsafeMutablePointer<Double>, m: Int, n: Int, ld: Int,
                                       d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>,
                                       tauQ: UnsafeMutablePointer<Double>, tauP: UnsafeMutablePointer<Double>) {
        let u = UnsafeMutablePointer<Double>.allocate(capacity: n + 8)
        let x = UnsafeMutablePointer<Double>.allocate(capacity: n + 8)
        let y = UnsafeMutablePointer<Double>.allocate(capacity: n + 8)
        let y2 = UnsafeMutablePointer<Double>.allocate(capacity: n + 8)
        defer { u.deallocate(); x.deallocate(); y.deallocate(); y2.deallocate() }
        typealias V8 = SIMD8<Double>
        @inline(__always) func load(_ p: UnsafePointer<Double>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
        @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ v: V8) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self) }
        var haveY = false        // y holds Σ_{i > k} A[i, k] A[i, k+1...] for this step k
        for k in 0..<n {
            // The left reflector of column k (Householder.generate, keeping 1/(α − β)).
            var tq = 0.0, scale = 0.0
            let col = a + k * ld + k
            if m - k > 1 {
                let alpha = col[0]
                let xnorm = Householder.stridedNorm(m - k - 1, col + ld, ld)
                if xnorm != 0 {
                    let beta = -(alpha >= 0 ? 1.0 : -1.0) * hypot(alpha, xnorm)
                    tq = (beta - alpha) / beta
                    scale = 1 / (alpha - beta)
                    col[0] = beta
                    for i in 1..<(m - k) { col[i * ld] *= scale }
                }
            }
            tauQ[k] = tq
            d[k] = col[0]
            let w = n - k - 1
            if w == 0 { break }
            let c0 = k + 1
            let full = w / 8 * 8
            let rowk = a + k * ld + c0
            // 1. u = τ_q Σ_{i ≥ k} v_i A[i, c0...], v_k = 1.
            if tq != 0 {
                if haveY {
                    for c in 0..<w { u[c] = tq * (rowk[c] + scale * y[c]) }
                } else {
                    for c in 0..<w { u[c] = rowk[c] }
                    for i in (k + 1)..<m {
                        let vi = a[i * ld + k]
                        if vi == 0 { continue }
                        Vector.axpy(vi, UnsafePointer(a + i * ld + c0), u, w)
                    }
                    for c in 0..<w { u[c] *= tq }
                }
                // Row k first (v_k = 1): the right reflector is built from it.
                for c in 0..<w { rowk[c] -= u[c] }
            }
            haveY = false
            // 2. The right reflector from row k, columns c0..<n.
            let tp = Householder.generate(len: w, rowk, stride: 1)
            tauP[k] = tp
            e[k] = rowk[0]
            if tq == 0 && tp == 0 { continue }
            x[0] = 1
            for c in 1..<Swift.max(w, 1) { x[c] = rowk[c] }
            let xp = UnsafePointer(x), up = UnsafePointer(u)
            // 3. Rows k+1..<m: left update, right update, and (rows > k+1) the next step's sum.
            //    Large steps split the rows into two fixed halves, each with its own partial sum
            //    (y for the first, y2 for the second, then y += y2): the halves run on two threads
            //    when there are two, and the split depends only on the size, so the result is the
            //    same for any thread count.
            let w1 = w - 1
            let rows = m - k - 1
            let halves = rows * w >= SVD.splitBidiagonalWork ? 2 : 1
            if w1 > 0 { y.update(repeating: 0, count: w1); y2.update(repeating: 0, count: w1) }
            let A = SharedPointer(a), Y = SharedPointer(y), Y2 = SharedPointer(y2)
            let pass: (Int) -> Void = { half in
                let i0 = k + 1 + half * rows / halves, i1 = k + 1 + (half + 1) * rows / halves
                let sum = half == 0 ? Y.base : Y2.base
                for i in i0..<i1 {
                    let row = A.base + i * ld + c0
                    let vi = tq != 0 ? A.base[i * ld + k] : 0
                    if vi != 0 { Vector.axpy(-vi, up, row, w) }
                    if tp != 0 {
                        var acc = V8()
                        var c = 0
                        while c < full { acc.addProduct(load(row + c), load(xp + c)); c += 8 }
                        var s = acc.sum()
                        while c < w { s += row[c] * xp[c]; c += 1 }
                        s *= tp
                        if s != 0 { Vector.axpy(-s, xp, row, w) }
                    }
                    if i > k + 1 && w1 > 0 {
                        let xi = row[0]
                        if xi != 0 { Vector.axpy(xi, UnsafePointer(row + 1), sum, w1) }
                    }
                }
            }
            if halves == 2 {
                Threads.forEach(2, pinned: true, pass)
                if w1 > 0 { Vector.axpy(1, UnsafePointer(y2), y, w1) }
            } else {
                pass(0)
            }
            haveY = true
        }
    }

    // MARK: - Bidiagonal QR (dbdsqr)

    /// The SVD of the upper bidiagonal (d, e) in place (d ← signed singular values, unsorted):
    /// rotations from the left act on the rows of `ut`, from the right on the rows of `vt`.
    /// LAPACK's dbdsqr (Demmel & Kahan 1990) with its relative-accuracy tolerance.
    /// With `ut` and `vt` nil, only d and e are updated (the same arithmetic on them, so the same
    /// singular values bit for bit).
    static func bidiagonalSVD(_ d: inout [Double], _ e: inout [Double], ut: AlignedRows?, vt: AlignedRows?) throws {
        let n = d.count
        if n <= 1 { return }
        let vectors = ut != nil && vt != nil
        var left = SweepRotations(rows: n, enabled: vectors), right = SweepRotations(rows: n, enabled: vectors)
        let noRows = AlignedRows(Matrix(rows: 0, cols: 0))
        let ut = ut ?? noRows, vt = vt ?? noRows
        defer { left.flush(into: ut); right.flush(into: vt) }
        let eps = Double.ulpOfOne / 2                               // dlamch("Epsilon")
        let unfl = Double.leastNormalMagnitude
        let tolmul = Swift.max(10, Swift.min(100, pow(eps, -0.125)))
        let tol = tolmul * eps
        let maxitr = 6
        // Approximate smallest singular value (relative accuracy threshold).
        var smax = 0.0
        for i in 0..<n { smax = Swift.max(smax, abs(d[i])) }
        for i in 0..<(n - 1) { smax = Swift.max(smax, abs(e[i])) }
        var sminoa = abs(d[0])
        if sminoa != 0 {
            var mu = sminoa
            for i in 1..<n {
                mu = abs(d[i]) * (mu / (mu + abs(e[i - 1])))
                sminoa = Swift.min(sminoa, mu)
                if sminoa == 0 { break }
            }
        }
        sminoa = sminoa / Double(n).squareRoot()
        let thresh = Swift.max(tol * sminoa, Double(maxitr * n * n) * unfl)
        let maxit = maxitr * n * n
        var iter = 0
        var oldll = -1, oldm = -1
        var idir = 0
        var m = n - 1
        outer: while m > 0 {
            if iter > maxit {
                throw LinearAlgebraError.noConvergence(routine: "SVD (bidiagonal QR)", iterations: maxit)
            }
            // Find the unreduced block ll...m.
            var smaxBlock = abs(d[m])
            var ll = -1
            var lll = m - 1
            while lll >= 0 {
                let abss = abs(d[lll]), abse = abs(e[lll])
                if abse <= thresh {
                    e[lll] = 0
                    if lll == m - 1 { m -= 1; continue outer }
                    ll = lll
                    break
                }
                smaxBlock = Swift.max(smaxBlock, abss, abse)
                lll -= 1
            }
            ll += 1
            if ll == m - 1 {
                // 2 x 2 block.
                let r = lasv2(d[m - 1], e[m - 1], d[m])
                d[m - 1] = r.ssmax; e[m - 1] = 0; d[m] = r.ssmin
                right.record(m - 1, c: r.csr, s: r.snr); if right.isFull { right.flush(into: vt) }
                left.record(m - 1, c: r.csl, s: r.snl); if left.isFull { left.flush(into: ut) }
                m -= 2
                continue outer
            }
            if ll > oldm || m < oldll {
                idir = abs(d[ll]) >= abs(d[m]) ? 1 : 2
            }
            // Convergence tests.
            var sminl = 0.0
            if idir == 1 {
                if abs(e[m - 1]) <= tol * abs(d[m]) { e[m - 1] = 0; continue outer }
                var mu = abs(d[ll]); sminl = mu
                for j in ll..<m {
                    if abs(e[j]) <= tol * mu { e[j] = 0; continue outer }
                    mu = abs(d[j + 1]) * (mu / (mu + abs(e[j])))
                    sminl = Swift.min(sminl, mu)
                }
            } else {
                if abs(e[ll]) <= tol * abs(d[ll]) { e[ll] = 0; continue outer }
                var mu = abs(d[m]); sminl = mu
                var j = m - 1
                while j >= ll {
                    if abs(e[j]) <= tol * mu { e[j] = 0; continue outer }
                    mu = abs(d[j]) * (mu / (mu + abs(e[j])))
                    sminl = Swift.min(sminl, mu)
                    j -= 1
                }
            }
            oldll = ll; oldm = m
            // Shift: zero if it would ruin the relative accuracy of the smallest singular value.
            var shift = 0.0
            if Double(n) * tol * (sminl / smaxBlock) <= Swift.max(eps, 0.01 * tol) {
                shift = 0
            } else {
                let sll: Double
                if idir == 1 { sll = abs(d[ll]); shift = las2(d[m - 1], e[m - 1], d[m]).ssmin }
                else { sll = abs(d[m]); shift = las2(d[ll], e[ll], d[ll + 1]).ssmin }
                if sll > 0 && (shift / sll) * (shift / sll) < eps { shift = 0 }
            }
            iter += m - ll
            if shift == 0 {
                if idir == 1 {
                    var cs = 1.0, oldcs = 1.0, oldsn = 0.0
                    for i in ll..<m {
                        let g1 = lartg(d[i] * cs, e[i])
                        cs = g1.c
                        if i > ll { e[i - 1] = oldsn * g1.r }
                        let g2 = lartg(oldcs * g1.r, d[i + 1] * g1.s)
                        oldcs = g2.c; oldsn = g2.s; d[i] = g2.r
                        right.record(i, c: g1.c, s: g1.s)
                        left.record(i, c: g2.c, s: g2.s)
                    }
                    let h = d[m] * cs
                    d[m] = h * oldcs
                    e[m - 1] = h * oldsn
                    if abs(e[m - 1]) <= thresh { e[m - 1] = 0 }
                } else {
                    var cs = 1.0, oldcs = 1.0, oldsn = 0.0
                    var i = m
                    while i > ll {
                        let g1 = lartg(d[i] * cs, e[i - 1])
                        cs = g1.c
                        if i < m { e[i] = oldsn * g1.r }
                        let g2 = lartg(oldcs * g1.r, d[i - 1] * g1.s)
                        oldcs = g2.c; oldsn = g2.s; d[i] = g2.r
                        right.record(i - 1, c: g2.c, s: -g2.s)
                        left.record(i - 1, c: g1.c, s: -g1.s)
                        i -= 1
                    }
                    let h = d[ll] * cs
                    d[ll] = h * oldcs
                    e[ll] = h * oldsn
                    if abs(e[ll]) <= thresh { e[ll] = 0 }
                }
            } else {
                if idir == 1 {
                    var f = (abs(d[ll]) - shift) * ((d[ll] >= 0 ? 1.0 : -1.0) + shift / d[ll])
                    var g = e[ll]
                    for i in ll..<m {
                        let r1 = lartg(f, g)
                        if i > ll { e[i - 1] = r1.r }
                        f = r1.c * d[i] + r1.s * e[i]
                        e[i] = r1.c * e[i] - r1.s * d[i]
                        g = r1.s * d[i + 1]
                        d[i + 1] = r1.c * d[i + 1]
                        let r2 = lartg(f, g)
                        d[i] = r2.r
                        f = r2.c * e[i] + r2.s * d[i + 1]
                        d[i + 1] = r2.c * d[i + 1] - r2.s * e[i]
                        if i < m - 1 { g = r2.s * e[i + 1]; e[i + 1] = r2.c * e[i + 1] }
                        right.record(i, c: r1.c, s: r1.s)
                        left.record(i, c: r2.c, s: r2.s)
                    }
                    e[m - 1] = f
                    if abs(e[m - 1]) <= thresh { e[m - 1] = 0 }
                } else {
                    var f = (abs(d[m]) - shift) * ((d[m] >= 0 ? 1.0 : -1.0) + shift / d[m])
                    var g = e[m - 1]
                    var i = m
                    while i > ll {
                        let r1 = lartg(f, g)
                        if i < m { e[i] = r1.r }
                        f = r1.c * d[i] + r1.s * e[i - 1]
                        e[i - 1] = r1.c * e[i - 1] - r1.s * d[i]
                        g = r1.s * d[i - 1]
                        d[i - 1] = r1.c * d[i - 1]
                        let r2 = lartg(f, g)
                        d[i] = r2.r
                        f = r2.c * e[i - 1] + r2.s * d[i - 1]
                        d[i - 1] = r2.c * d[i - 1] - r2.s * e[i - 1]
                        if i > ll + 1 { g = r2.s * e[i - 2]; e[i - 2] = r2.c * e[i - 2] }
                        right.record(i - 1, c: r2.c, s: -r2.s)
                        left.record(i - 1, c: r1.c, s: -r1.s)
                        i -= 1
                    }
                    e[ll] = f
                    if abs(e[ll]) <= thresh { e[ll] = 0 }
                }
            }
            if right.isFull { right.flush(into: vt) }
            if left.isFull { left.flush(into: ut) }
        }
    }

    /// A plane rotation [c s; −s c] with c·f + s·g = r, −s·f + c·g = 0 (LAPACK 3.10's dlartg:
    /// c ≥ 0, r has the sign of f).
    @inline(__always)
    static func lartg(_ f: Double, _ g: Double) -> (c: Double, s: Double, r: Double) {
        if g == 0 { return (1, 0, f) }
        if f == 0 { return (0, g >= 0 ? 1 : -1, abs(g)) }
        let h = fastHypot(f, g)
        let r = f >= 0 ? h : -h
        return (abs(f) / h, g / r, r)
    }

    /// The singular values of the 2 x 2 upper triangular [f g; 0 h] (LAPACK's dlas2).
    static func las2(_ f: Double, _ g: Double, _ h: Double) -> (ssmin: Double, ssmax: Double) {
        let fa = abs(f), ga = abs(g), ha = abs(h)
        let fhmn = Swift.min(fa, ha), fhmx = Swift.max(fa, ha)
        if fhmn == 0 {
            if fhmx == 0 { return (0, ga) }
            let mx = Swift.max(fhmx, ga), mn = Swift.min(fhmx, ga)
            return (0, mx * (1 + (mn / mx) * (mn / mx)).squareRoot())
        }
        if ga < fhmx {
            let as_ = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx
            let au = (ga / fhmx) * (ga / fhmx)
            let c = 2 / ((as_ * as_ + au).squareRoot() + (at * at + au).squareRoot())
            return (fhmn * c, fhmx / c)
        }
        let au = fhmx / ga
        if au == 0 { return ((fhmn * fhmx) / ga, ga) }
        let as_ = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx
        let c = 1 / ((1 + (as_ * au) * (as_ * au)).squareRoot() + (1 + (at * au) * (at * au)).squareRoot())
        let smin = (fhmn * c) * au
        return (smin + smin, ga / (c + c))
    }

    /// The SVD of the 2 x 2 upper triangular [f g; 0 h] (LAPACK's dlasv2):
    /// [csl snl; −snl csl] [f g; 0 h] [csr −snr; snr csr] = diag(ssmax, ssmin), |ssmax| ≥ |ssmin|.
    static func lasv2(_ f: Double, _ g: Double, _ h: Double)
        -> (ssmin: Double, ssmax: Double, snr: Double, csr: Double, snl: Double, csl: Double) {
        @inline(__always) func sign(_ a: Double, _ b: Double) -> Double { b >= 0 ? abs(a) : -abs(a) }
        var ft = f, fa = abs(f), ht = h, ha = abs(h)
        var pmax = 1
        let swap = ha > fa
        if swap { pmax = 3; swap2(&ft, &ht); swap2(&fa, &ha) }
        let gt = g, ga = abs(g)
        var clt = 1.0, crt = 1.0, slt = 0.0, srt = 0.0
        var ssmin = 0.0, ssmax = 0.0
        let eps = Double.ulpOfOne / 2
        if ga == 0 {
            ssmin = ha; ssmax = fa
        } else {
            var gasmal = true
            if ga > fa {
                pmax = 2
                if fa / ga < eps {
                    gasmal = false
                    ssmax = ga
                    ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha
                    clt = 1; slt = ht / gt; srt = 1; crt = ft / gt
                }
            }
            if gasmal {
                let dd = fa - ha
                var l = dd == fa ? 1.0 : dd / fa
                let mm = gt / ft
                var t = 2 - l
                let mm2 = mm * mm, tt = t * t
                let s = (tt + mm2).squareRoot()
                let r = l == 0 ? abs(mm) : (l * l + mm2).squareRoot()
                let aa = 0.5 * (s + r)
                ssmin = ha / aa; ssmax = fa * aa
                if mm2 == 0 {
                    if l == 0 { t = sign(2, ft) * sign(1, gt) } else { t = gt / sign(dd, ft) + mm / t }
                } else {
                    t = (mm / (s + t) + mm / (r + l)) * (1 + aa)
                }
                l = (t * t + 4).squareRoot()
                crt = 2 / l; srt = t / l
                clt = (crt + srt * mm) / aa
                slt = (ht / ft) * srt / aa
            }
        }
        let csl, snl, csr, snr: Double
        if swap { csl = srt; snl = crt; csr = slt; snr = clt } else { csl = clt; snl = slt; csr = crt; snr = srt }
        var tsign = 1.0
        if pmax == 1 { tsign = sign(1, csr) * sign(1, csl) * sign(1, f) }
        if pmax == 2 { tsign = sign(1, snr) * sign(1, csl) * sign(1, g) }
        if pmax == 3 { tsign = sign(1, snr) * sign(1, snl) * sign(1, h) }
        ssmax = sign(ssmax, tsign)
        ssmin = sign(ssmin, tsign * sign(1, f) * sign(1, h))
        return (ssmin, ssmax, snr, csr, snl, csl)
    }

    @inline(__always)
    static func swap2(_ a: inout Double, _ b: inout Double) { let t = a; a = b; b = t }

    /// The numerical rank: the number of σ_i > tol (default max(m,n)·ε·σ_max).
    public func rank(tolerance: Double? = nil) -> Int {
        let tol = tolerance ?? Double(Swift.max(u.rows, v.rows)) * Double.ulpOfOne * (singularValues.first ?? 0)
        return singularValues.filter { $0 > tol }.count
    }
}

/// The thin SVD of `a`.
public func svd(_ a: Matrix) throws -> SVD { try SVD(a) }

/// The singular values of `a`, descending (min(m, n) of them), without singular vectors: LAPACK's
/// dgesvd with jobu = jobvt = "N". The same stages as `SVD` (scaling, QR of a tall matrix, row and
/// column ordering, Householder bidiagonalization), then the values of the bidiagonal alone: the
/// bidiagonal QR of Demmel and Kahan below `SVD.divideAndConquerOrder` columns, dqds (`Dqds`) from
/// there, each as `SVD` computes them at that size, so the result equals `SVD(a).singularValues`
/// bit for bit; but no orthogonal factor is formed or rotated, which makes it several times faster
/// (the bidiagonal stage then costs O(n²), and the O(mn²) bidiagonalization is most of the time).
/// Throws `.nonFiniteInput` on NaN or ∞.
public func singularValues(_ a: Matrix) throws -> [Double] { try SVD.values(a) }

/// The 2-norm condition number κ₂(A) = σ_max / σ_min over the min(m, n) singular values (NumPy's
/// `cond(A, 2)`, LAPACK has no driver for it): ∞ when σ_min = 0 (a singular or rank-deficient
/// matrix, including a zero one), 1 for an orthogonal matrix. Computed from the singular values
/// only. Throws `.nonFiniteInput` on NaN or ∞ and `.dimensionMismatch` for an empty matrix.
public func cond2(_ a: Matrix) throws -> Double {
    if a.rows == 0 || a.cols == 0 {
        throw LinearAlgebraError.dimensionMismatch("cond2 needs a non-empty matrix, got \(a.rows)x\(a.cols)")
    }
    let s = try singularValues(a)
    let smin = s.last!, smax = s.first!
    return smin == 0 ? .infinity : smax / smin
}

extension SVD {
    /// The singular values alone, by the same path as `init` (see `singularValues(_:)`).
    static func values(_ a: Matrix) throws -> [Double] {
        MemoryTuning.ensure()
        try requireFinite(a, "SVD")
        let (m, n) = (a.rows, a.cols)
        if m == 0 || n == 0 { return [] }
        if let s = safeScale(a) { return try values(a * s).map { $0 / s } }
        if m < n { return try values(a.transposed) }
        if m > n + n / 2 {
            let rowPerm = SVD.decreasingNormOrder(a, rows: true)
            var pa = a
            for i in 0..<m { for j in 0..<n { pa.storage[i * n + j] = a.storage[rowPerm[i] * n + j] } }
            return try values(QRFactorization(pa).r)
        }
        let rowPerm = SVD.decreasingNormOrder(a, rows: true)
        let perm = SVD.decreasingNormOrder(a, rows: false)
        var work = a
        if perm != Array(0..<n) || rowPerm != Array(0..<m) {
            for i in 0..<m { for j in 0..<n { work.storage[i * n + j] = a.storage[rowPerm[i] * n + perm[j]] } }
        }
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        var tauQ = [Double](repeating: 0, count: n)
        var tauP = [Double](repeating: 0, count: n)
        work.storage.withUnsafeMutableBufferPointer { wp in
            bidiagonalize(wp.baseAddress!, m: m, n: n, d: &d, e: &e, tauQ: &tauQ, tauP: &tauP)
        }
        return try bidiagonalValues(d, e)
    }

    /// The singular values of the upper bidiagonal (d, e) (e[i] at (i, i + 1)), descending: by dqds
    /// (`Dqds`) from `divideAndConquerOrder` columns, below that (and should dqds break down) by
    /// the implicit QR without vectors. Both are relatively accurate; the threshold keeps
    /// `svd(a).singularValues` equal to `singularValues(a)` bit for bit at every size (below it the
    /// SVD's own QR sweeps give the same values as the QR without vectors). Measured on the
    /// bidiagonal of a 500 x 500 uniform matrix, one thread (perf samples over 300 calls): dqds
    /// about 2.5 ms, the QR without vectors about 6 ms, of a `singularValues` call of 15.5 ms (19.1 ms
    /// before).
    static func bidiagonalValues(_ d: [Double], _ e: [Double]) throws -> [Double] {
        if d.count >= divideAndConquerOrder, let values = Dqds.singularValues(d: d, e: e) { return values }
        var dq = d, eq = e
        try bidiagonalSVD(&dq, &eq, ut: nil, vt: nil)
        return dq.map { $0 < 0 ? -$0 : $0 }.sorted(by: >)   // as `bidiagonalQR` (a −0 stays −0)
    }
}

/// The Moore–Penrose pseudo-inverse, dropping σ_i ≤ tol (default max(m,n)·ε·σ_max).
public func pseudoInverse(_ a: Matrix, tolerance: Double? = nil) throws -> Matrix {
    let s = try SVD(a)
    let tol = tolerance ?? Double(Swift.max(a.rows, a.cols)) * Double.ulpOfOne * (s.singularValues.first ?? 0)
    let p = s.singularValues.count
    // A⁺ = V diag(1/σ) Uᵀ
    var vs = s.v
    for j in 0..<p {
        let inv = s.singularValues[j] > tol ? 1 / s.singularValues[j] : 0
        for i in 0..<vs.rows { vs[i, j] *= inv }
    }
    return matmul(vs, s.u, transB: true)
}

extension Matrix {
    /// The matrix whose row perm[r] is row r of this one (whole rows copied).
    func rowsPermuted(to perm: [Int]) -> Matrix {
        var out = Matrix(rows: rows, cols: cols)
        let n = cols
        storage.withUnsafeBufferPointer { sp in
            out.storage.withUnsafeMutableBufferPointer { op in
                for r in 0..<rows { (op.baseAddress! + perm[r] * n).update(from: sp.baseAddress! + r * n, count: n) }
            }
        }
        return out
    }
}
