import Foundation

/// One row of the results table.
struct BenchRow {
    let operation: String
    let size: String
    let threads: Int
    let reprise: Double?          // median seconds
    let numpy: Double?
    /// NumPy with OpenBLAS forced to its best kernels for this CPU (nil: not measured).
    let numpyBest: Double?
    let flops: Double?

    var ratio: Double? {
        guard let r = reprise, let p = numpy, p > 0 else { return nil }
        return r / p
    }
    var ratioBest: Double? {
        guard let r = reprise, let p = numpyBest, p > 0 else { return nil }
        return r / p
    }
    func gflops(_ t: Double?) -> Double? {
        guard let t, let f = flops, t > 0 else { return nil }
        return f / t / 1e9
    }
}

enum Report {
    static let columns = ["Operation", "Size", "Threads", "Reprise", "NumPy", "Ratio", "NumPy, best kernels", "Ratio to best",
                          "Reprise GFLOP/s", "NumPy GFLOP/s"]

    static func formatTime(_ t: Double?) -> String {
        guard let t else { return "—" }
        if t >= 1 { return String(format: "%.2f s", t) }
        if t >= 1e-3 { return String(format: "%.2f ms", t * 1e3) }
        return String(format: "%.1f µs", t * 1e6)
    }

    static func cells(_ r: BenchRow) -> [String] {
        return [r.operation, r.size, "\(r.threads)", formatTime(r.reprise), formatTime(r.numpy),
                r.ratio.map { String(format: "%.2f", $0) } ?? "—",
                formatTime(r.numpyBest), r.ratioBest.map { String(format: "%.2f", $0) } ?? "—",
                r.gflops(r.reprise).map { String(format: "%.1f", $0) } ?? "—",
                r.gflops(r.numpy).map { String(format: "%.1f", $0) } ?? "—"]
    }

    /// A plain-text table with aligned columns (numbers right-aligned).
    static func text(header: [String], rows: [BenchRow]) -> String {
        let body = rows.map(cells)
        var width = columns.map { $0.count }
        for row in body { for (i, c) in row.enumerated() { width[i] = Swift.max(width[i], c.count) } }
        func line(_ cs: [String]) -> String {
            cs.enumerated().map { i, c in
                let pad = String(repeating: " ", count: width[i] - c.count)
                return i < 2 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        var out = header.joined(separator: "\n") + "\n\n"
        out += line(columns) + "\n"
        out += width.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in body { out += line(row) + "\n" }
        return out
    }

    static func markdown(header: [String], notes: [String], rows: [BenchRow]) -> String {
        var out = "# Benchmarks: Reprise vs NumPy\n\n"
        for h in header { out += "- \(h)\n" }
        out += "\n| " + columns.joined(separator: " | ") + " |\n"
        out += "|" + columns.enumerated().map { i, _ in i < 2 ? " --- " : " ---: " }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + cells(r).joined(separator: " | ") + " |\n" }
        if !notes.isEmpty {
            out += "\n"
            for n in notes { out += "\(n)\n" }
        }
        return out
    }

    /// Writes `text` to `path` through a temporary file in the same directory and a rename, so
    /// a crash never leaves half a report.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try Data(text.utf8).write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            let err = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw NSError(domain: "Bench", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "rename failed: \(err)"])
        }
    }

    /// The 1-minute load average from /proc/loadavg, or "?".
    static func loadAverage() -> String {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
              let first = s.split(separator: " ").first else { return "?" }
        return String(first)
    }

    /// The CPU model from /proc/cpuinfo ("model name"), or "unknown CPU".
    static func cpuModel() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in info.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown CPU"
    }
}
