// ReportIndex [--reports DIR]: writes DIR/README.md (default Reports), the index of every report,
// from the *.claims.json files the paper executables write next to their reports.
import Foundation
import Notebook

let usage = """
usage: ReportIndex [--reports DIR] [--stability RUNS] [--summary FILE]

Writes DIR/README.md (default: Reports) from DIR/*.claims.json. With --stability, first collects
RUNS/seed-*/ (one folder of claims files per seed, as `make stability` writes them) into
DIR/stability.json and DIR/STABILITY.md. With --summary, prints the table that ends `make reproduce`
(FILE has one line per paper: slug, ran or up-to-date, milliseconds) and writes nothing.
"""

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(status)
}

var dir = "Reports"
var stabilityRuns: String?
var summaryFile: String?
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--reports":
        guard let value = args.popFirst(), !value.isEmpty else { fail("error: --reports needs a directory\n\n" + usage, status: 2) }
        dir = value
    case "--stability":
        guard let value = args.popFirst(), !value.isEmpty else { fail("error: --stability needs a directory\n\n" + usage, status: 2) }
        stabilityRuns = value
    case "--summary":
        guard let value = args.popFirst(), !value.isEmpty else { fail("error: --summary needs a file\n\n" + usage, status: 2) }
        summaryFile = value
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        fail("error: unknown option '\(arg)'\n\n" + usage, status: 2)
    }
}

if let file = summaryFile {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { fail("error: cannot read '\(file)'", status: 2) }
    print(ReportIndex.summary(lines: text.split(separator: "\n").map(String.init), reportsDir: dir))
    exit(0)
}

if let runs = stabilityRuns {
    let seedDirs = ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [])
        .filter { $0.hasPrefix("seed-") }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        .map { (runs as NSString).appendingPathComponent($0) }
    if seedDirs.isEmpty { fail("error: no seed-* folders in '\(runs)'", status: 2) }
    do {
        try Stability.write(seedDirs: seedDirs, reportsDir: dir)
        print("wrote \(dir)/STABILITY.md and \(dir)/\(Stability.fileName) from \(seedDirs.count) seeds")
    } catch {
        fail("error: \(error)", status: 1)
    }
}

do {
    let url = try Notebook.ReportIndex.write(reportsDir: dir)
    print("wrote \(dir)/\(url.lastPathComponent)")
} catch {
    fail("error: \(error)", status: 1)
}
