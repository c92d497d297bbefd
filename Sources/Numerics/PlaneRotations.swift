import Foundation

/// A copy of a matrix whose rows start on 64-byte boundaries (the row stride `ld` is a multiple
/// of 8 doubles, zero-padded), so that SIMD8 loads of a row never straddle two cache lines.
final class AlignedRows {
    let rows: Int, cols: Int, ld: Int
    let base: UnsafeMutablePointer<Double>

    init(_ m: Matrix) {
        rows = m.rows; cols = m.cols
        // A multiple of 8 doubles, but not of 128 (1 KiB): the rotation strips walk down the rows,
        // and with a stride of a multiple of 1 KiB every row maps to the same few L1 sets (at
        // n = 512 a stride of 4 KiB made the bidiagonal QR stage 2.2 times slower).
        var stride = (m.cols + 7) / 8 * 8
        if stride % 128 == 0 { stride += 8 }
        ld = stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(rows * ld, 1) * 8, alignment: 64)
        base = raw.bindMemory(to: Double.self, capacity: Swift.max(rows * ld, 1))
        base.initialize(repeating: 0, count: Swift.max(rows * ld, 1))
        for i in 0..<rows { for j in 0..<cols { base[i * ld + j] = m.storage[i * cols + j] } }
    }

    deinit { base.deallocate() }
}

/// Plane rotations on adjacent rows of a matrix, recorded now and applied later in order
/// (LAPACK's dlasr convention): rotation (i, c, s) sets
/// (row_i, row_{i+1}) ← (c·row_i + s·row_{i+1}, c·row_{i+1} − s·row_i).
/// The bidiagonal QR of the SVD and the implicit QL of the symmetric eigensolver record their
/// rotations here.
///
/// Applied one at a time, each rotation streams two whole rows, and consecutive rotations of a
/// sweep, (i, i+1) then (i−1, i) (or (i+1, i+2)), pass a row from one to the next through memory
/// (a store, then a load of the same data: a latency chain). A batch instead
///   - splits the recorded rotations into runs whose row index rises or falls by one each time
///     (one sweep, unless it deflated early), and within a run keeps the shared row in registers:
///     each entry is loaded and stored once per run instead of twice per rotation;
///   - works on one strip of 32 columns at a time, so the strip (n rows x 256 bytes = 128 KB at
///     n = 500) stays in L2 across the whole batch instead of streaming the matrix from L3 per sweep.
/// Strips are independent, so they run on `Threads.count` threads (pinned: each strip stays on
/// one core from batch to batch) with the same arithmetic, in the same order, for every column
/// whatever the thread count.
struct SweepRotations {
    private var index: [Int] = []
    private var cs: [Double] = []
    private var sn: [Double] = []
    let capacity: Int
    /// Columns per strip: four SIMD8 registers per row.
    static let stripWidth = 32
    /// Batches with fewer (rotations x columns) than this are applied on the calling thread only.
    static let parallelWork = 1 << 20

    /// False for a sweep whose rotations are not wanted (singular values without vectors):
    /// `record` then does nothing and `flush` has nothing to apply.
    let enabled: Bool

    init(rows: Int, enabled: Bool = true) {
        self.enabled = enabled
        // A few sweeps' worth on one thread; on several, four times as many, to amortize handing
        // work to the other threads. The batch size does not change the result: every entry sees
        // the same rotations in the same order either way.
        capacity = Swift.max((Threads.count > 1 ? 16 : 4) * rows, 64)
        index.reserveCapacity(capacity); cs.reserveCapacity(capacity); sn.reserveCapacity(capacity)
    }

    var isFull: Bool { index.count >= capacity }

    @inline(__always)
    mutating func record(_ i: Int, c: Double, s: Double) {
        if !enabled { return }
        index.append(i); cs.append(c); sn.append(s)
    }

    mutating func flush(into w: AlignedRows) {
        let count = index.count
        if count == 0 { return }
        // Runs: maximal stretches with a constant step of +1 or −1 (a lone rotation is a run).
        var runStarts = [0]
        var r = 0
        while r < count {
            var end = r + 1
            if end < count {
                let step = index[end] - index[r]
                if step == 1 || step == -1 {
                    while end < count && index[end] - index[end - 1] == step { end += 1 }
                }
            }
            runStarts.append(end)
            r = end
        }
        let n = w.cols, ld = w.ld
        let strips = (ld + SweepRotations.stripWidth - 1) / SweepRotations.stripWidth
        let stripsPerChunk = 2
        let chunks = (strips + stripsPerChunk - 1) / stripsPerChunk
        let W = SharedPointer(w.base)
        index.withUnsafeBufferPointer { ip in
            cs.withUnsafeBufferPointer { cp in
                sn.withUnsafeBufferPointer { sp in
                    runStarts.withUnsafeBufferPointer { rsp in
                        let I = ip.baseAddress!, C = cp.baseAddress!, S = sp.baseAddress!
                        let RS = rsp.baseAddress!, runs = rsp.count - 1
                        let body: (Int) -> Void = { chunk in
                            let s0 = chunk * stripsPerChunk, s1 = Swift.min(strips, s0 + stripsPerChunk)
                            for strip in s0..<s1 {
                                let j0 = strip * SweepRotations.stripWidth
                                // The padding columns of `w` (up to ld, a multiple of 8) are zero and stay
                                // zero, so the last strip is processed 8 columns at a time up to ld.
                                let width = Swift.min(SweepRotations.stripWidth, ld - j0)
                                let base = W.base + j0
                                for q in 0..<runs {
                                    let r0 = RS[q], r1 = RS[q + 1]
                                    if width == SweepRotations.stripWidth {
                                        SweepRotations.applyRun32(base, ld, I + r0, C + r0, S + r0, r1 - r0)
                                    } else {
                                        var k = 0
                                        while k < width {
                                            SweepRotations.applyRun8(base + k, ld, I + r0, C + r0, S + r0, r1 - r0)
                                            k += 8
                                        }
                                    }
                                }
                            }
                        }
                        if n * count >= SweepRotations.parallelWork { Threads.forEach(chunks, pinned: true, body) } else { for c in 0..<chunks { body(c) } }
                    }
                }
            }
        }
        index.removeAll(keepingCapacity: true); cs.removeAll(keepingCapacity: true); sn.removeAll(keepingCapacity: true)
    }

    /// A run of `count` rotations whose row index steps by +1 or −1, on 32 (`applyRun32`) or 8
    /// (`applyRun8`) columns from `w` (row stride ld). The row shared by consecutive rotations
    /// stays in registers.
    @inline(__always)
    static func applyRun32(_ w: UnsafeMutablePointer<Double>, _ ld: Int, _ index: UnsafePointer<Int>,
                           _ cs: UnsafePointer<Double>, _ sn: UnsafePointer<Double>, _ count: Int) {
        typealias V = SIMD8<Double>
        @inline(__always) func load(_ p: UnsafeMutablePointer<Double>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ v: V) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        if count == 1 || index[1] == index[0] + 1 {
            // Rising: (i, i+1) then (i+1, i+2); row i+1 is carried.
            var upper = w + index[0] * ld
            var a0 = load(upper), a1 = load(upper + 8), a2 = load(upper + 16), a3 = load(upper + 24)
            for r in 0..<count {
                let lower = upper + ld
                let c = V(repeating: cs[r]), s = V(repeating: sn[r]), ns = -s
                let b0 = load(lower), b1 = load(lower + 8), b2 = load(lower + 16), b3 = load(lower + 24)
                store(upper, (c * a0).addingProduct(s, b0)); a0 = (c * b0).addingProduct(ns, a0)
                store(upper + 8, (c * a1).addingProduct(s, b1)); a1 = (c * b1).addingProduct(ns, a1)
                store(upper + 16, (c * a2).addingProduct(s, b2)); a2 = (c * b2).addingProduct(ns, a2)
                store(upper + 24, (c * a3).addingProduct(s, b3)); a3 = (c * b3).addingProduct(ns, a3)
                upper = lower
            }
            store(upper, a0); store(upper + 8, a1); store(upper + 16, a2); store(upper + 24, a3)
        } else {
            // Falling: (i, i+1) then (i−1, i); row i is carried.
            var lower = w + (index[0] + 1) * ld
            var b0 = load(lower), b1 = load(lower + 8), b2 = load(lower + 16), b3 = load(lower + 24)
            for r in 0..<count {
                let upper = lower - ld
                let c = V(repeating: cs[r]), s = V(repeating: sn[r]), ns = -s
                let a0 = load(upper), a1 = load(upper + 8), a2 = load(upper + 16), a3 = load(upper + 24)
                store(lower, (c * b0).addingProduct(ns, a0)); b0 = (c * a0).addingProduct(s, b0)
                store(lower + 8, (c * b1).addingProduct(ns, a1)); b1 = (c * a1).addingProduct(s, b1)
                store(lower + 16, (c * b2).addingProduct(ns, a2)); b2 = (c * a2).addingProduct(s, b2)
                store(lower + 24, (c * b3).addingProduct(ns, a3)); b3 = (c * a3).addingProduct(s, b3)
                lower = upper
            }
            store(lower, b0); store(lower + 8, b1); store(lower + 16, b2); store(lower + 24, b3)
        }
    }

    @inline(__always)
    static func applyRun8(_ w: UnsafeMutablePointer<Double>, _ ld: Int, _ index: UnsafePointer<Int>,
                           _ cs: UnsafePointer<Double>, _ sn: UnsafePointer<Double>, _ count: Int) {
        typealias V = SIMD8<Double>
        @inline(__always) func load(_ p: UnsafeMutablePointer<Double>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ v: V) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        if count == 1 || index[1] == index[0] + 1 {
            // Rising: (i, i+1) then (i+1, i+2); row i+1 is carried.
            var upper = w + index[0] * ld
            var a0 = load(upper)
            for r in 0..<count {
                let lower = upper + ld
                let c = V(repeating: cs[r]), s = V(repeating: sn[r]), ns = -s
                let b0 = load(lower)
                store(upper, (c * a0).addingProduct(s, b0)); a0 = (c * b0).addingProduct(ns, a0)
                upper = lower
            }
            store(upper, a0)
        } else {
            // Falling: (i, i+1) then (i−1, i); row i is carried.
            var lower = w + (index[0] + 1) * ld
            var b0 = load(lower)
            for r in 0..<count {
                let upper = lower - ld
                let c = V(repeating: cs[r]), s = V(repeating: sn[r]), ns = -s
                let a0 = load(upper)
                store(lower, (c * b0).addingProduct(ns, a0)); b0 = (c * a0).addingProduct(s, b0)
                lower = upper
            }
            store(lower, b0)
        }
    }
}
