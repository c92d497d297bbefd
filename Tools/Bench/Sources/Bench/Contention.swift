import Foundation
import Numerics

/// "One core busy": each multi-threaded operation at one size, on 1 and on 2 threads, while another
/// process keeps one core spinning (started and stopped here). On a 2-core machine a parallel region
/// that waits for a thread the scheduler is not running stalls; the ratio of the 2-thread time to the
/// 1-thread time shows it (at most 1.3 is the goal: a busy core may cost the second thread, not more).
struct ContentionRow {
    let operation: String
    let size: String
    let oursOne: Double, oursTwo: Double
    let numpyOne: Double?, numpyTwo: Double?
    var oursRatio: Double { oursTwo / oursOne }
    var numpyRatio: Double? { numpyOne.flatMap { a in numpyTwo.map { $0 / a } } }
}

enum Contention {
    /// The operations and sizes measured with a busy core.
    static let cases: [(name: String, n: Int)] = [("gemm_nn", 500), ("cholesky", 1000), ("lu", 1000), ("qr", 500),
                                                  ("eigh", 500), ("svd", 500)]

    /// A process that spins on one core until it is terminated.
    static func startBusyProcess() -> Process? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "while :; do :; done"]
        do { try p.run() } catch { return nil }
        return p
    }

    static func run(ops: [BenchOp], numpy: NumPyRunner, reps: Int, minTime: Double, rounds: Int) -> [ContentionRow] {
        guard let busy = startBusyProcess() else {
            log("Bench: could not start the busy process; the one-core-busy section is skipped")
            return []
        }
        defer { busy.terminate(); busy.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.3)                 // let the scheduler place it
        let saved = Threads.count
        var rows: [ContentionRow] = []
        for c in cases {
            guard let op = ops.first(where: { $0.name == c.name }) else { continue }
            let body = op.make(c.n)
            var ours = [1: [Double](), 2: [Double]()], theirs = [1: [Double](), 2: [Double]()]
            for _ in 0..<rounds {
                for t in [1, 2] {                          // alternate 1 and 2 threads, ours and NumPy's
                    Threads.count = t
                    ours[t]!.append(medianTime(reps: reps, minTime: minTime, body).median)
                    Threads.count = saved
                    if let x = numpy.time(op: op.name, n: c.n, threads: t, reps: reps, minTime: minTime) { theirs[t]!.append(x) }
                }
            }
            // Medians over rounds (not the best round: the point is the typical cost of contention).
            func median(_ v: [Double]) -> Double? {
                guard !v.isEmpty else { return nil }
                let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
            }
            let row = ContentionRow(operation: op.label, size: op.sizeLabel(c.n), oursOne: median(ours[1]!)!, oursTwo: median(ours[2]!)!,
                                    numpyOne: median(theirs[1]!), numpyTwo: median(theirs[2]!))
            rows.append(row)
            log("busy core: \(row.operation) \(row.size): Reprise 2T/1T \(String(format: "%.2f", row.oursRatio))"
                + (row.numpyRatio.map { String(format: ", NumPy 2T/1T %.2f", $0) } ?? ""))
        }
        return rows
    }

    static func markdown(_ rows: [ContentionRow]) -> String {
        guard !rows.isEmpty else { return "" }
        var out = "\n## One core busy\n\n"
        out += "Another process spins on one core throughout (started and stopped by the bench). Times are medians over rounds "
        out += "alternating 1 and 2 threads; the goal for Reprise is a 2-thread time at most 1.3 x its 1-thread time.\n\n"
        out += "| operation | size | Reprise 1 thread | Reprise 2 threads | 2T / 1T | NumPy 1 thread | NumPy 2 threads | 2T / 1T |\n"
        out += "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        for r in rows {
            let f = { (x: Double?) in x.map { String(format: "%.2f", $0) } ?? "–" }
            out += "| \(r.operation) | \(r.size) | \(Report.formatTime(r.oursOne)) | \(Report.formatTime(r.oursTwo)) | \(f(r.oursRatio)) | "
            out += "\(Report.formatTime(r.numpyOne)) | \(Report.formatTime(r.numpyTwo)) | \(f(r.numpyRatio)) |\n"
        }
        return out
    }
}
