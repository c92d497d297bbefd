import Foundation
import XCTest
import Notebook
import Numerics

/// Shared helpers for the paper tests: run a paper in quick mode, compare renders, run a binary.
enum PaperHarness {
    /// Runs a paper's notebook in quick mode and returns the report (nothing is written to disk).
    static func runQuick(_ info: PaperInfo, threads: Int = 2, seed: UInt64? = nil,
                         _ body: (RunOptions, Report) throws -> Void) throws -> Report {
        let saved = Threads.count
        Threads.count = threads
        defer { Threads.count = saved }
        let options = RunOptions(quick: true, seed: seed ?? info.defaultSeed, outDir: NSTemporaryDirectory())
        let report = Report(info: info, options: options)
        try body(options, report)
        return report
    }

    /// A paper's notebook body, as `PaperRunner.main` calls it.
    typealias Notebook = (RunOptions, Report) throws -> Void

    nonisolated(unsafe) private static var quickCache: [String: Report] = [:]
    /// Wall-clock seconds of each paper's cached quick run.
    nonisolated(unsafe) static var quickSeconds: [String: Double] = [:]

    /// One quick-mode run per paper (2 threads), shared by all tests of the suite.
    static func cachedQuick(_ info: PaperInfo, _ body: Notebook) throws -> Report {
        if let r = quickCache[info.slug] { return r }
        let t0 = Date()
        let r = try runQuick(info, threads: 2, body)
        quickSeconds[info.slug] = Date().timeIntervalSince(t0)
        quickCache[info.slug] = r
        return r
    }

    /// Runs the paper again on one thread and asserts that its report equals the cached two-thread
    /// report outside the timings block, and that every literate cell resolved. Returns the render.
    @discardableResult
    static func assertDeterministic(_ info: PaperInfo, file: StaticString = #filePath, line: UInt = #line,
                                    _ body: Notebook) throws -> String {
        let first = try cachedQuick(info, body)
        let second = try runQuick(info, threads: 1, body)
        let a = stripTimings(first.render(timings: [("total", "1.0 s")]))
        let b = stripTimings(second.render(timings: [("total", "9.9 s")]))
        XCTAssertEqual(a, b, "same seed must give the same report (2 threads vs 1 thread)", file: file, line: line)
        XCTAssertTrue(a.contains("## Claims"), file: file, line: line)
        XCTAssertFalse(a.contains("not found in"), "every literate cell and excerpt must resolve", file: file, line: line)
        return a
    }

    /// The verdict of claim `id`, failing the test if the claim is missing.
    static func verdict(_ report: Report, _ id: String, file: StaticString = #filePath, line: UInt = #line) -> Verdict? {
        let v = report.claims.first { $0.id == id }?.verdict
        if v == nil { XCTFail("claim \(id) missing from the report", file: file, line: line) }
        return v
    }

    /// The directory that holds the built executables (next to the test bundle).
    static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        while url.pathComponents.count > 1 && !url.lastPathComponent.hasSuffix(".xctest") {
            url.deleteLastPathComponent()
        }
        if url.lastPathComponent.hasSuffix(".xctest") { return url.deletingLastPathComponent() }
        // Fallback: the package's release build folder.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/release")
    }

    /// Runs a built executable (with `environment` added to this process's); returns (exit status, stdout, stderr).
    static func runBinary(_ name: String, _ args: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = productsDirectory.appendingPathComponent(name)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The report with the timings block removed.
    static func stripTimings(_ s: String) -> String {
        guard let a = s.range(of: "<!-- timings:begin -->"), let b = s.range(of: "<!-- timings:end -->") else { return s }
        return String(s[..<a.lowerBound]) + String(s[b.upperBound...])
    }
}
