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
                    let chunk = 512                      // columns per chunk (a multiple of 8)
                    let chunks = (n + chunk - 1) / chunk
                    let body: (Int) -> Void = { c in
                        let j0 = c * chunk, j1 = Swift.min(n, j0 + chunk), w = j1 - j0
                        let out = ys.base + j0
                        for i in 0..<m { Vector.axpy(X[i], A + i * n + j0, out, w) }
                    }
                    if parallel { Threads.forEach(chunks, body) } else { for c in 0..<chunks { body(c) } }
                }
            }
        }
        return y
    }
}

/// Symmetric rank-k product AᵀA (n x n for an m x n A), through gemm.
public func gram(_ a: Matrix) -> Matrix { matmul(a, a, transA: true) }
