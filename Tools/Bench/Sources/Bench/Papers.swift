import Foundation
import Numerics

/// The papers section: each paper's full run on 1 and on 2 threads (the shipped binary, run as
/// `make reproduce` runs it, into a scratch folder), and each paper's dominant loop at the paper's
/// own shape, its rate beside the machine's limit for that kind of loop, both measured here:
/// streaming reads from cache and from memory (GB/s) and the kernel's GEMM peak (GFLOP/s).
enum PapersSection {
    /// What bounds a loop: the bytes it must stream (from cache or from memory) or its flops.
    enum Kind {
        case cacheStream(bytes: Double)
        case lastLevelStream(bytes: Double)
        case memoryStream(bytes: Double)
        case compute(flops: Double)
    }

    /// A paper's dominant loop: the routine a profile of its full run names, at the paper's shape.
    struct Loop {
        let target: String
        let name: String
        /// Share of the 1-thread full run's samples in this routine (a profile taken by hand; see
        /// `profiled`), as text.
        let share: String
        let kind: Kind
        /// Builds the inputs and returns the timed body; nil for a loop the bench cannot run alone
        /// (the paper's own scalar code), listed without a rate.
        let make: (() -> () -> Void)?
    }

    struct Limits {
        var cacheRead: [Int: Double] = [:]    // GB/s by thread count
        var lastLevelRead: [Int: Double] = [:]
        var memoryRead: [Int: Double] = [:]
        var gemmPeak: [Int: Double] = [:]      // GFLOP/s
    }

    struct PaperRow {
        let target: String
        let one: Double?, two: Double?
    }

    struct LoopRow {
        let loop: Loop
        let seconds: Double
        var rate: Double {
            switch loop.kind {
            case .cacheStream(let b), .lastLevelStream(let b), .memoryStream(let b): return b / seconds / 1e9
            case .compute(let f): return f / seconds / 1e9
            }
        }
    }

    static let profiled = "perf, full mode, 1 thread, 2026-12-07"

    // MARK: Machine limits

    /// Sums the n values at p with four SIMD8 accumulators: a pure streaming read.
    @inline(never) static func readSum(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
        typealias V = SIMD8<Double>
        var a = V(), b = V(), c = V(), d = V()
        var i = 0
        while i + 32 <= n {
            a += UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            b += UnsafeRawPointer(p + i + 8).loadUnaligned(as: V.self)
            c += UnsafeRawPointer(p + i + 16).loadUnaligned(as: V.self)
            d += UnsafeRawPointer(p + i + 24).loadUnaligned(as: V.self)
            i += 32
        }
        return (a + b + c + d).sum()
    }

    /// Read bandwidth in GB/s over a buffer of `bytes` per thread, on `threads` threads at once.
    static func readBandwidth(bytes: Int, threads: Int, reps: Int, minTime: Double) -> Double {
        let n = bytes / 8
        let buffers = (0..<threads).map { t in [Double](repeating: 1 + Double(t), count: n) }
        let saved = Threads.count
        Threads.count = threads
        defer { Threads.count = saved }
        let t = medianTime(reps: reps, minTime: minTime) {
            let sums = try! Threads.map(threads) { k in buffers[k].withUnsafeBufferPointer { readSum($0.baseAddress!, n) } }
            consume(sums.reduce(0, +))
        }.median
        return Double(bytes * threads) / t / 1e9
    }

    static func gemmPeak(threads: Int, reps: Int, minTime: Double) -> Double {
        let n = 768
        var g = BenchData(seed: 3)
        let a = g.matrix(n, n), b = g.matrix(n, n)
        var c = Matrix(rows: n, cols: n)
        let saved = Threads.count
        Threads.count = threads
        defer { Threads.count = saved }
        let t = medianTime(reps: reps, minTime: minTime) { gemm(a, b, into: &c); consume(c.storage[0]) }.median
        return 2 * Double(n * n * n) / t / 1e9
    }

    static func limits(threads: [Int], reps: Int, minTime: Double) -> Limits {
        var l = Limits()
        for t in threads {
            l.cacheRead[t] = readBandwidth(bytes: 128 << 10, threads: t, reps: reps, minTime: minTime)
            l.lastLevelRead[t] = readBandwidth(bytes: 8 << 20, threads: t, reps: reps, minTime: minTime)
            l.memoryRead[t] = readBandwidth(bytes: 256 << 20, threads: t, reps: reps, minTime: minTime)
            l.gemmPeak[t] = gemmPeak(threads: t, reps: reps, minTime: minTime)
            log(String(format: "limits, %d thread(s): read from cache %.1f GB/s, from the last-level cache %.1f GB/s, from memory %.1f GB/s, GEMM %.1f GFLOP/s",
                       t, l.cacheRead[t]!, l.lastLevelRead[t]!, l.memoryRead[t]!, l.gemmPeak[t]!))
        }
        return l
    }

    // MARK: Paper runs

    /// The paper targets: folders of Papers/ with a main.swift.
    static func targets(root: String) -> [String] {
        let dir = root + "/Papers"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(dir)/\($0)/main.swift") }.sorted()
    }

    /// Wall time of one full run of `target` on `threads` threads, or nil if it did not succeed.
    static func run(_ target: String, root: String, threads: Int, scratch: String) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(root)/.build/release/\(target)")
        p.arguments = ["--threads", "\(threads)", "--out", scratch]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let start = now()
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? now() - start : nil
    }

    /// Each paper on 1 and on 2 threads, alternating (so both see the same machine load).
    static func papers(_ names: [String], root: String) -> [PaperRow] {
        let scratch = NSTemporaryDirectory() + "reprise-bench-papers-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        return names.map { name in
            let one = run(name, root: root, threads: 1, scratch: scratch)
            let two = run(name, root: root, threads: 2, scratch: scratch)
            log("paper \(name): 1 thread \(one.map { String(format: "%.1f s", $0) } ?? "failed"), 2 threads \(two.map { String(format: "%.1f s", $0) } ?? "failed")")
            return PaperRow(target: name, one: one, two: two)
        }
    }

    static func loops(_ names: Set<String>, reps: Int, minTime: Double) -> [LoopRow] {
        let saved = Threads.count
        Threads.count = 1
        defer { Threads.count = saved }
        return DominantLoops.registry.filter { names.contains($0.target) }.map { loop in
            guard let make = loop.make else { return LoopRow(loop: loop, seconds: .nan) }
            let t = medianTime(reps: reps, minTime: minTime, make()).median
            let row = LoopRow(loop: loop, seconds: t)
            log("loop \(loop.target): \(String(format: "%.3f ms, %.1f", t * 1e3, row.rate)) \(unit(loop.kind))")
            return row
        }
    }

    static func unit(_ k: Kind) -> String {
        switch k { case .compute: return "GFLOP/s"; default: return "GB/s" }
    }

    // MARK: Markdown

    static func markdown(limits: Limits, papers: [PaperRow], loops: [LoopRow]) -> String {
        guard !papers.isEmpty || !loops.isEmpty else { return "" }
        func f(_ x: Double?, _ fmt: String) -> String { x.map { String(format: fmt, $0) } ?? "—" }
        var s = "\n## Papers\n\n"
        s += "Machine limits measured in this run, 1 thread / 2 threads: streaming read from cache (128 KiB per thread) "
        s += "\(f(limits.cacheRead[1], "%.1f")) / \(f(limits.cacheRead[2], "%.1f")) GB/s, from the last-level cache (8 MiB per thread) "
        s += "\(f(limits.lastLevelRead[1], "%.1f")) / \(f(limits.lastLevelRead[2], "%.1f")) GB/s, from memory (256 MiB per thread) "
        s += "\(f(limits.memoryRead[1], "%.1f")) / \(f(limits.memoryRead[2], "%.1f")) GB/s, the kernel's GEMM (768³) "
        s += "\(f(limits.gemmPeak[1], "%.1f")) / \(f(limits.gemmPeak[2], "%.1f")) GFLOP/s.\n\n"
        s += "| Paper | full run, 1 thread | 2 threads | speed-up |\n|---|---|---|---|\n"
        for p in papers {
            let speedup = p.one.flatMap { a in p.two.map { a / $0 } }
            s += "| \(p.target) | \(f(p.one, "%.1f s")) | \(f(p.two, "%.1f s")) | \(f(speedup, "%.2fx")) |\n"
        }
        if !loops.isEmpty {
            s += "\nEach paper's dominant loop (named by a profile: \(profiled)), timed alone at the paper's shape on 1 thread, "
            s += "beside the limit for its kind of loop (streaming reads for loops that stream an operand, the GEMM for compute-bound ones).\n\n"
            s += "| Paper | dominant loop | share of the run | rate | limit | of the limit |\n|---|---|---|---|---|---|\n"
            for r in loops {
                let (limit, label): (Double?, String) = {
                    switch r.loop.kind {
                    case .cacheStream: return (limits.cacheRead[1], "read from cache")
                    case .lastLevelStream: return (limits.lastLevelRead[1], "read from the last-level cache")
                    case .memoryStream: return (limits.memoryRead[1], "read from memory")
                    case .compute: return (limits.gemmPeak[1], "GEMM peak")
                    }
                }()
                let u = unit(r.loop.kind)
                guard r.seconds.isFinite else {
                    s += "| \(r.loop.target) | \(r.loop.name) | \(r.loop.share) | — | — | — |\n"
                    continue
                }
                s += "| \(r.loop.target) | \(r.loop.name) | \(r.loop.share) | \(String(format: "%.1f", r.rate)) \(u) | "
                s += "\(f(limit, "%.1f")) \(u) (\(label)) | \(f(limit.map { 100 * r.rate / $0 }, "%.0f%%")) |\n"
            }
            s += "\n"
        }
        return s
    }
}
