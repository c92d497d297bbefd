import Foundation
import XCTest
import Notebook
import Numerics
@testable import ModelCollapse

/// Model collapse in regression: every claim's quick-mode verdict is pinned, every claim function
/// turns on failing evidence, and the solvers, the chain and the closed forms are checked against
/// hand-computable cases.
final class ModelCollapseTests: XCTestCase {
    static func quickReport() throws -> Report {
        try PaperHarness.cachedQuick(ModelCollapse.info) { try ModelCollapse.run(options: $0, report: $1) }
    }

    func testClaimVerdictsInQuickMode() throws {
        let report = try Self.quickReport()
        XCTAssertEqual(report.claims.map(\.id), ["C1", "C2", "C3", "C4"])
        XCTAssertEqual(PaperHarness.verdict(report, "C1"), .reproduced)   // closed form within its bands
        XCTAssertEqual(PaperHarness.verdict(report, "C2"), .reproduced)   // slope σ₀²d/(T₀−d−1), cross term zero
        // C3: the noise-free bend is seen, but the quick grid stops at T = 512, where the noisy clean
        // curve is still partly bias: its late slope (about −0.77) is steeper than the slow rate's band.
        XCTAssertEqual(PaperHarness.verdict(report, "C3"), .partly)
        XCTAssertEqual(PaperHarness.verdict(report, "C4"), .reproduced)   // the rule keeps the −0.75 rate
    }

    // MARK: - Each claim turns on failing evidence

    func testClaim1TurnsOnAMissedFormula() {
        let good = ExactnessEvidence(settings: [("S1", 1.2, 0.3), ("S2", 0.9, 0.4)])
        XCTAssertEqual(Experiments.claim1(good).verdict, .reproduced)
        let bad = ExactnessEvidence(settings: [("S1", 4.5, 1.7), ("S2", 3.6, 2.0)])
        XCTAssertEqual(Experiments.claim1(bad).verdict, .notReproduced)
        let nan = ExactnessEvidence(settings: [("S1", .nan, .nan)])
        XCTAssertEqual(Experiments.claim1(nan).verdict, .notObserved)
    }

    func testClaim2TurnsOnASlopeOffsetOrACrossTerm() {
        func setting(_ slope: Double, cross: Double, setZ: [Double]) -> GrowthEvidence.PerSetting {
            .init(name: "S", predicted: 0.25, slope: (slope, 0.002), setZ: setZ, crossSlope: (cross, 0.002), rSquared: 0.9999)
        }
        let zs = [0.1, -0.5, 1.2, -1.0, 0.3, 0.8, -0.2, 2.1, -1.4, 0.0]
        XCTAssertEqual(Experiments.claim2(GrowthEvidence(settings: [setting(0.251, cross: 0.001, setZ: zs)])).verdict, .reproduced)
        // The S2 pattern the review flagged: slope 3.5 SE low, carried by a cross term off zero.
        let off = Experiments.claim2(GrowthEvidence(settings: [setting(0.243, cross: -0.008, setZ: zs.map { $0 - 3.5 })]))
        XCTAssertNotEqual(off.verdict, .reproduced)
        XCTAssertEqual(off.checks.filter { !$0.passed }.count, 3)
        // Too few stream sets: that check is not observed, so the claim cannot be reproduced.
        let few = Experiments.claim2(GrowthEvidence(settings: [setting(0.251, cross: 0, setZ: [0.1, 0.2])]))
        XCTAssertEqual(few.checks[1].status, .notObserved)
        XCTAssertEqual(few.verdict, .partly)
    }

    func testClaim3TurnsWithoutABendOrWithANoisyBend() {
        let good = BendEvidence(cleanSlope: -1.55, fakeSlope: -0.42, lateSlope5: -0.62, startRatio: 1.1,
                                noisyLateSlope0: -0.6, noisyLateSlope5: -0.55)
        XCTAssertEqual(Experiments.claim3(good).verdict, .reproduced)
        // No bend: the n = 5 curve keeps the clean rate; and the noisy curve bends after all.
        var bad = good
        bad.lateSlope5 = -1.5; bad.noisyLateSlope5 = -0.2
        XCTAssertEqual(Experiments.claim3(bad).verdict, .partly)
        var all = bad
        all.cleanSlope = -0.5; all.fakeSlope = -1.5; all.startRatio = 3; all.noisyLateSlope0 = -1.5
        XCTAssertEqual(Experiments.claim3(all).verdict, .notReproduced)
        let unseen = BendEvidence(cleanSlope: .nan, fakeSlope: .nan, lateSlope5: nil, startRatio: .nan,
                                  noisyLateSlope0: nil, noisyLateSlope5: nil)
        XCTAssertEqual(Experiments.claim3(unseen).verdict, .notObserved)
    }

    func testClaim4TurnsWhenTheRuleCollapsesToo() {
        let good = RuleEvidence(ruleSlope: -0.76, fixedLateSlope: -0.62, ruleMaxRatio: 1.01)
        XCTAssertEqual(Experiments.claim4(good).verdict, .reproduced)
        let bad = RuleEvidence(ruleSlope: -0.45, fixedLateSlope: -0.62, ruleMaxRatio: 2.5)
        XCTAssertEqual(Experiments.claim4(bad).verdict, .notReproduced)
        let noLate = RuleEvidence(ruleSlope: -0.76, fixedLateSlope: nil, ruleMaxRatio: 1.01)
        XCTAssertEqual(Experiments.claim4(noLate).checks[1].status, .notObserved)
        XCTAssertEqual(Experiments.claim4(noLate).verdict, .partly)
    }

    // MARK: - The simulation: independent replications, a cross term of mean zero

    /// Replications are the same with 1 and 2 threads, no two replications or stream sets share a
    /// draw, and the cross term 2⟨e₀, δ_n⟩_Σ between the clean fit's error and the synthetic-data
    /// error averages to zero (over 600 replications of a small chain, within 3.5 SE), while the
    /// error splits exactly into clean error + fake-data part + cross term.
    func testReplicationsAreIndependentAndTheCrossTermHasMeanZero() throws {
        let s = ChainSetting(design: .powerLaw(dimension: 8, exponent: 1), wStar: Experiments.flatUnitVector(8), t0: 16, t: 12,
                             sigma: 1, sigma0: 0.7, generations: 4, lambdas: [0])
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 1
        let one = try Chain.streamSets(s, sets: 3, reps: 200, family: .settingS2, seed: 5, label: "test")
        Threads.count = 2
        let two = try Chain.streamSets(s, sets: 3, reps: 200, family: .settingS2, seed: 5, label: "test")
        for (a, b) in zip(one, two) {
            for (x, y) in zip(a.samples, b.samples) { XCTAssertEqual(x.error, y.error); XCTAssertEqual(x.fakePart, y.fakePart) }
        }
        let pooled = MonteCarlo.pooled(one)
        let firstErrors = pooled.samples.map { $0.error[0][4] }
        XCTAssertEqual(Set(firstErrors).count, firstErrors.count, "two replications drew the same numbers")
        for n in 1...4 {
            let cross = pooled.summary { MonteCarlo.cross($0, lambda: 0, n: n) }
            XCTAssertLessThan(abs(cross.mean), 3.5 * cross.se, "cross term at n = \(n): \(cross)")
            // The fake-data part of least squares is ||δ_n||²_Σ with mean n σ₀² d/(T₀ − d − 1).
            let fake = pooled.fakePart(lambda: 0, n: n)
            let expected = Double(n) * 0.49 * 8 / 7
            XCTAssertLessThan(abs(fake.mean - expected), 3.5 * fake.se, "fake part at n = \(n): \(fake) vs \(expected)")
        }
        let slope = try pooled.slope(lambda: 0), parts = try Theory.parts(s, lambda: 0)
        XCTAssertLessThan(abs(slope.mean - parts.perGeneration), 3.5 * slope.se)
    }

    // MARK: - The paper's own solvers and closed forms

    /// Ridge with λ = 0 is least squares (against the kernel's QR), the dual (T < d) and primal
    /// (T ≥ d) systems give the explicit formula, and λ = 0 with T < d interpolates with minimum norm.
    func testRidgeSolversAgainstClosedForms() throws {
        var rng = RandomSource(seed: 7)
        let x = rng.normalMatrix(30, 8)
        let y = rng.normalVector(30)
        let ols = try RidgeRegression(design: x, lambda: 0).fit(y)
        let qr = try leastSquares(x, y)
        for j in 0..<8 { XCTAssertEqual(ols[j], qr[j], accuracy: 1e-10) }

        // Explicit ridge (XᵀX/T + λI)⁻¹Xᵀy/T in both shapes.
        for (t, d) in [(12, 5), (5, 12)] {
            let xs = rng.normalMatrix(t, d), ys = rng.normalVector(t)
            let lambda = 0.3
            var a = gram(xs)
            for i in 0..<a.storage.count { a.storage[i] /= Double(t) }
            for i in 0..<d { a[i, i] += lambda }
            let rhs = gemv(xs, ys, transposed: true).map { $0 / Double(t) }
            let expected = try CholeskyFactorization(a).solve(rhs)
            let ridge = try RidgeRegression(design: xs, lambda: lambda)
            XCTAssertEqual(ridge.primal, t >= d)
            let got = ridge.fit(ys)
            for j in 0..<d { XCTAssertEqual(got[j], expected[j], accuracy: 1e-10) }
            // The matrix form fits each column like the vector form.
            let both = ridge.fit(Matrix(rows: t, cols: 2, elements: (0..<t).flatMap { [ys[$0], 2 * ys[$0]] }))
            for j in 0..<d { XCTAssertEqual(both[j, 1], 2 * expected[j], accuracy: 1e-10) }
        }

        // Minimum-norm interpolation when T < d and λ = 0.
        let xw = rng.normalMatrix(4, 10), yw = rng.normalVector(4)
        let w = try RidgeRegression(design: xw, lambda: 0).fit(yw)
        let residual = Vector.subtract(gemv(xw, w), yw)
        XCTAssertLessThan(Vector.norm(residual), 1e-10)
        // w lies in the row space of X: w = Xᵀα.
        let alpha = try leastSquares(xw.transposed, w)
        XCTAssertLessThan(Vector.distance(gemv(xw, alpha, transposed: true), w), 1e-10)

        // A rank-deficient design cannot be fitted without a penalty: a named kernel error.
        var singular = rng.normalMatrix(10, 3)
        for i in 0..<10 { singular[i, 2] = singular[i, 0] }
        XCTAssertThrowsError(try RidgeRegression(design: singular, lambda: 0)) { error in
            XCTAssertTrue(error is LinearAlgebraError, "\(error)")
        }
    }

    /// The deterministic equivalent for Σ = I has a closed form: κ solves κ² + (1 − λ − γ)κ − λ = 0,
    /// γ = d/T, and df₂ = d/(1 + κ)². For λ = 0 and T > d it reduces to least squares.
    func testRidgeEquivalentClosedForms() throws {
        let d = 40, t = 100
        for lambda in [0.01, 0.5, 3.0] {
            let eq = try RidgeEquivalent(spectrum: Array(repeating: 1, count: d), samples: t, lambda: lambda)
            let gamma = Double(d) / Double(t)
            let b = 1 - lambda - gamma
            let kappa = (-b + (b * b + 4 * lambda).squareRoot()) / 2
            XCTAssertEqual(eq.kappa, kappa, accuracy: 1e-12 * Swift.max(1, kappa))
            XCTAssertEqual(eq.df2, Double(d) / ((1 + kappa) * (1 + kappa)), accuracy: 1e-9)
        }
        let ols = try RidgeEquivalent(spectrum: (1...d).map { 1 / Double($0) }, samples: t, lambda: 0)
        XCTAssertEqual(ols.kappa, 0)
        XCTAssertEqual(ols.perturbationGain, Double(d), accuracy: 1e-12)
        XCTAssertEqual(ols.variance(noise: 2), 4 * Double(d) / Double(t - d), accuracy: 1e-12)
        // Over-parameterized ridgeless (d > T): κ > 0 solves df₁(κ) = T.
        let over = try RidgeEquivalent(spectrum: Array(repeating: 1, count: 200), samples: 100, lambda: 0)
        XCTAssertEqual(over.df1, 100, accuracy: 1e-8)
        XCTAssertThrowsError(try RidgeEquivalent(spectrum: Array(repeating: 1, count: 50), samples: 50, lambda: 0))
    }

    /// The chain by hand: without generator noise every generation reproduces w* exactly, so the
    /// downstream error does not depend on n; with one shared design the n-th model is
    /// w* + X₁⁺(E₁ + … + E_n).
    func testChainWithoutNoiseDoesNotCollapse() throws {
        let s = ChainSetting(design: .powerLaw(dimension: 6, exponent: 1), wStar: [1, -1, 0.5, 0, 2, 0.25], t0: 20, t: 15,
                             sigma: 0.5, sigma0: 0, generations: 4, lambdas: [0, 0.1])
        var generators = RandomSource(seed: 3), downstream = RandomSource(seed: 4)
        let sample = try Chain.replicate(s, generators: &generators, downstream: &downstream, label: "noise-free chain")
        for l in 0..<2 {
            for n in 1...4 {
                XCTAssertEqual(sample.error[l][n], sample.error[l][0], accuracy: 1e-12 * Swift.max(1, sample.error[l][0]))
                XCTAssertLessThan(sample.fakePart[l][n], 1e-20)
            }
        }
        // The closed form: least squares, n = 0 is σ²d/(T − d − 1) and each generation adds σ₀²d/(T₀ − d − 1).
        var noisy = s
        noisy.sigma0 = 2
        let parts = try Theory.parts(noisy, lambda: 0)
        XCTAssertEqual(parts.clean, 0.25 * 6 / 8, accuracy: 1e-15)
        XCTAssertEqual(parts.perGeneration, 4 * 6 / 13, accuracy: 1e-15)
        var tooFew = s
        tooFew.t0 = 7
        XCTAssertThrowsError(try Theory.parts(tooFew, lambda: 0))
    }

    /// ||v||²_Σ for a rotated design equals vᵀ U diag(λ) Uᵀ v computed explicitly, and the sample
    /// covariance of a large draw is close to Σ.
    func testGaussianDesignCovariance() throws {
        var rng = RandomSource(seed: 11)
        let u = rng.orthonormalColumns(4, 4)
        let design = GaussianDesign(spectrum: [4, 1, 0.25, 0.0625], basis: u)
        let sigma = matmul(matmul(u, Matrix.diagonal(design.spectrum)), u, transB: true)
        let v = [0.3, -1.2, 0.7, 2.0]
        XCTAssertEqual(design.normSquared(v), Vector.dot(v, sigma.apply(v)), accuracy: 1e-12)
        let x = design.sample(20_000, rng: &rng)
        let cov = gram(x) / 20_000
        for i in 0..<4 { for j in 0..<4 { XCTAssertEqual(cov[i, j], sigma[i, j], accuracy: 0.08) } }
    }
}
