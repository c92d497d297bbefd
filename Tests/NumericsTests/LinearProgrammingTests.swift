import XCTest
@testable import Numerics

/// The dense simplex solver on hand-solved programs: optimal, infeasible, unbounded, degenerate.
final class LinearProgrammingTests: XCTestCase {
    func optimum(_ lp: LinearProgram, file: StaticString = #filePath, line: UInt = #line) throws -> (Double, [Double]) {
        let s = try lp.solve()
        guard case let .optimal(v, x) = s else { XCTFail("expected an optimum, got \(s)", file: file, line: line); return (.nan, []) }
        return (v, x)
    }

    func testTextbookMaximization() throws {
        // max 3x + 5y  s.t. x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18, x, y ≥ 0: optimum 36 at (2, 6).
        var lp = LinearProgram(maximize: [3, 5])
        lp.add([1, 0], .lessOrEqual, 4)
        lp.add([0, 2], .lessOrEqual, 12)
        lp.add([3, 2], .lessOrEqual, 18)
        let (v, x) = try optimum(lp)
        XCTAssertEqual(v, 36, accuracy: 1e-9)
        XCTAssertEqual(x[0], 2, accuracy: 1e-9)
        XCTAssertEqual(x[1], 6, accuracy: 1e-9)
    }

    func testGreaterOrEqualRowsNeedPhaseOne() throws {
        // min x + y  s.t. x + 2y ≥ 4, 3x + y ≥ 6: optimum 14/5 at (8/5, 6/5).
        var lp = LinearProgram.minimizing([1, 1])
        lp.add([1, 2], .greaterOrEqual, 4)
        lp.add([3, 1], .greaterOrEqual, 6)
        let (v, x) = try optimum(lp)
        XCTAssertEqual(-v, 2.8, accuracy: 1e-9)
        XCTAssertEqual(x[0], 1.6, accuracy: 1e-9)
        XCTAssertEqual(x[1], 1.2, accuracy: 1e-9)
    }

    func testEqualityAndBoxBounds() throws {
        // max x + 2y + 3z  s.t. x + y + z = 1, 0 ≤ x, y, z ≤ 0.5: z = 0.5, y = 0.5, x = 0 → 2.5.
        var lp = LinearProgram(maximize: [1, 2, 3], lower: [0, 0, 0], upper: [0.5, 0.5, 0.5])
        lp.add([1, 1, 1], .equal, 1)
        let (v, x) = try optimum(lp)
        XCTAssertEqual(v, 2.5, accuracy: 1e-9)
        XCTAssertEqual(x[0], 0, accuracy: 1e-9)
        XCTAssertEqual(x[2], 0.5, accuracy: 1e-9)
    }

    func testFreeAndUpperBoundedVariables() throws {
        // min x − y with x free, y ≤ 2 (no lower bound), x ≥ −3 and x + y ≥ −10: x = −3, y = 2 → −5.
        var lp = LinearProgram.minimizing([1, -1], lower: [-.infinity, -.infinity], upper: [.infinity, 2])
        lp.add([1, 0], .greaterOrEqual, -3)
        lp.add([1, 1], .greaterOrEqual, -10)
        let (v, x) = try optimum(lp)
        XCTAssertEqual(-v, -5, accuracy: 1e-9)
        XCTAssertEqual(x[0], -3, accuracy: 1e-9)
        XCTAssertEqual(x[1], 2, accuracy: 1e-9)
    }

    func testBoxOnlyMatchesClosedForm() throws {
        // Over a box, max cᵀx = Σ max(cᵢ lᵢ, cᵢ uᵢ).
        var rng = RandomSource(seed: 7)
        for _ in 0..<20 {
            let n = 5
            let c = (0..<n).map { _ in rng.normal() }
            let lo = (0..<n).map { _ in rng.uniform(-2, 0) }
            let hi = lo.map { $0 + rng.uniform(0.1, 3) }
            let (v, _) = try optimum(LinearProgram(maximize: c, lower: lo, upper: hi))
            let expected = (0..<n).reduce(0.0) { (sum: Double, i: Int) -> Double in sum + Swift.max(c[i] * lo[i], c[i] * hi[i]) }
            XCTAssertEqual(v, expected, accuracy: 1e-9)
        }
    }

    func testInfeasible() throws {
        var lp = LinearProgram(maximize: [1, 1])
        lp.add([1, 1], .lessOrEqual, 1)
        lp.add([1, 1], .greaterOrEqual, 2)
        XCTAssertEqual(try lp.solve(), .infeasible)
        let crossed = LinearProgram(maximize: [1], lower: [1], upper: [0])
        XCTAssertEqual(try crossed.solve(), .infeasible)
    }

    func testUnbounded() throws {
        var lp = LinearProgram(maximize: [1, 0])
        lp.add([1, -1], .lessOrEqual, 1)
        XCTAssertEqual(try lp.solve(), .unbounded)
    }

    func testBealeCyclingExampleTerminates() throws {
        // Beale (1955): the textbook LP on which Dantzig's rule cycles. With Bland's rule the simplex
        // method terminates at the optimum −5/4 (x₁ = 1, x₃ = 1 in this numbering).
        var lp = LinearProgram.minimizing([-0.75, 20, -0.5, 6])
        lp.add([0.25, -8, -1, 9], .lessOrEqual, 0)
        lp.add([0.5, -12, -0.5, 3], .lessOrEqual, 0)
        lp.add([0, 0, 1, 0], .lessOrEqual, 1)
        let (v, x) = try optimum(lp)
        XCTAssertEqual(-v, -1.25, accuracy: 1e-9)
        XCTAssertEqual(x[0], 1, accuracy: 1e-9)
        XCTAssertEqual(x[2], 1, accuracy: 1e-9)
    }

    func testRedundantEqualityRows() throws {
        // The same equality twice (a redundant row keeps an artificial in the basis at zero).
        var lp = LinearProgram(maximize: [1, 1])
        lp.add([1, 1], .equal, 3)
        lp.add([2, 2], .equal, 6)
        lp.add([1, 0], .lessOrEqual, 1)
        let (v, _) = try optimum(lp)
        XCTAssertEqual(v, 3, accuracy: 1e-9)
    }

    func testNonFiniteDataThrows() {
        var lp = LinearProgram(maximize: [1])
        lp.add([Double.nan], .lessOrEqual, 1)
        XCTAssertThrowsError(try lp.solve())
    }
}
