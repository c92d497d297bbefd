/// The ways a numerical routine in Reprise can refuse to go on. Each case names what failed.
public enum LinearAlgebraError: Error, CustomStringConvertible, Equatable {
    /// Cholesky met a non-positive pivot: the matrix is not (numerically) positive definite.
    case notPositiveDefinite(pivot: Int, value: Double)
    /// A zero pivot: LU met an exactly zero one (or, with `.strict`, one below n·ε times its
    /// column), or a least-squares R / line fit is rank deficient.
    case singular(pivot: Int)
    /// An iterative method did not converge within its iteration budget.
    case noConvergence(routine: String, iterations: Int)
    /// The input contained NaN or an infinity.
    case nonFiniteInput(routine: String)
    /// Shapes do not fit together.
    case dimensionMismatch(String)

    public var description: String {
        switch self {
        case let .notPositiveDefinite(p, v):
            return "matrix is not positive definite: Cholesky pivot \(p) is \(v)"
        case let .singular(p):
            return "matrix is singular: LU pivot \(p) is zero to working precision"
        case let .noConvergence(r, it):
            return "\(r) did not converge in \(it) iterations"
        case let .nonFiniteInput(r):
            return "\(r): input contains NaN or infinity"
        case let .dimensionMismatch(s):
            return "dimension mismatch: \(s)"
        }
    }
}

@inline(__always)
func requireFinite(_ a: Matrix, _ routine: String) throws {
    if a.hasNonFinite { throw LinearAlgebraError.nonFiniteInput(routine: routine) }
}

@inline(__always)
func requireSquare(_ a: Matrix, _ routine: String) throws {
    if !a.isSquare { throw LinearAlgebraError.dimensionMismatch("\(routine) needs a square matrix, got \(a.rows)x\(a.cols)") }
}
