import Foundation
import Numerics
import Learning
import Notebook

/*: best-rank
 **The second algorithm: the best rank-s solution.** The reference points of the paper's picture
 are the minimizers Z_s of the loss over positive semi-definite matrices of rank at most s. We
 compute them without factors and without small initialization, by projected gradient descent
 on Z (singular value projection): Z ← P_s(Z + τ R(Z)), where P_s keeps the s largest positive
 eigenvalues of a symmetric matrix, started from P_s(R(0)) = P_s((1/m) Σ yᵢ Aᵢ) and stopped when
 a step moves Z by less than 10⁻¹³ relative. On the population loss one step gives the closed
 form Z_s = Σ_{i≤s} σᵢ vᵢ vᵢᵀ. For the sensing loss, Z_s is a rank-constrained stationary point
 (the table shows ||R(Z_s) Z_s||_F), and claim 3 checks independently that GD with k = s never
 reaches a lower loss.
 */
struct RankSolution: Sendable {
    var rank: Int
    var matrix: Matrix
    var loss: Double
    /// Eigenvalues of R(Z_s), descending: their top values set the growth rates around Z_s.
    var residualEigenvalues: [Double]
    /// ||R(Z_s) Z_s||_F / (||R(Z_s)||_F ||Z_s||_F): zero at a stationary point of the rank-s problem.
    var stationarity: Double
    var iterations: Int
    /// The s-th eigenvalue of Z_s.
    var lastEigenvalue: Double
}

enum BestRank {
    /// P_s(S): the best PSD approximation of rank ≤ s of a symmetric S (its s largest eigenvalues, if positive).
    static func project(_ a: Matrix, rank s: Int) throws -> (matrix: Matrix, eigenvalues: [Double]) {
        let e = try symmetricEigen(a.symmetrized)
        let n = a.rows
        var f = Matrix(rows: n, cols: s)
        var kept: [Double] = []
        for j in 0..<s {
            let col = n - 1 - j                                        // ascending order: largest last
            let l = Swift.max(e.values[col], 0)
            kept.append(l)
            let root = l.squareRoot()
            for i in 0..<n { f[i, j] = e.vectors[i, col] * root }
        }
        return (matmul(f, f, transB: true), kept)
    }

    static func solve(_ objective: Objective, rank s: Int, step tau: Double = 1, tolerance: Double = 1e-13,
                      maxIterations: Int = 20_000) throws -> RankSolution {
        let n = objective.truth.matrix.rows
        //: begin svp
        var z = try project(objective.residual(Matrix(rows: n, cols: n)).r, rank: s).matrix   // P_s(R(0))
        var iterations = 0
        while true {
            iterations += 1
            let next = try project(z + tau * objective.residual(z).r, rank: s).matrix          // P_s(Z + τ R(Z))
            let moved = (next - z).frobeniusNorm
            z = next
            if moved <= tolerance * z.frobeniusNorm { break }
            //: end svp
            guard moved.isFinite else { throw NumericalFailure.nonFinite("projected gradient descent for rank \(s) diverged") }
            if iterations >= maxIterations {
                throw NumericalFailure.failed("projected gradient descent for rank \(s) did not converge in \(maxIterations) steps (last move \(moved))")
            }
        }
        let (loss, r) = objective.residual(z)
        let eig = try symmetricEigenvalues(r).reversed().map { $0 }
        let zEig = try symmetricEigenvalues(z).reversed().map { $0 }
        let stationarity = matmul(r, z).frobeniusNorm / Swift.max(r.frobeniusNorm * z.frobeniusNorm, .leastNormalMagnitude)
        return RankSolution(rank: s, matrix: z, loss: loss, residualEigenvalues: eig, stationarity: stationarity,
                            iterations: iterations, lastEigenvalue: zEig[s - 1])
    }
}
