import Foundation

// The engine behind `gemmRaw`: C += alpha·op(A)·op(B) on row-major storage (C already scaled by
// beta), in the manner of Goto and van de Geijn's "Anatomy of high-performance matrix
// multiplication" (2008) and BLIS.
//
//   for each column super-block of C (ncOuter columns)           B̃: kc x ncOuter, shared
//     for each slice of k (kc steps)                              (L3)
//       for each row super-block of C (mcOuter rows)             Ã: mcOuter x kc, shared
//         pack Ã (and, on the first row super-block, B̃)           parallel, fixed chunks
//         for each (row block, column block) of C                parallel, fixed grid
//           for each micro-panel of Ã (mr rows, kc steps: stays in L1)
//             for each micro-panel of B̃ (nr columns of the nb-wide block, in L2)
//               mr x nr micro-kernel: SIMD accumulators, fused multiply-adds
//
// Two micro-kernels (`Tile`), chosen once from what the CPU reports:
// - wide, 6x32: 24 SIMD8<Double> accumulators, for 32 registers of 512 bits (AVX-512);
// - narrow, 4x8: 8 SIMD4<Double> accumulators, for 16 registers of 256 bits (AVX2, and the
//   default elsewhere). On an AVX2-only EPYC (Zen 3 class) the wide tile's 24 accumulators need 48
//   ymm registers and live in memory: 13-15 GFLOP/s in the whole product (CPU time, one thread),
//   against 35-37 for the narrow one and 40-44 for the narrow kernel alone in L1. A 6x8 tile also
//   spilled (the compiler hoists all six broadcasts: 19-20 GFLOP/s in L1), 3x16 was level with 4x8.
//
// Why the wide tile's numbers (measured on the 2-core AMD EPYC Zen 4 VM it was tuned on: 32 KiB
// L1d, 1 MiB L2 per core, one 512-bit FMA per cycle):
// - 6x32 uses 24 of the 32 zmm registers for accumulators plus 4 for a row of B̃ and the A
//   broadcasts; per step it loads 4 vectors and 6 scalars for 24 FMAs. It reached 55-56 GFLOP/s
//   in L1 (the core's peak); 8x16 and 4x32 were as fast in L1 but slightly slower in the full
//   product, 12x16 and 8x24 spilled registers (30 and 40 GFLOP/s).
// - kc = 256: the Ã micro-panel (6 x 256 doubles = 12 KiB) stays in L1 while the kernel sweeps the
//   B̃ block (256 x 256 doubles = 512 KiB, half the L2). kc 192-384 and nb 128-256 were within
//   noise of each other; smaller kc costs more C traffic, larger nb overflows L2.
// - The loop over Ã micro-panels is outside the loop over B̃ micro-panels: a B̃ micro-panel
//   (256 x 32 doubles = 64 KiB) would not fit in L1 (the other order measured 15-20% slower).
//
// - Packing runs at 0.3-0.5 ns per element (memory-bound): 8x8 (B̃) and 6x8 (Ã) register
//   transposes for the transposed operands, 8-step strips for the others (see stripPack).
//   It is 5-10% of the time at n = 256-1024, the main gap to the micro-kernel's peak.
// - Fused multiply-adds need `-Xswiftc -target-cpu -Xswiftc native` (the Makefile passes it on
//   x86-64). Without it, SIMD8 `addProduct` becomes calls to libm's `fma`: the results are the
//   same and correct, only about 100 times slower (0.5 GFLOP/s measured).
//
// Reproducibility: every block boundary depends only on m, n, k, never on the thread count, and
// each element of C is accumulated by the same code in the same order (k slices in order, steps
// within a slice in order), so 1 and 2 threads give bit-for-bit identical results. k is never
// split across threads. Edge tiles go through a zero-padded scratch tile with the same
// kernel, so they too do not depend on who computes them. The same holds across tiles: every
// element is the same sum in the same order, so the wide and narrow kernels give the same bits
// (tested), and a report does not depend on which CPU made it.

typealias V8 = SIMD8<Double>
typealias V4 = SIMD4<Double>

enum GEMMKernel {
    /// A micro-kernel: its tile of C, rows (broadcast from Ã) x columns (vectors of B̃).
    enum Tile: Sendable, CaseIterable {
        /// 6x32 with 24 SIMD8<Double> accumulators: for 32 vector registers of 512 bits (AVX-512).
        case wide
        /// 4x8 with 8 SIMD4<Double> accumulators: for 16 registers of 256 bits (AVX2), where the
        /// wide tile's accumulators would live in memory.
        case narrow

        var mr: Int { self == .wide ? 6 : 4 }
        var nr: Int { self == .wide ? 32 : 8 }

        /// The tile for this CPU: wide where the CPU reports AVX-512, narrow elsewhere. Both give
        /// bit-for-bit the same products (see the header), so the choice changes speed only.
        /// `REPRISE_GEMM_TILE=wide|narrow` overrides it (for benchmarks).
        static let selected: Tile = {
            switch ProcessInfo.processInfo.environment["REPRISE_GEMM_TILE"] {
            case "wide": return .wide
            case "narrow": return .narrow
            default: return CPUFeatures.hasAVX512 ? .wide : .narrow
            }
        }()
    }
    /// Products thinner than this many rows skip packing (fixed, not the tile's height, so that
    /// which products take which path does not depend on the CPU).
    static let minBlockedRows = 6
    /// Steps of k per packed slice.
    static let kcMax = 256
    /// Largest block of rows / columns of C that one parallel work item computes.
    static let mbMax = 192, nbMax = 256
    /// Largest row / column super-block packed at once (bounds the packing buffers to 8 MiB each).
    static let mcOuter = 4092, ncOuter = 4096      // multiples of every tile's mr and nr
    /// Rows of Ã / columns of B̃ packed by one parallel packing item.
    static let packRows = 96, packCols = 128
    /// Products with fewer multiply-adds than this (or thinner than `mr` rows / 8 columns) skip
    /// packing; for them the packing would cost more than it saves.
    static let smallWork = 32768
    /// Products with fewer multiply-adds than this (about 80 µs of work) run on the calling thread
    /// only: a sleeping pool worker takes tens of microseconds to wake on the 2-core VM (see
    /// `WorkerPool`), more than it saves. The work items and their order are the same either way,
    /// so the result does not change.
    static let parallelWork = 1 << 21

    static func multiplyAdd(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, transA: Bool,
        b: UnsafePointer<Double>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        if m <= 0 || n <= 0 || k <= 0 { return }
        if !takesBlockedPath(m: m, n: n, k: k) {
            smallProduct(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                         b: b, ldb: ldb, transB: transB, c: c, ldc: ldc)
        } else if n < Tile.selected.nr / 2 && m > n {
            // A product with few columns (a batch of logits, Xᵀ by a few columns) fills less than half
            // of each tile's width: compute Cᵀ = op(B)ᵀ op(A)ᵀ instead, whose many columns fill the
            // tiles, and write its tiles transposed into C. Each element is the same sum: the same
            // k slices, the same steps in order, each a fused multiply-add of the same two factors
            // (their order does not matter), and the same update of C per slice.
            blocked(m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb, transA: !transB,
                    b: a, ldb: lda, transB: !transA, c: c, ldc: ldc, tile: Tile.selected, transposedC: true)
        } else {
            blocked(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
                    b: b, ldb: ldb, transB: transB, c: c, ldc: ldc, tile: Tile.selected)
        }
    }

    /// Whether an m x n x k product goes through the packed kernel (else `smallProduct`, which sums
    /// in another order). Every element of a packed product is the same sum whatever m and n are,
    /// so a caller may split a product into column (or row) pieces and get the same bits, as long
    /// as every piece takes the packed path too.
    @inline(__always)
    static func takesBlockedPath(m: Int, n: Int, k: Int) -> Bool {
        m * n * k >= smallWork && m >= minBlockedRows && n >= 8
    }

    /// The size of the fewest near-equal blocks of at most `maxBlock` covering `total`, rounded up
    /// to a multiple of `unit` (so only the last block can be ragged).
    @inline(__always)
    static func blockSize(_ total: Int, max maxBlock: Int, unit: Int) -> Int {
        let count = (total + maxBlock - 1) / maxBlock
        let even = (total + count - 1) / count
        return Swift.min(maxBlock, (even + unit - 1) / unit * unit)
    }

    static func blocked(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, transA: Bool,
        b: UnsafePointer<Double>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Double>, ldc: Int, tile: Tile, transposedC: Bool = false
    ) {
        let mr = tile.mr, nr = tile.nr
        let kc = blockSize(k, max: kcMax, unit: 1)
        let mcAll = blockSize(m, max: mcOuter, unit: mr)
        let ncAll = blockSize(n, max: ncOuter, unit: nr)
        let aCount = (mcAll * kc + 7) / 8 * 8, bCount = ncAll * kc   // B̃ 64-byte aligned
        let buffer = BufferPool.take(doubles: aCount + bCount)
        defer { BufferPool.give(buffer) }
        let aPack = SharedPointer(buffer.base), bPack = SharedPointer(buffer.base + aCount)
        let cS = SharedPointer(c)
        let parallel = m * n * k >= parallelWork
        @inline(__always) func run(_ items: Int, _ body: (Int) -> Void) {
            if parallel { Threads.forEach(items, body) } else { for item in 0..<items { body(item) } }
        }

        var jc = 0
        while jc < n {
            let ncur = Swift.min(ncAll, n - jc)
            var pc = 0
            while pc < k {
                let kcur = Swift.min(kc, k - pc)
                var ic = 0
                while ic < m {
                    let mcur = Swift.min(mcAll, m - ic)
                    // Pack Ã (rows ic..<ic+mcur) and, once per k slice, B̃ (columns jc..<jc+ncur).
                    let aItems = (mcur + packRows - 1) / packRows
                    let bItems = ic == 0 ? (ncur + packCols - 1) / packCols : 0
                    run(aItems + bItems) { item in
                        if item < aItems {
                            let r0 = item * packRows, r1 = Swift.min(mcur, r0 + packRows)
                            packA(a: a, lda: lda, transA: transA, i0: ic + r0, i1: ic + r1, p0: pc, kc: kcur,
                                  mr: mr, dst: aPack.base + r0 * kcur)
                        } else {
                            let s0 = (item - aItems) * packCols, s1 = Swift.min(ncur, s0 + packCols)
                            packB(b: b, ldb: ldb, transB: transB, j0: jc + s0, j1: jc + s1, p0: pc, kc: kcur,
                                  nr: nr, dst: bPack.base + s0 * kcur)
                        }
                    }
                    // Multiply, over a fixed grid of (row block, column block) work items.
                    let mb = blockSize(mcur, max: mbMax, unit: mr)
                    let nb = blockSize(ncur, max: nbMax, unit: nr)
                    let rowBlocks = (mcur + mb - 1) / mb, colBlocks = (ncur + nb - 1) / nb
                    run(rowBlocks * colBlocks) { item in
                        let r0 = (item / colBlocks) * mb, r1 = Swift.min(mcur, r0 + mb)
                        let s0 = (item % colBlocks) * nb, s1 = Swift.min(ncur, s0 + nb)
                        computeBlock(rows: r0..<r1, cols: s0..<s1, mTotal: mcur, nTotal: ncur, kc: kcur,
                                     aPack: aPack.base, bPack: bPack.base,
                                     c: cS.base + (transposedC ? jc * ldc + ic : ic * ldc + jc), ldc: ldc,
                                     alpha: alpha, tile: tile, transposedC: transposedC)
                    }
                    ic += mcur
                }
                pc += kcur
            }
            jc += ncur
        }
    }

    /// C[rows, cols] += alpha · Ã[rows] · B̃[:, cols] for one packed k slice. With `transposedC` the
    /// block's element (r, s) lives at c[s·ldc + r] (the product computed is Cᵀ); its tiles then go
    /// through the scratch tile, transposed on the way in and out.
    @inline(__always)
    static func computeBlock(rows: Range<Int>, cols: Range<Int>, mTotal: Int, nTotal: Int, kc: Int,
                             aPack: UnsafePointer<Double>, bPack: UnsafePointer<Double>,
                             c: UnsafeMutablePointer<Double>, ldc: Int, alpha: Double, tile: Tile,
                             transposedC: Bool = false) {
        let mr = tile.mr, nr = tile.nr
        @inline(__always) func kernel(_ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ pa: UnsafePointer<Double>,
                                      _ pb: UnsafePointer<Double>) {
            switch tile {
            case .wide: kernel6x32(kc, pa, pb, c, ldc, alpha)
            case .narrow: kernel4x8(kc, pa, pb, c, ldc, alpha)
            }
        }
        // Scratch tile for ragged edges (mr x nr doubles, on the stack; sized for the widest tile).
        var edge = (V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(),
                    V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8(), V8())
        withUnsafeMutableBytes(of: &edge) { raw in
            let tmp = raw.baseAddress!.assumingMemoryBound(to: Double.self)
            var i = rows.lowerBound
            while i < rows.upperBound {
                let pa = aPack + i * kc                      // micro-panel i / mr
                let h = Swift.min(mr, mTotal - i)
                var j = cols.lowerBound
                while j < cols.upperBound {
                    let pb = bPack + j * kc                  // micro-panel j / nr
                    let w = Swift.min(nr, nTotal - j)
                    if transposedC {
                        let ct = c + j * ldc + i                 // element (r, s) at ct[s·ldc + r]
                        for r in 0..<mr {
                            for s in 0..<nr { tmp[r * nr + s] = (r < h && s < w) ? ct[s * ldc + r] : 0 }
                        }
                        kernel(tmp, nr, pa, pb)
                        for s in 0..<w { for r in 0..<h { ct[s * ldc + r] = tmp[r * nr + s] } }
                        j += nr
                        continue
                    }
                    let ct = c + i * ldc + j
                    if h == mr && w == nr {
                        kernel(ct, ldc, pa, pb)
                    } else {
                        for r in 0..<mr {
                            for s in 0..<nr { tmp[r * nr + s] = (r < h && s < w) ? ct[r * ldc + s] : 0 }
                        }
                        kernel(tmp, nr, pa, pb)
                        for r in 0..<h { for s in 0..<w { ct[r * ldc + s] = tmp[r * nr + s] } }
                    }
                    j += nr
                }
                i += mr
            }
        }
    }

    // MARK: Packing

    /// Packs rows i0..<i1 of op(A) (i0 a multiple of mr from the super-block start), steps
    /// p0..<p0+kc, as micro-panels of mr rows: panel q at dst + q*mr*kc, element (p, r) at p*mr + r,
    /// the last panel zero-padded.
    @inline(never)   // on its own: inlined into `blocked`, its SIMD loads became calls
    static func packA(a: UnsafePointer<Double>, lda: Int, transA: Bool, i0: Int, i1: Int, p0: Int, kc: Int,
                      mr: Int, dst: UnsafeMutablePointer<Double>) {
        if transA {
            // op(A)[i, p] = a[p*lda + i]: step p is a contiguous run of stored row p0 + p.
            stripPack(src: a + p0 * lda + i0, ld: lda, count: i1 - i0, width: mr, kc: kc, dst: dst)
        } else {
            var i = i0, d = dst
            while i < i1 {
                transposePack(src: a + i * lda + p0, ld: lda, count: Swift.min(mr, i1 - i), width: mr, kc: kc, dst: d)
                i += mr; d += mr * kc
            }
        }
    }

    /// Packs columns j0..<j1 of op(B), steps p0..<p0+kc, as micro-panels of nr columns.
    @inline(never)   // on its own: inlined into `blocked`, its SIMD loads became calls
    static func packB(b: UnsafePointer<Double>, ldb: Int, transB: Bool, j0: Int, j1: Int, p0: Int, kc: Int,
                      nr: Int, dst: UnsafeMutablePointer<Double>) {
        if transB {
            var j = j0, d = dst
            while j < j1 {
                transposePack(src: b + j * ldb + p0, ld: ldb, count: Swift.min(nr, j1 - j), width: nr, kc: kc, dst: d)
                j += nr; d += nr * kc
            }
        } else {
            stripPack(src: b + p0 * ldb + j0, ld: ldb, count: j1 - j0, width: nr, kc: kc, dst: dst)
        }
    }

    /// dst[q*width*kc + p*width + r] = src[p*ld + q*width + r] (zero where q*width + r ≥ count),
    /// for p < kc. Works on 8 steps at a time across all panels: each panel then receives a
    /// contiguous run of 8·width values. (Panel by panel reads a new line, often a new page, per
    /// step; step by step across panels writes to addresses 12 KiB apart, which share one L1 set.)
    @inline(__always)
    static func stripPack(src: UnsafePointer<Double>, ld: Int, count: Int, width: Int, kc: Int,
                          dst: UnsafeMutablePointer<Double>) {
        let full = count / width, rest = count - full * width
        let panelStride = width * kc
        var p0 = 0
        while p0 < kc {
            let p1 = Swift.min(kc, p0 + 8)
            var o = 0, dq = dst
            for _ in 0..<full {
                for p in p0..<p1 {
                    let s = src + p * ld + o, d = dq + p * width
                    if width % 8 == 0 {
                        var r = 0
                        while r < width {
                            UnsafeMutableRawPointer(d + r).storeBytes(
                                of: UnsafeRawPointer(s + r).loadUnaligned(as: V8.self), as: V8.self)
                            r += 8
                        }
                    } else if width == 6 {
                        UnsafeMutableRawPointer(d).storeBytes(
                            of: UnsafeRawPointer(s).loadUnaligned(as: SIMD4<Double>.self), as: SIMD4<Double>.self)
                        UnsafeMutableRawPointer(d + 4).storeBytes(
                            of: UnsafeRawPointer(s + 4).loadUnaligned(as: SIMD2<Double>.self), as: SIMD2<Double>.self)
                    } else {
                        for r in 0..<width { d[r] = s[r] }
                    }
                }
                o += width; dq += panelStride
            }
            if rest > 0 {
                for p in p0..<p1 {
                    let s = src + p * ld + o, d = dq + p * width
                    for r in 0..<rest { d[r] = s[r] }
                    for r in rest..<width { d[r] = 0 }
                }
            }
            p0 = p1
        }
    }

    /// dst[p*width + r] = src[r*ld + p] for r < count (zero for count ≤ r < width), p < kc.
    @inline(__always)
    static func transposePack(src: UnsafePointer<Double>, ld: Int, count: Int, width: Int, kc: Int,
                              dst: UnsafeMutablePointer<Double>) {
        var r0 = 0
        if width % 8 == 0 {
            // Whole 8 x 8 blocks through registers: 8 row loads, 8 aligned column stores.
            while r0 + 8 <= count {
                let s = src + r0 * ld
                var p = 0
                while p + 8 <= kc {
                    let v0 = UnsafeRawPointer(s + p).loadUnaligned(as: V8.self)
                    let v1 = UnsafeRawPointer(s + ld + p).loadUnaligned(as: V8.self)
                    let v2 = UnsafeRawPointer(s + 2 * ld + p).loadUnaligned(as: V8.self)
                    let v3 = UnsafeRawPointer(s + 3 * ld + p).loadUnaligned(as: V8.self)
                    let v4 = UnsafeRawPointer(s + 4 * ld + p).loadUnaligned(as: V8.self)
                    let v5 = UnsafeRawPointer(s + 5 * ld + p).loadUnaligned(as: V8.self)
                    let v6 = UnsafeRawPointer(s + 6 * ld + p).loadUnaligned(as: V8.self)
                    let v7 = UnsafeRawPointer(s + 7 * ld + p).loadUnaligned(as: V8.self)
                    let d = UnsafeMutableRawPointer(dst + p * width + r0)
                    for t in 0..<8 {
                        d.storeBytes(of: V8(v0[t], v1[t], v2[t], v3[t], v4[t], v5[t], v6[t], v7[t]),
                                     toByteOffset: t * width * 8, as: V8.self)
                    }
                    p += 8
                }
                while p < kc {
                    for r in 0..<8 { dst[p * width + r0 + r] = s[r * ld + p] }
                    p += 1
                }
                r0 += 8
            }
        } else if width == 6 && count == 6 {
            // The A side: a 6 x 8 block (6 row loads) becomes 48 contiguous values (6 stores).
            var p = 0
            while p + 8 <= kc {
                let s = src + p
                let v0 = UnsafeRawPointer(s).loadUnaligned(as: V8.self)
                let v1 = UnsafeRawPointer(s + ld).loadUnaligned(as: V8.self)
                let v2 = UnsafeRawPointer(s + 2 * ld).loadUnaligned(as: V8.self)
                let v3 = UnsafeRawPointer(s + 3 * ld).loadUnaligned(as: V8.self)
                let v4 = UnsafeRawPointer(s + 4 * ld).loadUnaligned(as: V8.self)
                let v5 = UnsafeRawPointer(s + 5 * ld).loadUnaligned(as: V8.self)
                let d = UnsafeMutableRawPointer(dst + p * 6)
                    d.storeBytes(of: V8(v0[0], v1[0], v2[0], v3[0], v4[0], v5[0], v0[1], v1[1]), toByteOffset: 0, as: V8.self)
                    d.storeBytes(of: V8(v2[1], v3[1], v4[1], v5[1], v0[2], v1[2], v2[2], v3[2]), toByteOffset: 64, as: V8.self)
                    d.storeBytes(of: V8(v4[2], v5[2], v0[3], v1[3], v2[3], v3[3], v4[3], v5[3]), toByteOffset: 128, as: V8.self)
                    d.storeBytes(of: V8(v0[4], v1[4], v2[4], v3[4], v4[4], v5[4], v0[5], v1[5]), toByteOffset: 192, as: V8.self)
                    d.storeBytes(of: V8(v2[5], v3[5], v4[5], v5[5], v0[6], v1[6], v2[6], v3[6]), toByteOffset: 256, as: V8.self)
                    d.storeBytes(of: V8(v4[6], v5[6], v0[7], v1[7], v2[7], v3[7], v4[7], v5[7]), toByteOffset: 320, as: V8.self)
                p += 8
            }
            while p < kc {
                for r in 0..<6 { dst[p * 6 + r] = src[r * ld + p] }
                p += 1
            }
            return
        } else if width == count {
            // All rows present: read the rows side by side, write each step.
            var p = 0
            while p < kc {
                var d = dst + p * width
                var s = src + p
                for _ in 0..<width { d.pointee = s.pointee; d += 1; s += ld }
                p += 1
            }
            return
        }
        for r in r0..<count {
            let s = src + r * ld
            var d = dst + r
            for p in 0..<kc { d.pointee = s[p]; d += width }
        }
        if count < width {
            for p in 0..<kc { for r in count..<width { dst[p * width + r] = 0 } }
        }
    }

    // MARK: Small products

    /// Unpacked loops for small or thin products (single-threaded).
    static func smallProduct(
        m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, transA: Bool,
        b: UnsafePointer<Double>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        if !transB && n < 8 {
            // Fewer than 8 columns: the same sums as the loop below (C[i, j] += (alpha·op(A)[i, p])·B[p, j]
            // for p in order, each term rounded as `Vector.axpy`'s scalar tail rounds it: a multiply, then
            // an add). B is copied once into rows of 8 (zero-padded) and the row of C is held in one SIMD8,
            // so each step is one vector multiply and one vector add, lane j doing exactly the scalar work.
            withUnsafeTemporaryAllocation(byteCount: 64 * (k + 1), alignment: 64) { raw in
                let acc = raw.baseAddress!.bindMemory(to: Double.self, capacity: 8 * (k + 1)), bp = acc + 8
                for p in 0..<k {
                    let row = b + p * ldb, d = bp + 8 * p
                    for j in 0..<8 { d[j] = j < n ? row[j] : 0 }
                }
                // A row of C: load, k steps, store. Rows are independent chains of adds, so four rows
                // go through the k steps together (their adds overlap instead of waiting on each other).
                @inline(__always) func load(_ i: Int) -> V8 {
                    let crow = c + i * ldc
                    for j in 0..<8 { acc[j] = j < n ? crow[j] : 0 }
                    return UnsafeRawPointer(acc).load(as: V8.self)
                }
                @inline(__always) func store(_ v: V8, _ i: Int) {
                    UnsafeMutableRawPointer(acc).storeBytes(of: v, as: V8.self)
                    let crow = c + i * ldc
                    for j in 0..<n { crow[j] = acc[j] }
                }
                @inline(__always) func aip(_ i: Int, _ p: Int) -> Double { alpha * (transA ? a[p * lda + i] : a[i * lda + p]) }
                var i = 0
                while i + 4 <= m {
                    var v0 = load(i), v1 = load(i + 1), v2 = load(i + 2), v3 = load(i + 3)
                    var q = UnsafeRawPointer(bp)
                    for p in 0..<k {
                        let bq = q.load(as: V8.self)
                        v0 = v0 + V8(repeating: aip(i, p)) * bq
                        v1 = v1 + V8(repeating: aip(i + 1, p)) * bq
                        v2 = v2 + V8(repeating: aip(i + 2, p)) * bq
                        v3 = v3 + V8(repeating: aip(i + 3, p)) * bq
                        q += 64
                    }
                    store(v0, i); store(v1, i + 1); store(v2, i + 2); store(v3, i + 3)
                    i += 4
                }
                while i < m {
                    var v = load(i)
                    var q = UnsafeRawPointer(bp)
                    for p in 0..<k { v = v + V8(repeating: aip(i, p)) * q.load(as: V8.self); q += 64 }
                    store(v, i)
                    i += 1
                }
            }
        } else if !transB {
            // C[i, :] += (alpha·op(A)[i, p]) · B[p, :], rows of B streamed.
            for i in 0..<m {
                let crow = c + i * ldc
                for p in 0..<k {
                    let aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
                    Vector.axpy(aip, b + p * ldb, crow, n)
                }
            }
        } else if k < 16 {
            // C[i, j] += alpha · ⟨op(A)[i, :], B[j, :]⟩ with fewer than 16 terms: `dotRow` sums them in
            // order from 0 (its SIMD accumulators stay empty), a multiply and an add per term. Lane j
            // of a SIMD8 does exactly that for eight columns of C at once, from a copy of B with
            // its columns as rows (eight j's contiguous per p); the last n mod 8 columns as `dotRow`.
            let n8 = n / 8 * 8
            withUnsafeTemporaryAllocation(of: Double.self, capacity: k * Swift.max(n8, 1) + k) { buf in
                let bt = buf.baseAddress!, arow = bt + k * Swift.max(n8, 1)
                for j in 0..<n8 { for p in 0..<k { bt[p * n8 + j] = b[j * ldb + p] } }
                let av = V8(repeating: alpha)
                for i in 0..<m {
                    if transA { for p in 0..<k { arow[p] = a[p * lda + i] } } else { arow.update(from: a + i * lda, count: k) }
                    let crow = c + i * ldc
                    var j = 0
                    while j < n8 {
                        var s = V8()
                        for p in 0..<k { s = s + V8(repeating: arow[p]) * UnsafeRawPointer(bt + p * n8 + j).loadUnaligned(as: V8.self) }
                        let cv = UnsafeRawPointer(crow + j).loadUnaligned(as: V8.self)
                        UnsafeMutableRawPointer(crow + j).storeBytes(of: cv + av * s, as: V8.self)
                        j += 8
                    }
                    while j < n { crow[j] += alpha * dotRow(arow, b + j * ldb, k); j += 1 }
                }
            }
        } else {
            // C[i, j] += alpha · ⟨op(A)[i, :], B[j, :]⟩.
            let arow = UnsafeMutablePointer<Double>.allocate(capacity: k)
            defer { arow.deallocate() }
            for i in 0..<m {
                if transA { for p in 0..<k { arow[p] = a[p * lda + i] } } else { arow.update(from: a + i * lda, count: k) }
                for j in 0..<n { c[i * ldc + j] += alpha * dotRow(arow, b + j * ldb, k) }
            }
        }
    }

    @inline(__always)
    static func dotRow(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = V8(), s1 = V8()
        var p = 0
        while p + 16 <= n {
            s0.addProduct(UnsafeRawPointer(x + p).loadUnaligned(as: V8.self), UnsafeRawPointer(y + p).loadUnaligned(as: V8.self))
            s1.addProduct(UnsafeRawPointer(x + p + 8).loadUnaligned(as: V8.self), UnsafeRawPointer(y + p + 8).loadUnaligned(as: V8.self))
            p += 16
        }
        var s = (s0 + s1).sum()
        while p < n { s += x[p] * y[p]; p += 1 }
        return s
    }

    // MARK: Micro-kernel (generated: one accumulator per SIMD8 of the tile, named c<row>_<vector>)

    /// The 6x32 micro-kernel: C[0..<6, 0..<32] += alpha · Ã·B̃ over `kc` steps.
    /// `a` holds 6 values of op(A) per step, `b` holds 32 values of op(B) per step (64-byte aligned).
    @inline(never)
    static func kernel6x32(_ kc: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                               _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ alpha: Double) {
        var c0_0 = V8(); var c0_1 = V8(); var c0_2 = V8(); var c0_3 = V8();
        var c1_0 = V8(); var c1_1 = V8(); var c1_2 = V8(); var c1_3 = V8();
        var c2_0 = V8(); var c2_1 = V8(); var c2_2 = V8(); var c2_3 = V8();
        var c3_0 = V8(); var c3_1 = V8(); var c3_2 = V8(); var c3_3 = V8();
        var c4_0 = V8(); var c4_1 = V8(); var c4_2 = V8(); var c4_3 = V8();
        var c5_0 = V8(); var c5_1 = V8(); var c5_2 = V8(); var c5_3 = V8();
        var pa = a, pb = UnsafeRawPointer(b)
        var p = 0
        while p < kc {
            let b0 = pb.load(fromByteOffset: 0, as: V8.self)
            let b1 = pb.load(fromByteOffset: 64, as: V8.self)
            let b2 = pb.load(fromByteOffset: 128, as: V8.self)
            let b3 = pb.load(fromByteOffset: 192, as: V8.self)
            do { let ai = V8(repeating: pa[0]); c0_0.addProduct(ai, b0); c0_1.addProduct(ai, b1); c0_2.addProduct(ai, b2); c0_3.addProduct(ai, b3); }
            do { let ai = V8(repeating: pa[1]); c1_0.addProduct(ai, b0); c1_1.addProduct(ai, b1); c1_2.addProduct(ai, b2); c1_3.addProduct(ai, b3); }
            do { let ai = V8(repeating: pa[2]); c2_0.addProduct(ai, b0); c2_1.addProduct(ai, b1); c2_2.addProduct(ai, b2); c2_3.addProduct(ai, b3); }
            do { let ai = V8(repeating: pa[3]); c3_0.addProduct(ai, b0); c3_1.addProduct(ai, b1); c3_2.addProduct(ai, b2); c3_3.addProduct(ai, b3); }
            do { let ai = V8(repeating: pa[4]); c4_0.addProduct(ai, b0); c4_1.addProduct(ai, b1); c4_2.addProduct(ai, b2); c4_3.addProduct(ai, b3); }
            do { let ai = V8(repeating: pa[5]); c5_0.addProduct(ai, b0); c5_1.addProduct(ai, b1); c5_2.addProduct(ai, b2); c5_3.addProduct(ai, b3); }
            pa += 6; pb += 256
            p += 1
        }
        let av = V8(repeating: alpha)
        do { let r = UnsafeMutableRawPointer(c + 0 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c0_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c0_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c0_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c0_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 1 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c1_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c1_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c1_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c1_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 2 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c2_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c2_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c2_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c2_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 3 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c3_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c3_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c3_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c3_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 4 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c4_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c4_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c4_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c4_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 5 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V8.self); t0.addProduct(av, c5_0); r.storeBytes(of: t0, toByteOffset: 0, as: V8.self)
            var t1 = r.loadUnaligned(fromByteOffset: 64, as: V8.self); t1.addProduct(av, c5_1); r.storeBytes(of: t1, toByteOffset: 64, as: V8.self)
            var t2 = r.loadUnaligned(fromByteOffset: 128, as: V8.self); t2.addProduct(av, c5_2); r.storeBytes(of: t2, toByteOffset: 128, as: V8.self)
            var t3 = r.loadUnaligned(fromByteOffset: 192, as: V8.self); t3.addProduct(av, c5_3); r.storeBytes(of: t3, toByteOffset: 192, as: V8.self)
        }
    }

    /// The 4x8 micro-kernel: C[0..<4, 0..<8] += alpha · Ã·B̃ over `kc` steps, the same sums in the
    /// same order as `kernel6x32`. `a` holds 4 values of op(A) per step, `b` 8 values of op(B) per step.
    @inline(never)
    static func kernel4x8(_ kc: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                          _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ alpha: Double) {
        var c0_0 = V4(); var c0_1 = V4();
        var c1_0 = V4(); var c1_1 = V4();
        var c2_0 = V4(); var c2_1 = V4();
        var c3_0 = V4(); var c3_1 = V4();
        var pa = a, pb = UnsafeRawPointer(b)
        var p = 0
        while p < kc {
            let b0 = pb.load(fromByteOffset: 0, as: V4.self)
            let b1 = pb.load(fromByteOffset: 32, as: V4.self)
            do { let ai = V4(repeating: pa[0]); c0_0.addProduct(ai, b0); c0_1.addProduct(ai, b1); }
            do { let ai = V4(repeating: pa[1]); c1_0.addProduct(ai, b0); c1_1.addProduct(ai, b1); }
            do { let ai = V4(repeating: pa[2]); c2_0.addProduct(ai, b0); c2_1.addProduct(ai, b1); }
            do { let ai = V4(repeating: pa[3]); c3_0.addProduct(ai, b0); c3_1.addProduct(ai, b1); }
            pa += 4; pb += 64
            p += 1
        }
        let av = V4(repeating: alpha)
        do { let r = UnsafeMutableRawPointer(c + 0 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V4.self); t0.addProduct(av, c0_0); r.storeBytes(of: t0, toByteOffset: 0, as: V4.self)
            var t1 = r.loadUnaligned(fromByteOffset: 32, as: V4.self); t1.addProduct(av, c0_1); r.storeBytes(of: t1, toByteOffset: 32, as: V4.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 1 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V4.self); t0.addProduct(av, c1_0); r.storeBytes(of: t0, toByteOffset: 0, as: V4.self)
            var t1 = r.loadUnaligned(fromByteOffset: 32, as: V4.self); t1.addProduct(av, c1_1); r.storeBytes(of: t1, toByteOffset: 32, as: V4.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 2 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V4.self); t0.addProduct(av, c2_0); r.storeBytes(of: t0, toByteOffset: 0, as: V4.self)
            var t1 = r.loadUnaligned(fromByteOffset: 32, as: V4.self); t1.addProduct(av, c2_1); r.storeBytes(of: t1, toByteOffset: 32, as: V4.self)
        }
        do { let r = UnsafeMutableRawPointer(c + 3 * ldc)
            var t0 = r.loadUnaligned(fromByteOffset: 0, as: V4.self); t0.addProduct(av, c3_0); r.storeBytes(of: t0, toByteOffset: 0, as: V4.self)
            var t1 = r.loadUnaligned(fromByteOffset: 32, as: V4.self); t1.addProduct(av, c3_1); r.storeBytes(of: t1, toByteOffset: 32, as: V4.self)
        }
    }
}

/// Packing buffers kept between calls. A fresh multi-megabyte allocation is mapped anew by
/// malloc and page-faulted on every call, which cost up to a third of the time at n = 256.
enum BufferPool {
    struct Buffer: @unchecked Sendable {
        let base: UnsafeMutablePointer<Double>
        let capacity: Int
    }
    nonisolated(unsafe) private static var free: [Buffer] = []
    private static let lock = NSLock()
    /// Buffers above this many doubles (32 MiB) are released rather than kept; at most
    /// `keepCount` buffers are kept (one per concurrent caller, largest first).
    static let keepLimit = 1 << 22, keepCount = 4

    /// A 64-byte aligned buffer of at least `doubles` elements (contents unspecified).
    static func take(doubles: Int) -> Buffer {
        MemoryTuning.ensure()
        lock.lock()
        if let i = free.firstIndex(where: { $0.capacity >= doubles }) {
            let b = free.remove(at: i)
            lock.unlock()
            return b
        }
        lock.unlock()
        let cap = Swift.max(doubles, 8)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: cap * 8, alignment: 64)
        return Buffer(base: raw.bindMemory(to: Double.self, capacity: cap), capacity: cap)
    }

    static func give(_ b: Buffer) {
        lock.lock()
        defer { lock.unlock() }
        if b.capacity > keepLimit { b.base.deallocate(); return }
        free.append(b)
        free.sort { $0.capacity < $1.capacity }
        if free.count > keepCount { free.removeFirst().base.deallocate() }
    }
}
