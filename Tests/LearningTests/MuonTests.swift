import Foundation
import XCTest
import Numerics
import Learning

/// Newton–Schulz, the exact polar factor, the spectral constraints and the Muon step, against
/// mathematics: the SVD of the kernel, the scalar polynomial on each singular value, small cases by hand.
final class MuonTests: XCTestCase {
    /// A random m x n matrix with singular values `s` (random orthonormal factors).
    func matrix(_ m: Int, _ n: Int, _ s: [Double], seed: UInt64 = 7) -> Matrix {
        var rng = RandomSource(seed: seed)
        let u = rng.orthonormalColumns(m, s.count), v = rng.orthonormalColumns(n, s.count)
        return matmul(matmul(u, Matrix.diagonal(s)), v, transB: true)
    }

    func maxAbsDiff(_ a: Matrix, _ b: Matrix) -> Double { (a - b).maxAbs }

    func testPolarFactorMaximizesTheInnerProduct() throws {
        let s = [3.0, 2.0, 1.0, 0.5]
        let g = matrix(6, 4, s)
        let o = try Spectral.polarFactor(g)
        // ⟨G, U Vᵀ⟩ = nuclear norm; U Vᵀ has all singular values 1.
        XCTAssertEqual(g.dot(o), s.reduce(0, +), accuracy: 1e-13)
        for x in try singularValues(o) { XCTAssertEqual(x, 1, accuracy: 1e-14) }
        // Any D with ||D||₂ ≤ 1 does no better.
        var rng = RandomSource(seed: 3)
        for _ in 0..<20 {
            let d = rng.normalMatrix(6, 4)
            let dn = d / (try Spectral.norm(d))
            XCTAssertLessThanOrEqual(g.dot(dn), g.dot(o) + 1e-12)
        }
    }

    func testNewtonSchulzActsOnEachSingularValue() throws {
        let s = [2.0, 1.0, 0.3, 0.05]
        let g = matrix(8, 4, s)
        let norm = g.frobeniusNorm
        for ns in [NewtonSchulz.muonQuintic, .lipschitzTransformers, .cubic(iterations: 8)] {
            var iterates: [Matrix] = []
            let x = ns.orthogonalize(g) { _, xk in iterates.append(xk) }
            XCTAssertEqual(iterates.count, ns.steps.count)
            // The iterate is U p(Σ/||G||_F) Vᵀ: compare with the SVD of G, singular value by singular value.
            let expected = s.map { ns.trajectory($0 / norm).last! }.sorted(by: >)
            let got = try singularValues(x)
            for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            // The same singular vectors: X Vᵀ-projection equals U p(Σ) (the wide form gives the same).
            let f = try SVD(g)
            let predicted = Spectral.reassemble(f, f.singularValues.map { ns.trajectory($0 / norm).last! })
            XCTAssertLessThan(maxAbsDiff(x, predicted), 1e-12)
            let wide = ns.orthogonalize(g.transposed)
            XCTAssertLessThan(maxAbsDiff(wide, x.transposed), 1e-12)
        }
        // Many cubic steps converge to the exact polar factor.
        let x = NewtonSchulz.cubic(iterations: 60).orthogonalize(g)
        XCTAssertLessThan(maxAbsDiff(x, try Spectral.polarFactor(g)), 1e-12)
    }

    func testConstraintsSetTheSingularValues() throws {
        let s = [3.0, 1.5, 0.8, 0.2]
        let w = matrix(5, 4, s)
        let sn = try singularValues(SpectralConstraint.normalize(maxNorm: 1).apply(w))
        for (a, b) in zip(sn, s) { XCTAssertEqual(a, b / 3, accuracy: 1e-13) }
        let hc = try singularValues(SpectralConstraint.hardCap(maxNorm: 1).apply(w))
        for (a, b) in zip(hc, s) { XCTAssertEqual(a, min(b, 1), accuracy: 1e-13) }
        let hm = try singularValues(SpectralConstraint.hammer(maxNorm: 1.2).apply(w))
        for (a, b) in zip(hm, [1.5, 1.2, 0.8, 0.2]) { XCTAssertEqual(a, b, accuracy: 1e-13) }
        // Under the bound, normalization and the hard cap change nothing.
        let small = matrix(5, 4, [0.9, 0.1])
        XCTAssertEqual(try SpectralConstraint.hardCap(maxNorm: 1).apply(small), small)
        XCTAssertEqual(try SpectralConstraint.normalize(maxNorm: 1).apply(small), small)
    }

    func testSoftCapMapsTheReachOntoTheBound() throws {
        let (wMax, k) = (1.0, 1.08)
        let alpha = SpectralConstraint.softCapStrength(maxNorm: wMax, reach: k)
        XCTAssertEqual(SpectralConstraint.softCapValue(k, alpha: alpha), wMax, accuracy: 1e-13)
        // Increasing on [0, k], so every singular value in [0, k] lands in [0, w_max].
        var last = 0.0
        for i in 1...100 { let v = SpectralConstraint.softCapValue(k * Double(i) / 100, alpha: alpha); XCTAssertGreaterThan(v, last); last = v }
        let s = [1.08, 0.9, 0.5, 0.01]
        let w = matrix(6, 4, s)
        let capped = try singularValues(SpectralConstraint.softCap(maxNorm: wMax).apply(w, reach: k))
        for (a, b) in zip(capped, s) { XCTAssertEqual(a, SpectralConstraint.softCapValue(b, alpha: alpha), accuracy: 1e-13) }
        XCTAssertEqual(capped[0], 1, accuracy: 1e-12)
        XCTAssertEqual(SpectralConstraint.softCapStrength(maxNorm: 1, reach: 0.9), 0)
    }

    func testHardCapPolynomialApproximatesTheClip() {
        // min(1, σ) to within a few percent on [0.05, 1.5] (the authors' polynomial is an approximation).
        for i in 1...30 {
            let s = 0.05 * Double(i)
            let p = SpectralConstraint.hardCapPolynomial.reduce(s) { $1($0) }
            XCTAssertEqual(p, min(1, s), accuracy: 0.1 * max(s, 0.2))
        }
    }

    func testMuonStepByHand() {
        // 1 x 1: NS of a nonzero scalar m is sign(m)·p(1); the update is −η (√1) sign(m) p(1).
        var w = Matrix([[2.0]])
        var opt = Muon(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
        let p1 = opt.newtonSchulz.trajectory(1).last!
        opt.step(&w, gradient: Matrix([[-3.0]]))
        XCTAssertEqual(w[0, 0], 2 * (1 - 0.1 * 0.5) + 0.1 * p1, accuracy: 1e-15)
        XCTAssertEqual(opt.buffer![0, 0], -0.3, accuracy: 1e-15)
        // Diagonal 2 x 2: the momentum diag(m1, m2) has U Vᵀ = diag(sign); NS gives diag(sign·p(|m|/||m||)).
        var w2 = Matrix(rows: 2, cols: 2)
        var opt2 = Muon(learningRate: 1, momentum: 0, newtonSchulz: .muonQuintic)
        opt2.step(&w2, gradient: Matrix([[3.0, 0], [0, -4.0]]))
        let p = NewtonSchulz.muonQuintic
        XCTAssertEqual(w2[0, 0], -p.trajectory(0.6).last!, accuracy: 1e-14)
        XCTAssertEqual(w2[1, 1], p.trajectory(0.8).last!, accuracy: 1e-14)
        XCTAssertEqual(w2[0, 1], 0, accuracy: 1e-15)
        // A wide 1 x 4 weight: the step is scaled by √(1/4).
        var w3 = Matrix(rows: 1, cols: 4)
        var opt3 = Muon(learningRate: 1, momentum: 0, newtonSchulz: .cubic(iterations: 80))
        opt3.step(&w3, gradient: Matrix([[1.0, 2, 2, 4]]))
        XCTAssertEqual(w3[0, 3], -0.5 * 4 / 5, accuracy: 1e-12)
    }
}
