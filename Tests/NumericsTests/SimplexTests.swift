import XCTest
import Numerics

/// The probability simplex (Sources/Numerics/Simplex.swift): the projection against closed forms,
/// pairwise Frank–Wolfe against the projection (Q = I), and the fused scan against naive loops.
final class SimplexTests: XCTestCase {
    func testFrankWolfeMatchesTheProjection() throws {
        // With Q = I, wᵀw − 2vᵀw = ||w − v||² − ||v||², so the minimizer is the projection of v.
        let v = [0.9, 0.4, -0.2, 0.1, 0.35, -0.05, 0.2, 0.3, 0.0]
        let solution = try SimplexQuadratic(quadratic: .identity(v.count), linear: v).solve(tolerance: 1e-13)
        XCTAssertTrue(solution.converged)
        for (a, b) in zip(solution.weights, Simplex.project(v)) { XCTAssertEqual(a, b, accuracy: 1e-7) }
        XCTAssertEqual(solution.weights.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testFrankWolfeScanMatchesNaiveLoops() {
        var rng = RandomSource(seed: 2)
        for n in [1, 3, 4, 9, 30] {
            let d = (0..<n).map { _ in rng.normal() }
            let w = (0..<n).map { i in i % 3 == 0 ? 0 : rng.uniform() }
            let scan = FrankWolfeScan.extremes(d, w)
            XCTAssertEqual(scan.low, d.min()!)
            XCTAssertEqual(scan.lowIndex, d.firstIndex(of: d.min()!)!)
            let support = zip(d, w).filter { $0.1 > 0 }.map(\.0)
            XCTAssertEqual(scan.high, support.max() ?? -.infinity)
            XCTAssertEqual(scan.highIndex, support.max().map { m in (0..<n).first { w[$0] > 0 && d[$0] == m }! } ?? -1)
            XCTAssertEqual(scan.dot, Vector.dot(d, w), accuracy: 1e-12)
        }
        // Ties go to the first index, in every lane.
        let tied = FrankWolfeScan.extremes([3, 1, 5, 1, 5, 1], [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(tied.lowIndex, 1)
        XCTAssertEqual(tied.highIndex, 2)
    }

    func testSimplexProjectionClosedForms() {
        func close(_ a: [Double], _ b: [Double]) {
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        }
        close(Simplex.project([0.2, 0.8]), [0.2, 0.8])                  // already on the simplex
        close(Simplex.project([2, 0]), [1, 0])
        close(Simplex.project([5, 5, 5]), [1.0 / 3, 1.0 / 3, 1.0 / 3])  // shift by a constant
        close(Simplex.project([0.6, 0.5, -1]), [0.55, 0.45, 0])         // τ = 0.05
    }

    func testFusedUpdateAndScanEqualsUpdateThenScan() {
        // The solver's one-pass d += γ(a − b) and scan must give the bits of the two steps apart.
        var rng = RandomSource(seed: 5)
        for n in [1, 4, 7, 33, 1001] {
            let d = (0..<n).map { _ in rng.normal() }, w = (0..<n).map { i in i % 4 == 1 ? 0 : rng.uniform() }
            let a = (0..<n).map { _ in rng.normal() }, b = (0..<n).map { _ in rng.normal() }
            let gamma = 0.37
            var apart = d
            for i in 0..<n { apart[i] += gamma * (a[i] - b[i]) }
            let expected = FrankWolfeScan.extremes(apart, w)
            var fused = d
            let scan = fused.withUnsafeMutableBufferPointer { dp in
                w.withUnsafeBufferPointer { wp in a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                    FrankWolfeScan.pass(dp.baseAddress!, wp.baseAddress!, n, update: (ap.baseAddress!, bp.baseAddress!, gamma))
                } } }
            }
            XCTAssertEqual(fused, apart, "n = \(n)")
            XCTAssertEqual(scan.low.bitPattern, expected.low.bitPattern)
            XCTAssertEqual(scan.lowIndex, expected.lowIndex)
            XCTAssertEqual(scan.high.bitPattern, expected.high.bitPattern)
            XCTAssertEqual(scan.highIndex, expected.highIndex)
            XCTAssertEqual(scan.dot.bitPattern, expected.dot.bitPattern)
        }
    }
}
