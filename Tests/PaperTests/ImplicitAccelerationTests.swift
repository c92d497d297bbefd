import Foundation
import XCTest
import Notebook
import Numerics
@testable import ImplicitAcceleration

/// ImplicitAcceleration: the pinned quick-mode verdicts, for every claim a failing input that turns it,
/// and the paper's pieces (the end-to-end formula, the balanced factorizations, the ℓ_p optimum, the
/// circulation quadrature) against mathematics.
final class ImplicitAccelerationTests: XCTestCase {
    func testClaimVerdictsInQuickMode() throws {
        let report = try PaperHarness.cachedQuick(ImplicitAcceleration.info) { try ImplicitAcceleration.run(options: $0, report: $1) }
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)
        // C2: depth beats GD and AdaGrad on ℓ₄ and gives nothing on ℓ₂, but AdaDelta and Adam (tuned on the
        // same grid) are faster than depth; the digits check is not observed (GD needs a handful of steps).
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .reproduced)
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1Turns() {
        func slope(_ s: Double, points: Int = 6) -> OneStep.Slope {
            OneStep.Slope(slope: s, se: 0.001, points: points, etas: [], discrepancies: [])
        }
        let good = OneStep.Evidence(matrix: slope(2), scalar2: slope(2), scalar3: slope(2), unbalanced: slope(1),
                                    vectorFormMismatch: 1e-16, initialImbalance: 1e-16)
        XCTAssertEqual(OneStep.claim(good).verdict, .reproduced)
        var wrong = good
        wrong.matrix = slope(1); wrong.scalar2 = slope(1); wrong.scalar3 = slope(1); wrong.unbalanced = slope(2)
        wrong.vectorFormMismatch = 1e-4
        XCTAssertEqual(OneStep.claim(wrong).verdict, .notReproduced)
        var floor = good; floor.matrix = slope(.nan, points: 2)
        XCTAssertEqual(OneStep.claim(floor).checks[0].status, .notObserved)
        XCTAssertEqual(OneStep.claim(floor).verdict, .partly)
    }

    func testClaim2Turns() {
        let good = Acceleration.Evidence(seeds: 5, depth2BeatsGD: 5, depth3BeatsGD: 5, deepBeatsAdaGrad: 5, deepBeatsAdaDelta: 4,
                                         deepBeatsAdam: 4, digitsDepth2BeatsGD: 5, digitsGDSteps: 500, speedup4: 3, speedup2: 1.0,
                                         censored4: false, censored2: false, optimumOK: true)
        XCTAssertEqual(Acceleration.claim(good).verdict, .reproduced)
        var slow = good
        slow.depth2BeatsGD = 1; slow.depth3BeatsGD = 2; slow.deepBeatsAdaGrad = 0; slow.deepBeatsAdaDelta = 0; slow.deepBeatsAdam = 0
        slow.digitsDepth2BeatsGD = 0; slow.speedup4 = 0.8; slow.speedup2 = 3
        XCTAssertEqual(Acceleration.claim(slow).verdict, .notReproduced)
        var easy = good; easy.digitsGDSteps = 12
        XCTAssertEqual(Acceleration.claim(easy).checks.filter { $0.status == .notObserved }.count, 1)
        var broken = good; broken.optimumOK = false
        XCTAssertEqual(Acceleration.claim(broken).verdict, .notObserved)
    }

    func testClaim3Turns() {
        func loop(_ n: Int, _ value: Double, coarse: Double, stokes: Double) -> NotAGradient.Loop {
            NotAGradient.Loop(depth: n, p: 4, circulation: value, coarse: coarse, roundOff: 1e-16, stokes: stokes)
        }
        let good = NotAGradient.Evidence(depth2: loop(2, 0.3, coarse: 0.3, stokes: 0.3), depth3: loop(3, 0.5, coarse: 0.5, stokes: 0.5),
                                         gradient: loop(1, 1e-17, coarse: 0, stokes: 0))
        XCTAssertEqual(NotAGradient.claim(good).verdict, .reproduced)
        // A conservative field: circulations at the quadrature noise, Stokes off, the control showing a spurious loop.
        let conservative = NotAGradient.Evidence(depth2: loop(2, 1e-12, coarse: 2e-12, stokes: 1), depth3: loop(3, 1e-12, coarse: 3e-12, stokes: 1),
                                                 gradient: loop(1, 1e-3, coarse: 1e-3, stokes: 0))
        XCTAssertEqual(NotAGradient.claim(conservative).verdict, .notReproduced)
    }

    // MARK: - The paper's pieces against mathematics

    /// At N = 1 the formula is the gradient; at N = 2 with square W it is G (WᵀW)^{1/2} + (WWᵀ)^{1/2} G;
    /// at one output it equals the vector form of Claim 1.
    func testEndToEndFormulaInClosedForms() throws {
        var rng = RandomSource(seed: 5)
        let w = rng.normalMatrix(4, 4), g = rng.normalMatrix(4, 4)
        XCTAssertLessThan((try EndToEnd.preconditioned(w, gradient: g, depth: 1) - g).frobeniusNorm, 1e-14)
        let two = try EndToEnd.preconditioned(w, gradient: g, depth: 2)
        let expected = matmul(g, try SymmetricFunctions.sqrt(matmul(w, w, transA: true)))
            + matmul(try SymmetricFunctions.sqrt(matmul(w, w, transB: true)), g)
        XCTAssertLessThan((two - expected).frobeniusNorm, 1e-12 * expected.frobeniusNorm)
        let v = rng.normalVector(6), gv = rng.normalVector(6)
        for depth in 2...5 {
            let matrix = try EndToEnd.preconditioned(Matrix(rows: 1, cols: 6, elements: v), gradient: Matrix(rows: 1, cols: 6, elements: gv), depth: depth)
            let vector = EndToEnd.vectorForm(v, gradient: gv, depth: depth)
            for i in 0..<6 { XCTAssertEqual(matrix.storage[i], vector[i], accuracy: 1e-12 * Vector.norm(vector)) }
        }
    }

    func testBalancedFactorizationsKeepTheProduct() throws {
        var rng = RandomSource(seed: 9)
        let we = rng.normalMatrix(3, 5)
        let net = try DeepLinearNetwork(balanced: we, depth: 4, hidden: 4, rng: &rng)
        XCTAssertLessThan((net.endToEnd - we).frobeniusNorm, 1e-13 * we.frobeniusNorm)
        XCTAssertLessThan(net.imbalance, 1e-13 * we.frobeniusNorm)
        let v = rng.normalVector(7)
        let scalar = ScalarLayerNetwork(balanced: v, depth: 3)
        for i in 0..<7 { XCTAssertEqual(scalar.endToEnd[i], v[i], accuracy: 1e-14) }
        XCTAssertEqual(Vector.norm(scalar.w), scalar.a[0], accuracy: 1e-14)
        XCTAssertEqual(scalar.a[0], scalar.a[1], accuracy: 1e-14)
    }

    func testLpGradientAndNewtonOptimum() throws {
        var rng = RandomSource(seed: 21)
        let problem = LpRegression.synthetic(n: 40, d: 4, condition: 10, noise: 0.3, p: 4, rng: &rng)
        let w = rng.normalVector(4), g = problem.gradient(w), h = 1e-6
        for i in 0..<4 {
            var up = w; up[i] += h
            var down = w; down[i] -= h
            XCTAssertEqual(g[i], (problem.loss(up) - problem.loss(down)) / (2 * h), accuracy: 1e-7 * max(1, abs(g[i])))
        }
        let opt = try problem.optimum()
        XCTAssertLessThan(opt.gradientNorm, 1e-12 * Vector.norm(problem.gradient([0, 0, 0, 0])))
        for _ in 0..<20 {   // convex: no nearby point is lower
            let nearby = opt.w.map { $0 + 1e-3 * rng.normal() }
            XCTAssertGreaterThanOrEqual(problem.loss(nearby), opt.loss)
        }
    }

    /// Gauss–Legendre with k nodes integrates x^{2k−2} exactly; the circulation of a gradient field is zero
    /// and Stokes' theorem gives the same circulation as the line integral for N = 2.
    func testQuadratures() throws {
        let (nodes, weights) = try NotAGradient.gaussLegendre(6)
        XCTAssertEqual(zip(nodes, weights).reduce(0) { $0 + $1.1 * Foundation.pow($1.0, 10) }, 2.0 / 11, accuracy: 1e-14)
        var rng = RandomSource(seed: 33)
        let problem = LpRegression.synthetic(n: 30, d: 3, condition: 5, noise: 0.2, p: 4, rng: &rng)
        let center = try problem.optimum().w
        let (u, v) = ([1.0, 0, 0], [0.0, 1, 0]), radius = 0.5 * Vector.norm(center)
        let plain = NotAGradient.circulation(problem, depth: 1, center: center, u: u, v: v, radius: radius, points: 64)
        XCTAssertLessThan(abs(plain.value), 1e-13 * plain.absolute)
        let deep = NotAGradient.circulation(problem, depth: 2, center: center, u: u, v: v, radius: radius, points: 128)
        let surface = try NotAGradient.stokes(problem, depth: 2, center: center, u: u, v: v, radius: radius, radial: 16, angular: 64)
        XCTAssertEqual(surface, deep.value, accuracy: 1e-6 * abs(deep.value))
        XCTAssertGreaterThan(abs(deep.value), 1e-6 * deep.absolute)
    }
}
