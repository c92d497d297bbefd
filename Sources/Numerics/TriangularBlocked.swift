import Foundation

// Level-3 building blocks for the blocked factorizations (Cholesky, LU, QR): triangular solves
// with many right-hand sides and the symmetric rank-k update, on raw row-major storage.
//
// Each is recursive (Gustavson; Elmroth, Gustavson, Jonsson & Kågström, "Recursive blocked
// algorithms and hybrid data structures for dense matrix library software", SIAM Review 2004):
// split the triangle in two, solve/update the halves recursively, and join them with one
// `gemmRaw` call. About 90% of the flops then run in the packed GEMM kernel; the recursion stops
// at `base` rows, where a plain loop over contiguous rows is cheaper than a GEMM call.
//
// Every split depends only on the sizes, never on the thread count (the GEMM is itself
// reproducible), so results are bit-for-bit the same on 1 or 2 threads.

enum BlockedKernels {
    /// Triangles of at most this order are handled by plain loops.
    static let base = 16

    /// Splits an order-n triangle into n1 + (n − n1) with n1 a multiple of 8 when n is large
    /// (aligned column blocks keep the GEMM's SIMD loads aligned with the rows).
    @inline(__always)
    static func split(_ n: Int) -> Int {
        let half = n / 2
        return half >= 16 ? half & ~7 : half
    }

    /// B ← B · L⁻ᵀ for L n x n lower triangular (non-unit diagonal) and B m x n:
    /// solves X Lᵀ = B row by row. Used for the panel of a blocked Cholesky (L21 = A21 L11⁻ᵀ).
    static func solveRightLowerTransposed(m: Int, n: Int, l: UnsafePointer<Double>, ldl: Int,
                                          b: UnsafeMutablePointer<Double>, ldb: Int) {
        if m == 0 || n == 0 { return }
        if n <= base {
            // x_j = (b_j − Σ_{p<j} x_p L[j, p]) / L[j, j], with both rows contiguous.
            // Rows are independent: eight at a time, one per SIMD lane, with the same operations
            // in the same order on each row as the scalar loop below (which takes the last m % 8).
            typealias V = SIMD8<Double>
            let tiles = m / 8
            withUnsafeTemporaryAllocation(of: V.self, capacity: base) { xt in
                let xs = xt.baseAddress!
                for tile in 0..<tiles {
                    let x0 = b + tile * 8 * ldb
                    for j in 0..<n {
                        xs[j] = V(x0[j], x0[ldb + j], x0[2 * ldb + j], x0[3 * ldb + j],
                                  x0[4 * ldb + j], x0[5 * ldb + j], x0[6 * ldb + j], x0[7 * ldb + j])
                    }
                    for j in 0..<n {
                        let lj = l + j * ldl
                        var s = xs[j]
                        for p in 0..<j { s -= xs[p] * V(repeating: lj[p]) }
                        xs[j] = s / V(repeating: lj[j])
                    }
                    for j in 0..<n {
                        let v = xs[j]
                        for q in 0..<8 { x0[q * ldb + j] = v[q] }
                    }
                }
            }
            for r in (tiles * 8)..<m {
                let x = b + r * ldb
                for j in 0..<n {
                    let lj = l + j * ldl
                    var s = x[j]
                    for p in 0..<j { s -= x[p] * lj[p] }
                    x[j] = s / lj[j]
                }
            }
            return
        }
        let n1 = split(n), n2 = n - n1
        // [X1 X2] [L11ᵀ L21ᵀ; 0 L22ᵀ] = [B1 B2]: X1 = B1 L11⁻ᵀ, then X2 = (B2 − X1 L21ᵀ) L22⁻ᵀ.
        solveRightLowerTransposed(m: m, n: n1, l: l, ldl: ldl, b: b, ldb: ldb)
        gemmRaw(m: m, n: n2, k: n1, alpha: -1, a: UnsafePointer(b), lda: ldb, transA: false,
                b: l + n1 * ldl, ldb: ldl, transB: true, beta: 1, c: b + n1, ldc: ldb)
        solveRightLowerTransposed(m: m, n: n2, l: l + n1 * ldl + n1, ldl: ldl, b: b + n1, ldb: ldb)
    }

    /// B ← L⁻¹ B for L n x n unit lower triangular (its diagonal and upper part are not read)
    /// and B n x w. Used for the U12 block of a blocked LU.
    static func solveLeftUnitLower(n: Int, w: Int, l: UnsafePointer<Double>, ldl: Int,
                                   b: UnsafeMutablePointer<Double>, ldb: Int) {
        if n <= 1 || w == 0 { return }
        if n <= base {
            // Forward substitution on whole rows: row_i −= Σ_{p<i} L[i, p] row_p.
            for i in 1..<n {
                let bi = b + i * ldb
                for p in 0..<i {
                    let f = l[i * ldl + p]
                    if f == 0 { continue }
                    Vector.axpy(-f, UnsafePointer(b + p * ldb), bi, w)
                }
            }
            return
        }
        let n1 = split(n), n2 = n - n1
        // [L11 0; L21 L22] [X1; X2] = [B1; B2]: X1 = L11⁻¹ B1, then X2 = L22⁻¹ (B2 − L21 X1).
        solveLeftUnitLower(n: n1, w: w, l: l, ldl: ldl, b: b, ldb: ldb)
        gemmRaw(m: n2, n: w, k: n1, alpha: -1, a: l + n1 * ldl, lda: ldl, transA: false,
                b: UnsafePointer(b), ldb: ldb, transB: false, beta: 1, c: b + n1 * ldb, ldc: ldb)
        solveLeftUnitLower(n: n2, w: w, l: l + n1 * ldl + n1, ldl: ldl, b: b + n1 * ldb, ldb: ldb)
    }

    /// C ← C − A Aᵀ on the lower triangle of the n x n block C (A is n x k): the symmetric
    /// rank-k update of a blocked Cholesky. The off-diagonal blocks go through GEMM; diagonal
    /// blocks of order ≤ 4·`base` are updated in full by one GEMM, so entries of C just above the
    /// diagonal (within such a block) are overwritten too: callers must not need them.
    static func subtractGramLower(n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                                  c: UnsafeMutablePointer<Double>, ldc: Int) {
        if n == 0 || k == 0 { return }
        if n <= 4 * base {
            gemmRaw(m: n, n: n, k: k, alpha: -1, a: a, lda: lda, transA: false,
                    b: a, ldb: lda, transB: true, beta: 1, c: c, ldc: ldc)
            return
        }
        let n1 = split(n), n2 = n - n1
        // [C11; C21 C22] −= [A1; A2][A1ᵀ A2ᵀ]: C11 and C22 recursively, C21 −= A2 A1ᵀ by GEMM.
        // The three write disjoint blocks of C and only read A, so on several threads they run side
        // by side (the same calls, so the same bits): C21 on one thread while the other does C11
        // and then C22, about half the work each. Below `GEMMKernel.parallelWork` for C21 they run
        // in turn, each using the threads itself where it is large enough.
        let c21 = { gemmRaw(m: n2, n: n1, k: k, alpha: -1, a: a + n1 * lda, lda: lda, transA: false,
                            b: a, ldb: lda, transB: true, beta: 1, c: c + n1 * ldc, ldc: ldc) }
        if Threads.count > 1 && n1 * n2 * k >= GEMMKernel.parallelWork {
            let cs = SharedPointer(c), `as` = SharedPointer(UnsafeMutablePointer(mutating: a))
            Threads.forEach(3) { item in
                switch item {
                case 0: subtractGramLower(n: n1, k: k, a: UnsafePointer(`as`.base), lda: lda, c: cs.base, ldc: ldc)
                case 1: c21()
                default: subtractGramLower(n: n2, k: k, a: UnsafePointer(`as`.base) + n1 * lda, lda: lda, c: cs.base + n1 * ldc + n1, ldc: ldc)
                }
            }
            return
        }
        subtractGramLower(n: n1, k: k, a: a, lda: lda, c: c, ldc: ldc)
        c21()
        subtractGramLower(n: n2, k: k, a: a + n1 * lda, lda: lda, c: c + n1 * ldc + n1, ldc: ldc)
    }
}
