import Foundation

// Blocked Householder tridiagonalization (the scheme of LAPACK's dsytrd/dlatrd, written from the
// algebra), used by `SymmetricEigen.tridiagonalize` from `blockedOrder` rows.
//
// The unblocked reduction reads and writes the whole trailing matrix at every step (a rank-2
// update A22 −= v wᵀ + w vᵀ fused with the next product A22 v). Here the updates of a panel of
// `panelWidth` steps are kept aside as the columns of V and W, so that step k of the panel needs
// only a product with the matrix as it was at the panel's start,
//     A22⁽ᵏ⁾ v = S v − Σᵢ (vᵢ (wᵢᵀ v) + wᵢ (vᵢᵀ v)),   i over the panel's earlier steps,
// and the trailing matrix is updated once per panel, S −= V Wᵀ + W Vᵀ, by two GEMMs. The product
// S v reads only the upper triangle (each stored entry serves row i and column j), so a step reads
// half of what it did and writes nothing; the writes move into the GEMMs.
//
// Storage: A is row-major and symmetric; from the first panel on only the upper triangle
// (j ≥ i) of the trailing matrix is kept up to date, and row k right of the diagonal ends up
// holding the reflector v_k, as the unblocked reduction leaves it (see `formQ`).

extension SymmetricEigen {
    /// Orders from which the tridiagonalization is blocked. Below, the unblocked reduction (whose
    /// trailing matrix stays in cache) is as fast, and matrices of that size keep their old bits.
    static let blockedOrder = 256
    /// Steps per panel (the inner dimension of the trailing update's GEMMs).
    static let panelWidth = 32
    /// Row pieces of the symmetric product S v: a fixed number (depending on the trailing size only,
    /// so the sums do not depend on the thread count), of near-equal areas of the triangle.
    static func productPieces(_ len: Int) -> Int { len >= parallelRows ? 4 : 1 }

    /// The same reduction as `tridiagonalize` (same outputs, same conventions), blocked.
    static func tridiagonalizeBlocked(_ a: Matrix) -> ([Double], [Double], Matrix, [Double]) {
        let n = a.rows, nb = panelWidth
        var A = a.symmetrized
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        var taus = [Double](repeating: 0, count: n)
        let steps = Swift.max(0, n - 2)
        // Row j of V (of W) is the panel's j-th v (w), indexed by the global column.
        let V = UnsafeMutablePointer<Double>.allocate(capacity: nb * n)
        let W = UnsafeMutablePointer<Double>.allocate(capacity: nb * n)
        let p = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: productPieces(n) * n)
        let coef = UnsafeMutablePointer<Double>.allocate(capacity: 2 * nb)
        coef.initialize(repeating: 0, count: 2 * nb)
        defer { V.deallocate(); W.deallocate(); p.deallocate(); partials.deallocate(); coef.deallocate() }
        A.storage.withUnsafeMutableBufferPointer { ap in
            let M = ap.baseAddress!
            var k0 = 0
            while k0 < steps {
                let jb = Swift.min(nb, steps - k0)
                V.update(repeating: 0, count: jb * n)
                W.update(repeating: 0, count: jb * n)
                for j in 0..<jb {
                    let k = k0 + j, len = n - k - 1
                    let rowk = M + k * n
                    // 1. Row k (columns k..<n) brought up to date with the panel's earlier steps.
                    if j > 0 {
                        for i in 0..<j { coef[i] = -V[i * n + k]; coef[nb + i] = -W[i * n + k] }
                        Vector.combineRows(coef, UnsafePointer(W + k), n, j, rowk + k, len + 1)
                        Vector.combineRows(coef + nb, UnsafePointer(V + k), n, j, rowk + k, len + 1)
                    }
                    d[k] = rowk[k]
                    // 2. The reflector that zeroes row k beyond column k+1 (as the unblocked reduction).
                    let x = rowk + k + 1
                    let (tau, offDiagonal) = householderRow(x, len)
                    e[k] = offDiagonal
                    taus[k] = tau
                    guard tau != 0 else { continue }           // H = I: v and w stay zero
                    let vj = V + j * n + k + 1, wj = W + j * n + k + 1
                    vj.update(from: x, count: len)
                    // 3. p = S v over the trailing rows, S as at the panel's start.
                    symmetricProduct(UnsafePointer(M + (k + 1) * n + k + 1), n, len, UnsafePointer(x), p, partials)
                    //    minus the panel's earlier updates: p −= vᵢ (wᵢᵀ v) + wᵢ (vᵢᵀ v).
                    if j > 0 {
                        Vector.dotRows(UnsafePointer(W + k + 1), n, j, UnsafePointer(x), len, coef)
                        Vector.dotRows(UnsafePointer(V + k + 1), n, j, UnsafePointer(x), len, coef + nb)
                        for i in 0..<(2 * nb) { coef[i] = -coef[i] }
                        Vector.combineRows(coef, UnsafePointer(V + k + 1), n, j, p, len)
                        Vector.combineRows(coef + nb, UnsafePointer(W + k + 1), n, j, p, len)
                    }
                    // 4. w = τ p − (τ/2)(τ pᵀv) v.
                    for t in 0..<len { p[t] *= tau }
                    let kk = 0.5 * tau * Vector.dot(UnsafePointer(p), UnsafePointer(x), len)
                    for t in 0..<len { wj[t] = p[t] - kk * x[t] }
                }
                // 5. The trailing matrix (rows and columns from k1), upper triangle: S −= V Wᵀ + W Vᵀ,
                //    by row blocks, each from its diagonal block rightwards.
                let k1 = k0 + jb
                var r0 = k1
                while r0 < n {
                    let r1 = Swift.min(n, r0 + 64)
                    let c = M + r0 * n + r0
                    gemmRaw(m: r1 - r0, n: n - r0, k: jb, alpha: -1, a: V + r0, lda: n, transA: true,
                            b: W + r0, ldb: n, transB: false, beta: 1, c: c, ldc: n)
                    gemmRaw(m: r1 - r0, n: n - r0, k: jb, alpha: -1, a: W + r0, lda: n, transA: true,
                            b: V + r0, ldb: n, transB: false, beta: 1, c: c, ldc: n)
                    r0 = r1
                }
                k0 = k1
            }
            if n >= 2 {
                d[n - 2] = M[(n - 2) * n + n - 2]
                e[n - 2] = M[(n - 2) * n + n - 1]
            }
            d[n - 1] = M[(n - 1) * n + n - 1]
        }
        return (d, e, A, taus)
    }

    /// p[0..<len] = S v for the symmetric len x len S whose upper triangle is stored row-major from
    /// `s` with row stride `ld`; `partials` holds `productPieces(len)` x len values. Row i serves p_i (its dot product with v from the diagonal on) and,
    /// through its entries right of the diagonal, p_j for j > i (v_i times the row, added in row
    /// order). Rows go in `productPieces(len)` fixed pieces of near-equal area, each with its own
    /// accumulator for the second part; p_j = (its own row's sum) + the pieces' accumulators in
    /// piece order, whatever thread ran which piece.
    static func symmetricProduct(_ s: UnsafePointer<Double>, _ ld: Int, _ len: Int, _ v: UnsafePointer<Double>,
                                 _ p: UnsafeMutablePointer<Double>, _ partials: UnsafeMutablePointer<Double>) {
        typealias V8 = SIMD8<Double>
        let pieces = productPieces(len)
        // Piece c covers rows [bound(c), bound(c+1)): equal shares of the triangle's area.
        @inline(__always) func bound(_ c: Int) -> Int {
            if c >= pieces { return len }
            let l = Double(len)
            return Swift.min(len, Int((l - l * (1 - Double(c) / Double(pieces)).squareRoot()).rounded()))
        }
        let body: (Int) -> Void = { c in
            let i0 = bound(c), i1 = bound(c + 1)
            let q = partials + c * len
            let first = Swift.min(len, i0 + 1)                 // rows of the piece add to q right of i0
            (q + first).update(repeating: 0, count: len - first)
            var i = i0
            // Four rows at a time: their corner (the 4 x 4 diagonal block) by scalars, then one pass
            // right of it that loads and stores each piece of q once for the four rows.
            while i + 4 <= i1 {
                let r0 = s + i * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld
                let v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3]
                var o0 = r0[i] * v0 + r0[i + 1] * v1 + r0[i + 2] * v2 + r0[i + 3] * v3
                var o1 = r1[i + 1] * v1 + r1[i + 2] * v2 + r1[i + 3] * v3
                var o2 = r2[i + 2] * v2 + r2[i + 3] * v3
                var o3 = r3[i + 3] * v3
                q[i + 1] += v0 * r0[i + 1]
                q[i + 2] += v0 * r0[i + 2] + v1 * r1[i + 2]
                q[i + 3] += v0 * r0[i + 3] + v1 * r1[i + 3] + v2 * r2[i + 3]
                let b0 = V8(repeating: v0), b1 = V8(repeating: v1), b2 = V8(repeating: v2), b3 = V8(repeating: v3)
                var c0 = V8(), c1 = V8(), c2 = V8(), c3 = V8()
                var j = i + 4
                while j + 8 <= len {
                    let x0 = UnsafeRawPointer(r0 + j).loadUnaligned(as: V8.self)
                    let x1 = UnsafeRawPointer(r1 + j).loadUnaligned(as: V8.self)
                    let x2 = UnsafeRawPointer(r2 + j).loadUnaligned(as: V8.self)
                    let x3 = UnsafeRawPointer(r3 + j).loadUnaligned(as: V8.self)
                    let vj = UnsafeRawPointer(v + j).loadUnaligned(as: V8.self)
                    c0.addProduct(x0, vj); c1.addProduct(x1, vj); c2.addProduct(x2, vj); c3.addProduct(x3, vj)
                    var qj = UnsafeRawPointer(q + j).loadUnaligned(as: V8.self)
                    qj.addProduct(b0, x0); qj.addProduct(b1, x1); qj.addProduct(b2, x2); qj.addProduct(b3, x3)
                    UnsafeMutableRawPointer(q + j).storeBytes(of: qj, as: V8.self)
                    j += 8
                }
                o0 += c0.sum(); o1 += c1.sum(); o2 += c2.sum(); o3 += c3.sum()
                while j < len {
                    let vj = v[j]
                    o0 += r0[j] * vj; o1 += r1[j] * vj; o2 += r2[j] * vj; o3 += r3[j] * vj
                    q[j] += v0 * r0[j] + v1 * r1[j] + v2 * r2[j] + v3 * r3[j]
                    j += 1
                }
                p[i] = o0; p[i + 1] = o1; p[i + 2] = o2; p[i + 3] = o3
                i += 4
            }
            while i < i1 {
                let row = s + i * ld
                let vi = v[i]
                var own = row[i] * vi
                for j in (i + 1)..<len { own += row[j] * v[j]; q[j] += vi * row[j] }
                p[i] = own
                i += 1
            }
        }
        if pieces > 1 && Threads.count > 1 {
            Threads.forEach(pieces, pinned: true, body)
        } else {
            for c in 0..<pieces { body(c) }
        }
        for c in 0..<pieces {
            let q = partials + c * len
            for i in Swift.min(len, bound(c) + 1)..<len { p[i] += q[i] }   // rows after the piece's first
        }
    }
}
