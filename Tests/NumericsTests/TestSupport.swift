import XCTest
import NumericsReference
@testable import Numerics

// The assertions shared by the Numerics tests; the reference computations (`NT.naiveMul`,
// `NT.frobDiff`, the test matrices) are in Tests/NumericsReference, compiled with optimization.

/// The reference namespace under its short name in every file of this target.
typealias NT = NumericsReference.NT

extension NT {
    /// Asserts |actual − expected| ≤ tol with a readable message.
    static func assertClose(_ actual: Double, _ expected: Double, tol: Double, _ what: String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(abs(actual - expected) <= tol,
                  "\(what): got \(actual), expected \(expected), |diff| = \(abs(actual - expected)) > tol \(tol)",
                  file: file, line: line)
    }

    /// Asserts `value ≤ bound`, printing both.
    static func assertBelow(_ value: Double, _ bound: Double, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(value <= bound, "\(what): \(value) exceeds the bound \(bound)", file: file, line: line)
    }

    /// Asserts that `body` throws exactly `expected`.
    static func assertThrows<T>(_ expected: LinearAlgebraError, _ body: @autoclosure () throws -> T,
                         file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected \(expected), but nothing was thrown", file: file, line: line)
        } catch let e as LinearAlgebraError {
            XCTAssertEqual(e, expected, file: file, line: line)
        } catch {
            XCTFail("expected \(expected), got \(error)", file: file, line: line)
        }
    }

    /// Asserts that `body` throws a `LinearAlgebraError` for which `matches` holds.
    static func assertThrowsMatching<T>(_ body: @autoclosure () throws -> T, _ what: String,
                                 _ matches: (LinearAlgebraError) -> Bool,
                                 file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected an error (\(what)), but nothing was thrown", file: file, line: line)
        } catch let e as LinearAlgebraError {
            XCTAssert(matches(e), "unexpected error \(e) (wanted \(what))", file: file, line: line)
        } catch {
            XCTFail("expected a LinearAlgebraError (\(what)), got \(error)", file: file, line: line)
        }
    }
}
