import Foundation
import XCTest
import Numerics
import Learning

/// The Cayley transform against mathematics: orthonormality to round-off on square, tall and wide
/// inputs, the closed form of a 1 x 1 and a 2 x 1 case, and its pullback against central differences.
final class CayleyTests: XCTestCase {
    func testOrthonormalToRoundOffOnSeveralShapes() throws {
        var rng = RandomSource(seed: 11)
        for (n, m) in [(1, 1), (5, 5), (40, 40), (9, 4), (87, 86), (1, 64), (10, 74), (3, 7)] {
            let w = rng.normalMatrix(n, m, std: 2)
            let c = try CayleyTransform(w)
            XCTAssertEqual(c.output.rows, n); XCTAssertEqual(c.output.cols, m)
            let size = Double(max(n, m))
            XCTAssertLessThan(c.orthonormalityResidual, 50 * size * Double.ulpOfOne, "\(n)x\(m)")
        }
    }

    func testSmallClosedForms() throws {
        // 1 x 1: Z = 0, Q = 1 whatever W (U − Uᵀ = 0).
        XCTAssertEqual(try CayleyTransform(Matrix(rows: 1, cols: 1, elements: [3.7])).output[0, 0], 1, accuracy: 1e-15)
        // 2 x 1, W = [u; v]: Z = v², Q = [(1 − v²)/(1 + v²); −2v/(1 + v²)].
        let v = 0.6
        let q = try CayleyTransform(Matrix(rows: 2, cols: 1, elements: [0.3, v])).output
        XCTAssertEqual(q[0, 0], (1 - v * v) / (1 + v * v), accuracy: 1e-15)
        XCTAssertEqual(q[1, 0], -2 * v / (1 + v * v), accuracy: 1e-15)
        // Square skew part only: W = [[0, a], [0, 0]] gives Z = [[0, a], [−a, 0]], the rotation
        // Q = ((1 − a²) I − 2 Z) / (1 + a²).
        let a = 0.4
        let r = try CayleyTransform(Matrix(rows: 2, cols: 2, elements: [0, a, 0, 0])).output
        XCTAssertEqual(r[0, 0], (1 - a * a) / (1 + a * a), accuracy: 1e-15)
        XCTAssertEqual(r[0, 1], -2 * a / (1 + a * a), accuracy: 1e-15)
        XCTAssertEqual(r[1, 0], 2 * a / (1 + a * a), accuracy: 1e-15)
    }

    func testPullbackAgainstCentralDifferences() throws {
        var rng = RandomSource(seed: 5)
        for (n, m) in [(6, 4), (4, 4), (3, 8), (1, 5)] {
            let w = rng.normalMatrix(n, m)
            let g = rng.normalMatrix(n, m)        // the loss is ⟨G, Q(W)⟩
            let analytic = try CayleyTransform(w).pullback(g)
            let h = 1e-6
            var worst = 0.0
            for k in 0..<w.count {
                var plus = w, minus = w
                plus.storage[k] += h; minus.storage[k] -= h
                let fd = (try CayleyTransform(plus).output.dot(g) - CayleyTransform(minus).output.dot(g)) / (2 * h)
                worst = max(worst, abs(fd - analytic.storage[k]))
            }
            XCTAssertLessThan(worst / max(1, analytic.maxAbs), 1e-7, "\(n)x\(m)")
        }
    }

    func testRejectsNonFiniteInput() {
        XCTAssertThrowsError(try CayleyTransform(Matrix(rows: 2, cols: 2, elements: [1, .nan, 0, 1])))
    }
}
