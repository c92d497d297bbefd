import Foundation
import XCTest
@testable import Notebook

/// The presentation vocabulary papers use instead of formatting by hand.
final class VocabularyTests: XCTestCase {
    enum Stream: UInt64, CaseIterable { case problem, initialization, noise }

    func testFormatting() {
        XCTAssertEqual(Fmt.list([0.1, 0.05, 1e-7]), "0.1, 0.05, 1e-07")
        XCTAssertEqual(Fmt.list([1, 2], { Fmt.fixed($0, 1) }), "1.0, 2.0")
        XCTAssertEqual(Fmt.estimate(1.23456, 0.0567), "1.235 ± 0.057")
        XCTAssertEqual(Fmt.estimate(1.23456, 0.0567, digits: nil), "1.235 ± 0.057")
        XCTAssertEqual(Fmt.reached(120), "t = 120")
        XCTAssertEqual(Fmt.reached(nil), "not reached")
    }

    func testSettings() {
        XCTAssertEqual(Setting("n", 50, "as in Fig. 1").value, "50")
        XCTAssertEqual(Setting("η", 0.1).value, "0.1")
        XCTAssertEqual(Setting("α", [0.08, 0.04]).value, "0.08, 0.04")
        let seed = Setting.seed(7, streams: Stream.self)
        XCTAssertEqual([seed.parameter, seed.value, seed.reason], ["seed", "7", "streams: 0 problem, 1 initialization, 2 noise"])
    }

    func testReferenceSeriesAndThinning() {
        let p = Series.powerLaw("fit", slope: -2, log10Intercept: 1, x: [1, 10, 100])
        XCTAssertEqual(p.y[0], 10, accuracy: 1e-12)
        XCTAssertEqual(p.y[2], 1e-3, accuracy: 1e-15)
        let e = Series.exponential("fit", slope: -1, intercept: 0, x: [0, 1])
        XCTAssertEqual(e.y[1], exp(-1), accuracy: 1e-15)
        let long = Series("s", x: (0..<1000).map(Double.init), y: (0..<1000).map(Double.init))
        let thin = long.thinned(to: 11)
        XCTAssertEqual(thin.x.count, 11)
        XCTAssertEqual(thin.x.first, 0)
        XCTAssertEqual(thin.x.last, 999)
        XCTAssertEqual(Series("s", x: [1, 2], y: [1, 2]).thinned(to: 5).x, [1, 2])
    }

    func testPhasesAreRecordedInOrder() {
        let info = ReportTests.info
        let report = Report(info: info, options: RunOptions(quick: true, seed: 1))
        let v = report.phase("first") { 41 + 1 }
        XCTAssertEqual(v, 42)
        report.phase("second") { }
        XCTAssertEqual(report.timings.map(\.0), ["first", "second"])
    }

    func testInputHashDependsOnModeAndSeed() throws {
        // The Notebook's own sources are readable from the tests, so the hash is defined here.
        let a = try XCTUnwrap(InputHash.compute(target: "NoSuchPaper", mode: "full", seed: 1))
        XCTAssertEqual(a.count, 16)
        XCTAssertEqual(a, InputHash.compute(target: "NoSuchPaper", mode: "full", seed: 1))
        XCTAssertNotEqual(a, InputHash.compute(target: "NoSuchPaper", mode: "quick", seed: 1))
        XCTAssertNotEqual(a, InputHash.compute(target: "NoSuchPaper", mode: "full", seed: 2))
        XCTAssertTrue(InputHash.inputFiles(target: "NoSuchPaper").contains("Sources/Notebook/InputHash.swift"))
        XCTAssertTrue(InputHash.inputFiles(target: "NoSuchPaper").contains("Package.swift"))
    }

    func testUnwritableOutputIsRefusedWithOneLine() {
        XCTAssertThrowsError(try Report.checkWritable("/proc/reprise-cannot-write-here")) { error in
            XCTAssertFalse("\(error)".contains("\n"))
            XCTAssertTrue("\(error)".contains("/proc/reprise-cannot-write-here"))
        }
        let dir = NSTemporaryDirectory() + "reprise-writable-\(UUID().uuidString)/a/b"
        XCTAssertNoThrow(try Report.checkWritable(dir))
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: dir))?.count, 0, "the probe file is removed")
    }
}
