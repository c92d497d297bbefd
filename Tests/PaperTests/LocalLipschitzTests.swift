import Foundation
import XCTest
import Notebook
import Numerics
import Learning
@testable import LocalLipschitz

/// Local Lipschitz constants: quick-mode verdicts pinned, each claim turned by failing evidence, and
/// the bounds on networks whose constant is known by another route.
final class LocalLipschitzTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(LocalLipschitz.info) { try LocalLipschitz.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        let pass = TinyEvidence(radii: [0.1, 0.2], largestGap: [0.02, 0.15], largestGapAfterBaB: 0.01, leastClosedByBaB: 0.9)
        XCTAssertEqual(TinyNetworks.claim1(pass).verdict, .reproduced)
        var loose = pass; loose.largestGap = [0.02, 0.5]                  // far above exact at one radius
        XCTAssertEqual(TinyNetworks.claim1(loose).verdict, .partly)
        var weakBaB = pass; weakBaB.largestGapAfterBaB = 0.3               // BaB leaves ours + BaB far from exact
        XCTAssertEqual(TinyNetworks.claim1(weakBaB).verdict, .partly)
        let fail = TinyEvidence(radii: [0.1, 0.2], largestGap: [0.3, 0.5], largestGapAfterBaB: 0.4, leastClosedByBaB: 0.2)
        XCTAssertEqual(TinyNetworks.claim1(fail).verdict, .notReproduced)
        let none = TinyEvidence(radii: [0.1], largestGap: [.nan], largestGapAfterBaB: .nan, leastClosedByBaB: .nan)
        XCTAssertEqual(TinyNetworks.claim1(none).verdict, .notObserved)
    }

    func testClaim2Turns() {
        let pass = SweepEvidence(violations: [], widestOursOverInterval: 0.4, widestOursOverNaive: 0.1,
                                 deepestOursOverInterval: 0.1, deepestOursOverNaive: 0.01)
        XCTAssertEqual(Sweeps.claim2(pass).verdict, .reproduced)
        var unsound = pass; unsound.violations = ["16-8-8-10: exact 3.1 > ours 3.0"]
        XCTAssertNotEqual(Sweeps.claim2(unsound).verdict, .reproduced)
        let likeInterval = SweepEvidence(violations: ["a", "b"], widestOursOverInterval: 0.95, widestOursOverNaive: 0.7,
                                         deepestOursOverInterval: 1, deepestOursOverNaive: 0.9)
        XCTAssertEqual(Sweeps.claim2(likeInterval).verdict, .notReproduced)
    }

    func testClaim3Turns() {
        let eps = [0.01, 0.1, 0.5]
        func evidence(_ ours: [Double], _ interval: [Double], copies: Int = 5) -> RadiusEvidence {
            RadiusEvidence(epsilons: eps, ours: Array(repeating: ours, count: copies),
                           interval: Array(repeating: interval, count: copies), lower: Array(repeating: [10, 10, 12], count: copies))
        }
        XCTAssertEqual(Radius.claim3(evidence([10, 10.5, 20], [10, 14, 60])).verdict, .reproduced)
        // Interval tight wherever ours is, and ours close to interval on the largest box: the claim fails
        // even though both bounds grow with ε.
        XCTAssertEqual(Radius.claim3(evidence([10, 10.5, 55], [10, 10.6, 60])).verdict, .partly)
        XCTAssertEqual(Radius.claim3(evidence([13, 14, 55], [13, 14, 60])).verdict, .notReproduced)
        // Two of five networks against the rest: below the four fifths required.
        var mixed = evidence([10, 10.5, 20], [10, 14, 60])
        for r in 0..<3 { mixed.ours[r] = [13, 14, 20]; mixed.interval[r] = [13, 14, 60] }
        XCTAssertEqual(Radius.claim3(mixed).verdict, .partly)
        XCTAssertEqual(Radius.claim3(RadiusEvidence(epsilons: eps, ours: [], interval: [], lower: [])).verdict, .notObserved)
    }

    // MARK: - The methods against mathematics

    /// All bounds of one network on one box, with every method.
    func allBounds(_ net: MLP, _ box: InputBox, budget: Int = 200) throws -> (naive: Double, interval: Double, ours: Double, bab: Double, exact: Double, lower: Double) {
        let fb = try XCTUnwrap(LinearBoundPropagation.bounds(net, box: box))
        var work = WorkCounter()
        let classes = net.outputSize
        let interval = (0..<classes).map { Lipschitz.intervalBound(net, bounds: fb, classIndex: $0).value }.max()!
        let roots = (0..<classes).map { j -> Lipschitz.Domain in
            let (v, y) = Lipschitz.linearBound(net, box: box, bounds: fb, classIndex: j, counter: &work)
            return Lipschitz.Domain(classIndex: j, splits: [:], bounds: fb, y: y, value: v, splitCount: 0)
        }
        let ours = roots.map(\.value).max()!
        var rng = RandomSource(seed: 3)
        let lower = Lipschitz.lowerBound(net, box: box, samples: 200, restarts: 2, steps: 5, beta: 50, rng: &rng)
        let bab = Lipschitz.branchAndBound(net, box: box, roots: roots, lowerBound: lower, budget: budget, counter: &work)
        let exact = try Lipschitz.exact(net, box: box, bounds: fb, counter: &work, maxLinearPrograms: 100_000)
        return (Lipschitz.naive(net), interval, ours, bab, exact, lower)
    }

    func testSumOfTwoReLUsHasConstantTwo() throws {
        // f(x) = ReLU(x₁) + ReLU(x₂): gradients (1,1), (1,0), (0,1), (0,0) on the four quadrants.
        let net = MLP(sizes: [2, 2, 1], activations: [.relu, .identity],
                      weights: [Matrix([[1, 0], [0, 1]]), Matrix([[1, 1]])], biases: [[0, 0], [0]])
        // Box across both kinks: L = 2, and every upper bound (even the naive one, 1·2) is 2.
        let across = try allBounds(net, InputBox(center: [0, 0], radius: 1))
        for v in [across.naive, across.interval, across.ours, across.bab, across.exact, across.lower] { XCTAssertEqual(v, 2, accuracy: 1e-9) }
        // Box in the negative quadrant: f ≡ 0, so every local bound is 0 (naive stays 2).
        let dead = try allBounds(net, InputBox(center: [-1, -1], radius: 0.5))
        for v in [dead.interval, dead.ours, dead.bab, dead.exact, dead.lower] { XCTAssertEqual(v, 0, accuracy: 1e-12) }
        // Box across the x₂ kink only (x₁ < 0 throughout): gradients (0, 1) and (0, 0), so L = 1.
        let oneKink = try allBounds(net, InputBox(center: [-1, 0], radius: 0.5))
        XCTAssertEqual(oneKink.exact, 1, accuracy: 1e-12)
        XCTAssertEqual(oneKink.ours, 1, accuracy: 1e-9)
    }

    func testCancellingReLUsDefeatIntervals() throws {
        // f(x) = ReLU(x) − ReLU(−x) = x on ℝ: L = 1 everywhere, but the two ReLUs are both unstable on
        // a box around 0, so σ' ∈ [0, 1] independently gives the interval bound 2.
        let net = MLP(sizes: [1, 2, 1], activations: [.relu, .identity],
                      weights: [Matrix([[1], [-1]]), Matrix([[1, -1]])], biases: [[0, 0], [0]])
        let b = try allBounds(net, InputBox(center: [0], radius: 1))
        XCTAssertEqual(b.exact, 1, accuracy: 1e-12)
        XCTAssertEqual(b.lower, 1, accuracy: 1e-12)
        XCTAssertEqual(b.interval, 2, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(b.ours, 1 - 1e-9)
        // Our BaB clamps split neurons but does not propagate the split constraints (no β-CROWN): the
        // pattern "both active" (only x = 0) survives with gradient norm 2, so BaB cannot go below 2 here.
        XCTAssertEqual(b.bab, 2, accuracy: 1e-9)
    }

    /// The largest ℓ∞→ℓ∞ difference quotient max_j |f_j(x + h s) − f_j(x)| / h over an n×n grid of a 2-D box
    /// and the four sign vectors s ∈ {±1}²: function values only, no gradient and no linear program.
    /// On a linear piece with gradient g the quotient along s = sign(g) is ||g||₁, so it reaches the
    /// exact constant wherever a step of h stays inside the maximizing piece, and never exceeds it.
    func differenceQuotientMax(_ net: MLP, _ box: InputBox, n: Int) -> Double {
        let h = 1e-4 * (box.upper[0] - box.lower[0])
        let signs: [[Double]] = [[1, 1], [1, -1], [-1, 1], [-1, -1]]
        var base = Matrix(rows: n * n, cols: 2)
        for i in 0..<n { for j in 0..<n {
            base[i * n + j, 0] = box.lower[0] + (box.upper[0] - box.lower[0] - h) * Double(i) / Double(n - 1)
            base[i * n + j, 1] = box.lower[1] + h + (box.upper[1] - box.lower[1] - 2 * h) * Double(j) / Double(n - 1)
        } }
        let f0 = net.forward(base)
        var best = 0.0
        for s in signs {
            var moved = base
            for r in 0..<moved.rows {
                moved[r, 0] = Swift.min(box.upper[0], moved[r, 0] + h * s[0])
                moved[r, 1] = Swift.min(box.upper[1], Swift.max(box.lower[1], moved[r, 1] + h * s[1]))
            }
            let f1 = net.forward(moved)
            for r in 0..<f0.rows { for c in 0..<f0.cols { best = Swift.max(best, abs(f1[r, c] - f0[r, c]) / h) } }
        }
        return best
    }

    func testExactAgainstDifferenceQuotientsOnRandomNetworks() throws {
        // Two-input networks of two and three hidden layers: the region enumeration (linear programs)
        // against the definition of the constant evaluated on a grid (function values only).
        var rng = RandomSource(seed: 17)
        for (trial, sizes) in [[2, 7, 5, 3], [2, 6, 6, 4, 3], [2, 10, 2]].enumerated() {
            let net = MLP(sizes: sizes, hidden: .relu, initialization: .he, rng: &rng)
            let box = InputBox(center: [rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)], radius: 0.7)
            let fb = try XCTUnwrap(LinearBoundPropagation.bounds(net, box: box))
            var work = WorkCounter()
            let exact = try Lipschitz.exact(net, box: box, bounds: fb, counter: &work, maxLinearPrograms: 100_000)
            XCTAssertGreaterThan(work.regions, 3, "trial \(trial): the box should cross several regions")
            let quotient = differenceQuotientMax(net, box, n: 241)
            XCTAssertLessThanOrEqual(quotient, exact * (1 + 1e-6), "trial \(trial): a difference quotient above the exact value")
            XCTAssertEqual(quotient, exact, accuracy: 1e-6 * exact, "trial \(trial): the grid should find the maximizing region")
        }
    }

    func testOrderingAndExactAgainstADenseGridOnRandomNetworks() throws {
        var rng = RandomSource(seed: 11)
        for trial in 0..<4 {
            let net = MLP(sizes: [2, 6, 5, 3], hidden: .relu, initialization: .he, rng: &rng)
            let box = InputBox(center: [rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)], radius: 0.6)
            let b = try allBounds(net, box)
            let slack = 1e-9 * b.naive
            XCTAssertLessThanOrEqual(b.lower, b.exact + slack, "trial \(trial)")
            XCTAssertLessThanOrEqual(b.exact, b.bab + slack, "trial \(trial)")
            XCTAssertLessThanOrEqual(b.bab, b.ours + slack, "trial \(trial)")
            XCTAssertLessThanOrEqual(b.ours, b.interval + slack, "trial \(trial)")
            XCTAssertLessThanOrEqual(b.interval, b.naive + slack, "trial \(trial)")
            // A 301 x 301 grid of the box: every grid gradient is some region's, so the grid maximum
            // cannot exceed the exact value; in two dimensions it finds the largest region.
            let n = 301
            var grid = Matrix(rows: n * n, cols: 2)
            for i in 0..<n { for j in 0..<n {
                grid[i * n + j, 0] = box.lower[0] + (box.upper[0] - box.lower[0]) * (Double(i) + 0.5) / Double(n)
                grid[i * n + j, 1] = box.lower[1] + (box.upper[1] - box.lower[1]) * (Double(j) + 0.5) / Double(n)
            } }
            let gridMax = (0..<net.outputSize).map { Lipschitz.rowL1(Lipschitz.gradients(net, grid, classIndex: $0)).max()! }.max()!
            XCTAssertLessThanOrEqual(gridMax, b.exact + slack, "trial \(trial)")
            XCTAssertEqual(gridMax, b.exact, accuracy: 1e-9 * b.exact, "trial \(trial): the grid should hit the maximizing region")
        }
    }
}
