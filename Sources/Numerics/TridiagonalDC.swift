import Foundation

/// Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by divide and conquer
/// (Cuppen 1981; Gu & Eisenstat 1995; the scheme of LAPACK's dstedc / dlaed0-dlaed4).
///
/// T is split in the middle, T = diag(T₁, T₂) + β v vᵀ with β = |e_k−1| and v = e_{k−1} ± e_k;
/// the halves are solved recursively, T_i = Z_i Λ_i Z_iᵀ, and then
///     T = diag(Z₁, Z₂) (Λ + ρ w wᵀ) diag(Z₁, Z₂)ᵀ,  w = (last row of Z₁, ± first row of Z₂)/√2,  ρ = 2β.
/// The eigenvalues of the diagonal-plus-rank-one matrix Λ + ρ w wᵀ are the roots of the secular
/// equation 1 + ρ Σ w_i²/(δ_i − λ) = 0, one between each pair of consecutive poles δ_i, and its
/// eigenvectors are (w_i/(δ_i − λ))_i. Before solving, components with ρ|w_i| negligible, and
/// pairs of nearly equal poles (after a plane rotation that zeroes one weight), are deflated:
/// their eigenpairs are already known. Three points make the result accurate:
///   - each root is stored as an offset τ from its nearest pole, so that the differences
///     δ_i − λ, which the eigenvectors are made of, are computed without cancellation;
///   - the weights are then recomputed from the computed roots (Gu & Eisenstat's formula
///     ŵ_i² = Π_j (λ_j − δ_i) / (ρ Π_{j≠i} (δ_j − δ_i))), so that the computed roots are the exact
///     eigenvalues of a nearby rank-one problem and the eigenvectors come out orthogonal;
///   - the update of the eigenvector matrix, diag(Z₁, Z₂) U, is two matrix products that skip
///     the zero blocks (columns from Z₁ only have their top rows, those from Z₂ their bottom rows).
/// Almost all the time is in those products (GEMM), where QL spends it in plane rotations.
/// Blocks of at most `leafSize` rows are solved by implicit QL.
enum TridiagonalDC {
    static let leafSize = 32

    /// Eigenvalues of the tridiagonal (d, e) (e[i] couples i and i+1; e.count ≥ n − 1),
    /// ascending, and the eigenvectors as the rows of the returned n x n row-major array.
    static func solve(d: [Double], e: [Double]) throws -> (values: [Double], vectors: [Double]) {
        let n = d.count
        if n == 0 { return ([], []) }
        // Work on T scaled by a power of two to max |entry| ≈ 1 (exact; undone on the values).
        var m = 0.0
        for x in d { m = Swift.max(m, abs(x)) }
        for i in 0..<(n - 1) { m = Swift.max(m, abs(e[i])) }
        if m == 0 {
            var z = [Double](repeating: 0, count: n * n)
            for i in 0..<n { z[i * n + i] = 1 }
            return (d, z)
        }
        let s = Double(sign: .plus, exponent: -m.exponent, significand: 1)
        let (values, z) = try recurse(d.map { $0 * s }, (0..<(n - 1)).map { e[$0] * s })
        return (values.map { $0 / s }, z)
    }

    static func recurse(_ d: [Double], _ e: [Double]) throws -> ([Double], [Double]) {
        let n = d.count
        if n <= leafSize { return try leaf(d, e) }
        let k = n / 2
        let beta = abs(e[k - 1])
        let sign = e[k - 1] < 0 ? -1.0 : 1.0
        var d1 = Array(d[0..<k]), d2 = Array(d[k..<n])
        d1[k - 1] -= beta
        d2[0] -= beta
        let e1 = Array(e[0..<(k - 1)]), e2 = Array(e[k..<(n - 1)])
        // The two halves on two threads from `parallelHalves` rows (their own GEMMs then run on
        // one thread each; the results do not depend on the thread count either way).
        let ((l1, z1), (l2, z2)) = try Threads.pair(parallel: n >= parallelHalves && Threads.count > 1,
                                                    { try recurse(d1, e1) }, { try recurse(d2, e2) })
        return try merge(l1, z1, l2, z2, beta: beta, sign: sign)
    }

    /// Orders from which the two halves of a split are solved on two threads.
    static let parallelHalves = 128

    /// A small block by implicit QL on the identity; eigenvectors sorted with their values.
    static func leaf(_ d: [Double], _ e: [Double]) throws -> ([Double], [Double]) {
        let n = d.count
        var dd = d
        var ee = e + [0]
        let w = AlignedRows(Matrix.identity(n))
        try SymmetricEigen.implicitQL(&dd, &ee, w, computeVectors: true)
        let order = (0..<n).sorted { dd[$0] < dd[$1] || (dd[$0] == dd[$1] && $0 < $1) }
        var z = [Double](repeating: 0, count: n * n)
        for (r, src) in order.enumerated() {
            let row = w.base + src * w.ld
            for i in 0..<n { z[r * n + i] = row[i] }
        }
        return (order.map { dd[$0] }, z)
    }

    /// Column kinds in the merged basis diag(Z₁, Z₂): nonzero in the top rows only, in both
    /// (after a deflating rotation mixed two kinds), or in the bottom rows only.
    private enum Kind { case top, mixed, bottom }

    /// Eigenpairs of diag(Z₁, Z₂)(diag(λ₁, λ₂) + β v vᵀ)diag(Z₁, Z₂)ᵀ, vectors as rows, values ascending.
    static func merge(_ l1: [Double], _ z1: [Double], _ l2: [Double], _ z2: [Double],
                      beta: Double, sign: Double) throws -> ([Double], [Double]) {
        let n1 = l1.count, n2 = l2.count, n = n1 + n2
        // The merged basis, column c as row c of `q` (length n), its pole dl[c] and weight w[c].
        var q = [Double](repeating: 0, count: n * n)
        var dl = l1 + l2
        var w = [Double](repeating: 0, count: n)
        var kind = [Kind](repeating: .top, count: n)
        let invRoot2 = 1 / 2.0.squareRoot()
        for c in 0..<n1 {
            for i in 0..<n1 { q[c * n + i] = z1[c * n1 + i] }
            w[c] = z1[c * n1 + n1 - 1] * invRoot2
        }
        for c in 0..<n2 {
            for i in 0..<n2 { q[(n1 + c) * n + n1 + i] = z2[c * n2 + i] }
            w[n1 + c] = sign * z2[c * n2] * invRoot2
            kind[n1 + c] = .bottom
        }
        let rho = 2 * beta
        // Poles in ascending order (both halves are sorted: merge them).
        var order = [Int](); order.reserveCapacity(n)
        do {
            var i = 0, j = n1
            while i < n1 || j < n {
                if j >= n || (i < n1 && dl[i] <= dl[j]) { order.append(i); i += 1 } else { order.append(j); j += 1 }
            }
        }
        // Deflation (dlaed2).
        var dmax = 0.0, wmax = 0.0
        for c in 0..<n { dmax = Swift.max(dmax, abs(dl[c])); wmax = Swift.max(wmax, abs(w[c])) }
        let tol = 8 * Double.ulpOfOne * Swift.max(dmax, wmax)
        let (kept0, deflated, rotations) = deflate(order, weights: &w, poles: &dl, scale: rho, tol: tol)
        var kept = kept0
        for (previous, c, cs, sn) in rotations {
            if kind[c] != kind[previous] { kind[c] = .mixed }
            q.withUnsafeMutableBufferPointer { qp in
                let x = qp.baseAddress! + previous * n, y = qp.baseAddress! + c * n
                for i in 0..<n {
                    let a = x[i], b = y[i]
                    x[i] = cs * a + sn * b
                    y[i] = cs * b - sn * a
                }
            }
        }
        let kk = kept.count
        // The secular equation for the kept poles (ascending; a deflating rotation moves a pole by
        // at most the tolerance, so the order is kept up to ties, which we re-sort).
        kept.sort { dl[$0] < dl[$1] || (dl[$0] == dl[$1] && $0 < $1) }
        var values = [Double](repeating: 0, count: n)
        var out = [Double](repeating: 0, count: n * n)
        if kk > 0 {
            let poles = kept.map { dl[$0] }
            let r = kept.map { rho * w[$0] * w[$0] }
            // diff[j * kk + i] = δ_i − λ_j.
            let (lambda, diff) = try secularRoots(poles: poles, r: r, routine: "divide and conquer (secular equation)")
            // Gu–Eisenstat weights, then the eigenvectors U (column j = (ŵ_i/(δ_i − λ_j))_i, unit).
            let prod = guEisenstatProducts(poles: poles, diff: diff)
            var what = [Double](repeating: 0, count: kk)
            for i in 0..<kk {
                let v = Swift.max(prod[i], 0).squareRoot()
                what[i] = w[kept[i]] < 0 ? -v : v
            }
            // ut[j * kk + i] = U[i, j].
            var ut = [Double](repeating: 0, count: kk * kk)
            what.withUnsafeBufferPointer { wp in
                diff.withUnsafeBufferPointer { dp in
                    ut.withUnsafeMutableBufferPointer { up in
                        let U = SharedPointer(up.baseAddress!), W = wp.baseAddress!, D = dp.baseAddress!
                        let chunk = 32, chunks = (kk + chunk - 1) / chunk
                        Threads.forEach(chunks) { c in
                            for j in (c * chunk)..<Swift.min(kk, (c + 1) * chunk) {
                                TridiagonalDC.unitQuotients(U.base + j * kk, W, D + j * kk, kk)
                            }
                        }
                    }
                }
            }
            // New vectors (rows 0..<kk of `out`): Σ_i U[i, j] · (column kept[i]), top and bottom
            // rows separately over the columns that have them.
            for (part, range) in [(0, 0..<n1), (1, n1..<n)] {
                let sel = (0..<kk).filter { part == 0 ? kind[kept[$0]] != .bottom : kind[kept[$0]] != .top }
                if sel.isEmpty || range.isEmpty { continue }
                let width = range.count, s = sel.count
                var g = [Double](repeating: 0, count: s * width)
                var us = [Double](repeating: 0, count: kk * s)
                for (t, i) in sel.enumerated() {
                    let src = kept[i] * n + range.lowerBound
                    for x in 0..<width { g[t * width + x] = q[src + x] }
                    for j in 0..<kk { us[j * s + t] = ut[j * kk + i] }
                }
                us.withUnsafeBufferPointer { up in
                    g.withUnsafeBufferPointer { gp in
                        out.withUnsafeMutableBufferPointer { op in
                            gemmRaw(m: kk, n: width, k: s, alpha: 1, a: up.baseAddress!, lda: s, transA: false,
                                    b: gp.baseAddress!, ldb: width, transB: false, beta: 0,
                                    c: op.baseAddress! + range.lowerBound, ldc: n)
                        }
                    }
                }
            }
            for j in 0..<kk { values[j] = lambda[j] }
        }
        // Deflated pairs: the (rotated) columns themselves.
        for (t, c) in deflated.enumerated() {
            values[kk + t] = dl[c]
            for i in 0..<n { out[(kk + t) * n + i] = q[c * n + i] }
        }
        // Ascending order.
        let sorted = (0..<n).sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var z = [Double](repeating: 0, count: n * n)
        for (r, src) in sorted.enumerated() {
            for i in 0..<n { z[r * n + i] = out[src * n + i] }
        }
        return (sorted.map { values[$0] }, z)
    }

    /// Deflation of a secular problem (LAPACK's dlaed2 / dlasd2), over the poles in ascending
    /// `order`: a weight with scale·|w_c| ≤ tol deflates its pole; of two consecutive remaining
    /// poles close enough that the rotation zeroing the first weight moves them by at most tol
    /// (|Δd·cs·sn| ≤ tol), the first deflates after that rotation (w and the two poles updated
    /// here). Returns the kept and deflated poles and the rotations (p, c, cs, sn), in order, for
    /// the caller to apply to its basis: p ← cs·p + sn·c, c ← cs·c − sn·p.
    static func deflate(_ order: [Int], weights w: inout [Double], poles dl: inout [Double], scale: Double, tol: Double)
        -> (kept: [Int], deflated: [Int], rotations: [(Int, Int, Double, Double)])
    {
        var kept = [Int](), deflated = [Int](), rotations: [(Int, Int, Double, Double)] = []
        var previous = -1
        for c in order {
            if scale * abs(w[c]) <= tol { deflated.append(c); continue }
            if previous < 0 { previous = c; continue }
            let tau = fastHypot(w[c], w[previous])
            let cs = w[c] / tau, sn = -w[previous] / tau
            let t = dl[c] - dl[previous]
            if abs(t * cs * sn) <= tol {
                w[c] = tau; w[previous] = 0
                rotations.append((previous, c, cs, sn))
                let dp = dl[previous], dc = dl[c]
                dl[previous] = dp * cs * cs + dc * sn * sn
                dl[c] = dp * sn * sn + dc * cs * cs
                deflated.append(previous)
            } else {
                kept.append(previous)
            }
            previous = c
        }
        if previous >= 0 { kept.append(previous) }
        return (kept, deflated, rotations)
    }

    /// The roots λ_j of 1 + Σ_i r_i/(δ_i − λ) = 0 for ascending poles δ and weights r_i > 0, one
    /// per pole (`secularRoot`), chunks of them on the threads (each writes its own rows), and
    /// diff[j·k + i] = δ_i − λ_j. Throws `noConvergence(routine:)` if a root is not finite.
    static func secularRoots(poles: [Double], r: [Double], routine: String) throws -> (lambda: [Double], diff: [Double]) {
        let kk = poles.count
        var diff = [Double](repeating: 0, count: kk * kk)
        var lambda = [Double](repeating: 0, count: kk)
        let rootChunk = 16, rootChunks = (kk + rootChunk - 1) / rootChunk
        poles.withUnsafeBufferPointer { pp in
            r.withUnsafeBufferPointer { rp in
                diff.withUnsafeMutableBufferPointer { dp in
                    lambda.withUnsafeMutableBufferPointer { lp in
                        let P = pp.baseAddress!, R = rp.baseAddress!
                        let D = SharedPointer(dp.baseAddress!), L = SharedPointer(lp.baseAddress!)
                        Threads.forEach(rootChunks) { c in
                            for j in (c * rootChunk)..<Swift.min(kk, (c + 1) * rootChunk) {
                                L.base[j] = (try? secularRoot(j, poles: P, r: R, count: kk, diff: D.base + j * kk)) ?? .nan
                            }
                        }
                    }
                }
            }
        }
        if lambda.contains(where: { !$0.isFinite }) {
            throw LinearAlgebraError.noConvergence(routine: routine, iterations: 200)
        }
        return (lambda, diff)
    }

    /// Gu & Eisenstat's products prod_i = (λ_i − δ_i) Π_{j≠i} (λ_j − δ_i)/(δ_j − δ_i), which equal
    /// ρ ŵ_i² for the weights ŵ of the rank-one problem whose exact eigenvalues are the computed
    /// roots; from `secularRoots`' differences, ranges of i on the threads, every prod_i taking its
    /// factors in the order j = 0, 1, ….
    static func guEisenstatProducts(poles: [Double], diff: [Double]) -> [Double] {
        let kk = poles.count
        var prod = [Double](repeating: 0, count: kk)
        for i in 0..<kk { prod[i] = -diff[i * kk + i] }
        poles.withUnsafeBufferPointer { pp in
            diff.withUnsafeBufferPointer { dp in
                prod.withUnsafeMutableBufferPointer { qp in
                    let P = pp.baseAddress!, Q = SharedPointer(qp.baseAddress!), D = dp.baseAddress!
                    let chunk = 64, chunks = (kk + chunk - 1) / chunk
                    Threads.forEach(chunks) { c in
                        let i0 = c * chunk, i1 = Swift.min(kk, i0 + chunk)
                        for j in 0..<kk {
                            let row = D + j * kk
                            if i0 < j { scaleByRatios(Q.base, row, P, P[j], i0, Swift.min(i1, j)) }
                            if j + 1 < i1 { scaleByRatios(Q.base, row, P, P[j], Swift.max(i0, j + 1), i1) }
                        }
                    }
                }
            }
        }
        return prod
    }

    /// (Σ r_i/(Δ_i − τ), Σ r_i/(Δ_i − τ)²) over i in from..<to, eight terms at a time.
    @inline(__always)
    static func sums(_ diff: UnsafePointer<Double>, _ r: UnsafePointer<Double>, _ tau: Double,
                     _ from: Int, _ to: Int) -> (Double, Double) {
        typealias V = SIMD8<Double>
        var s = V(), ds = V()
        let tv = V(repeating: tau)
        var i = from
        while i + 8 <= to {
            let inv = 1 / (UnsafeRawPointer(diff + i).loadUnaligned(as: V.self) - tv)
            let t = UnsafeRawPointer(r + i).loadUnaligned(as: V.self) * inv
            s += t; ds += t * inv
            i += 8
        }
        var s1 = s.sum(), ds1 = ds.sum()
        while i < to {
            let inv = 1 / (diff[i] - tau)
            let t = r[i] * inv
            s1 += t; ds1 += t * inv
            i += 1
        }
        return (s1, ds1)
    }

    /// prod_i ·= −diff_i / (δ_j − δ_i) for i in from..<to (one root's factors of the Gu–Eisenstat products).
    @inline(__always)
    static func scaleByRatios(_ prod: UnsafeMutablePointer<Double>, _ diff: UnsafePointer<Double>,
                              _ poles: UnsafePointer<Double>, _ pj: Double, _ from: Int, _ to: Int) {
        typealias V = SIMD8<Double>
        let pv = V(repeating: pj)
        var i = from
        while i + 8 <= to {
            let num = UnsafeRawPointer(diff + i).loadUnaligned(as: V.self)
            let den = pv - UnsafeRawPointer(poles + i).loadUnaligned(as: V.self)
            let p = UnsafeRawPointer(prod + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(prod + i).storeBytes(of: p * (-num / den), as: V.self)
            i += 8
        }
        while i < to { prod[i] *= -diff[i] / (pj - poles[i]); i += 1 }
    }

    /// u_i = ŵ_i / diff_i for i < k, then u scaled to unit length.
    @inline(__always)
    static func unitQuotients(_ u: UnsafeMutablePointer<Double>, _ what: UnsafePointer<Double>,
                              _ diff: UnsafePointer<Double>, _ k: Int) {
        typealias V = SIMD8<Double>
        var n2 = V()
        var i = 0
        while i + 8 <= k {
            let q = UnsafeRawPointer(what + i).loadUnaligned(as: V.self) / UnsafeRawPointer(diff + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(u + i).storeBytes(of: q, as: V.self)
            n2 += q * q
            i += 8
        }
        var norm2 = n2.sum()
        while i < k { let q = what[i] / diff[i]; u[i] = q; norm2 += q * q; i += 1 }
        let inv = 1 / norm2.squareRoot()
        for i in 0..<k { u[i] *= inv }
    }

    /// Root j (0-based) of 1 + Σ_i r_i/(δ_i − λ) = 0 for ascending poles δ and r_i > 0: the one in
    /// (δ_j, δ_{j+1}), or above δ_{count−1} for the last. Writes δ_i − λ_j into `diff`, computed
    /// from the nearer pole as (δ_i − δ_o) − τ, and returns λ_j = δ_o + τ.
    ///
    /// Each step fits the two poles around the root with the exact value and slope of the sums
    /// left and right of the root (dlaed4's "fixed weight" model), and solves the model exactly;
    /// the step is kept only inside the current bracket, otherwise the bracket is halved.
    static func secularRoot(_ j: Int, poles: UnsafePointer<Double>, r: UnsafePointer<Double>, count k: Int,
                            diff: UnsafeMutablePointer<Double>) throws -> Double {
        let last = j == k - 1
        var origin = j
        var lo = 0.0, hi = 0.0
        if last {
            var sum = 0.0
            for i in 0..<k { sum += r[i] }
            hi = sum
            for i in 0..<k { diff[i] = poles[i] - poles[j] }
        } else {
            let h = (poles[j + 1] - poles[j]) / 2
            // g at the midpoint decides which pole the root is nearer to.
            for i in 0..<k { diff[i] = poles[i] - poles[j] }
            let (s, _) = sums(diff, r, h, 0, k)
            if 1 + s >= 0 {
                hi = h
            } else {
                origin = j + 1; lo = -h
                for i in 0..<k { diff[i] = poles[i] - poles[j + 1] }   // Δ_i = δ_i − δ_o
            }
        }
        let o = poles[origin]
        let leftPole = diff[j], rightPole = last ? 0 : diff[j + 1]
        var tau = (lo + hi) / 2
        let eps = Double.ulpOfOne
        for _ in 0..<200 {
            // ψ: poles 0...j (terms < 0), φ: poles j+1..<k (terms > 0), and their derivatives.
            let (psi, dpsi) = sums(diff, r, tau, 0, j + 1)
            let (phi, dphi) = last ? (0.0, 0.0) : sums(diff, r, tau, j + 1, k)
            let g = 1 + psi + phi
            let bound = eps * (8 * (phi - psi) + 2 + 3 * abs(tau) * (dpsi + dphi))
            if abs(g) <= bound { break }
            if g > 0 { hi = tau } else { lo = tau }
            if hi - lo <= 2 * eps * Swift.max(abs(lo), abs(hi)) { break }
            // The model ψ ≈ a + b/(Δ_j − x), φ ≈ c + dd/(Δ_{j+1} − x), solved for x = τ + η.
            let a1 = leftPole - tau
            let b = dpsi * a1 * a1
            var next = Double.nan
            if last {
                let cc = 1 + psi - b / a1
                if cc > 0 { next = tau + (a1 + b / cc) }
            } else {
                let a2 = rightPole - tau
                let dd = dphi * a2 * a2
                let cc = 1 + (psi - b / a1) + (phi - dd / a2)
                let bb = cc * (a1 + a2) + b + dd
                let c0 = g * a1 * a2
                if cc == 0 {
                    if bb != 0 { next = tau + c0 / bb }
                } else {
                    let disc = bb * bb - 4 * cc * c0
                    if disc >= 0 {
                        let big = (bb + (bb >= 0 ? 1.0 : -1.0) * disc.squareRoot()) / (2 * cc)
                        let small = big != 0 ? c0 / (cc * big) : 0
                        if tau + small > lo && tau + small < hi { next = tau + small } else { next = tau + big }
                    }
                }
            }
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            if next == tau { break }
            tau = next
        }
        for i in 0..<k { diff[i] -= tau }
        if !tau.isFinite { throw LinearAlgebraError.noConvergence(routine: "divide and conquer (secular equation)", iterations: 200) }
        return o + tau
    }
}
