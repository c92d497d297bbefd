import XCTest
@testable import Numerics

// A NaN fed to any public function of the kernel must come out as a NaN (or, for routines that
// check their input, as a named `LinearAlgebraError`), never as a plausible finite number.
// `Swift.max` and `Sequence.max()` drop a NaN unless it comes first, which is how norms once
// returned finite values for matrices holding a NaN; so every case is tried with the NaN first,
// in the middle and last.

final class NaNPropagationTests: XCTestCase {
    /// The outcome of one call: NaN somewhere in the result, a LinearAlgebraError, or neither.
    enum Outcome: Equatable { case nan, error(LinearAlgebraError), finite(String) }

    static func outcome(_ body: () throws -> [Double]) -> Outcome {
        do {
            let r = try body()
            return r.contains(where: { $0.isNaN }) ? .nan : .finite("\(r.prefix(6))")
        } catch let e as LinearAlgebraError {
            return .error(e)
        } catch {
            return .finite("unexpected error \(error)")
        }
    }

    /// Asserts that every case gives NaN or a LinearAlgebraError (and, when `wanted` is given, that
    /// the error is that one).
    func check(_ name: String, wanted: LinearAlgebraError? = nil, file: StaticString = #filePath, line: UInt = #line,
               _ body: () throws -> [Double]) {
        switch NaNPropagationTests.outcome(body) {
        case .nan: break
        case .error(let e):
            if let w = wanted { XCTAssertEqual(e, w, name, file: file, line: line) }
        case .finite(let s):
            XCTFail("\(name): a NaN in the input gave the finite result \(s)", file: file, line: line)
        }
    }

    /// A well-conditioned symmetric positive definite 4 x 4 matrix.
    static let base: Matrix = {
        var a = Matrix(rows: 4, cols: 4) { i, j in 1.0 / Double(i + j + 1) }
        for i in 0..<4 { a[i, i] += 2 }
        return a
    }()

    /// `base` with NaN at (i, j) (and at (j, i), keeping it symmetric).
    static func withNaN(_ i: Int, _ j: Int) -> Matrix {
        var a = base
        a[i, j] = .nan; a[j, i] = .nan
        return a
    }

    /// NaN first, in the middle (off the diagonal), last; all in the lower triangle.
    static let positions = [(0, 0), (2, 1), (3, 3)]

    func testMatrixNormsAndReductions() {
        for (i, j) in NaNPropagationTests.positions {
            let a = NaNPropagationTests.withNaN(i, j), at = "NaN at (\(i), \(j))"
            check("frobeniusNorm, \(at)") { [a.frobeniusNorm] }
            check("norm1, \(at)") { [a.norm1] }
            check("normInf, \(at)") { [a.normInf] }
            check("maxAbs, \(at)") { [a.maxAbs] }
            check("spectralNorm, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { [try a.spectralNorm()] }
            check("nuclearNorm, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { [try a.nuclearNorm()] }
            check("dot, \(at)") { [a.dot(NaNPropagationTests.base)] }
            check("hadamard, \(at)") { a.hadamard(NaNPropagationTests.base).storage }
            check("+, \(at)") { (a + NaNPropagationTests.base).storage }
            check("transposed, \(at)") { a.transposed.storage }
            check("symmetrized, \(at)") { a.symmetrized.storage }
            check("matmul, \(at)") { matmul(a, NaNPropagationTests.base).storage }
            check("matmul (Aᵀ B), \(at)") { matmul(a, NaNPropagationTests.base, transA: true).storage }
            check("gram, \(at)") { gram(a).storage }
            check("apply, \(at)") { a.apply([1, 2, 3, 4]) }
            check("applyTransposed, \(at)") { a.applyTransposed([1, 2, 3, 4]) }
            check("Triangular.solveLower, \(at)") { Triangular.solveLower(a, [1, 2, 3, 4]) }
            check("Triangular.solveUpper, \(at)") { Triangular.solveUpper(a.transposed, [1, 2, 3, 4]) }
            check("Triangular.solveUpperTransposed, \(at)") { Triangular.solveUpperTransposed(a, [1, 2, 3, 4]) }
            if i == j { check("trace, \(at)") { [a.trace] } }
            XCTAssertTrue(a.hasNonFinite, "hasNonFinite, \(at)")
        }
        // An infinity is no NaN: the norms are ∞.
        var inf = NaNPropagationTests.base
        inf[2, 1] = -.infinity
        XCTAssertEqual(inf.norm1, .infinity)
        XCTAssertEqual(inf.normInf, .infinity)
        XCTAssertEqual(inf.maxAbs, .infinity)
        XCTAssertEqual(inf.frobeniusNorm, .infinity)
    }

    func testVectorsAndStatistics() {
        for k in [0, 2, 4] {
            var x: [Double] = [3, -1, 4, 1, 5]
            x[k] = .nan
            let y: [Double] = [1, 2, 3, 4, 5]
            let at = "NaN at \(k)"
            check("Vector.dot, \(at)") { [Vector.dot(x, y)] }
            check("Vector.norm, \(at)") { [Vector.norm(x)] }
            check("Vector.normInf, \(at)") { [Vector.normInf(x)] }
            check("Vector.norm1, \(at)") { [Vector.norm1(x)] }
            check("Vector.distance, \(at)") { [Vector.distance(x, y)] }
            check("Vector.add, \(at)") { Vector.add(x, y) }
            check("Vector.subtract, \(at)") { Vector.subtract(y, x) }
            check("Vector.scaled, \(at)") { Vector.scaled(x, 2) }
            check("Vector.axpy, \(at)") { var z = y; Vector.axpy(2, x, &z); return z }
            check("Stats.mean, \(at)") { [Stats.mean(x)] }
            check("Stats.variance, \(at)") { [Stats.variance(x)] }
            check("Stats.std, \(at)") { [Stats.std(x)] }
            check("Stats.standardError, \(at)") { [Stats.standardError(x)] }
            check("Stats.rms, \(at)") { [Stats.rms(x)] }
            check("Stats.median, \(at)") { [Stats.median(x)] }
            for q in [0, 0.25, 1] { check("Stats.quantile(\(q)), \(at)") { [Stats.quantile(x, q)] } }
            check("LineFit x, \(at)", wanted: .nonFiniteInput(routine: "LineFit")) { [try LineFit(x: x, y: y).slope] }
            check("LineFit y, \(at)", wanted: .nonFiniteInput(routine: "LineFit")) { [try LineFit(x: y, y: x).slope] }
            check("LineFit.logLog, \(at)") { [try LineFit.logLog(x: y, y: x.map(abs)).slope] }
            check("LineFit.logLinear, \(at)") { [try LineFit.logLinear(x: y, y: x.map(abs)).slope] }
        }
        // The linear program checks its data.
        var lp = LinearProgram(maximize: [1, .nan])
        lp.add([1, 1], .lessOrEqual, 1)
        check("LinearProgram.solve (objective)", wanted: .nonFiniteInput(routine: "LinearProgram.solve")) {
            [try lp.solve().value ?? 0]
        }
        var lp2 = LinearProgram(maximize: [1, 1])
        lp2.add([1, .nan], .lessOrEqual, 1)
        check("LinearProgram.solve (constraint)", wanted: .nonFiniteInput(routine: "LinearProgram.solve")) {
            [try lp2.solve().value ?? 0]
        }
    }

    func testFactorizationsEigenAndSVD() {
        for (i, j) in NaNPropagationTests.positions {
            let a = NaNPropagationTests.withNaN(i, j), at = "NaN at (\(i), \(j))"
            let b: [Double] = [1, 2, 3, 4]
            check("LUFactorization, \(at)", wanted: .nonFiniteInput(routine: "LU")) { try LUFactorization(a).lu.storage }
            check("LUFactorization strict, \(at)", wanted: .nonFiniteInput(routine: "LU")) {
                try LUFactorization(a, singularTolerance: .strict).lu.storage
            }
            check("solve, \(at)", wanted: .nonFiniteInput(routine: "LU")) { try solve(a, b) }
            check("solveWithCondition, \(at)", wanted: .nonFiniteInput(routine: "LU")) { try solveWithCondition(a, b).x }
            check("determinant, \(at)", wanted: .nonFiniteInput(routine: "LU")) { [try determinant(a)] }
            check("logDeterminant, \(at)", wanted: .nonFiniteInput(routine: "LU")) { [try logDeterminant(a).logAbs] }
            check("CholeskyFactorization, \(at)", wanted: .nonFiniteInput(routine: "Cholesky")) { try CholeskyFactorization(a).l.storage }
            check("cholesky, \(at)", wanted: .nonFiniteInput(routine: "Cholesky")) { try cholesky(a).storage }
            check("QRFactorization, \(at)", wanted: .nonFiniteInput(routine: "QR")) { try QRFactorization(a).qr.storage }
            check("qr, \(at)", wanted: .nonFiniteInput(routine: "QR")) { try qr(a).r.storage }
            check("leastSquares, \(at)", wanted: .nonFiniteInput(routine: "QR")) { try leastSquares(a, b) }
            check("SVD, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { try SVD(a).singularValues }
            check("svd, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { try svd(a).singularValues }
            check("singularValues, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { try singularValues(a) }
            check("pseudoInverse, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { try pseudoInverse(a).storage }
            check("cond2, \(at)", wanted: .nonFiniteInput(routine: "SVD")) { [try cond2(a)] }
            check("SymmetricEigen, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) { try SymmetricEigen(a).values }
            check("symmetricEigen, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) { try symmetricEigen(a).values }
            check("symmetricEigenvalues, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) { try symmetricEigenvalues(a) }
            check("SymmetricFunctions.apply, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) {
                try SymmetricFunctions.apply(a, exp).storage
            }
            check("SymmetricFunctions.sqrt, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) {
                try SymmetricFunctions.sqrt(a).storage
            }
            check("SymmetricFunctions.inverseSqrt, \(at)", wanted: .nonFiniteInput(routine: "symmetric eigensolver")) {
                try SymmetricFunctions.inverseSqrt(a).storage
            }
        }
        // Wide and tall shapes take other paths through the SVD.
        var wide = NT.gaussian(3, 7, seed: 5), tall = NT.gaussian(20, 4, seed: 6)
        wide[2, 6] = .nan; tall[11, 2] = .nan
        for m in [wide, tall] {
            check("singularValues \(m.rows)x\(m.cols)", wanted: .nonFiniteInput(routine: "SVD")) { try singularValues(m) }
            check("QR \(m.rows)x\(m.cols)", wanted: .nonFiniteInput(routine: "QR")) { try QRFactorization(m).qr.storage }
        }
    }

    func testSolvesWithNaNRightHandSide() throws {
        let a = NaNPropagationTests.base
        let lu = try LUFactorization(a), ch = try CholeskyFactorization(a), q = try QRFactorization(a)
        for k in [0, 2, 3] {
            var b: [Double] = [1, 2, 3, 4]
            b[k] = .nan
            check("LU.solve, NaN at \(k)") { lu.solve(b) }
            check("LU.solveTransposed, NaN at \(k)") { lu.solveTransposed(b) }
            check("Cholesky.solve, NaN at \(k)") { ch.solve(b) }
            check("QR.applyQTransposed, NaN at \(k)") { q.applyQTransposed(b) }
            check("QR.solveLeastSquares, NaN at \(k)") { try q.solveLeastSquares(b) }
            check("LU.solve (matrix), NaN at \(k)") { lu.solve(Matrix.column(b)).storage }
            check("Cholesky.solve (matrix), NaN at \(k)") { ch.solve(Matrix.column(b)).storage }
        }
        check("Cholesky.reciprocalCondition(norm1: NaN)") { [ch.reciprocalCondition(norm1: .nan)] }
    }
}
