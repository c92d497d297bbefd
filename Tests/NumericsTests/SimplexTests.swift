import XCTest
@testable import Numerics

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

    func testScanIsTheDocumentedFourLaneLoopBitForBit() {
        // The reference: lane k takes i ≡ k (mod 4) in order (the last n mod 4 go to lane 0), keeps
        // its first minimum, its first maximum over wᵢ > 0 and its own sum of dᵢwᵢ; lanes merge as
        // (0 + 1) + (2 + 3), ties to the smaller index. Values include ties, ±∞, NaN and zero weights.
        func reference(_ d: [Double], _ w: [Double]) -> (low: Double, lowIndex: Int, high: Double, highIndex: Int, dot: Double) {
            let n = d.count, blocked = n - n % 4
            var low = [Double](repeating: .infinity, count: 4), lowIndex = [Int](repeating: .max, count: 4)
            var high = [Double](repeating: -.infinity, count: 4), highIndex = [Int](repeating: .max, count: 4)
            var dot = [Double](repeating: 0, count: 4)
            for i in 0..<n {
                let k = i < blocked ? i % 4 : 0
                if d[i] < low[k] { low[k] = d[i]; lowIndex[k] = i }
                if w[i] > 0 && d[i] > high[k] { high[k] = d[i]; highIndex[k] = i }
                dot[k] += d[i] * w[i]
            }
            func merge(_ a: Int, _ b: Int) -> (Double, Int, Double, Int, Double) {
                var m = (low[a], lowIndex[a], high[a], highIndex[a], dot[a])
                if low[b] < m.0 || (low[b] == m.0 && lowIndex[b] < m.1) { (m.0, m.1) = (low[b], lowIndex[b]) }
                if high[b] > m.2 || (high[b] == m.2 && highIndex[b] < m.3) { (m.2, m.3) = (high[b], highIndex[b]) }
                m.4 = dot[a] + dot[b]
                return m
            }
            let (x, y) = (merge(0, 1), merge(2, 3))
            var m = x
            if y.0 < m.0 || (y.0 == m.0 && y.1 < m.1) { (m.0, m.1) = (y.0, y.1) }
            if y.2 > m.2 || (y.2 == m.2 && y.3 < m.3) { (m.2, m.3) = (y.2, y.3) }
            return (m.0, m.1 == .max ? -1 : m.1, m.2, m.3 == .max ? -1 : m.3, x.4 + y.4)
        }
        var rng = RandomSource(seed: 11)
        let specials: [Double] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, 2.5]
        for n in [1, 2, 3, 4, 5, 8, 11, 16, 37, 100, 203] {
            for trial in 0..<40 {
                let d = (0..<n).map { _ in trial % 2 == 0 ? specials[Int(rng.uniform() * 8)] : (rng.uniform() * 4).rounded() - 2 }
                let w = (0..<n).map { _ in [0, 0, 0.5, 1, 0.25, -1][Int(rng.uniform() * 6)] }
                let scan = FrankWolfeScan.extremes(d, w), expected = reference(d, w)
                let message = "n = \(n), trial \(trial)"
                XCTAssertEqual(scan.low.bitPattern, expected.low.bitPattern, message)
                XCTAssertEqual(scan.lowIndex, expected.lowIndex, message)
                XCTAssertEqual(scan.high.bitPattern, expected.high.bitPattern, message)
                XCTAssertEqual(scan.highIndex, expected.highIndex, message)
                XCTAssertEqual(scan.dot.isNaN, expected.dot.isNaN, message)
                if !expected.dot.isNaN { XCTAssertEqual(scan.dot.bitPattern, expected.dot.bitPattern, message) }
            }
        }
        // A sum whose rounding shows the lanes: 1e16 (ulp 2) swallows each 1 added to it alone. Lane 0
        // gets 1e16 + 1 = 1e16, lanes 1-3 one 1 each, and (1e16 + 1) + (1 + 1) = 1e16 + 2; a sequential
        // sum gives 1e16, and one over eight lanes 1e16 + 4.
        let order = FrankWolfeScan.extremes([1e16, 1, 1, 1, 1, 0, 0, 0], [Double](repeating: 1, count: 8))
        XCTAssertEqual(order.dot, 1e16 + 2)
    }

    /// The solver before the carried sum: the four-lane sum formed at every step.
    private func referenceSolve(_ problem: SimplexQuadratic, tolerance: Double, maxIterations: Int) -> (w: [Double], iterations: Int) {
        let q = problem.quadratic, n = problem.linear.count
        var w = Simplex.project(Simplex.uniform(n)), iteration = 0
        var d = zip(Simplex.symmetricProduct(q, w), problem.linear).map { $0 - $1 }
        var scan = FrankWolfeScan.extremes(d, w)
        while true {
            let (low, high, s, v) = (scan.low, scan.high, scan.lowIndex, scan.highIndex)
            let gap = 2 * (scan.dot - low)
            if gap <= tolerance || iteration == maxIterations || v < 0 || v == s { break }
            iteration += 1
            let curvature = q[s, s] + q[v, v] - 2 * q[s, v]
            let maxStep = w[v]
            let gamma = curvature > 0 ? Swift.min((high - low) / curvature, maxStep) : maxStep
            w[s] += gamma
            if gamma == maxStep { w[v] = 0 } else { w[v] -= gamma }
            if iteration % 5000 == 0 {
                d = zip(Simplex.symmetricProduct(q, w), problem.linear).map { $0 - $1 }
                scan = FrankWolfeScan.extremes(d, w)
            } else {
                scan = d.withUnsafeMutableBufferPointer { dp in w.withUnsafeBufferPointer { wp in
                    q.storage.withUnsafeBufferPointer { qp in
                        FrankWolfeScan.pass(dp.baseAddress!, wp.baseAddress!, n, update: (qp.baseAddress! + s * n, qp.baseAddress! + v * n, gamma))
                    } } }
            }
        }
        let total = w.reduce(0, +)
        return (w.map { $0 / total }, iteration)
    }

    /// A Gaussian-kernel quadratic like CBIPM's: Q = K(source, source), b = K(source, target)·1/m.
    private func kernelProblem(n: Int, m: Int, bandwidth: Double, seed: UInt64) -> SimplexQuadratic {
        var rng = RandomSource(seed: seed)
        let x = (0..<n).map { _ in (0..<3).map { _ in rng.normal() } }
        let y = (0..<m).map { _ in (0..<3).map { _ in rng.normal() + 0.3 } }
        func k(_ a: [Double], _ b: [Double]) -> Double {
            Foundation.exp(-zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * bandwidth * bandwidth))
        }
        let q = Matrix(rows: n, cols: n) { i, j in k(x[i], x[j]) }
        let b = x.map { xi in y.reduce(0) { $0 + k(xi, $1) } / Double(m) }
        return SimplexQuadratic(quadratic: q, linear: b)
    }

    func testCarriedSumGivesTheStepsOfTheSumFormedEveryStep() throws {
        // Sizes around the eight-lane blocks, wide and narrow kernels (near-flat and well-posed
        // objectives), tolerances down to round-off, a step cap, and refreshes (12000 steps).
        var cases = 0
        for (n, bandwidth, seed) in [(5, 1.0, 1), (13, 3.0, 2), (64, 1.0, 3), (67, 10.0, 4), (150, 3.0, 5), (301, 10.0, 6)] {
            let problem = kernelProblem(n: n, m: 40, bandwidth: bandwidth, seed: UInt64(seed))
            let scale = problem.value(Simplex.uniform(n))
            for (relative, cap) in [(1e-3, 1_000_000), (1e-6, 1_000_000), (1e-9, 12_000), (0, 700)] {
                let tolerance = relative * Swift.max(scale, 1e-3)
                let solution = try problem.solve(tolerance: tolerance, maxIterations: cap)
                let reference = referenceSolve(problem, tolerance: tolerance, maxIterations: cap)
                XCTAssertEqual(solution.iterations, reference.iterations, "n = \(n), tolerance \(tolerance)")
                XCTAssertEqual(solution.weights.map(\.bitPattern), reference.w.map(\.bitPattern), "n = \(n), tolerance \(tolerance)")
                cases += 1
            }
        }
        XCTAssertEqual(cases, 24)
    }

    func testCertificateBoundsTheDistanceToTheFormedSum() {
        // Along a long run, the carried sum stays within its bound of the four-lane sum formed at
        // every step; a sign error in the carried change (or a bound without its terms) fails.
        let problem = kernelProblem(n: 203, m: 50, bandwidth: 2, seed: 9)
        let q = problem.quadratic, n = 203
        var w = Simplex.uniform(n)
        var d = zip(Simplex.symmetricProduct(q, w), problem.linear).map { $0 - $1 }
        var certificate = GapCertificate(n: n, qMax: q.maxAbs, weightSum: w.reduce(0, +))
        var scan = FrankWolfeScan.extremes(d, w)
        certificate.refresh(dot: scan.dot, dMax: Vector.normInf(d))
        var worst = 0.0
        for _ in 0..<4000 {
            let (low, high, s, v) = (scan.low, scan.high, scan.lowIndex, scan.highIndex)
            guard v >= 0, v != s else { break }
            let curvature = q[s, s] + q[v, v] - 2 * q[s, v]
            let gamma = curvature > 0 ? Swift.min((high - low) / curvature, w[v]) : w[v]
            let before = (ds: d[s], dv: d[v], ws: w[s], wv: w[v])
            w[s] += gamma
            if gamma == before.wv { w[v] = 0 } else { w[v] -= gamma }
            let (extremes, top, finite) = d.withUnsafeMutableBufferPointer { dp in w.withUnsafeBufferPointer { wp in
                q.storage.withUnsafeBufferPointer { qp in
                    FrankWolfeScan.updateExtremes(dp.baseAddress!, wp.baseAddress!, n, update: (qp.baseAddress! + s * n, qp.baseAddress! + v * n, gamma))
                } } }
            XCTAssertTrue(finite)
            certificate.step(gamma: gamma, before: before, after: (ds: d[s], dv: d[v], ws: w[s], wv: w[v]),
                             linear: (problem.linear[s], problem.linear[v]), dMax: Swift.max(abs(extremes.low), abs(top)))
            scan = FrankWolfeScan.extremes(d, w)
            XCTAssertEqual(extremes.low.bitPattern, scan.low.bitPattern)
            XCTAssertEqual(extremes.lowIndex, scan.lowIndex)
            XCTAssertEqual(extremes.high.bitPattern, scan.high.bitPattern)
            XCTAssertEqual(extremes.highIndex, scan.highIndex)
            let distance = abs(scan.dot - certificate.approximation)
            XCTAssertLessThanOrEqual(distance, certificate.error + certificate.sumBound)
            worst = Swift.max(worst, distance / (certificate.error + certificate.sumBound))
        }
        XCTAssertGreaterThan(worst, 0)   // the carried sum is not the formed one bit for bit
    }
}
