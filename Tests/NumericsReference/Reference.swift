import Numerics

// The reference computations of the Numerics tests. Everything here is deliberately naive (plain
// loops, no call into the kernel's gemm), so that a residual computed with them checks the kernel
// against mathematics rather than against another part of itself.
//
// A module of its own so that it is compiled with optimization while the tests themselves are not:
// the tests' compile is what the build waits for, and these loops (products and residuals of order
// 257-500) are where the tests' run time goes.

/// Helpers live in one namespace so they cannot clash with the tests' own names.
public enum NT {
    /// Unit roundoff-sized machine epsilon, 2⁻⁵².
    public static let eps = Double.ulpOfOne

    /// C = A B by the textbook triple loop.
    public static func naiveMul(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.cols == b.rows)
        var c = Matrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows {
            for j in 0..<b.cols {
                var s = 0.0
                for k in 0..<a.cols { s += a.storage[i * a.cols + k] * b.storage[k * b.cols + j] }
                c.storage[i * b.cols + j] = s
            }
        }
        return c
    }

    /// C ← alpha·op(A)·op(B) + beta·C by the definition; row-major with leading dimensions.
    public static func referenceGEMM(m: Int, n: Int, k: Int, alpha: Double,
                                     a: [Double], lda: Int, transA: Bool, b: [Double], ldb: Int, transB: Bool,
                                     beta: Double, c: inout [Double], ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * lda + i] : a[i * lda + p]
                    let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += x * y
                }
                c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + alpha * s
            }
        }
    }

    /// A small deterministic generator (64-bit LCG, top 53 bits) so the tests need nothing else:
    /// uniform in [-1, 1).
    public struct LCG {
        public var state: UInt64
        public init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
        public mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        public mutating func array(_ count: Int) -> [Double] { (0..<count).map { _ in next() } }
    }

    /// What a GEMM test finds when it compares a product with the reference, scanning the m x ldc
    /// block row by row: the first padding entry (column ≥ n) that differs from `original`, else the
    /// first non-finite entry, else the largest relative error |e − r| / max(1, |e|).
    public enum BlockComparison: Equatable {
        case paddingChanged(row: Int, col: Int)
        case nonFinite(row: Int, col: Int, value: Double)
        case worst(Double)
    }

    public static func compareBlock(expected: [Double], got: [Double], original: [Double],
                                    m: Int, n: Int, ldc: Int) -> BlockComparison {
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<ldc {
                let e = expected[i * ldc + j], r = got[i * ldc + j]
                if j >= n {
                    if r != original[i * ldc + j] { return .paddingChanged(row: i, col: j) }
                    continue
                }
                if !r.isFinite { return .nonFinite(row: i, col: j, value: r) }
                worst = Swift.max(worst, abs(e - r) / Swift.max(1, abs(e)))
            }
        }
        return .worst(worst)
    }

    /// Aᵀ by the definition.
    public static func naiveTranspose(_ a: Matrix) -> Matrix {
        var t = Matrix(rows: a.cols, cols: a.rows)
        for i in 0..<a.rows { for j in 0..<a.cols { t.storage[j * a.rows + i] = a.storage[i * a.cols + j] } }
        return t
    }

    /// A x by the definition.
    public static func naiveApply(_ a: Matrix, _ x: [Double]) -> [Double] {
        (0..<a.rows).map { i in (0..<a.cols).reduce(0.0) { $0 + a.storage[i * a.cols + $1] * x[$1] } }
    }

    /// ||A||_F with plain summation (fine for the moderate entries the tests use).
    public static func frob(_ a: Matrix) -> Double { a.storage.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// ||x||₂ with plain summation.
    public static func norm2(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// ||A − B||_F.
    public static func frobDiff(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.cols == b.cols, "shape \(a.rows)x\(a.cols) vs \(b.rows)x\(b.cols)")
        var s = 0.0
        for i in 0..<a.storage.count { let d = a.storage[i] - b.storage[i]; s += d * d }
        return s.squareRoot()
    }

    /// ||QᵀQ − I||_F: how far the columns of Q are from orthonormal.
    public static func orthogonalityError(_ q: Matrix) -> Double {
        frobDiff(naiveMul(naiveTranspose(q), q), Matrix.identity(q.cols))
    }

    /// A deterministic matrix of standard normal entries.
    public static func gaussian(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = RandomSource(seed: seed)
        return rng.normalMatrix(rows, cols)
    }

    /// An orthogonal n x n matrix built as a product of `count` Householder reflectors
    /// I − 2 v vᵀ / vᵀv with Gaussian v. Built here (not with the kernel's QR) so tests of QR, eigen
    /// and SVD do not rely on the code under test to make their inputs. det = (−1)^count.
    public static func householderOrthogonal(_ n: Int, seed: UInt64, count: Int? = nil) -> Matrix {
        var rng = RandomSource(seed: seed)
        var q = Matrix.identity(n)
        for _ in 0..<(count ?? n) {
            let v = rng.normalVector(n)
            let vv = v.reduce(0) { $0 + $1 * $1 }
            // q ← (I − 2 v vᵀ / vᵀv) q
            for c in 0..<n {
                var s = 0.0
                for r in 0..<n { s += v[r] * q.storage[r * n + c] }
                let f = 2 * s / vv
                for r in 0..<n { q.storage[r * n + c] -= f * v[r] }
            }
        }
        return q
    }

    /// The first k columns of an n x n matrix.
    public static func leadingColumns(_ q: Matrix, _ k: Int) -> Matrix { q.submatrix(rows: 0..<q.rows, cols: 0..<k) }

    /// Q diag(λ) Qᵀ, symmetrized exactly.
    public static func symmetricWithSpectrum(_ lambda: [Double], seed: UInt64) -> Matrix {
        let n = lambda.count
        let q = householderOrthogonal(n, seed: seed)
        var a = Matrix(rows: n, cols: n)
        for i in 0..<n {
            for j in 0...i {
                var s = 0.0
                for k in 0..<n { s += q[i, k] * lambda[k] * q[j, k] }
                a[i, j] = s; a[j, i] = s
            }
        }
        return a
    }

    /// U diag(σ) Vᵀ for an m x n matrix with the given singular values (count ≤ min(m, n)),
    /// U and V taken from independent Householder products.
    public static func matrixWithSingularValues(_ sigma: [Double], rows m: Int, cols n: Int, seed: UInt64) -> Matrix {
        let u = householderOrthogonal(m, seed: seed)
        let v = householderOrthogonal(n, seed: seed &+ 1000)
        var a = Matrix(rows: m, cols: n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<sigma.count { s += u[i, k] * sigma[k] * v[j, k] }
                a[i, j] = s
            }
        }
        return a
    }

    /// The n x n Hilbert matrix 1/(i + j + 1).
    public static func hilbert(_ n: Int) -> Matrix { Matrix(rows: n, cols: n) { i, j in 1.0 / Double(i + j + 1) } }
}
