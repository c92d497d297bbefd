import Foundation
import Numerics

/// One benchmarked operation: how to build an instance of size n and how much work it is.
///
/// To add an operation: append a `BenchOp` to `BenchOp.registry` below, with the same `name` as
/// the case `Tools/Bench/bench_numpy.py` knows (its `make_case`), so the NumPy column lines up.
struct BenchOp {
    /// Key shared with the NumPy script, e.g. "gemm_nn".
    let name: String
    /// Family for `--ops` filtering, e.g. "gemm"; `--ops` accepts families or names.
    let family: String
    /// Label shown in the table.
    let label: String
    /// Sizes for a full run and for `--quick`.
    let sizes: [Int]
    let quickSizes: [Int]
    /// False for operations Reprise runs on one thread whatever `Threads.count` says (vector
    /// operations): they are measured at 1 thread only.
    let multiThreaded: Bool
    /// Floating-point operations for size n (nil: report time only).
    let flops: ((Int) -> Double)?
    /// How the size is shown, e.g. "512" or "1e6".
    let sizeLabel: (Int) -> String
    /// Builds the inputs for size n and returns the timed body (inputs captured, built once).
    let make: (Int) -> () -> Void

    init(name: String, family: String, label: String, sizes: [Int], quickSizes: [Int],
         multiThreaded: Bool = true, flops: ((Int) -> Double)?,
         sizeLabel: @escaping (Int) -> String = { "\($0)" }, make: @escaping (Int) -> () -> Void) {
        self.name = name; self.family = family; self.label = label
        self.sizes = sizes; self.quickSizes = quickSizes; self.multiThreaded = multiThreaded
        self.flops = flops; self.sizeLabel = sizeLabel; self.make = make
    }
}

/// Keeps a value alive and opaque to the optimizer, so timed results are not discarded.
nonisolated(unsafe) var benchSink: Double = 0

@inline(never) func consume(_ x: Double) { benchSink += x }

/// Deterministic inputs (a local 64-bit LCG: the bench must not depend on the library's RNG).
struct BenchData {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
    mutating func vector(_ n: Int) -> [Double] { (0..<n).map { _ in next() } }
    mutating func matrix(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, cols: c, elements: vector(r * c)) }
    /// G Gᵀ + n I: symmetric positive definite and well conditioned.
    mutating func spd(_ n: Int) -> Matrix {
        let g = matrix(n, n)
        var a = matmul(g, g, transB: true)
        for i in 0..<n { a[i, i] += Double(n) }
        return a
    }
    mutating func symmetric(_ n: Int) -> Matrix {
        let g = matrix(n, n)
        return Matrix(rows: n, cols: n) { i, j in g[i, j] + g[j, i] }
    }
}

extension BenchOp {
    static func gemmOp(_ transA: Bool, _ transB: Bool) -> BenchOp {
        let tag = (transA ? "t" : "n") + (transB ? "t" : "n")
        return BenchOp(
            name: "gemm_\(tag)", family: "gemm",
            label: "gemm \(tag.uppercased()) (C = \(transA ? "Aᵀ" : "A")\(transB ? "Bᵀ" : "B"))",
            sizes: [256, 512, 1024], quickSizes: [256, 512], flops: { 2 * pow(Double($0), 3) },
            make: { n in
                var g = BenchData(seed: UInt64(n))
                let a = g.matrix(n, n), b = g.matrix(n, n)
                var c = Matrix(rows: n, cols: n)
                return {
                    gemm(transA: transA, transB: transB, a, b, into: &c)
                    consume(c.storage[0])
                }
            })
    }

    static func sci(_ n: Int) -> String {
        var e = 0, m = n
        while m >= 10 && m % 10 == 0 { m /= 10; e += 1 }
        return e >= 3 ? (m == 1 ? "1e\(e)" : "\(m)e\(e)") : "\(n)"
    }

    /// Every operation the bench knows, in table order.
    static let registry: [BenchOp] = [
        // ---- BLAS-level operations ----
        gemmOp(false, false),
        gemmOp(false, true),
        gemmOp(true, false),
        BenchOp(name: "gemv", family: "gemv", label: "gemv (y = A x)", sizes: [1000, 4000], quickSizes: [1000],
                flops: { 2 * Double($0) * Double($0) },
                make: { n in
                    var g = BenchData(seed: 7)
                    let a = g.matrix(n, n), x = g.vector(n)
                    return { consume(gemv(a, x)[0]) }
                }),
        // The matrix-sensing adjoint: m measurements x n(n+1)/2 packed entries (n = 50: 1275 columns).
        BenchOp(name: "gemv_t", family: "gemv", label: "gemv, transposed (y = Aᵀ x: the sensing adjoint, m x 1275)", sizes: [1250, 2500],
                quickSizes: [1250], flops: { 2 * Double($0) * 1275 },
                sizeLabel: { "\($0) x 1275" },
                make: { m in
                    var g = BenchData(seed: 8)
                    let a = g.matrix(m, 1275), x = g.vector(m)
                    return { consume(gemv(a, x, transposed: true)[0]) }
                }),
        BenchOp(name: "dot", family: "dot", label: "dot (x · y)", sizes: [1_000_000], quickSizes: [1_000_000],
                multiThreaded: false, flops: { 2 * Double($0) }, sizeLabel: sci,
                make: { n in
                    var g = BenchData(seed: 8)
                    let x = g.vector(n), y = g.vector(n)
                    return { consume(Vector.dot(x, y)) }
                }),
        BenchOp(name: "axpy", family: "axpy", label: "axpy (y += a x)", sizes: [1_000_000], quickSizes: [1_000_000],
                multiThreaded: false, flops: { 2 * Double($0) }, sizeLabel: sci,
                make: { n in
                    var g = BenchData(seed: 9)
                    let x = g.vector(n)
                    var y = g.vector(n)
                    return {
                        Vector.axpy(1e-9, x, &y)
                        consume(y[0])
                    }
                }),

        // ==== Factorizations: register new ones here ====
        // Each times the whole call on a fresh copy of the input (as NumPy does), flop counts are
        // the classical leading terms; eigen/SVD report time only.
        BenchOp(name: "cholesky", family: "cholesky", label: "Cholesky (A = L Lᵀ)", sizes: [500, 1000],
                quickSizes: [500], flops: { pow(Double($0), 3) / 3 },
                make: { n in
                    var g = BenchData(seed: 10)
                    let a = g.spd(n)
                    return { consume((try? CholeskyFactorization(a))?.l[0, 0] ?? .nan) }
                }),
        BenchOp(name: "lu", family: "lu", label: "LU, partial pivoting", sizes: [500, 1000], quickSizes: [500],
                flops: { 2 * pow(Double($0), 3) / 3 },
                make: { n in
                    var g = BenchData(seed: 11)
                    let a = g.matrix(n, n)
                    return { consume((try? LUFactorization(a))?.lu[0, 0] ?? .nan) }
                }),
        BenchOp(name: "qr", family: "qr", label: "QR (Householder, compact)", sizes: [500, 1000], quickSizes: [500],
                flops: { 4 * pow(Double($0), 3) / 3 },
                make: { n in
                    var g = BenchData(seed: 12)
                    let a = g.matrix(n, n)
                    return { consume((try? QRFactorization(a))?.qr[0, 0] ?? .nan) }
                }),
        BenchOp(name: "eigh", family: "eigh", label: "symmetric eigen (values + vectors)", sizes: [200, 500],
                quickSizes: [200], flops: nil,
                make: { n in
                    var g = BenchData(seed: 13)
                    let a = g.symmetric(n)
                    return { consume((try? SymmetricEigen(a))?.values[0] ?? .nan) }
                }),
        BenchOp(name: "svd", family: "svd", label: "SVD (thin, U S Vᵀ)", sizes: [200, 500], quickSizes: [200],
                flops: nil,
                make: { n in
                    var g = BenchData(seed: 14)
                    let a = g.matrix(n, n)
                    return { consume((try? SVD(a))?.singularValues[0] ?? .nan) }
                }),
        BenchOp(name: "svdvals", family: "svd", label: "singular values only (no U, V)", sizes: [500], quickSizes: [200],
                flops: nil,
                make: { n in
                    var g = BenchData(seed: 14)
                    let a = g.matrix(n, n)
                    return { consume((try? singularValues(a))?[0] ?? .nan) }
                }),
    ]
}
