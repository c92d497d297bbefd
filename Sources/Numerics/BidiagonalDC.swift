import Foundation

/// The singular value decomposition of an upper bidiagonal matrix by divide and conquer (Jessup &
/// Sorensen 1994; Gu & Eisenstat 1995; the scheme of LAPACK's dbdsdc / dlasd0–dlasd4). `SVD` uses
/// it for the bidiagonal stage of large matrices, where the implicit QR's plane rotations
/// (about 12n³ flops applied to U and V) are most of the time.
///
/// An n x n upper bidiagonal B is split at its middle row k (diagonal α = d_k, superdiagonal
/// β = e_k): the k rows above form a k x (k+1) bidiagonal B₁ (its last column holds e_{k−1} only),
/// the rows below a square B₂. With B₁ = U₁ [D₁ 0] V₁ᵀ and B₂ = U₂ D₂ V₂ᵀ,
///
///     B = diag(U₁, 1, U₂) · M · diag(V₁, V₂)ᵀ,   M = [ z₀  z₁ᵀ  z₂ᵀ ]   (the middle row first)
///                                                  [ 0   D₁   0  ]
///                                                  [ 0   0    D₂ ],
///
/// z₀ = α·(V₁)_{k,k} (the null vector of B₁), z₁ = α·(last row of V₁), z₂ = β·(first row of V₂).
/// (`merge` orders these coordinates as the children's vectors instead: the middle one at k.)
/// The singular values of this "broken arrow" M (poles d₀ = 0 < d₁ < …) are the roots of the
/// secular equation 1 + Σ z_i²/(d_i² − σ²) = 0, i.e. the eigenvalues λ = σ² of diag(d²) + z zᵀ,
/// found by the symmetric divide and conquer's solver (`TridiagonalDC.secularRoot`, each root
/// kept as an offset from its nearest pole), and its singular vectors are
///     v ∝ (ẑ_i/(d_i² − σ²))_i,   u ∝ (−1, (d_i ẑ_i/(d_i² − σ²))_{i≥1}),
/// with the weights ẑ recomputed from the computed roots (Gu & Eisenstat), so that both sets come
/// out orthogonal. Before solving, negligible weights and pairs of nearly equal poles (after a
/// rotation that zeroes one weight) are deflated: those singular triplets are already known.
/// B₁ (k x (k+1)) is first made square by k rotations from the right that chase its last column
/// to zero; its null vector is the last column of the accumulated rotation. Blocks of at most
/// `leafSize` rows are solved by the implicit QR (`SVD.bidiagonalSVD`).
///
/// Accuracy: backward stable (B + ΔB = U Σ Vᵀ, ||ΔB|| = O(ε)||B||, U and V orthonormal to O(ε));
/// unlike the implicit QR and dqds it does not promise relative accuracy for tiny singular values,
/// so `SVD` takes the singular values themselves from `SVD.bidiagonalValues` (dqds at these sizes).
enum BidiagonalDC {
    static let leafSize = 32
    /// Orders from which the two halves of a split are solved on two threads.
    static let parallelHalves = 128

    /// One solved block: singular values (any order, ≥ 0), left and right singular vectors as rows.
    struct Part {
        var values: [Double]
        var ut: [Double]      // values.count rows of length values.count
        var vt: [Double]      // rows of the right vectors; a k x (k+1) block has k + 1 (the last: its null vector)
    }

    /// B = U diag(σ) Vᵀ for the n x n upper bidiagonal B (diagonal d, superdiagonal e[0..<n−1]):
    /// σ descending, U and V row-major n x n (column i of each the i-th singular vector).
    static func solve(d: [Double], e: [Double]) throws -> (values: [Double], u: [Double], v: [Double]) {
        let n = d.count
        if n == 0 { return ([], [], []) }
        precondition(e.count >= n - 1, "BidiagonalDC: superdiagonal too short")
        // Work on B scaled by a power of two to max |entry| ≈ 1 (exact; undone on the values).
        var m = 0.0
        for x in d { m = Swift.max(m, abs(x)) }
        for i in 0..<(n - 1) { m = Swift.max(m, abs(e[i])) }
        var part: Part
        if m == 0 {
            var id = [Double](repeating: 0, count: n * n)
            for i in 0..<n { id[i * n + i] = 1 }
            part = Part(values: [Double](repeating: 0, count: n), ut: id, vt: id)
        } else {
            let s = Double(sign: .plus, exponent: -m.exponent, significand: 1)
            part = try square(d.map { $0 * s }, (0..<(n - 1)).map { e[$0] * s })
            part.values = part.values.map { $0 / s }
        }
        let order = (0..<n).sorted { part.values[$0] > part.values[$1] || (part.values[$0] == part.values[$1] && $0 < $1) }
        return (order.map { part.values[$0] }, columns(part.ut, order, n), columns(part.vt, order, n))
    }

    /// The n x n matrix whose column c is row order[c] of the row-major `rows` (a transpose with
    /// the columns permuted), in 32 x 32 tiles.
    static func columns(_ rows: [Double], _ order: [Int], _ n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * n)
        rows.withUnsafeBufferPointer { rp in
            out.withUnsafeMutableBufferPointer { op in
                let R = rp.baseAddress!, O = op.baseAddress!
                let tile = 32
                var c0 = 0
                while c0 < n {
                    let c1 = Swift.min(n, c0 + tile)
                    var j0 = 0
                    while j0 < n {
                        let j1 = Swift.min(n, j0 + tile)
                        for c in c0..<c1 {
                            let src = R + order[c] * n
                            for j in j0..<j1 { O[j * n + c] = src[j] }
                        }
                        j0 = j1
                    }
                    c0 = c1
                }
            }
        }
        return out
    }

    /// The n x n upper bidiagonal (d, e), e.count = n − 1.
    static func square(_ d: [Double], _ e: [Double]) throws -> Part {
        let n = d.count
        if n <= leafSize { return try leaf(d, e) }
        let k = n / 2
        let d1 = Array(d[0..<k]), e1 = Array(e[0..<k])
        let alpha = d[k], beta = e[k]
        let d2 = Array(d[(k + 1)..<n]), e2 = Array(e[(k + 1)..<(n - 1)])
        let (top, bottom) = try Threads.pair(parallel: n >= parallelHalves && Threads.count > 1,
                                             { try wide(d1, e1) }, { try square(d2, e2) })
        return try merge(top, alpha: alpha, beta: beta, bottom)
    }

    /// The k x (k+1) upper bidiagonal (d, e), e.count = k (e[k−1] in the last column): rotations
    /// G_{k−1}, …, G₀ on columns (i, k) zero the last column, B Ĝ = [B′ 0] with B′ square
    /// bidiagonal; then V = Ĝ diag(V′, 1), whose last column is the null vector.
    static func wide(_ d: [Double], _ e: [Double]) throws -> Part {
        let k = d.count
        var dd = d, ee = e
        var cs = [Double](repeating: 1, count: k), sn = [Double](repeating: 0, count: k)
        var f = ee[k - 1]                              // the entry (i, k) being chased
        var i = k - 1
        while i >= 0 {
            let r = fastHypot(dd[i], f)
            let c = r == 0 ? 1 : dd[i] / r, s = r == 0 ? 0 : f / r
            dd[i] = r; cs[i] = c; sn[i] = s
            if i > 0 { f = -s * ee[i - 1]; ee[i - 1] = c * ee[i - 1] }
            i -= 1
        }
        let inner = try square(dd, Array(ee[0..<(k - 1)]))
        let w = k + 1
        var vt = [Double](repeating: 0, count: w * w)
        for r in 0..<k { for j in 0..<k { vt[r * w + j] = inner.vt[r * k + j] } }
        vt[k * w + k] = 1
        // Each vector through G₀ first, G_{k−1} last: (x_i, x_k) ← (c x_i − s x_k, s x_i + c x_k).
        for r in 0..<w {
            let row = r * w
            var last = vt[row + k]
            for i in 0..<k {
                let a = vt[row + i]
                vt[row + i] = cs[i] * a - sn[i] * last
                last = sn[i] * a + cs[i] * last
            }
            vt[row + k] = last
        }
        return Part(values: inner.values, ut: inner.ut, vt: vt)
    }

    /// A small square block by the implicit QR from the identity; signs moved into V.
    static func leaf(_ d: [Double], _ e: [Double]) throws -> Part {
        let n = d.count
        var dd = d
        var ee = e + [0]
        let u = AlignedRows(Matrix.identity(n)), v = AlignedRows(Matrix.identity(n))
        try SVD.bidiagonalSVD(&dd, &ee, ut: u, vt: v)
        var ut = [Double](repeating: 0, count: n * n), vt = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            let sign = dd[i] < 0 ? -1.0 : 1.0
            dd[i] = abs(dd[i])
            for j in 0..<n {
                ut[i * n + j] = u.base[i * u.ld + j]
                vt[i * n + j] = sign * v.base[i * v.ld + j]
            }
        }
        return Part(values: dd, ut: ut, vt: vt)
    }

    /// The SVD of diag(U₁, 1, U₂) · M · diag(V₁, V₂)ᵀ (see the type's comment) for the solved top
    /// block (k x (k+1)) and bottom block (nr x nr): an n x n block, n = k + 1 + nr.
    ///
    /// Coordinates of M, in the order of the children's vectors: c < k the top block's triplets,
    /// c = k the middle row (left; the unit vector of row k) and the top block's null vector
    /// (right), c > k the bottom block's triplets. Every new singular vector is a combination of
    /// the children's vectors with a coefficient row over these coordinates, so the new vectors
    /// are two products per side, coefficients times the children's vectors (GEMM).
    static func merge(_ top: Part, alpha: Double, beta: Double, _ bottom: Part) throws -> Part {
        let k = top.values.count, nr = bottom.values.count, n = k + 1 + nr, w1 = k + 1
        var dl = [Double](repeating: 0, count: n), z = [Double](repeating: 0, count: n)
        for c in 0..<k { dl[c] = top.values[c]; z[c] = alpha * top.vt[c * w1 + k] }
        z[k] = alpha * top.vt[k * w1 + k]
        for c in (k + 1)..<n { let i = c - k - 1; dl[c] = bottom.values[i]; z[c] = beta * bottom.vt[i * nr] }
        // Deflation (dlasd2).
        var dmax = 0.0
        for c in 0..<n where c != k { dmax = Swift.max(dmax, abs(dl[c])) }
        let tol = 8 * Double.ulpOfOne * Swift.max(dmax, Swift.max(abs(alpha), abs(beta)))
        if abs(z[k]) <= tol { z[k] = z[k] < 0 ? -tol : tol }
        let order = (0..<n).filter { $0 != k }.sorted { dl[$0] < dl[$1] || (dl[$0] == dl[$1] && $0 < $1) }
        let (kept0, deflated, rotations) = TridiagonalDC.deflate(order, weights: &z, poles: &dl, scale: 1, tol: tol)
        var kept = kept0
        kept.sort { dl[$0] < dl[$1] || (dl[$0] == dl[$1] && $0 < $1) }
        // The smallest kept pole kept away from the pole 0 of the null vector (a change of at most tol/2).
        if let first = kept.first, dl[first] < tol / 2 { dl[first] = tol / 2 }
        kept.insert(k, at: 0)
        let kk = kept.count
        let poles = kept.map { dl[$0] * dl[$0] }
        let r = kept.map { z[$0] * z[$0] }
        // diff[j * kk + i] = d_i² − σ_j²; then Gu–Eisenstat's ẑ_i² (ρ = 1).
        let routine = "bidiagonal divide and conquer (secular equation)"
        let (lambda, diff) = try TridiagonalDC.secularRoots(poles: poles, r: r, routine: routine)
        if lambda.contains(where: { $0 < 0 }) { throw LinearAlgebraError.noConvergence(routine: routine, iterations: 200) }
        let prod = TridiagonalDC.guEisenstatProducts(poles: poles, diff: diff)
        var what = [Double](repeating: 0, count: kk), dwhat = [Double](repeating: 0, count: kk)
        for i in 0..<kk {
            let v = Swift.max(prod[i], 0).squareRoot()
            what[i] = z[kept[i]] < 0 ? -v : v
            dwhat[i] = i == 0 ? 0 : dl[kept[i]] * what[i]
        }
        // Coefficient rows over the coordinates (n x n each): row j < kk the j-th root's right
        // vector (ẑ_i/(d_i² − σ_j²))_i and left vector (−1, d_i ẑ_i/(d_i² − σ_j²)), unit length,
        // at the kept coordinates; row kk + t the t-th deflated coordinate's unit vector.
        var cr = [Double](repeating: 0, count: n * n), cl = [Double](repeating: 0, count: n * n)
        var row = [Double](repeating: 0, count: kk)
        for j in 0..<kk {
            diff.withUnsafeBufferPointer { dp in
                what.withUnsafeBufferPointer { wp in
                    row.withUnsafeMutableBufferPointer { rp in
                        TridiagonalDC.unitQuotients(rp.baseAddress!, wp.baseAddress!, dp.baseAddress! + j * kk, kk)
                    }
                }
            }
            for i in 0..<kk { cr[j * n + kept[i]] = row[i] }
            row[0] = -1
            var norm2 = 1.0
            for i in 1..<kk { let q = dwhat[i] / diff[j * kk + i]; row[i] = q; norm2 += q * q }
            let inv = 1 / norm2.squareRoot()
            for i in 0..<kk { cl[j * n + kept[i]] = row[i] * inv }
        }
        for (t, c) in deflated.enumerated() { cr[(kk + t) * n + c] = 1; cl[(kk + t) * n + c] = 1 }
        // The deflating rotations changed the basis: back to the children's vectors, last first.
        for (p, c, cs, sn) in rotations.reversed() {
            for coef in [0, 1] {
                if coef == 0 { rotateColumns(&cl, p, c, n, cs, sn) } else { rotateColumns(&cr, p, c, n, cs, sn) }
            }
        }
        // The new vectors: left = cl[:, 0..<k]·U₁ᵀ-rows | cl[:, k] | cl[:, k+1..<n]·U₂ᵀ-rows, right the same
        // with V₁ (k+1 rows, the null vector last) and V₂.
        var outL = [Double](repeating: 0, count: n * n), outR = [Double](repeating: 0, count: n * n)
        for j in 0..<n { outL[j * n + k] = cl[j * n + k] }
        product(cl, 0, top.ut, k, k, into: &outL, at: 0, n: n)
        product(cl, k + 1, bottom.ut, nr, nr, into: &outL, at: k + 1, n: n)
        product(cr, 0, top.vt, k + 1, k + 1, into: &outR, at: 0, n: n)
        product(cr, k + 1, bottom.vt, nr, nr, into: &outR, at: k + 1, n: n)
        var values = [Double](repeating: 0, count: n)
        for j in 0..<kk { values[j] = lambda[j].squareRoot() }
        for (t, c) in deflated.enumerated() { values[kk + t] = dl[c] }
        return Part(values: values, ut: outL, vt: outR)
    }

    /// out[:, at..<at+width] = coef[:, from..<from+depth] · vectors (depth x width, row-major), all
    /// n rows (every array n columns wide but `vectors`).
    private static func product(_ coef: [Double], _ from: Int, _ vectors: [Double], _ depth: Int, _ width: Int,
                                into out: inout [Double], at: Int, n: Int) {
        if depth == 0 || width == 0 { return }
        coef.withUnsafeBufferPointer { cp in
            vectors.withUnsafeBufferPointer { vp in
                out.withUnsafeMutableBufferPointer { op in
                    gemmRaw(m: n, n: width, k: depth, alpha: 1, a: cp.baseAddress! + from, lda: n, transA: false,
                            b: vp.baseAddress!, ldb: width, transB: false, beta: 0, c: op.baseAddress! + at, ldc: n)
                }
            }
        }
    }

    /// Columns a and b of the n x n row-major `q`: (col_a, col_b) ← (c·col_a − s·col_b, s·col_a + c·col_b),
    /// the coefficients over the basis before the rotation (p ← c·p + s·q, q ← c·q − s·p) of a row over
    /// the basis after it.
    private static func rotateColumns(_ q: inout [Double], _ a: Int, _ b: Int, _ n: Int, _ c: Double, _ s: Double) {
        q.withUnsafeMutableBufferPointer { qp in
            let base = qp.baseAddress!
            for r in 0..<n {
                let x = base[r * n + a], y = base[r * n + b]
                base[r * n + a] = c * x - s * y
                base[r * n + b] = s * x + c * y
            }
        }
    }
}
