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

    /// Asserts that a one-thread report (the text an executable wrote) equals the cached two-thread
    /// in-process report outside the timings block, and that every literate cell resolved.
    static func assertSameReport(_ info: PaperInfo, _ body: Notebook, oneThread: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let a = stripTimings(try cachedQuick(info, body).render(timings: [("total", "1.0 s")]))
        let b = stripTimings(oneThread)
        XCTAssertEqual(a, b, "\(info.slug): same seed must give the same report (2 threads vs 1 thread)", file: file, line: line)
        XCTAssertTrue(a.contains("## Claims"), file: file, line: line)
        XCTAssertFalse(a.contains("not found in"), "\(info.slug): every literate cell and excerpt must resolve", file: file, line: line)
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
        // Drain standard error on another thread, so a chatty run cannot fill one pipe while we wait on the other.
        final class Box: @unchecked Sendable { var data = Data() }
        let e = Box()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { e.data = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e.data, as: UTF8.self))
    }

    /// The report with the timings block removed.
    static func stripTimings(_ s: String) -> String {
        guard let a = s.range(of: "<!-- timings:begin -->"), let b = s.range(of: "<!-- timings:end -->") else { return s }
        return String(s[..<a.lowerBound]) + String(s[b.upperBound...])
    }
}
