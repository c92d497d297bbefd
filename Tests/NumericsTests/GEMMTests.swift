import XCTest
@testable import Numerics

/// Tests of the matrix product against a plain triple loop, at sizes chosen to hit every edge of
/// the blocked kernel (micro-tiles 6x32 and 4x8, k slices of 256, work blocks of 192 x 256) and the
/// unpacked small-product path.
final class GEMMTests: XCTestCase {
    /// The tests' deterministic generator (uniform in [-1, 1)), compiled optimized in NumericsReference.
    typealias LCG = NT.LCG

    /// C ← alpha·op(A)·op(B) + beta·C by the definition (`NT.referenceGEMM`, compiled optimized).
    static func reference(m: Int, n: Int, k: Int, alpha: Double,
                          a: [Double], lda: Int, transA: Bool, b: [Double], ldb: Int, transB: Bool,
                          beta: Double, c: inout [Double], ldc: Int) {
        NT.referenceGEMM(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                         b: b, ldb: ldb, transB: transB, beta: beta, c: &c, ldc: ldc)
    }

    /// Runs gemmRaw and the reference on the same data; checks every element of the m x n block
    /// (and that padding columns beyond n are untouched when ldc > n).
    func check(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Double = 1, beta: Double = 0,
               pad: Int = 0, nanC: Bool = false, seed: UInt64 = 1, file: StaticString = #filePath, line: UInt = #line) {
        var g = LCG(seed &+ UInt64(m * 1_000_003 + n * 1009 + k))
        // Stored shapes: A is m x k (or k x m when transposed), B is k x n (or n x k).
        let aRows = transA ? k : m, aCols = transA ? m : k
        let bRows = transB ? n : k, bCols = transB ? k : n
        let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
        let a = g.array(Swift.max(1, aRows * lda)), b = g.array(Swift.max(1, bRows * ldb))
        var c0 = g.array(Swift.max(1, m * ldc))
        if nanC { for i in 0..<m { for j in 0..<n { c0[i * ldc + j] = .nan } } }
        var expected = c0, got = c0
        GEMMTests.reference(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                            b: b, ldb: ldb, transB: transB, beta: beta, c: &expected, ldc: ldc)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                got.withUnsafeMutableBufferPointer { cp in
                    gemmRaw(m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress!, lda: lda, transA: transA,
                            b: bp.baseAddress!, ldb: ldb, transB: transB, beta: beta, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        // |error| ≤ 1e-12 · k · (|alpha| Σ|a||b| scale ~ 1) + beta part; entries are O(1) here.
        let tol = 1e-12 * Double(Swift.max(k, 1)) * Swift.max(1, abs(alpha)) + 1e-15 * abs(beta)
        // The scan runs in NumericsReference (optimized): the first changed padding entry, else the
        // first non-finite entry, else the largest relative error.
        let worst: Double
        switch NT.compareBlock(expected: expected, got: got, original: c0, m: m, n: n, ldc: ldc) {
        case let .paddingChanged(i, j):
            XCTFail("padding C[\(i), \(j)] changed (m=\(m) n=\(n) k=\(k))", file: file, line: line)
            return
        case let .nonFinite(i, j, r):
            XCTFail("C[\(i), \(j)] = \(r) (m=\(m) n=\(n) k=\(k) tA=\(transA) tB=\(transB))", file: file, line: line)
            return
        case let .worst(w):
            worst = w
        }
        XCTAssertLessThan(worst, tol, "m=\(m) n=\(n) k=\(k) tA=\(transA) tB=\(transB) alpha=\(alpha) beta=\(beta) pad=\(pad)",
                          file: file, line: line)
    }

    let flags = [(false, false), (false, true), (true, false), (true, true)]

    func testAllVariantsAwkwardSizes() {
        let sizes = [1, 7, 17, 65, 127]
        for (ta, tb) in flags {
            for m in sizes {
                for n in sizes {
                    for k in [1, 17, 127] {
                        check(m: m, n: n, k: k, transA: ta, transB: tb)
                    }
                }
            }
        }
    }

    func testLargeRaggedSizes() {
        // Crosses the k slice (256), the work blocks (192 rows, 256 columns) and ragged tiles.
        for (ta, tb) in flags {
            check(m: 513, n: 65, k: 300, transA: ta, transB: tb)
            check(m: 127, n: 513, k: 257, transA: ta, transB: tb)
            check(m: 200, n: 290, k: 513, transA: ta, transB: tb, alpha: -0.75, beta: 0.5)
        }
    }

    func testThinShapes() {
        for (ta, tb) in flags {
            check(m: 1, n: 513, k: 300, transA: ta, transB: tb)
            check(m: 513, n: 1, k: 300, transA: ta, transB: tb)
            check(m: 5, n: 300, k: 300, transA: ta, transB: tb)
            check(m: 300, n: 7, k: 300, transA: ta, transB: tb)
            check(m: 300, n: 300, k: 1, transA: ta, transB: tb)
            // More rows / columns than one packed super-block (4092 rows, 4096 columns).
            check(m: 4100, n: 9, k: 8, transA: ta, transB: tb, alpha: 0.5, beta: 1)
            check(m: 6, n: 4100, k: 9, transA: ta, transB: tb, alpha: 0.5, beta: 1)
        }
    }

    func testAlphaBeta() {
        for (ta, tb) in flags {
            for (alpha, beta) in [(2.5, 0.0), (-1.0, 1.0), (0.5, -2.0), (0.0, 3.0), (1.0, 1.0)] {
                check(m: 65, n: 127, k: 17, transA: ta, transB: tb, alpha: alpha, beta: beta)
                check(m: 130, n: 97, k: 260, transA: ta, transB: tb, alpha: alpha, beta: beta)
            }
        }
    }

    func testBetaZeroIgnoresNaN() {
        for (ta, tb) in flags {
            check(m: 17, n: 7, k: 5, transA: ta, transB: tb, beta: 0, nanC: true)
            check(m: 127, n: 65, k: 130, transA: ta, transB: tb, alpha: 2, beta: 0, nanC: true)
        }
    }

    func testLeadingDimensionsLargerThanWidth() {
        for (ta, tb) in flags {
            check(m: 7, n: 17, k: 9, transA: ta, transB: tb, beta: 1, pad: 3)
            check(m: 127, n: 65, k: 257, transA: ta, transB: tb, alpha: 1.5, beta: 0.25, pad: 5)
            check(m: 70, n: 100, k: 40, transA: ta, transB: tb, beta: 0, pad: 1, nanC: true)
        }
    }

    func testSubBlockOfLargerMatrices() {
        // C[10..<80, 20..<120] += A[5..<75, 3..<53] · B[7..<57, 11..<111] on 100 x 150 storage.
        var g = LCG(42)
        let ld = 150
        let a = g.array(100 * ld), b = g.array(100 * ld)
        var c = g.array(100 * ld)
        var expected = c
        let m = 70, n = 100, k = 50
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += a[(5 + i) * ld + 3 + p] * b[(7 + p) * ld + 11 + j] }
                expected[(10 + i) * ld + 20 + j] += s
            }
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    gemmRaw(m: m, n: n, k: k, alpha: 1, a: ap.baseAddress! + 5 * ld + 3, lda: ld, transA: false,
                            b: bp.baseAddress! + 7 * ld + 11, ldb: ld, transB: false,
                            beta: 1, c: cp.baseAddress! + 10 * ld + 20, ldc: ld)
                }
            }
        }
        var worst = 0.0
        for i in 0..<(100 * ld) { worst = Swift.max(worst, abs(c[i] - expected[i])) }
        XCTAssertLessThan(worst, 1e-12 * Double(k))
    }

    func testDegenerateSizes() {
        for (ta, tb) in flags {
            // k = 0: C ← beta·C.
            check(m: 17, n: 7, k: 0, transA: ta, transB: tb, beta: 0.5)
            check(m: 17, n: 7, k: 0, transA: ta, transB: tb, beta: 0, nanC: true)
            // m = 0 or n = 0: nothing happens (and nothing crashes).
            check(m: 0, n: 7, k: 5, transA: ta, transB: tb)
            check(m: 7, n: 0, k: 5, transA: ta, transB: tb)
        }
    }

    func testMatrixWrappers() {
        var g = LCG(7)
        let a = Matrix(rows: 65, cols: 33, elements: g.array(65 * 33))
        let b = Matrix(rows: 33, cols: 70, elements: g.array(33 * 70))
        let c = matmul(a, b)
        let ct = matmul(b, a, transA: true, transB: true)      // (AB)ᵀ = BᵀAᵀ
        for i in 0..<65 {
            for j in 0..<70 {
                var s = 0.0
                for p in 0..<33 { s += a[i, p] * b[p, j] }
                XCTAssertEqual(c[i, j], s, accuracy: 1e-12 * 33)
                XCTAssertEqual(ct[j, i], s, accuracy: 1e-12 * 33)
            }
        }
    }

    /// gemv, A·x and Aᵀ·x, at awkward sizes against a plain loop; A·x row i is exactly
    /// `Vector.dot(row i, x)` (the four-rows-at-a-time path must sum each row the same way), and
    /// neither depends on the thread count.
    func testGemvAwkwardSizesAndExactness() {
        let saved = Threads.count
        defer { Threads.count = saved }
        var g = LCG(77)
        for m in [1, 7, 17, 65, 127, 513] {
            for n in [1, 7, 17, 65, 127, 513] {
                let a = Matrix(rows: m, cols: n, elements: g.array(m * n))
                let x = g.array(n), xt = g.array(m)
                var results: [[Double]] = []
                for t in [1, 2] {
                    Threads.count = t
                    let y = gemv(a, x), yt = gemv(a, xt, transposed: true)
                    results.append(y + yt)
                    for i in 0..<m {
                        let exact = a.storage.withUnsafeBufferPointer { ap in
                            x.withUnsafeBufferPointer { Vector.dot(ap.baseAddress! + i * n, $0.baseAddress!, n) }
                        }
                        XCTAssertEqual(y[i].bitPattern, exact.bitPattern, "\(m)x\(n): (A·x)[\(i)] is not dot(row, x)")
                    }
                    for j in 0..<n {
                        var s = 0.0
                        for i in 0..<m { s += a[i, j] * xt[i] }
                        XCTAssertEqual(yt[j], s, accuracy: 1e-12 * Double(m), "\(m)x\(n): (Aᵀx)[\(j)]")
                    }
                }
                XCTAssertTrue(results[0] == results[1], "\(m)x\(n): gemv differs between 1 and 2 threads")
            }
        }
    }

    /// Aᵀ·x is, bit for bit, one `Vector.axpy` per row of A in row order (the four-rows-per-pass loop
    /// keeps y in registers but rounds every term as that loop does), at sizes around the strip and
    /// the four-row edges.
    func testTransposedGemvIsOneAxpyPerRowExactly() {
        // Widths cover every strip layout (one or two strips below 1024, two up to 4096, six at 8300),
        // on one and two threads: the bits must be those of one full-width axpy per row.
        var g = LCG(78)
        let saved = Threads.count
        defer { Threads.count = saved }
        for threads in [1, 2] {
            Threads.count = threads
            for m in [1, 3, 4, 5, 9, 130] {
                for n in [1, 7, 8, 9, 300, 1100, 1275, 4100, 8300] {
                    let a = Matrix(rows: m, cols: n, elements: g.array(m * n))
                    let x = g.array(m)
                    var expected = [Double](repeating: 0, count: n)
                    a.storage.withUnsafeBufferPointer { ap in
                        expected.withUnsafeMutableBufferPointer { yp in
                            for i in 0..<m { Vector.axpy(x[i], ap.baseAddress! + i * n, yp.baseAddress!, n) }
                        }
                    }
                    let y = gemv(a, x, transposed: true)
                    XCTAssertTrue(y.map(\.bitPattern) == expected.map(\.bitPattern),
                                  "\(m)x\(n), \(threads) threads: Aᵀx is not one axpy per row")
                }
            }
        }
    }

    /// The fused residual and adjoint give the bits of the two products formed separately (the
    /// path matrix sensing switches between by thread count), and both agree with the definition
    /// r_i = Σ_j a_ij x_j − b_i, g_j = Σ_i a_ij r_i to round-off.
    func testFusedResidualAdjointIsTheTwoProductsExactly() {
        var g = LCG(91)
        for m in [1, 3, 4, 5, 9, 130] {
            for n in [1, 7, 8, 9, 300, 1275] {
                let a = Matrix(rows: m, cols: n, elements: g.array(m * n))
                let x = g.array(n), b = g.array(m)
                let (r, adj) = gemvResidualAdjoint(a, x, minus: b)
                let r2 = Vector.subtract(gemv(a, x), b)
                let adj2 = gemv(a, r2, transposed: true)
                XCTAssertTrue(r.map(\.bitPattern) == r2.map(\.bitPattern), "\(m)x\(n): fused residual differs")
                XCTAssertTrue(adj.map(\.bitPattern) == adj2.map(\.bitPattern), "\(m)x\(n): fused adjoint differs")
                for i in 0..<m {
                    let exact = (0..<n).reduce(0.0) { $0 + a[i, $1] * x[$1] } - b[i]
                    XCTAssertEqual(r[i], exact, accuracy: 1e-13 * Double(n + 1))
                }
                for j in 0..<n {
                    let exact = (0..<m).reduce(0.0) { $0 + a[$1, j] * r[$1] }
                    XCTAssertEqual(adj[j], exact, accuracy: 1e-13 * Double(m * (n + 1)))
                }
            }
        }
    }

    /// Several vectors in one pass give each vector's bits from the one-vector routine and from the
    /// separate products (`gemv`, `Vector.subtract`, the transposed `gemv`), also at the sensing
    /// papers' widths (2500, 1027) where the separate transposed product splits the columns into
    /// strips, and with scalar tails of 3 and 4 after the SIMD8 blocks.
    func testBatchedResidualAdjointIsEachVectorAlone() {
        var g = LCG(93)
        for (m, n, k) in [(5, 9, 3), (130, 300, 3), (7, 1, 3), (9, 1027, 5), (13, 2500, 2), (4, 512, 4), (11, 21, 6)] {
            let a = Matrix(rows: m, cols: n, elements: g.array(m * n))
            let b = g.array(m)
            let xs = (0..<k).map { _ in g.array(n) }
            let batched = gemvResidualAdjoint(a, xs, minus: b)
            XCTAssertEqual(batched.count, k)
            for (x, got) in zip(xs, batched) {
                let alone = gemvResidualAdjoint(a, x, minus: b)
                XCTAssertTrue(got.residual.map(\.bitPattern) == alone.residual.map(\.bitPattern), "\(m)x\(n): batched residual differs")
                XCTAssertTrue(got.adjoint.map(\.bitPattern) == alone.adjoint.map(\.bitPattern), "\(m)x\(n): batched adjoint differs")
                let r = Vector.subtract(gemv(a, x), b)
                XCTAssertTrue(got.residual.map(\.bitPattern) == r.map(\.bitPattern), "\(m)x\(n): residual differs from gemv")
                XCTAssertTrue(got.adjoint.map(\.bitPattern) == gemv(a, r, transposed: true).map(\.bitPattern), "\(m)x\(n): adjoint differs from gemv")
            }
        }
        XCTAssertTrue(gemvResidualAdjoint(Matrix(rows: 3, cols: 2), [[Double]](), minus: [1, 2, 3]).isEmpty)
        let empty = gemvResidualAdjoint(Matrix(rows: 2, cols: 0), [Double](), minus: [1, -2])
        XCTAssertEqual(empty.residual, [-1, 2])
    }

    /// The pair (A x, Aᵀ z) in one pass has the bits of the two separate products, including shapes
    /// where the separate ones split rows into chunks and columns into strips on two threads
    /// (m·n ≥ 2¹⁶), and scalar tails of rows and columns.
    func testPairOfProductsIsTheTwoProductsApart() {
        var g = LCG(57)
        let saved = Threads.count
        defer { Threads.count = saved }
        for threads in [1, 2] {
            Threads.count = threads
            for (m, n) in [(1, 1), (3, 5), (4, 8), (100, 250), (101, 1003), (70, 1027), (13, 2500), (5, 0), (0, 6)] {
                let a = Matrix(rows: m, cols: n, elements: g.array(m * n))
                let x = g.array(n), z = g.array(m)
                let (y, t) = gemvPair(a, x, transposedTimes: z)
                XCTAssertTrue(y.map(\.bitPattern) == gemv(a, x).map(\.bitPattern), "\(m)x\(n): A x differs")
                XCTAssertTrue(t.map(\.bitPattern) == gemv(a, z, transposed: true).map(\.bitPattern), "\(m)x\(n): Aᵀz differs")
            }
        }
    }

    /// One row into four targets has the bits of four `Vector.axpy` calls (SIMD blocks and tails).
    func testAxpyToFourRowsIsFourAxpys() {
        var g = LCG(61)
        for n in [1, 7, 8, 9, 23, 64, 101] {
            let a = g.array(4), x = g.array(n), y = g.array(4 * n + 3)
            var expected = y, got = y
            expected.withUnsafeMutableBufferPointer { yp in
                for r in 0..<4 { Vector.axpy(a[r], x, yp.baseAddress! + r * (n + 1), n) }
            }
            got.withUnsafeMutableBufferPointer { yp in Vector.axpyToRows4(a, x, yp.baseAddress!, n + 1, n) }
            XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "n = \(n)")
        }
    }

    /// A product with fewer than 8 columns (the skinny path) sums C[i, j] += (alpha·a_ip)·b_pj over p in
    /// order exactly as one `Vector.axpy` per (i, p) does: the same bits as before the path existed.
    func testSkinnyProductIsOneAxpyPerStepExactly() {
        var g = LCG(79)
        for (m, n, k) in [(1, 1, 1), (5, 7, 300), (40, 3, 50), (750, 7, 257), (9, 1, 1000)] {
            for ta in [false, true] {
                let a = Matrix(rows: ta ? k : m, cols: ta ? m : k, elements: g.array(m * k))
                let b = Matrix(rows: k, cols: n, elements: g.array(k * n))
                let c0 = Matrix(rows: m, cols: n, elements: g.array(m * n))
                var expected = c0
                a.storage.withUnsafeBufferPointer { ap in
                    b.storage.withUnsafeBufferPointer { bp in
                        expected.storage.withUnsafeMutableBufferPointer { cp in
                            for i in 0..<m { for p in 0..<k {
                                let aip = 0.75 * (ta ? ap[p * m + i] : ap[i * k + p])
                                Vector.axpy(aip, bp.baseAddress! + p * n, cp.baseAddress! + i * n, n)
                            } }
                        }
                    }
                }
                var c = c0
                gemm(transA: ta, alpha: 0.75, a, b, beta: 1, into: &c)
                XCTAssertTrue(c.storage.map(\.bitPattern) == expected.storage.map(\.bitPattern), "\(m)x\(n)x\(k) tA=\(ta)")
            }
        }
    }

    /// A small product against Bᵀ with fewer than 16 terms per entry goes eight columns of C per
    /// SIMD8: each C[i, j] must still be C[i, j] + alpha·(0 + a_i0 b_j0 + a_i1 b_j1 + …), a multiply
    /// and an add per term in order, as the scalar `dotRow` forms it (the bits before the path existed).
    func testSmallProductAgainstTransposeIsTheScalarSumExactly() {
        var g = LCG(83)
        for (m, n, k) in [(1, 1, 1), (50, 50, 3), (50, 50, 5), (7, 17, 15), (3, 8, 2), (12, 23, 9)] {
            for ta in [false, true] {
                let a = Matrix(rows: ta ? k : m, cols: ta ? m : k, elements: g.array(m * k))
                let b = Matrix(rows: n, cols: k, elements: g.array(k * n))
                let c0 = Matrix(rows: m, cols: n, elements: g.array(m * n))
                var expected = c0
                for i in 0..<m { for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += (ta ? a[p, i] : a[i, p]) * b[j, p] }
                    expected[i, j] += -1.25 * s
                } }
                var c = c0
                gemm(transA: ta, transB: true, alpha: -1.25, a, b, beta: 1, into: &c)
                XCTAssertTrue(c.storage.map(\.bitPattern) == expected.storage.map(\.bitPattern), "\(m)x\(n)x\(k) tA=\(ta)")
            }
        }
    }

    /// The result must not depend on the thread count, bit for bit.
    func testThreadCountDoesNotChangeResult() {
        let saved = Threads.count
        defer { Threads.count = saved }
        var g = LCG(2024)
        let m = 300, n = 257, k = 311
        for (ta, tb) in flags {
            let a = Matrix(rows: ta ? k : m, cols: ta ? m : k, elements: g.array(m * k))
            let b = Matrix(rows: tb ? n : k, cols: tb ? k : n, elements: g.array(k * n))
            let c0 = Matrix(rows: m, cols: n, elements: g.array(m * n))
            var results: [Matrix] = []
            for t in [1, 2, 3] {
                Threads.count = t
                var c = c0
                gemm(transA: ta, transB: tb, alpha: 0.7, a, b, beta: 1.3, into: &c)
                results.append(c)
            }
            XCTAssertTrue(results[0].storage == results[1].storage, "1 vs 2 threads differ (tA=\(ta) tB=\(tb))")
            XCTAssertTrue(results[0].storage == results[2].storage, "1 vs 3 threads differ (tA=\(ta) tB=\(tb))")
        }
    }

    /// Both micro-kernel tiles (6x32 for 512-bit vectors, 4x8 for 256-bit ones) are exercised on
    /// every machine, and they give bit-for-bit the same product: each element is the same sum in
    /// the same order whatever the tile. Sizes cross ragged tiles of both, a k slice and work blocks.
    func testEveryTileGivesTheSameBits() {
        var g = LCG(77)
        for (ta, tb) in flags {
            for (m, n, k) in [(6, 8, 1), (7, 9, 300), (13, 33, 65), (200, 290, 513), (61, 257, 40)] {
                let a = g.array(m * k), b = g.array(k * n), c0 = g.array(m * n)
                var results: [[Double]] = []
                for tile in GEMMKernel.Tile.allCases {
                    var c = c0
                    a.withUnsafeBufferPointer { ap in
                        b.withUnsafeBufferPointer { bp in
                            c.withUnsafeMutableBufferPointer { cp in
                                GEMMKernel.blocked(m: m, n: n, k: k, alpha: -0.7, a: ap.baseAddress!, lda: ta ? m : k, transA: ta,
                                                   b: bp.baseAddress!, ldb: tb ? k : n, transB: tb,
                                                   c: cp.baseAddress!, ldc: n, tile: tile)
                            }
                        }
                    }
                    var expected = c0
                    GEMMTests.reference(m: m, n: n, k: k, alpha: -0.7, a: a, lda: ta ? m : k, transA: ta,
                                        b: b, ldb: tb ? k : n, transB: tb, beta: 1, c: &expected, ldc: n)
                    let worst = Vector.normInf(Vector.subtract(c, expected))   // NaN-propagating
                    XCTAssertLessThan(worst, 1e-12 * Double(k), "\(tile) m=\(m) n=\(n) k=\(k) tA=\(ta) tB=\(tb)")
                    results.append(c)
                }
                XCTAssertTrue(results.allSatisfy { $0 == results[0] }, "tiles differ: m=\(m) n=\(n) k=\(k) tA=\(ta) tB=\(tb)")
            }
        }
    }

    /// A product with few columns is computed as Cᵀ = op(B)ᵀ op(A)ᵀ with its tiles written
    /// transposed into C, and gives the bits of the direct product: for both tiles, every
    /// transpose flag, ragged tiles, several k slices, alpha ≠ 1, a C with its own leading dimension
    /// and entries outside the product that must stay untouched.
    func testTransposedProductGivesTheDirectBits() {
        var g = LCG(83)
        for tile in GEMMKernel.Tile.allCases {
            for (ta, tb) in flags {
                for (m, n, k) in [(40, 8, 65), (203, 10, 513), (61, 15, 300), (9, 8, 1000), (700, 12, 65)] {
                    let ldc = n + 3
                    let a = g.array(m * k), b = g.array(k * n), c0 = g.array(m * ldc)
                    var direct = c0, transposed = c0
                    a.withUnsafeBufferPointer { ap in
                        b.withUnsafeBufferPointer { bp in
                            direct.withUnsafeMutableBufferPointer { cp in
                                GEMMKernel.blocked(m: m, n: n, k: k, alpha: -0.7, a: ap.baseAddress!, lda: ta ? m : k, transA: ta,
                                                   b: bp.baseAddress!, ldb: tb ? k : n, transB: tb,
                                                   c: cp.baseAddress!, ldc: ldc, tile: tile)
                            }
                            transposed.withUnsafeMutableBufferPointer { cp in
                                GEMMKernel.blocked(m: n, n: m, k: k, alpha: -0.7, a: bp.baseAddress!, lda: tb ? k : n, transA: !tb,
                                                   b: ap.baseAddress!, ldb: ta ? m : k, transB: !ta,
                                                   c: cp.baseAddress!, ldc: ldc, tile: tile, transposedC: true)
                            }
                        }
                    }
                    XCTAssertTrue(direct.map(\.bitPattern) == transposed.map(\.bitPattern),
                                  "\(tile) m=\(m) n=\(n) k=\(k) tA=\(ta) tB=\(tb)")
                    for i in 0..<m { for j in n..<ldc { XCTAssertEqual(transposed[i * ldc + j], c0[i * ldc + j]) } }
                }
            }
        }
    }

    /// The tile follows the CPU: the wide one only where the CPU reports 512-bit vectors.
    func testTileFollowsTheCPU() {
        guard ProcessInfo.processInfo.environment["REPRISE_GEMM_TILE"] == nil else { return }
        XCTAssertEqual(GEMMKernel.Tile.selected, CPUFeatures.hasAVX512 ? .wide : .narrow)
    }
}
