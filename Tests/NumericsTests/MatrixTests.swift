import XCTest
@testable import Numerics

/// Matrix and Vector basics, checked against their definitions.
final class MatrixTests: XCTestCase {
    func testConstructorsAgreeAndAreRowMajor() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(a.rows, 2)
        XCTAssertEqual(a.cols, 3)
        XCTAssertEqual(a.storage, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a, Matrix(rows: 2, cols: 3, elements: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(a, Matrix(rows: 2, cols: 3) { i, j in Double(3 * i + j + 1) })
        XCTAssertEqual(a[1, 2], 6)
        XCTAssertEqual(a.row(1), [4, 5, 6])
        XCTAssertEqual(a.column(2), [3, 6])
        XCTAssertEqual(a.diagonalElements, [1, 5])
        XCTAssertEqual(Matrix([]).shape.rows, 0)
        XCTAssertEqual(Matrix([]).shape.cols, 0)
        XCTAssertEqual(Matrix.diagonal([2, 3]), Matrix([[2, 0], [0, 3]]))
        XCTAssertEqual(Matrix.identity(3).trace, 3)
        XCTAssertEqual(Matrix.column([1, 2]).shape.cols, 1)
    }

    func testRowsGathersInTheOrderGiven() {
        let m = Matrix(rows: 4, cols: 3) { i, j in Double(10 * i + j) }
        XCTAssertEqual(m.rows([2, 0, 2]), Matrix([[20, 21, 22], [0, 1, 2], [20, 21, 22]]))
        XCTAssertEqual(m.rows(1..<3), Matrix([[10, 11, 12], [20, 21, 22]]))
        XCTAssertEqual(m.rows([Int]()).rows, 0)
        XCTAssertEqual(m.rows([Int]()).cols, 3)
    }

    func testTransposeOfNonSquareMatchesDefinition() {
        // Small, and larger than one 32x32 tile in both directions with ragged edges.
        for (m, n) in [(1, 1), (3, 5), (5, 3), (1, 7), (70, 45), (33, 97)] {
            let a = Matrix(rows: m, cols: n) { i, j in Double(1000 * i + j) }
            let t = a.transposed
            XCTAssertEqual(t.rows, n)
            XCTAssertEqual(t.cols, m)
            for i in 0..<m { for j in 0..<n { XCTAssertEqual(t[j, i], a[i, j]) } }
            XCTAssertEqual(t.transposed, a)
        }
        XCTAssertEqual(Matrix(rows: 0, cols: 4).transposed.shape.rows, 4)
    }

    func testIdentityIsNeutralForMultiplication() {
        // 1·x + 0·y is exact in floating point, so equality is exact.
        let a = NT.gaussian(7, 5, seed: 1)
        XCTAssertEqual(Matrix.identity(7) * a, a)
        XCTAssertEqual(a * Matrix.identity(5), a)
        XCTAssertEqual(a.apply([1, 0, 0, 0, 0]), a.column(0))
        XCTAssertEqual(a.applyTransposed([0, 0, 1, 0, 0, 0, 0]), a.row(2))
    }

    func testProductMatchesTripleLoop() {
        // Each entry is a length-k dot product: |fl(c_ij) − c_ij| ≤ k·ε·Σ|a_ik||b_kj|.
        let a = NT.gaussian(9, 13, seed: 2), b = NT.gaussian(13, 6, seed: 3)
        let c = a * b, r = NT.naiveMul(a, b)
        for i in 0..<9 {
            for j in 0..<6 {
                let absSum = (0..<13).reduce(0.0) { $0 + abs(a[i, $1] * b[$1, j]) }
                NT.assertClose(c[i, j], r[i, j], tol: 2 * 13 * NT.eps * absSum, "C[\(i),\(j)]")
            }
        }
    }

    func testSubmatrixAndSetSubmatrixRoundTrip() {
        let a = Matrix(rows: 6, cols: 7) { i, j in Double(10 * i + j) }
        let s = a.submatrix(rows: 2..<5, cols: 1..<4)
        XCTAssertEqual(s, Matrix([[21, 22, 23], [31, 32, 33], [41, 42, 43]]))
        var b = Matrix(rows: 6, cols: 7)
        b.setSubmatrix(at: 2, 1, s)
        for i in 0..<6 {
            for j in 0..<7 {
                let inside = (2..<5).contains(i) && (1..<4).contains(j)
                XCTAssertEqual(b[i, j], inside ? a[i, j] : 0)
            }
        }
        XCTAssertEqual(a.submatrix(rows: 0..<6, cols: 0..<7), a)
        XCTAssertEqual(a.submatrix(rows: 3..<3, cols: 0..<7).count, 0)
    }

    func testElementwiseOperations() {
        let a = Matrix([[1, -2], [3, 4]]), b = Matrix([[5, 6], [-7, 8]])
        XCTAssertEqual(a.hadamard(b), Matrix([[5, -12], [-21, 32]]))
        XCTAssertEqual(a + b, Matrix([[6, 4], [-4, 12]]))
        XCTAssertEqual(a - b, Matrix([[-4, -8], [10, -4]]))
        XCTAssertEqual(-a, Matrix([[-1, 2], [-3, -4]]))
        XCTAssertEqual(2 * a, a * 2)
        XCTAssertEqual(a / 2, Matrix([[0.5, -1], [1.5, 2]]))
        XCTAssertEqual(a.dot(b), 5 - 12 - 21 + 32)
        var c = a
        c.addScaled(b, -1)
        XCTAssertEqual(c, a - b)
        XCTAssertEqual(Matrix([[1, 2], [4, 3]]).symmetrized, Matrix([[1, 3], [3, 3]]))
        XCTAssertFalse(a.hasNonFinite)
        XCTAssertTrue(Matrix([[1, .nan]]).hasNonFinite)
        XCTAssertTrue(Matrix([[.infinity]]).hasNonFinite)
    }

    func testSmallNormsByDefinition() {
        let a = Matrix([[1, -2, 3], [-4, 5, -6]])
        XCTAssertEqual(a.norm1, 9)           // max column sum: |3| + |−6|
        XCTAssertEqual(a.normInf, 15)        // max row sum: 4 + 5 + 6
        XCTAssertEqual(a.maxAbs, 6)
        NT.assertClose(a.frobeniusNorm, 91.0.squareRoot(), tol: 2 * NT.eps * 91.0.squareRoot(), "||A||_F")
        XCTAssertEqual(Matrix(rows: 0, cols: 0).frobeniusNorm, 0)
    }

    func testFrobeniusNormOfHugeEntriesDoesNotOverflow() {
        // Naively Σ a² = 12·10⁴⁰⁰ overflows; the true norm √12·10²⁰⁰ is representable.
        let a = Matrix(rows: 3, cols: 4, repeating: 1e200)
        let expected = 12.0.squareRoot() * 1e200
        XCTAssert(a.frobeniusNorm.isFinite)
        NT.assertClose(a.frobeniusNorm, expected, tol: 8 * NT.eps * expected, "||1e200·ones||_F")
        let b = Matrix([[3e300, 0], [0, -4e300]])
        NT.assertClose(b.frobeniusNorm, 5e300, tol: 4 * NT.eps * 5e300, "3-4-5 at 1e300")
    }

    func testVectorNormOfTinyEntriesDoesNotUnderflow() {
        // Naively (3e-200)² + (4e-200)² underflows to 0.
        NT.assertClose(Vector.norm([3e-200, 4e-200]), 5e-200, tol: 4 * NT.eps * 5e-200, "3-4-5 at 1e-200")
        let v = [Double](repeating: 1e-200, count: 100)
        NT.assertClose(Vector.norm(v), 1e-199, tol: 100 * NT.eps * 1e-199, "||1e-200·ones(100)||")
        // Mixed magnitudes: the tiny entry must not disturb the large one.
        NT.assertClose(Vector.norm([1e-300, 1, 1e-300]), 1, tol: NT.eps, "mixed")
        XCTAssertEqual(Vector.norm([]), 0)
        XCTAssertEqual(Vector.norm([0, 0]), 0)
        XCTAssertEqual(Vector.norm([-2]), 2)
        XCTAssert(Vector.norm([1, .nan, 2]).isNaN)
        XCTAssertEqual(Vector.norm([1, .infinity]), .infinity)
        XCTAssertEqual(Vector.norm([.infinity, -.infinity]), .infinity)
    }

    func testLevelOneVectorOperations() {
        // Lengths that exercise the 8-wide SIMD body and the scalar tail.
        for n in [0, 1, 7, 8, 9, 17, 64] {
            let x = (0..<n).map { Double($0 + 1) }
            let y = (0..<n).map { Double(2 * $0 - 5) }
            let exact = (0..<n).reduce(0.0) { $0 + x[$1] * y[$1] }      // integers: exact
            XCTAssertEqual(Vector.dot(x, y), exact, "n = \(n)")
        }
        var y = [1.0, 2, 3]
        Vector.axpy(2, [1, 1, 1], &y)
        XCTAssertEqual(y, [3, 4, 5])
        XCTAssertEqual(Vector.normInf([1, -7, 3]), 7)
        XCTAssertEqual(Vector.norm1([1, -7, 3]), 11)
        XCTAssertEqual(Vector.add([1, 2], [3, 4]), [4, 6])
        XCTAssertEqual(Vector.subtract([1, 2], [3, 4]), [-2, -2])
        XCTAssertEqual(Vector.scaled([1, 2], 3), [3, 6])
        XCTAssertEqual(Vector.distance([0, 0], [3, 4]), 5)
    }
}
