import XCTest
import Notebook
@testable import MuP

/// MuP: the pinned quick-mode verdicts and, for every claim, a failing input that turns it.
final class MuPTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(MuP.info) { try MuP.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
    }

    func testClaimTurnsOnAFailingResult() {
        let good = LinearRate.Evidence(fittedRate: 0.223, closedFormRate: 0.2231, points: 50)
        XCTAssertEqual(LinearRate.claim(good).verdict, .reproduced)
        var wrong = good; wrong.fittedRate = 0.25
        XCTAssertEqual(LinearRate.claim(wrong).verdict, .notReproduced)
        var unseen = good; unseen.points = 2
        XCTAssertEqual(LinearRate.claim(unseen).verdict, .notObserved)
    }
}
