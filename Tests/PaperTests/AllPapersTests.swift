import Foundation
import XCTest
import Notebook
import Numerics
@testable import CBIPM
@testable import HessianSpectrum
@testable import LionLyapunov
@testable import LocalLipschitz
@testable import MFAC
@testable import ModelCollapse
@testable import OverparamSlowsGD
@testable import ScaledGDLambda
@testable import MuP
@testable import LBDN
@testable import SAM
@testable import MuonLipschitz
@testable import IBPTightness
@testable import Sophia
@testable import EdgeOfStability
@testable import DoG
@testable import ImplicitAcceleration
@testable import ImportanceWeighting
@testable import DecoupledWeightDecay
@testable import IncrementalLearning
@testable import InfluenceFunctions

/// Every paper, for the checks they all share. A new paper adds one line here (a test below fails
/// until it does).
enum AllPapers {
    struct Entry {
        let info: PaperInfo
        let run: PaperHarness.Notebook
    }

    static let entries: [Entry] = [
        Entry(info: CBIPM.info) { try CBIPM.run(options: $0, report: $1) },
        Entry(info: HessianSpectrum.info) { try HessianSpectrum.run(options: $0, report: $1) },
        Entry(info: LionLyapunov.info) { try LionLyapunov.run(options: $0, report: $1) },
        Entry(info: LocalLipschitz.info) { try LocalLipschitz.run(options: $0, report: $1) },
        Entry(info: MFAC.info) { try MFAC.run(options: $0, report: $1) },
        Entry(info: ModelCollapse.info) { try ModelCollapse.run(options: $0, report: $1) },
        Entry(info: OverparamSlowsGD.info) { try OverparamSlowsGD.run(options: $0, report: $1) },
        Entry(info: ScaledGDLambda.info) { try ScaledGDLambda.run(options: $0, report: $1) },
        Entry(info: MuP.info) { try MuP.run(options: $0, report: $1) },
        Entry(info: LBDN.info) { try LBDN.run(options: $0, report: $1) },
        Entry(info: SAM.info) { try SAM.run(options: $0, report: $1) },
        Entry(info: MuonLipschitz.info) { try MuonLipschitz.run(options: $0, report: $1) },
        Entry(info: IBPTightness.info) { try IBPTightness.run(options: $0, report: $1) },
        Entry(info: Sophia.info) { try Sophia.run(options: $0, report: $1) },
        Entry(info: EdgeOfStability.info) { try EdgeOfStability.run(options: $0, report: $1) },
        Entry(info: DoG.info) { try DoG.run(options: $0, report: $1) },
        Entry(info: ImplicitAcceleration.info) { try ImplicitAcceleration.run(options: $0, report: $1) },
        Entry(info: ImportanceWeighting.info) { try ImportanceWeighting.run(options: $0, report: $1) },
        Entry(info: DecoupledWeightDecay.info) { try DecoupledWeightDecay.run(options: $0, report: $1) },
        Entry(info: IncrementalLearning.info) { try IncrementalLearning.run(options: $0, report: $1) },
        Entry(info: InfluenceFunctions.info) { try InfluenceFunctions.run(options: $0, report: $1) },
    ]

    /// The package root (three levels above this file).
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// Determinism, thread-count independence, the command line and the shape of every claim, for every
/// paper at once. A paper's own test file holds only its pinned verdicts and its unit checks.
final class AllPapersTests: XCTestCase {
    func testEveryPaperFolderIsListed() throws {
        let dir = AllPapers.root.appendingPathComponent("Papers")
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent("main.swift").path)
        }.sorted()
        XCTAssertEqual(AllPapers.entries.map(\.info.target).sorted(), folders, "add the new paper to AllPapers.entries")
    }

    /// The same seed gives the same report on 2 threads and on 1, and every woven cell resolves.
    func testSameSeedSameReportOnOneAndTwoThreads() throws {
        let runs = OneThreadRuns.shared.wait()
        for (i, p) in AllPapers.entries.enumerated() {
            let t = p.info.target
            guard let (code, _, _) = runs[i], code == 0 else {
                XCTFail("\(t): the one-thread quick run failed: \(runs[i]?.2 ?? "could not start")"); continue
            }
            let file = OneThreadRuns.base.appendingPathComponent(t).appendingPathComponent(p.info.slug + ".md")
            let oneThread = try String(contentsOf: file, encoding: .utf8)
            try PaperHarness.assertSameReport(p.info, p.run, oneThread: oneThread)
        }
    }

    /// Starts the one-thread runs before the first test, so they overlap the shared in-process runs.
    override class func setUp() {
        super.setUp()
        OneThreadRuns.shared.start()
    }

    override class func tearDown() {
        _ = OneThreadRuns.shared.wait()
        try? FileManager.default.removeItem(at: OneThreadRuns.base)
        super.tearDown()
    }

    /// The README and every report call quick mode "seconds": each paper's quick run (the one the tests
    /// share) stays under a minute even on a loaded 2-core machine, or the documentation is wrong.
    func testQuickModeRunsInSeconds() throws {
        for p in AllPapers.entries {
            _ = try PaperHarness.cachedQuick(p.info, p.run)
            let s = try XCTUnwrap(PaperHarness.quickSeconds[p.info.slug])
            XCTAssertLessThan(s, 60, "\(p.info.slug): quick mode took \(s) s")
        }
    }

    /// Every claim has checks and says in one line what would have failed it.
    func testEveryClaimStatesWhatWouldFailIt() throws {
        for p in AllPapers.entries {
            let report = try PaperHarness.cachedQuick(p.info, p.run)
            XCTAssertFalse(report.claims.isEmpty, "\(p.info.slug) has no claims")
            for c in report.claims {
                XCTAssertFalse(c.checks.isEmpty, "\(p.info.slug) \(c.id) has no checks")
                let f = c.failsIf.trimmingCharacters(in: .whitespaces)
                XCTAssertTrue(f.count >= 10 && !f.contains("not yet stated") && !f.contains("\n"),
                              "\(p.info.slug) \(c.id): failsIf must say in one line what would fail the claim: '\(f)'")
            }
        }
    }

    /// Bad input is refused before any work starts: usage and exit 2 for flags, one line and exit 2
    /// for an output folder that cannot be written or a data file that is missing.
    func testCommandLineRefusesBadInput() throws {
        // The 126 launches are mostly process start-up: two papers at a time (one per core), each
        // writing only under its own names; the checks then run here, in the papers' order.
        let entries = AllPapers.entries
        final class Results: @unchecked Sendable { var runs: [Result<CommandLineRuns, Error>?] = []; let lock = NSLock() }
        let results = Results()
        results.runs = Array(repeating: nil, count: entries.count)
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for i in stride(from: lane, to: entries.count, by: 2) {
                let r = Result { try CommandLineRuns(entries[i]) }
                results.lock.lock(); results.runs[i] = r; results.lock.unlock()
            }
        }
        for (i, p) in entries.enumerated() {
            let t = p.info.target
            let r = try results.runs[i]!.get()
            XCTAssertEqual(r.unknownFlag.0, 2, t)
            XCTAssertTrue(r.unknownFlag.2.lowercased().contains("usage"), "\(t): an unknown flag prints usage: \(r.unknownFlag.2)")
            XCTAssertEqual(r.badSeed.0, 2, t)
            XCTAssertEqual(r.help.0, 0, t)
            XCTAssertTrue(r.help.1.contains("--quick") && r.help.1.contains("--check"), t)
            XCTAssertEqual(r.slug.1, p.info.slug + "\n", t)
            XCTAssertEqual(r.unwritable.0, 2, "\(t): an unwritable --out is refused before the run")
            XCTAssertEqual(r.unwritable.2.split(separator: "\n").count, 1, "\(t): one line: \(r.unwritable.2)")
            // A paper that reads data files checks them before the run: pointed at an empty folder.
            if let (code, _, err) = r.missingData {
                XCTAssertEqual(code, 2, "\(t): a missing data file is refused before the run")
                XCTAssertEqual(err.split(separator: "\n").count, 1, "\(t): one line: \(err)")
                XCTAssertTrue(err.contains("digits.csv"), "\(t): the error names the file: \(err)")
                XCTAssertFalse(r.reportWritten, "\(t): no report is written")
            }
        }
    }

    /// One paper's command-line cases: (exit status, stdout, stderr) of each launch.
    struct CommandLineRuns {
        typealias Run = (Int32, String, String)
        let unknownFlag, badSeed, help, slug, unwritable: Run
        var missingData: Run? = nil
        var reportWritten = false

        init(_ p: AllPapers.Entry) throws {
            let t = p.info.target
            unknownFlag = try PaperHarness.runBinary(t, ["--frobnicate"])
            badSeed = try PaperHarness.runBinary(t, ["--seed", "twelve"])
            help = try PaperHarness.runBinary(t, ["--help"])
            slug = try PaperHarness.runBinary(t, ["--slug"])
            unwritable = try PaperHarness.runBinary(t, ["--quick", "--out", "/proc/reprise-cannot-write-here"])
            if p.info.checkInputs != nil {
                let empty = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-no-data-\(t)")
                let out = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-no-data-out-\(t)")
                try? FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: out)
                missingData = try PaperHarness.runBinary(t, ["--quick", "--out", out.path], environment: ["REPRISE_DATA": empty.path])
                reportWritten = FileManager.default.fileExists(atPath: out.appendingPathComponent(p.info.slug + ".md").path)
            }
        }
    }

    /// A woven prose cell stands where it is used: above the `report.literate` call that weaves it from
    /// the same file, and within about a screen of it (80 lines), so the file reads in the report's order.
    func testProseCellsStandAboveTheCodeThatWeavesThem() throws {
        let papers = AllPapers.root.appendingPathComponent("Papers")
        for p in AllPapers.entries {
            let dir = papers.appendingPathComponent(p.info.target)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".swift") {
                let lines = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                    .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                var cellEnd: [String: Int] = [:]
                var open: String?
                for (i, line) in lines.enumerated() {
                    let t = line.trimmingCharacters(in: .whitespaces)
                    if let o = open, t == "*/" { cellEnd[o] = i; open = nil }
                    if t.hasPrefix("/*:") { open = t.dropFirst(3).trimmingCharacters(in: .whitespaces) }
                }
                for (i, line) in lines.enumerated() {
                    guard let r = line.range(of: "report.literate(\""), !line.contains("file:") || line.contains("file: #filePath") else { continue }
                    let cell = String(line[r.upperBound...].prefix { $0 != "\"" })
                    guard let end = cellEnd[cell] else { continue }   // woven from another file, or missing (caught above)
                    XCTAssertTrue(end < i && i - end <= 80,
                                  "\(p.info.target)/\(name):\(i + 1): cell '\(cell)' ends at line \(end + 1), not within a screen above the call that weaves it")
                }
            }
        }
    }
}

/// The one-thread quick runs of the determinism check: the shipped executables, two at a time (each
/// uses one core), started when the suite starts so that they run beside the shared two-thread
/// in-process runs; the check then compares each written report with the in-process one.
final class OneThreadRuns: @unchecked Sendable {
    static let shared = OneThreadRuns()
    /// One directory per test process, so that two suites running at once (two clones) do not
    /// overwrite or delete each other's reports; removed when the suite's class tears down.
    static let base = FileManager.default.temporaryDirectory
        .appendingPathComponent("reprise-one-thread-\(ProcessInfo.processInfo.processIdentifier)")
    private let lock = NSLock()
    private let done = DispatchGroup()
    private var started = false
    private var runs: [(Int32, String, String)?] = []

    func start() {
        lock.lock(); defer { lock.unlock() }
        guard !started else { return }
        started = true
        let entries = AllPapers.entries
        runs = [(Int32, String, String)?](repeating: nil, count: entries.count)
        try? FileManager.default.removeItem(at: OneThreadRuns.base)
        for lane in 0..<2 {
            done.enter()
            Thread.detachNewThread { [self] in
                for i in stride(from: lane, to: entries.count, by: 2) {
                    let t = entries[i].info.target
                    let out = OneThreadRuns.base.appendingPathComponent(t).path
                    let r = try? PaperHarness.runBinary(t, ["--quick", "--threads", "1", "--out", out])
                    lock.lock(); runs[i] = r; lock.unlock()
                }
                done.leave()
            }
        }
    }

    func wait() -> [(Int32, String, String)?] {
        start()
        done.wait()
        lock.lock(); defer { lock.unlock() }
        return runs
    }
}
