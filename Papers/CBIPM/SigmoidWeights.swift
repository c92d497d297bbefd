import Foundation
import Numerics

/// A finite family of sigmoid discriminators f_k(x) = 1/(1 + exp(−s_k (u_kᵀx − u_kᵀa_k))): unit
/// directions u_k, slopes s_k, and centres a_k at data points, so that every sigmoid switches
/// inside the data cloud.
struct SigmoidFamily {
    let directions: Matrix   // K x d, unit rows
    let slopes: [Double]
    let offsets: [Double]    // u_kᵀ a_k

    var count: Int { slopes.count }

    /// K sigmoids with directions uniform on the sphere, slopes cycling through `slopeGrid`, and
    /// centres drawn uniformly from the rows of `anchors`.
    static func random(count k: Int, slopeGrid: [Double], anchors: Matrix, rng: inout RandomSource) -> SigmoidFamily {
        let d = anchors.cols
        var dirs = Matrix(rows: k, cols: d)
        var offsets = [Double](repeating: 0, count: k)
        for r in 0..<k {
            var u = (0..<d).map { _ in rng.normal() }
            let norm = Vector.norm(u)
            u = u.map { $0 / norm }
            dirs.setRow(r, u)
            offsets[r] = Vector.dot(u, anchors.row(rng.int(below: anchors.rows)))
        }
        return SigmoidFamily(directions: dirs, slopes: (0..<k).map { slopeGrid[$0 % slopeGrid.count] }, offsets: offsets)
    }

    /// Φ[k, i] = f_k(xᵢ) for the rows xᵢ of `x` (K x n).
    func features(_ x: Matrix) -> Matrix {
        let proj = matmul(directions, x, transB: true)   // K x n: u_kᵀ xᵢ
        var phi = proj
        for k in 0..<count {
            for i in 0..<x.rows {
                phi.storage[k * x.rows + i] = LogisticRegression.sigmoid(slopes[k] * (proj.storage[k * x.rows + i] - offsets[k]))
            }
        }
        return phi
    }

    /// The family's IPM between weighted controls and the treated, with the features of both groups
    /// computed once (every weighting of a data set is scored against the same matrices).
    func balance(controls: Matrix, treated: Matrix) -> SigmoidBalance {
        SigmoidBalance(controlFeatures: features(controls), treatedMeans: features(treated).apply(Simplex.uniform(treated.rows)))
    }
}

/// Φ₀ (K x n₀, the sigmoids at the controls) and m₁ (their treated means).
struct SigmoidBalance {
    let controlFeatures: Matrix
    let treatedMeans: [Double]

    /// max_k |Φ₀w − m₁|_k.
    func ipm(_ w: [Double]) -> Double {
        zip(gemv(controlFeatures, w), treatedMeans).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }
}

enum SigmoidWeights {
    /*: sipm
     **CBIPM with sigmoid discriminators (the paper's parametric IPM).** The paper's parametric
     family is the sigmoids f_θ(x) = 1/(1 + exp(−θᵀx − μ)); its IPM is sup over (θ, μ), a
     non-concave inner maximization that the authors solve by alternating gradient steps between
     the weights and a bank of 100 trainable sigmoids. We solve a closely related problem instead:
     we fix, per data set, a finite bank of K sigmoids (random unit directions u, slopes s from a
     grid, each switching at a random data point) *before* seeing the weights, and solve the
     resulting problem exactly:

       min_{w ∈ Δ} max_k |Σᵢ wᵢ f_k(Xᵢ) − (1/n₁)Σⱼ f_k(Xⱼ)|

     is the matrix game min_w max_p pᵀ(Aw − c) with A = [Φ₀; −Φ₀] and c = [m₁; −m₁] (both signs,
     since |·| is the larger of the two). Mirror-prox with multiplicative updates on both players
     solves it from the uniform weights and stops on the duality gap. The balance it achieves is then
     measured on a *fresh* bank of sigmoids the optimizer never saw (the balance table), so that a
     good score means balance of the family, not of the K functions it was fitted to.
     */
    static func solve(_ balance: SigmoidBalance, tolerance: Double, maxIterations: Int, stepScale: Double) throws -> ([Double], SolverReport) {
        //: begin sipm
        let game = SimplexMinimax(absoluteDeviations: balance.controlFeatures,   // Φ₀: K x n₀
                                  target: balance.treatedMeans)                  // m₁: K treated means
        let solution = try game.solve(tolerance: tolerance, maxIterations: maxIterations, stepScale: stepScale)
        //: end sipm
        let scale = balance.ipm(Simplex.uniform(solution.weights.count))
        return (solution.weights, SolverReport(iterations: solution.iterations, relativeObjective: solution.value / scale,
                                               relativeGap: solution.gap / scale, converged: solution.converged))
    }
}
