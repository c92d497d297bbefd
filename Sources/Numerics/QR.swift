import Foundation

/// Householder QR factorization A = Q R of an m x n matrix.
///
/// Reflector j is H_j = I − τ_j v_j v_jᵀ with v_j[j] = 1; the vectors are stored below the diagonal
/// of `qr`, R on and above it (the LAPACK dgeqrf layout).
///
/// Blocked with the compact WY representation (Schreiber & Van Loan 1989): the product of the
/// `blockWidth` reflectors of a panel is H = I − V T Vᵀ with T upper triangular, so applying it to
/// the trailing columns is three matrix products (W = Vᵀ C, W ← Tᵀ W, C −= V W). Each panel is
/// itself factored recursively (Elmroth & Gustavson 2000, LAPACK's dgeqrt3), which builds T as it
/// goes and also spends its time in GEMM.
public struct QRFactorization: Sendable {
    public let qr: Matrix
    public let tau: [Double]

    /// Columns per panel (the order of T).
    static let blockWidth = 64

    public init(_ a: Matrix) throws {
        MemoryTuning.ensure()
        try requireFinite(a, "QR")
        let (m, n) = (a.rows, a.cols)
        var f = a
        let steps = Swift.min(m, n)
        var tau = [Double](repeating: 0, count: steps)
        let nb = QRFactorization.blockWidth
        var t = [Double](repeating: 0, count: nb * nb), tNext = t
        // On several threads, look ahead: while the other thread applies panel j's reflectors to
        // most of the trailing columns, this one applies them to the next panel's columns first and
        // factors that panel, so that the panel factorization (level-2 work, serial) no longer waits
        // for the whole trailing update. The trailing update is split by columns; each piece is the
        // same three products restricted to its columns, and every element of them the same sum
        // (all pieces take the packed GEMM path, see `lookAheadPieces`), so the factors are the same
        // bits as the serial loop's.
        let lookAhead = Threads.count > 1
        f.storage.withUnsafeMutableBufferPointer { fp in
            tau.withUnsafeMutableBufferPointer { tp in
                t.withUnsafeMutableBufferPointer { tb in
                    tNext.withUnsafeMutableBufferPointer { tnb in
                        guard let A = fp.baseAddress else { return }
                        var T = tb.baseAddress!, TNext = tnb.baseAddress!
                        let Tau = tp.baseAddress!
                        var j0 = 0
                        var factored = false                  // panel j0 already factored by the look-ahead
                        while j0 < steps {
                            let b = Swift.min(nb, steps - j0)
                            let panel = A + j0 * n + j0
                            // 1. Factor the panel: V, T and the R block of columns j0..<j0+b.
                            if !factored {
                                T.update(repeating: 0, count: nb * nb)
                                Householder.factorPanel(rows: m - j0, cols: b, panel, ld: n, t: T, ldt: nb, tau: Tau + j0)
                            }
                            factored = false
                            // 2. Apply Hᵀ = I − V Tᵀ Vᵀ to the trailing columns.
                            let rest = n - j0 - b
                            if rest > 0 {
                                let nextB = Swift.min(nb, steps - j0 - b)
                                let pieces = lookAhead ? QRFactorization.lookAheadPieces(rows: m - j0, reflectors: b, next: nextB, rest: rest) : []
                                if pieces.isEmpty {
                                    Householder.applyBlockTransposed(rows: m - j0, cols: rest, reflectors: b,
                                                                     v: UnsafePointer(panel), ldv: n, t: UnsafePointer(T), ldt: nb,
                                                                     c: panel + b, ldc: n)
                                } else {
                                    let (v, t, tn) = (SharedPointer(panel), SharedPointer(T), SharedPointer(TNext))
                                    let (vx, vt) = Householder.explicitVBothWays(rows: m - j0, reflectors: b, v: UnsafePointer(panel), ldv: n)
                                    vx.withUnsafeBufferPointer { vxp in
                                        vt.withUnsafeBufferPointer { vtp in
                                            let (vxs, vts) = (SharedPointer(UnsafeMutablePointer(mutating: vxp.baseAddress!)),
                                                              SharedPointer(UnsafeMutablePointer(mutating: vtp.baseAddress!)))
                                            Threads.forEach(pieces.count) { item in
                                                let (c0, w) = pieces[item]
                                                Householder.applyBlock(rows: m - j0, cols: w, reflectors: b, vx: vxs.base, vt: vts.base,
                                                                       t: t.base, ldt: nb, transposeT: true, c: v.base + b + c0, ldc: n)
                                                if item == 0 {
                                                    tn.base.update(repeating: 0, count: nb * nb)
                                                    Householder.factorPanel(rows: m - j0 - b, cols: nextB, v.base + b * n + b, ld: n,
                                                                            t: tn.base, ldt: nb, tau: Tau + j0 + b)
                                                }
                                            }
                                        }
                                    }
                                    swap(&T, &TNext)
                                    factored = true
                                }
                            }
                            j0 += b
                        }
                    }
                }
            }
        }
        qr = f
        self.tau = tau
    }

    /// The look-ahead's pieces of a trailing update (first column, width): the next panel's
    /// `next` columns first, then the other `rest − next` columns in pieces of `blockWidth` (the
    /// last one wider); empty (update in one call) when there is no next panel, when the rest is
    /// under two pieces, or when any of a piece's three products would leave the packed GEMM path
    /// (its bits would differ).
    static func lookAheadPieces(rows: Int, reflectors b: Int, next: Int, rest: Int) -> [(Int, Int)] {
        let nb = blockWidth
        guard next > 0, rest - next >= 2 * nb else { return [] }
        var pieces = [(0, next)]
        let count = (rest - next) / nb                  // ≥ 2; the last piece takes the remainder
        for i in 0..<count { pieces.append((next + i * nb, i == count - 1 ? rest - next - i * nb : nb)) }
        for (_, w) in pieces {
            guard GEMMKernel.takesBlockedPath(m: b, n: w, k: rows), GEMMKernel.takesBlockedPath(m: b, n: w, k: b),
                  GEMMKernel.takesBlockedPath(m: rows, n: w, k: b) else { return [] }
        }
        return pieces
    }

    public var rows: Int { qr.rows }
    public var cols: Int { qr.cols }

    /// The upper-triangular factor, min(m,n) x n.
    public var r: Matrix {
        let k = Swift.min(rows, cols)
        var r = Matrix(rows: k, cols: cols)
        for i in 0..<k { for j in i..<cols { r[i, j] = qr[i, j] } }
        return r
    }

    /// The thin orthonormal factor, m x min(m,n).
    ///
    /// Q = H_0 H_1 ⋯ H_{k−1} applied to the first k columns of I, one panel of reflectors at a
    /// time from the last (LAPACK's dorgqr): block j0 only touches rows and columns ≥ j0, because
    /// the blocks after it have left the rest of those columns as in I.
    public var q: Matrix {
        qr.storage.withUnsafeBufferPointer { ap in
            tau.withUnsafeBufferPointer { tp in
                Householder.formOrthogonal(ap.baseAddress ?? UnsafePointer(bitPattern: 8)!, ld: cols, rows: rows,
                                           count: Swift.min(rows, cols), tau: tp.baseAddress ?? UnsafePointer(bitPattern: 8)!)
            }
        }
    }

    /// Applies H_j to rows j..<m of `x` (columns from `c0`).
    private func applyReflector(_ j: Int, to x: inout Matrix, fromColumn c0: Int = 0) {
        let t = tau[j]
        if t == 0 { return }
        let (m, n) = (rows, cols), w = x.cols
        let width = w - c0
        if width <= 0 { return }
        var acc = [Double](repeating: 0, count: width)
        for i in j..<m {
            let vi = i == j ? 1.0 : qr.storage[i * n + j]
            if vi == 0 { continue }
            for c in 0..<width { acc[c] += vi * x.storage[i * w + c0 + c] }
        }
        for i in j..<m {
            let vi = i == j ? 1.0 : qr.storage[i * n + j]
            let f = t * vi
            if f == 0 { continue }
            for c in 0..<width { x.storage[i * w + c0 + c] -= f * acc[c] }
        }
    }

    /// Qᵀ b for a vector of length m.
    public func applyQTransposed(_ b: [Double]) -> [Double] {
        var x = Matrix.column(b)
        for j in 0..<Swift.min(rows, cols) { applyReflector(j, to: &x) }
        return x.storage
    }

    /// The least-squares solution of min ||A x − b||₂ for m ≥ n and full column rank.
    /// Throws `.singular` when R has a zero diagonal entry (rank deficiency).
    public func solveLeastSquares(_ b: [Double]) throws -> [Double] {
        precondition(b.count == rows, "least squares: right-hand side has wrong length")
        guard rows >= cols else {
            throw LinearAlgebraError.dimensionMismatch("least squares needs rows ≥ cols, got \(rows)x\(cols)")
        }
        let qtb = applyQTransposed(b)
        let r = self.r
        let scale = r.diagonalElements.reduce(0) { Swift.max($0, abs($1)) }
        for i in 0..<cols where abs(r[i, i]) <= Double(Swift.max(rows, cols)) * Double.ulpOfOne * scale {
            throw LinearAlgebraError.singular(pivot: i)
        }
        return Triangular.solveUpper(r, Array(qtb.prefix(cols)))
    }
}

/// The thin QR factors of `a`.
public func qr(_ a: Matrix) throws -> (q: Matrix, r: Matrix) {
    let f = try QRFactorization(a)
    return (f.q, f.r)
}

/// min ||A x − b||₂ by Householder QR.
public func leastSquares(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    try QRFactorization(a).solveLeastSquares(b)
}
