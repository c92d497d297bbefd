// Bench: Reprise's kernels beside NumPy/OpenBLAS on the same operations, sizes and thread counts,
// measured in the same run (case by case, alternating, so both see the same machine load).
//
//   Bench [--quick] [--out Reports/BENCHMARKS.md] [--ops gemm,gemv,...] [--threads 1,2] [--papers all|none|A,B]
//
// Prints one table (operation, size, threads, times: the best of 3 rounds of 7-repetition medians, ratio Reprise/NumPy, GFLOP/s) and
// writes it as Markdown (atomically) to --out; a full run defaults to Reports/BENCHMARKS.md, a
// --quick run (a smoke test: fewer sizes and repetitions) writes only when --out is given.
// Operations are registered in Ops.swift (`BenchOp.registry`). The papers section (Papers.swift):
// every paper's full run on 1 and 2 threads and its dominant loop (DominantLoops.swift) beside the
// machine's limits; it runs the binaries `make build` leaves in .build/release (full runs only by
// default: about half an hour).
import Foundation
import Numerics

struct Options {
    var quick = false
    var out: String?
    var ops: Set<String>?
    var threads = [1, 2]
    /// The one-core-busy section: nil = by mode (full runs only).
    var busy: Bool?
    /// The papers section: nil = by mode (all papers in full runs, none in quick ones).
    var papers: [String]?

    static let usage = "usage: Bench [--quick] [--out PATH] [--ops gemm,gemv,dot,axpy,cholesky,lu,qr,eigh,svd] [--threads 1,2] [--busy | --no-busy] [--papers all|none|Target,Target]"

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--quick": o.quick = true
            case "--out": o.out = value()
            case "--ops": o.ops = Set(value().split(separator: ",").map { $0.lowercased() })
            case "--threads":
                o.threads = value().split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
                if o.threads.isEmpty { fail("--threads needs positive integers") }
            case "--busy": o.busy = true
            case "--no-busy": o.busy = false
            case "--papers":
                let v = value()
                o.papers = v == "all" ? ["all"] : v == "none" ? [] : v.split(separator: ",").map(String.init)
            case "-h", "--help": print(usage); exit(0)
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
        return o
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("Bench: \(message)\n\(usage)\n".utf8))
        exit(2)
    }
}

/// The package root: the working directory if it holds Tools/Bench/bench_numpy.py, else the
/// directory four levels above this source file (Tools/Bench/Sources/Bench/main.swift).
func packageRoot() -> String {
    let cwd = FileManager.default.currentDirectoryPath
    if FileManager.default.fileExists(atPath: cwd + "/Tools/Bench/bench_numpy.py") { return cwd }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

signal(SIGPIPE, SIG_IGN)   // a NumPy server that dies must not take the bench with it
let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let root = packageRoot()
let allPapers = PapersSection.targets(root: root)
let paperSelection: [String] = {
    let asked = options.papers ?? (options.quick ? [] : ["all"])
    if asked == ["all"] { return allPapers }
    for name in asked where !allPapers.contains(name) { Options.fail("unknown paper \(name) (papers: \(allPapers.joined(separator: ", ")))") }
    return asked
}()
for name in paperSelection where !FileManager.default.isExecutableFile(atPath: "\(root)/.build/release/\(name)") {
    Options.fail("no binary .build/release/\(name): run `make build` first")
}
let reps = options.quick ? 5 : 7
let rounds = options.quick ? 1 : 3
let minTime = options.quick ? 0.005 : 0.03
let selected = BenchOp.registry.filter { op in
    options.ops.map { $0.contains(op.family) || $0.contains(op.name) } ?? true
}
if selected.isEmpty { Options.fail("no operation matches --ops \(options.ops!.sorted().joined(separator: ","))") }

let numpy = NumPyRunner(script: root + "/Tools/Bench/bench_numpy.py")
// OpenBLAS picks its kernels from the CPU it recognizes; on AMD CPUs with AVX-512 it picks its
// AVX2 (Haswell) kernels. The second NumPy column forces the AVX-512 ones, its best on this CPU.
let bestCoreType: String? = CPUFeatures.hasAVX512 ? "SkylakeX" : nil
let numpyBest = bestCoreType.map { NumPyRunner(script: root + "/Tools/Bench/bench_numpy.py", environment: ["OPENBLAS_CORETYPE": $0]) }
var rows: [BenchRow] = []
// Start the NumPy servers first, then bring the core up to speed (clock, caches, page tables)
// with half a second of matrix products, so the first case is not measured cold.
for t in options.threads { numpy.start(threads: t); numpyBest?.start(threads: t) }
do {
    var g = BenchData(seed: 1)
    let a = g.matrix(512, 512)
    var c = Matrix(rows: 512, cols: 512)
    let until = now() + 0.5
    while now() < until { gemm(a, a, into: &c) }
    consume(c.storage[0])
}
let savedThreads = Threads.count
let started = now()
let loadAtStart = Report.loadAverage()

for op in selected {
    for n in options.quick ? op.quickSizes : op.sizes {
        let body = op.make(n)
        for t in op.multiThreaded ? options.threads : [1] {
            // `rounds` alternations of (Reprise, NumPy), each a median of `reps` repetitions; the
            // row reports each side's best round. On this shared VM the second core is sometimes
            // slow or absent for whole seconds (a 2-thread GEMM then takes as long as a 1-thread
            // one): alternating several times gives both sides the same chances, and the best
            // round estimates each one's speed on a quiet machine.
            var oursRounds: [Double] = [], theirsRounds: [Double] = [], bestRounds: [Double] = []
            for _ in 0..<rounds {
                Threads.count = t
                oursRounds.append(medianTime(reps: reps, minTime: minTime, body).median)
                Threads.count = savedThreads
                if let x = numpy.time(op: op.name, n: n, threads: t, reps: reps, minTime: minTime) { theirsRounds.append(x) }
                if let x = numpyBest?.time(op: op.name, n: n, threads: t, reps: reps, minTime: minTime) { bestRounds.append(x) }
            }
            let ours = oursRounds.min()!
            let theirs = theirsRounds.min()
            let row = BenchRow(operation: op.label, size: op.sizeLabel(n), threads: t,
                               reprise: ours, numpy: theirs, numpyBest: bestRounds.min(), flops: op.flops?(n))
            rows.append(row)
            log(Report.cells(row).joined(separator: "  "))
        }
    }
}

var contention: [ContentionRow] = []
if options.busy ?? !options.quick {
    contention = Contention.run(ops: BenchOp.registry, numpy: numpy, reps: reps, minTime: minTime, rounds: options.quick ? 1 : 3)
}
numpy.close()
numpyBest?.close()
var paperRows: [PapersSection.PaperRow] = [], loopRows: [PapersSection.LoopRow] = []
var machineLimits = PapersSection.Limits()
if !paperSelection.isEmpty {
    machineLimits = PapersSection.limits(threads: [1, 2], reps: reps, minTime: minTime)
    loopRows = PapersSection.loops(Set(paperSelection), reps: reps, minTime: minTime)
    paperRows = PapersSection.papers(paperSelection, root: root)
}
let papersMarkdown = PapersSection.markdown(limits: machineLimits, papers: paperRows, loops: loopRows)
let elapsed = now() - started
var numpyInfo = "NumPy: not measured"
var notes: [String] = []
switch numpy.availability {
case .available(let info): numpyInfo = info
case .missing(let reason):
    print("NumPy not found: pip install numpy")
    numpyInfo = "NumPy: not found (\(reason)); only the Reprise column is measured"
case .unknown: break
}
let formatter = ISO8601DateFormatter()
let header = [
    "CPU: \(Report.cpuModel()) (\(ProcessInfo.processInfo.activeProcessorCount) logical cores, \(CPUFeatures.hasAVX512 ? "AVX-512" : "no AVX-512")); GEMM micro-kernel \(CPUFeatures.gemmTile)",
    "Threads: \(options.threads.map(String.init).joined(separator: ", ")) (Reprise `Threads.count`; NumPy via OPENBLAS/OMP/MKL_NUM_THREADS); vector ops (dot, axpy) at 1 thread",
    numpyInfo + (bestCoreType.map { "; the \"best kernels\" column sets OPENBLAS_CORETYPE=\($0) (OpenBLAS's AVX-512 kernels; by default it picks its AVX2 ones on this CPU)" } ?? ""),
    "Run: \(formatter.string(from: Date())), \(options.quick ? "quick" : "full"), \(rounds) rounds per case alternating Reprise and NumPy, each the median of \(reps) repetitions after a warm-up (each repetition ≥ \(Int(minTime * 1000)) ms); the table shows each side's best round, \(String(format: "%.0f", elapsed)) s in all",
    "Machine load (1-minute average) at start / end: \(loadAtStart) / \(Report.loadAverage()); above about 1 on 2 cores, the 2-thread rows are unreliable",
]
notes.append("Ratio = Reprise time / NumPy time (below 1: Reprise is faster). GFLOP/s use the classical counts: "
             + "2n³ for gemm, 2n² for gemv, 2n for dot and axpy, n³/3 Cholesky, 2n³/3 LU, 4n³/3 QR; eigen and SVD report time only.")
notes.append("Cases alternate (Reprise, then NumPy in a persistent `python3 Tools/Bench/bench_numpy.py --serve` process per thread count) so both see the same machine load; "
             + "on a shared VM, rerun before trusting a difference of a few percent.")
print(Report.text(header: header, rows: rows), terminator: "")
print(Contention.markdown(contention), terminator: "")
print(papersMarkdown, terminator: "")
for n in notes { print(n) }

let outPath = options.out ?? (options.quick ? nil : "Reports/BENCHMARKS.md")
if let outPath {
    let path = outPath.hasPrefix("/") ? outPath : root + "/" + outPath
    do {
        try Report.writeAtomically(Report.markdown(header: header, notes: notes, rows: rows) + Contention.markdown(contention) + papersMarkdown, to: path)
        print("Wrote \(outPath)")
    } catch {
        log("Bench: could not write \(path): \(error)")
        exit(1)
    }
}
