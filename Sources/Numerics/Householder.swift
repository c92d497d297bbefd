import Foundation

// Householder reflectors, one at a time and in blocks (compact WY form), on raw row-major storage.
//
// Conventions (LAPACK's): a reflector is H = I − τ v vᵀ with v[0] = 1 implied; a panel of b
// reflectors is stored as the unit lower trapezoidal V (below the diagonal of the factored block;
// the diagonal and above hold R), and their product H_0 H_1 ⋯ H_{b−1} = I − V T Vᵀ with T b x b
// upper triangular.

enum Householder {
    /// Panels of at most this many columns are factored column by column. (Measured at n = 500
    /// and 1000 with 64-column panels: 8 and 16 were 10-30% slower in all, 32 and 64 alike.)
    static let unblockedWidth = 32

    /// Builds the reflector that maps x = (x[0], x[ld], …, x[(len−1)·ld]) to (β, 0, …, 0):
    /// x[0] ← β, x[1…] ← v[1…]; returns τ (0 when x[1…] is already zero).
    static func generate(len: Int, _ x: UnsafeMutablePointer<Double>, stride ld: Int) -> Double {
        if len <= 1 { return 0 }
        let alpha = x[0]
        let xnorm = stridedNorm(len - 1, x + ld, ld)
        if xnorm == 0 { return 0 }
        let beta = -(alpha >= 0 ? 1.0 : -1.0) * hypot(alpha, xnorm)
        let tau = (beta - alpha) / beta
        let scale = 1 / (alpha - beta)
        x[0] = beta
        for i in 1..<len { x[i * ld] *= scale }
        return tau
    }

    /// The Euclidean norm of a strided vector: the plain sum of squares when it is safely inside
    /// the normal range, else the scaled (overflow- and underflow-free) `Vector.norm`.
    static func stridedNorm(_ len: Int, _ x: UnsafePointer<Double>, _ ld: Int) -> Double {
        var ssq = 0.0
        for i in 0..<len { ssq += x[i * ld] * x[i * ld] }
        if ssq > 0x1p-900 && ssq < 0x1p900 { return ssq.squareRoot() }
        return Vector.norm((0..<len).map { x[$0 * ld] })
    }

    /// Factors the rows x cols panel at `a` (row stride `ld`, rows ≥ cols) in place: R on and
    /// above the diagonal, V below it, τ into `tau`, and the cols x cols T of the compact WY form
    /// into `t` (row stride `ldt`; its strict lower triangle must be zero on entry).
    ///
    /// Recursive (dgeqrt3): factor the left half (V1, T1), apply H1ᵀ to the right half, factor
    /// the lower part of the right half (V2, T2), and join: T = [T1, −T1 V1ᵀV2 T2; 0, T2].
    static func factorPanel(rows: Int, cols: Int, _ a: UnsafeMutablePointer<Double>, ld: Int,
                            t: UnsafeMutablePointer<Double>, ldt: Int, tau: UnsafeMutablePointer<Double>) {
        if cols <= unblockedWidth {
            factorPanelUnblocked(rows: rows, cols: cols, a, ld: ld, t: t, ldt: ldt, tau: tau)
            return
        }
        let b1 = cols / 2, b2 = cols - b1
        // 1. The left half: V1, T1.
        factorPanel(rows: rows, cols: b1, a, ld: ld, t: t, ldt: ldt, tau: tau)
        // 2. The right half ← H1ᵀ · (right half).
        applyBlockTransposed(rows: rows, cols: b2, reflectors: b1, v: UnsafePointer(a), ldv: ld,
                             t: UnsafePointer(t), ldt: ldt, c: a + b1, ldc: ld)
        // 3. Its lower part (rows b1…): V2, T2.
        let a22 = a + b1 * ld + b1
        let t22 = t + b1 * ldt + b1
        factorPanel(rows: rows - b1, cols: b2, a22, ld: ld, t: t22, ldt: ldt, tau: tau + b1)
        // 4. T12 = −T1 (V1ᵀ V2) T2; V2 is zero in rows 0..<b1, and V1 is full below row b1.
        let v2 = explicitV(rows: rows - b1, reflectors: b2, v: UnsafePointer(a22), ldv: ld)
        var y = [Double](repeating: 0, count: b1 * b2), z = [Double](repeating: 0, count: b1 * b2)
        v2.withUnsafeBufferPointer { vp in
            y.withUnsafeMutableBufferPointer { yp in
                z.withUnsafeMutableBufferPointer { zp in
                    let Y = yp.baseAddress!, Z = zp.baseAddress!
                    gemmRaw(m: b1, n: b2, k: rows - b1, alpha: 1, a: a + b1 * ld, lda: ld, transA: true,
                            b: vp.baseAddress!, ldb: b2, transB: false, beta: 0, c: Y, ldc: b2)
                    gemmRaw(m: b1, n: b2, k: b1, alpha: 1, a: t, lda: ldt, transA: false,
                            b: Y, ldb: b2, transB: false, beta: 0, c: Z, ldc: b2)
                    gemmRaw(m: b1, n: b2, k: b2, alpha: -1, a: Z, lda: b2, transA: false,
                            b: t22, ldb: ldt, transB: false, beta: 0, c: t + b1, ldc: ldt)
                }
            }
        }
    }

    /// Column-by-column Householder QR of a narrow panel (cols ≤ `unblockedWidth`), building T
    /// as it goes.
    ///
    /// For reflector j one sweep over the rows forms u = v_jᵀ A[j:, 0..<cols] across the whole
    /// panel width (SIMD on contiguous rows): its entries right of j are the products needed to
    /// apply H_j to the remaining columns, and its entries left of j are V[:, 0..<j]ᵀ v_j, which
    /// give T's column j (LAPACK's dlarft recurrence). A second sweep applies H_j; u is zeroed at
    /// and left of column j there, so those entries are left exactly as they are.
    static func factorPanelUnblocked(rows: Int, cols: Int, _ a: UnsafeMutablePointer<Double>, ld: Int,
                                     t: UnsafeMutablePointer<Double>, ldt: Int, tau: UnsafeMutablePointer<Double>) {
        let width8 = (cols + 7) / 8 * 8
        // u padded to a multiple of 8 (the padding stays 0); the row updates are `Vector.axpy`
        // over [0, cols) (8 at a time, then a scalar tail).
        let u = UnsafeMutablePointer<Double>.allocate(capacity: width8)
        defer { u.deallocate() }
        for j in 0..<Swift.min(rows, cols) {
            let tj = generate(len: rows - j, a + j * ld + j, stride: ld)
            tau[j] = tj
            t[j * ldt + j] = tj
            if tj == 0 { continue }          // H_j = I: T's column j above the diagonal stays 0
            // u = Σ_{i ≥ j} v_i A[i, :], with v_j = 1.
            u.update(repeating: 0, count: width8)
            if cols == 32 {
                // The common 32-column panel: u in four registers instead of memory (the same
                // additions in the same order; no store-to-load round trip per row).
                typealias V = SIMD8<Double>
                var u0 = V(), u1 = V(), u2 = V(), u3 = V()
                for i in j..<rows {
                    let row = a + i * ld
                    let vi = i == j ? 1.0 : row[j]
                    if vi == 0 { continue }
                    let vv = V(repeating: vi)
                    u0.addProduct(vv, UnsafeRawPointer(row).loadUnaligned(as: V.self))
                    u1.addProduct(vv, UnsafeRawPointer(row + 8).loadUnaligned(as: V.self))
                    u2.addProduct(vv, UnsafeRawPointer(row + 16).loadUnaligned(as: V.self))
                    u3.addProduct(vv, UnsafeRawPointer(row + 24).loadUnaligned(as: V.self))
                }
                UnsafeMutableRawPointer(u).storeBytes(of: u0, as: V.self)
                UnsafeMutableRawPointer(u + 8).storeBytes(of: u1, as: V.self)
                UnsafeMutableRawPointer(u + 16).storeBytes(of: u2, as: V.self)
                UnsafeMutableRawPointer(u + 24).storeBytes(of: u3, as: V.self)
            } else {
            for i in j..<rows {
                let row = a + i * ld
                let vi = i == j ? 1.0 : row[j]
                if vi != 0 { Vector.axpy(vi, UnsafePointer(row), u, cols) }
            }
            }
            // T[0..<j, j] = −τ_j T[0..<j, 0..<j] u[0..<j] (T upper triangular).
            for r in 0..<j {
                var acc = 0.0
                for p in r..<j { acc += t[r * ldt + p] * u[p] }
                t[r * ldt + j] = -tj * acc
            }
            if j == cols - 1 { continue }
            // A[j:, j+1:] −= τ_j v_j u[j+1:]ᵀ; u[0...j] = 0 leaves columns 0...j unchanged.
            for c in 0...j { u[c] = 0 }
            if cols == 32 {
                typealias V = SIMD8<Double>
                let u0 = UnsafeRawPointer(u).loadUnaligned(as: V.self), u1 = UnsafeRawPointer(u + 8).loadUnaligned(as: V.self)
                let u2 = UnsafeRawPointer(u + 16).loadUnaligned(as: V.self), u3 = UnsafeRawPointer(u + 24).loadUnaligned(as: V.self)
                @inline(__always) func update(_ p: UnsafeMutablePointer<Double>, _ f: V, _ x: V) {
                    var r = UnsafeRawPointer(p).loadUnaligned(as: V.self)
                    r.addProduct(f, x)
                    UnsafeMutableRawPointer(p).storeBytes(of: r, as: V.self)
                }
                for i in j..<rows {
                    let row = a + i * ld
                    let f = tj * (i == j ? 1.0 : row[j])
                    if f == 0 { continue }
                    let fv = V(repeating: -f)
                    update(row, fv, u0); update(row + 8, fv, u1); update(row + 16, fv, u2); update(row + 24, fv, u3)
                }
                continue
            }
            for i in j..<rows {
                let row = a + i * ld
                let f = tj * (i == j ? 1.0 : row[j])
                if f != 0 { Vector.axpy(-f, UnsafePointer(u), row, cols) }
            }
        }
    }

    /// The T of the compact WY form of b reflectors stored in V (rows x b, at `v`, stride `ldv`):
    /// T[i, i] = τ_i and T[0..<i, i] = −τ_i T[0..<i, 0..<i] (V[:, 0..<i]ᵀ v_i) (LAPACK's dlarft).
    /// `t` must be zero below the diagonal on entry.
    static func formT(rows: Int, reflectors b: Int, v: UnsafePointer<Double>, ldv: Int,
                      tau: UnsafePointer<Double>, t: UnsafeMutablePointer<Double>, ldt: Int) {
        if b == 0 { return }
        let vx = explicitV(rows: rows, reflectors: b, v: v, ldv: ldv)
        // S = VᵀV (only its strict upper triangle is used).
        var s = [Double](repeating: 0, count: b * b)
        vx.withUnsafeBufferPointer { vp in
            s.withUnsafeMutableBufferPointer { sp in
                gemmRaw(m: b, n: b, k: rows, alpha: 1, a: vp.baseAddress!, lda: b, transA: true,
                        b: vp.baseAddress!, ldb: b, transB: false, beta: 0, c: sp.baseAddress!, ldc: b)
            }
        }
        for i in 0..<b {
            let ti = tau[i]
            t[i * ldt + i] = ti
            // T[r, i] = −τ_i Σ_{p = r}^{i−1} T[r, p] S[p, i]  (T upper triangular).
            for r in 0..<i {
                var acc = 0.0
                for p in r..<i { acc += t[r * ldt + p] * s[p * b + i] }
                t[r * ldt + i] = -ti * acc
            }
        }
    }

    /// The rows x b reflector block V as an explicit dense matrix (row stride b): ones on the
    /// diagonal, zeros above it, the stored vectors below.
    static func explicitV(rows: Int, reflectors b: Int, v: UnsafePointer<Double>, ldv: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * b)
        for i in 0..<rows {
            let src = v + i * ldv
            let width = Swift.min(i, b)
            for j in 0..<width { out[i * b + j] = src[j] }
            if i < b { out[i * b + i] = 1 }
        }
        return out
    }

    /// C ← Hᵀ C = (I − V Tᵀ Vᵀ) C for the rows x cols block C: applies H_{b−1}⋯H_1 H_0, i.e. the
    /// panel's reflectors in the order they were made (the trailing update of QR).
    static func applyBlockTransposed(rows: Int, cols: Int, reflectors b: Int, v: UnsafePointer<Double>, ldv: Int,
                                     t: UnsafePointer<Double>, ldt: Int, c: UnsafeMutablePointer<Double>, ldc: Int) {
        applyBlock(rows: rows, cols: cols, reflectors: b, v: v, ldv: ldv, t: t, ldt: ldt, transposeT: true, c: c, ldc: ldc)
    }

    /// C ← H C = (I − V T Vᵀ) C (or with Tᵀ when `transposeT`), as three matrix products:
    /// W = Vᵀ C, W ← T W, C −= V W.
    static func applyBlock(rows: Int, cols: Int, reflectors b: Int, v: UnsafePointer<Double>, ldv: Int,
                           t: UnsafePointer<Double>, ldt: Int, transposeT: Bool = false,
                           c: UnsafeMutablePointer<Double>, ldc: Int) {
        if rows == 0 || cols == 0 || b == 0 { return }
        let (vx, vt) = explicitVBothWays(rows: rows, reflectors: b, v: v, ldv: ldv)
        vx.withUnsafeBufferPointer { vp in
            vt.withUnsafeBufferPointer { vtp in
                applyBlock(rows: rows, cols: cols, reflectors: b, vx: vp.baseAddress!, vt: vtp.baseAddress!,
                           t: t, ldt: ldt, transposeT: transposeT, c: c, ldc: ldc)
            }
        }
    }

    /// V (rows x b) and Vᵀ (b x rows), both explicit, so that both large products of `applyBlock`
    /// are GEMM "NN" (the fastest form).
    static func explicitVBothWays(rows: Int, reflectors b: Int, v: UnsafePointer<Double>, ldv: Int) -> (v: [Double], vt: [Double]) {
        let vx = explicitV(rows: rows, reflectors: b, v: v, ldv: ldv)
        var vt = [Double](repeating: 0, count: b * rows)
        for i in 0..<rows { for j in 0..<b { vt[j * rows + i] = vx[i * b + j] } }
        return (vx, vt)
    }

    /// `applyBlock` with V and Vᵀ already explicit (`explicitVBothWays`): callers that update the
    /// columns of C in pieces form them once.
    static func applyBlock(rows: Int, cols: Int, reflectors b: Int, vx: UnsafePointer<Double>, vt: UnsafePointer<Double>,
                           t: UnsafePointer<Double>, ldt: Int, transposeT: Bool, c: UnsafeMutablePointer<Double>, ldc: Int) {
        if rows == 0 || cols == 0 || b == 0 { return }
        var w = [Double](repeating: 0, count: b * cols), w2 = [Double](repeating: 0, count: b * cols)
        w.withUnsafeMutableBufferPointer { wp in
            w2.withUnsafeMutableBufferPointer { w2p in
                let W = wp.baseAddress!, W2 = w2p.baseAddress!
                gemmRaw(m: b, n: cols, k: rows, alpha: 1, a: vt, lda: rows, transA: false,
                        b: UnsafePointer(c), ldb: ldc, transB: false, beta: 0, c: W, ldc: cols)
                gemmRaw(m: b, n: cols, k: b, alpha: 1, a: t, lda: ldt, transA: transposeT,
                        b: W, ldb: cols, transB: false, beta: 0, c: W2, ldc: cols)
                gemmRaw(m: rows, n: cols, k: b, alpha: -1, a: vx, lda: b, transA: false,
                        b: W2, ldb: cols, transB: false, beta: 1, c: c, ldc: ldc)
            }
        }
    }

    /// C ← H_0 H_1 ⋯ H_{count−1} C for the m x cols row-major `c` (row stride `ldc`), the
    /// reflectors in the QR layout (reflector j in column j below the diagonal, row stride `ld`),
    /// in blocks of `QRFactorization.blockWidth`, last block first (LAPACK's dormqr). Q·C this way
    /// costs about 2·m·cols·count flops; forming Q first and multiplying costs that plus Q's own
    /// (4/3)·count³. With `identityStart` C is I[:, 0..<cols] on entry, and block j₀ touches only
    /// columns j₀… (the earlier ones are still unit vectors with zeros where it acts: dorgqr).
    static func applyOrthogonal(_ a: UnsafePointer<Double>, ld: Int, rows m: Int, count k: Int,
                                tau: UnsafePointer<Double>, to c: UnsafeMutablePointer<Double>, cols: Int, ldc: Int,
                                identityStart: Bool = false) {
        if k == 0 || cols == 0 { return }
        let nb = QRFactorization.blockWidth
        var t = [Double](repeating: 0, count: nb * nb)
        t.withUnsafeMutableBufferPointer { tb in
            let T = tb.baseAddress!
            var j0 = ((k - 1) / nb) * nb
            while j0 >= 0 {
                let b = Swift.min(nb, k - j0)
                let v = a + j0 * ld + j0
                let skip = identityStart ? j0 : 0
                T.update(repeating: 0, count: nb * nb)
                Householder.formT(rows: m - j0, reflectors: b, v: v, ldv: ld, tau: tau + j0, t: T, ldt: nb)
                Householder.applyBlock(rows: m - j0, cols: cols - skip, reflectors: b, v: v, ldv: ld,
                                       t: UnsafePointer(T), ldt: nb, c: c + j0 * ldc + skip, ldc: ldc)
                j0 -= nb
            }
        }
    }

    /// The m x count matrix H_0 H_1 ⋯ H_{count−1} I[:, 0..<count] from reflectors in the QR layout
    /// (`applyOrthogonal` on the identity: LAPACK's dorgqr); `QRFactorization.q` and the SVD use it.
    static func formOrthogonal(_ a: UnsafePointer<Double>, ld: Int, rows m: Int, count k: Int,
                               tau: UnsafePointer<Double>) -> Matrix {
        var q = Matrix(rows: m, cols: k)
        if k == 0 { return q }
        for i in 0..<k { q[i, i] = 1 }
        q.storage.withUnsafeMutableBufferPointer { qp in
            applyOrthogonal(a, ld: ld, rows: m, count: k, tau: tau, to: qp.baseAddress!, cols: k, ldc: k, identityStart: true)
        }
        return q
    }
}
