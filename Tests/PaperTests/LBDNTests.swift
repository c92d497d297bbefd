import XCTest
import Notebook
@testable import LBDN

final class LBDNTests: XCTestCase {
    func testPlaceholder() {}
}
