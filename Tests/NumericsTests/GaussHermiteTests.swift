import XCTest
@testable import Numerics

final class GaussHermiteTests: XCTestCase {
    /// Closed-form Gaussian moments: E[Z^{2m}] = (2m − 1)!!, odd moments 0; exact up to degree 2K − 1.
    func testMomentsOfTheStandardNormal() throws {
        let rule = try GaussHermite(points: 10)
        XCTAssertEqual(rule.weights.reduce(0, +), 1, accuracy: 1e-14)
        var doubleFactorial = 1.0
        for m in 0...9 {
            if m > 0 { doubleFactorial *= Double(2 * m - 1) }
            let even = rule.expectation { pow($0, Double(2 * m)) }
            XCTAssertEqual(even / doubleFactorial, 1, accuracy: 1e-11, "E[Z^\(2 * m)]")
            let odd = rule.expectation { pow($0, Double(2 * m + 1)) }
            XCTAssertEqual(odd, 0, accuracy: 1e-9 * doubleFactorial, "E[Z^\(2 * m + 1)]")
        }
    }

    /// Smooth non-polynomial integrands: E[cos(aZ)] = e^{−a²/2}, E[e^{aZ}] = e^{a²/2}; and a kink,
    /// E[max(Z, 0)] = 1/√(2π), where the rule converges only algebraically (error ≈ 0.165/K).
    func testSmoothAndKinkedIntegrands() throws {
        let rule = try GaussHermite(points: 40)
        XCTAssertEqual(rule.expectation { cos(1.5 * $0) }, exp(-1.125), accuracy: 1e-13)
        XCTAssertEqual(rule.expectation { exp(0.7 * $0) }, exp(0.245), accuracy: 1e-13)
        let kink = abs(rule.expectation { max($0, 0) } - 1 / (2 * Double.pi).squareRoot())
        let finer = abs(try GaussHermite(points: 160).expectation { max($0, 0) } - 1 / (2 * Double.pi).squareRoot())
        XCTAssertLessThan(kink, 5e-3)
        XCTAssertLessThan(finer, kink / 3)
        XCTAssertEqual(try GaussHermite(points: 1).nodes, [0])
        XCTAssertThrowsError(try GaussHermite(points: 0))
    }
}
