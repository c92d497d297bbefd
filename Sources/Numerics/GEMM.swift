import Foundation

// The one general matrix product everything in Reprise calls:
//     C ← alpha · op(A) · op(B) + beta · C,   op(X) = X or Xᵀ,
// on row-major storage with leading dimensions (the stride between rows).

/// C ← alpha·op(A)·op(B) + beta·C on raw row-major storage.
///
/// - Parameters: `m`, `n`, `k`: op(A) is m x k, op(B) is k x n, C is m x n.
///   `lda`, `ldb`, `ldc` are row strides of the stored A, B, C.
/// When `beta == 0`, C is overwritten without being read (NaNs in C do not propagate).
public func gemmRaw(
    m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, transA: Bool,
    b: UnsafePointer<Double>, ldb: Int, transB: Bool,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    // Scale C by beta first.
    if beta == 0 {
        for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
    } else if beta != 1 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
    }
    if k == 0 || alpha == 0 { return }
    GEMMKernel.multiplyAdd(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                           b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
}

/// C ← alpha·op(A)·op(B) + beta·C for `Matrix` values.
public func gemm(transA: Bool = false, transB: Bool = false, alpha: Double = 1,
                 _ a: Matrix, _ b: Matrix, beta: Double = 0, into c: inout Matrix) {
    let m = transA ? a.cols : a.rows
    let k = transA ? a.rows : a.cols
    let kb = transB ? b.cols : b.rows
    let n = transB ? b.rows : b.cols
    precondition(k == kb, "gemm: inner dimensions differ (\(k) vs \(kb))")
    precondition(c.rows == m && c.cols == n, "gemm: C has shape \(c.rows)x\(c.cols), expected \(m)x\(n)")
    a.storage.withUnsafeBufferPointer { ap in
        b.storage.withUnsafeBufferPointer { bp in
            c.storage.withUnsafeMutableBufferPointer { cp in
                guard let abase = ap.baseAddress ?? UnsafePointer(bitPattern: 8),
                      let bbase = bp.baseAddress ?? UnsafePointer(bitPattern: 8),
                      let cbase = cp.baseAddress else { return }
                gemmRaw(m: m, n: n, k: k, alpha: alpha, a: abase, lda: a.cols, transA: transA,
                        b: bbase, ldb: b.cols, transB: transB, beta: beta, c: cbase, ldc: n)
            }
        }
    }
}

/// op(A)·op(B) as a new matrix.
public func matmul(_ a: Matrix, _ b: Matrix, transA: Bool = false, transB: Bool = false) -> Matrix {
    let m = transA ? a.cols : a.rows
    let n = transB ? b.rows : b.cols
    var c = Matrix(rows: m, cols: n)
    gemm(transA: transA, transB: transB, a, b, into: &c)
    return c
}

/// A·x, or Aᵀ·x when `transposed`.
///
/// Large products run on `Threads.count` threads over fixed chunks (rows of A for A·x, column
/// ranges of A for Aᵀ·x), so every output element is accumulated in the same order whatever the
/// thread count.
public func gemv(_ a: Matrix, _ x: [Double], transposed: Bool = false) -> [Double] {
    let (m, n) = (a.rows, a.cols)
    let parallel = m * n >= 1 << 16
    if !transposed {
        precondition(x.count == n, "gemv: x has \(x.count) entries, A has \(n) columns")
        var y = [Double](repeating: 0, count: m)
        a.storage.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    guard let A = ap.baseAddress, let X = xp.baseAddress, let Y = yp.baseAddress else { return }
                    let ys = SharedPointer(Y)
                    let chunk = 64
                    let chunks = (m + chunk - 1) / chunk
                    let body: (Int) -> Void = { c in
                        let i1 = Swift.min(m, (c + 1) * chunk)
                        var i = c * chunk
                        // Four rows at a time: four independent accumulator chains share each load
                        // of x. Each row's sum is formed exactly as `Vector.dot` forms it.
                        while i + 4 <= i1 {
                            Vector.dot4(A + i * n, n, X, n, ys.base + i)
                            i += 4
                        }
                        while i < i1 { ys.base[i] = Vector.dot(A + i * n, X, n); i += 1 }
                    }
                    if parallel { Threads.forEach(chunks, body) } else { for c in 0..<chunks { body(c) } }
                }
            }
        }
        return y
    } else {
        precondition(x.count == m, "gemv: x has \(x.count) entries, A has \(m) rows")
        var y = [Double](repeating: 0, count: n)
        a.storage.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    guard let A = ap.baseAddress, let X = xp.baseAddress, let Y = yp.baseAddress else { return }
                    let ys = SharedPointer(Y)
                    // Column strips starting at multiples of 8, of near-equal width, depending on n
                    // only: below 1024 columns strips of at most 512; from 1024 an even number of
                    // strips of at most 2048 (two for n ≤ 4096, one per thread), so that each pass
                    // streams long contiguous pieces of four rows while its piece of y (≤ 16 KB)
                    // stays in the first-level cache. Every y_j is formed the same way whatever the
                    // strips (rows in order, four at a time from row 0; the scalar tail is the last
                    // n mod 8 columns in every layout), so the strips change the speed, not the bits.
                    let chunks = n >= 1024 ? 2 * ((n + 4095) / 4096) : Swift.max(1, (n + 511) / 512)   // n = 0: one empty strip
                    let chunk = ((n + chunks - 1) / chunks + 7) / 8 * 8
                    let body: (Int) -> Void = { c in
                        let j0 = Swift.min(n, c * chunk), j1 = Swift.min(n, j0 + chunk), w = j1 - j0
                        guard w > 0 else { return }
                        let out = ys.base + j0
                        // Four rows per pass over the strip: y is loaded and stored once for four
                        // rows; each y_j still receives y_j + x_i a_ij for i = 0, 1, 2, ... in order,
                        // rounded after every term, exactly as one `axpy` per row would.
                        var i = 0
                        while i + 4 <= m {
                            axpy4(X + i, A + i * n + j0, n, out, w)
                            i += 4
                        }
                        while i < m { Vector.axpy(X[i], A + i * n + j0, out, w); i += 1 }
                    }
                    if parallel { Threads.forEach(chunks, body) } else { for c in 0..<chunks { body(c) } }
                }
            }
        }
        return y
    }
}

/// (A x, Aᵀ z) in one pass over A, on the calling thread: each block of four rows is read once for
/// its four dot products with x and, from cache, for its four-row update of Aᵀz. A game or a
/// primal-dual method that needs both products at one point reads A once instead of twice. The
/// bits are those of `gemv(a, x)` and `gemv(a, z, transposed: true)`: the same four-row groups
/// from row 0, the same dot products, and each (Aᵀz)_j receives z_i a_ij in row order.
public func gemvPair(_ a: Matrix, _ x: [Double], transposedTimes z: [Double]) -> (product: [Double], transposedProduct: [Double]) {
    let (m, n) = (a.rows, a.cols)
    precondition(x.count == n, "gemvPair: x has \(x.count) entries, A has \(n) columns")
    precondition(z.count == m, "gemvPair: z has \(z.count) entries, A has \(m) rows")
    var y = [Double](repeating: 0, count: m), g = [Double](repeating: 0, count: n)
    a.storage.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
            z.withUnsafeBufferPointer { zp in
                y.withUnsafeMutableBufferPointer { yp in
                    g.withUnsafeMutableBufferPointer { gp in
                        guard let A = ap.baseAddress, let X = xp.baseAddress, let Z = zp.baseAddress,
                              let Y = yp.baseAddress, let G = gp.baseAddress else { return }
                        var i = 0
                        while i + 4 <= m {
                            Vector.dot4(A + i * n, n, X, n, Y + i)
                            axpy4(Z + i, A + i * n, n, G, n)
                            i += 4
                        }
                        while i < m {
                            Y[i] = Vector.dot(A + i * n, X, n)
                            Vector.axpy(Z[i], A + i * n, G, n)
                            i += 1
                        }
                    }
                }
            }
        }
    }
    return (y, g)
}

/// The residual r = A x − b and the adjoint g = Aᵀ r in one pass over A, on the calling thread.
///
/// A least-squares gradient (matrix sensing, a linear model) needs both products with the same A.
/// Formed separately they read A twice from memory; here each block of four rows is read once for
/// its four dot products and again, from cache, for the four-row update of g. The bits are those of
/// `gemv(a, x)`, `Vector.subtract` and `gemv(a, r, transposed: true)`: the same four-row groups from
/// row 0, the same dot products, and each g_j receives its terms r_i a_ij in row order. Callers
/// that run independent problems side by side (`Threads.map` over runs) get their parallelism
/// there; `Threads.isBusy` tells a caller whether it is inside such a region.
public func gemvResidualAdjoint(_ a: Matrix, _ x: [Double], minus b: [Double]) -> (residual: [Double], adjoint: [Double]) {
    gemvResidualAdjoint(a, [x], minus: b)[0]
}

/// The same for several vectors x₁ … x_K at once (runs that share the operator A and the data b,
/// stepped in lockstep): each block of four rows of A is brought into cache once per call and used
/// for all K, instead of once per vector, and each load of it serves two vectors. Each (rₖ, gₖ) has
/// the bits of the one-vector routine.
public func gemvResidualAdjoint(_ a: Matrix, _ xs: [[Double]], minus b: [Double]) -> [(residual: [Double], adjoint: [Double])] {
    let (m, n, count) = (a.rows, a.cols, xs.count)
    for x in xs { precondition(x.count == n, "gemvResidualAdjoint: x has \(x.count) entries, A has \(n) columns") }
    precondition(b.count == m, "gemvResidualAdjoint: b has \(b.count) entries, A has \(m) rows")
    guard count > 0 else { return [] }
    let x = Array(xs.joined())
    var r = [Double](repeating: 0, count: count * m)
    var g = [Double](repeating: 0, count: count * n)
    a.storage.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
            b.withUnsafeBufferPointer { bp in
                r.withUnsafeMutableBufferPointer { rp in
                    g.withUnsafeMutableBufferPointer { gp in
                        guard let A = ap.baseAddress, let X = xp.baseAddress, let B = bp.baseAddress,
                              let R = rp.baseAddress, let G = gp.baseAddress else { return }
                        var i = 0
                        // One vector gets a loop of its own: the same calls as the odd vector's
                        // below, but through the loop that also takes pairs it ran 8-13% slower
                        // (750 x 1275, alternating builds).
                        if count == 1 {
                            while i + 4 <= m {
                                Vector.dot4(A + i * n, n, X, n, R + i)
                                for k in i..<(i + 4) { R[k] = R[k] - B[k] }
                                axpy4(R + i, A + i * n, n, G, n)
                                i += 4
                            }
                        }
                        while i + 4 <= m {
                            // Vectors two at a time: each load of the four rows serves both (the
                            // same sums per vector as one at a time).
                            var v = 0
                            while v + 2 <= count {
                                let R0 = R + v * m, R1 = R0 + m
                                Vector.dot4x2(A + i * n, n, X + v * n, X + (v + 1) * n, n, R0 + i, R1 + i)
                                for k in i..<(i + 4) { R0[k] = R0[k] - B[k]; R1[k] = R1[k] - B[k] }
                                axpy4x2(R0 + i, R1 + i, A + i * n, n, G + v * n, G + (v + 1) * n, n)
                                v += 2
                            }
                            if v < count {
                                let Rv = R + v * m
                                Vector.dot4(A + i * n, n, X + v * n, n, Rv + i)
                                for k in i..<(i + 4) { Rv[k] = Rv[k] - B[k] }
                                axpy4(Rv + i, A + i * n, n, G + v * n, n)
                            }
                            i += 4
                        }
                        while i < m {
                            for v in 0..<count {
                                let Rv = R + v * m
                                Rv[i] = Vector.dot(A + i * n, X + v * n, n) - B[i]
                                Vector.axpy(Rv[i], A + i * n, G + v * n, n)
                            }
                            i += 1
                        }
                    }
                }
            }
        }
    }
    if n == 0 { for v in 0..<count { for i in 0..<m { r[v * m + i] = -b[i] } } }     // A x = 0
    return (0..<count).map { v in (Array(r[(v * m)..<((v + 1) * m)]), Array(g[(v * n)..<((v + 1) * n)])) }
}

/// y[0..<w] += x₀·a₀ + x₁·a₁ + x₂·a₂ + x₃·a₃ for the rows a_r = a + r·ld, term by term in that
/// order (the same roundings as four successive `Vector.axpy` calls), with y kept in registers.
@inline(__always)
func axpy4(_ x: UnsafePointer<Double>, _ a: UnsafePointer<Double>, _ ld: Int,
           _ y: UnsafeMutablePointer<Double>, _ w: Int) {
    typealias V = SIMD8<Double>
    let x0 = V(repeating: x[0]), x1 = V(repeating: x[1]), x2 = V(repeating: x[2]), x3 = V(repeating: x[3])
    let a0 = a, a1 = a + ld, a2 = a + 2 * ld, a3 = a + 3 * ld
    var j = 0
    while j + 8 <= w {
        var acc = UnsafeRawPointer(y + j).loadUnaligned(as: V.self)
        acc.addProduct(x0, UnsafeRawPointer(a0 + j).loadUnaligned(as: V.self))
        acc.addProduct(x1, UnsafeRawPointer(a1 + j).loadUnaligned(as: V.self))
        acc.addProduct(x2, UnsafeRawPointer(a2 + j).loadUnaligned(as: V.self))
        acc.addProduct(x3, UnsafeRawPointer(a3 + j).loadUnaligned(as: V.self))
        UnsafeMutableRawPointer(y + j).storeBytes(of: acc, as: V.self)
        j += 8
    }
    while j < w {
        y[j] += x[0] * a0[j]; y[j] += x[1] * a1[j]; y[j] += x[2] * a2[j]; y[j] += x[3] * a3[j]
        j += 1
    }
}

/// `axpy4` for two vectors at once: y0 += x0₀·a₀ + … + x0₃·a₃ and y1 += x1₀·a₀ + … + x1₃·a₃, each
/// term by term in row order (the roundings of `axpy4` for each), every load of the rows used twice.
@inline(__always)
func axpy4x2(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ a: UnsafePointer<Double>, _ ld: Int,
             _ y0: UnsafeMutablePointer<Double>, _ y1: UnsafeMutablePointer<Double>, _ w: Int) {
    typealias V = SIMD8<Double>
    let p0 = V(repeating: x0[0]), p1 = V(repeating: x0[1]), p2 = V(repeating: x0[2]), p3 = V(repeating: x0[3])
    let q0 = V(repeating: x1[0]), q1 = V(repeating: x1[1]), q2 = V(repeating: x1[2]), q3 = V(repeating: x1[3])
    let a0 = a, a1 = a + ld, a2 = a + 2 * ld, a3 = a + 3 * ld
    var j = 0
    while j + 8 <= w {
        let r0 = UnsafeRawPointer(a0 + j).loadUnaligned(as: V.self), r1 = UnsafeRawPointer(a1 + j).loadUnaligned(as: V.self)
        let r2 = UnsafeRawPointer(a2 + j).loadUnaligned(as: V.self), r3 = UnsafeRawPointer(a3 + j).loadUnaligned(as: V.self)
        var u = UnsafeRawPointer(y0 + j).loadUnaligned(as: V.self)
        u.addProduct(p0, r0); u.addProduct(p1, r1); u.addProduct(p2, r2); u.addProduct(p3, r3)
        UnsafeMutableRawPointer(y0 + j).storeBytes(of: u, as: V.self)
        var t = UnsafeRawPointer(y1 + j).loadUnaligned(as: V.self)
        t.addProduct(q0, r0); t.addProduct(q1, r1); t.addProduct(q2, r2); t.addProduct(q3, r3)
        UnsafeMutableRawPointer(y1 + j).storeBytes(of: t, as: V.self)
        j += 8
    }
    while j < w {
        y0[j] += x0[0] * a0[j]; y0[j] += x0[1] * a1[j]; y0[j] += x0[2] * a2[j]; y0[j] += x0[3] * a3[j]
        y1[j] += x1[0] * a0[j]; y1[j] += x1[1] * a1[j]; y1[j] += x1[2] * a2[j]; y1[j] += x1[3] * a3[j]
        j += 1
    }
}

/// Symmetric rank-k product AᵀA (n x n for an m x n A), through gemm.
public func gram(_ a: Matrix) -> Matrix { matmul(a, a, transA: true) }
