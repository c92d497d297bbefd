import Foundation
import Numerics
import Notebook

enum HardMarginSVM {
    /*: max-margin
     **The hard-margin SVM, solved exactly.** The homogeneous hard-margin problem is
     min ½||w||² subject to yᵢ wᵀzᵢ ≥ 1, and its dual is max_{α ≥ 0} Σ αᵢ − ½||Σ αᵢ yᵢ zᵢ||² with
     w = Σ αᵢ yᵢ zᵢ. The dual has only the bounds α ≥ 0 (no equality constraint, since the bias is folded
     into z as a constant feature), so exact coordinate ascent is a one-line projected Newton step per
     coordinate: αᵢ ← max(0, αᵢ + (1 − yᵢ wᵀzᵢ)/||zᵢ||²), which maximizes the concave quadratic along
     coordinate i. Sweeps repeat until the largest projected-gradient violation is below 1e-11.
     The verification is separate from the solver: from α alone it recomputes w and checks the KKT
     conditions (primal feasibility yᵢ wᵀzᵢ ≥ 1, margins of the support vectors equal to 1,
     complementary slackness αᵢ(yᵢ wᵀzᵢ − 1) = 0) and the duality gap ½||w||² − (Σα − ½||w||²) = 0.
     For a convex QP these certify optimality.
     */
    static func explain(_ report: Report) {
        report.literate("max-margin")
        report.code("svm-step")
    }

    struct Solution {
        var w: [Double]
        var alpha: [Double]
        var sweeps: Int
    }

    struct Certificate {
        var primalInfeasibility: Double   // max(0, 1 − min yᵢ wᵀzᵢ)
        var supportMarginError: Double    // max |yᵢ wᵀzᵢ − 1| over αᵢ > 1e-9·max α
        var complementarity: Double       // max αᵢ |yᵢ wᵀzᵢ − 1|
        var relativeDualityGap: Double    // |Σα − ||w||²| / ||w||²
        var supportVectors: Int
        var residual: Double { Swift.max(primalInfeasibility, supportMarginError, complementarity, relativeDualityGap) }
    }

    /// Dual coordinate ascent; `z` is row-major n × d, `y` ∈ {±1}.
    static func solve(_ z: [Double], _ y: [Double], d: Int, tolerance: Double = 1e-11, maxSweeps: Int = 2_000_000) throws -> Solution {
        let n = y.count
        var alpha = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: d)
        let sq = (0..<n).map { i in (0..<d).reduce(0) { $0 + z[i * d + $1] * z[i * d + $1] } }
        for sweep in 1...maxSweeps {
            var violation = 0.0
            for i in 0..<n {
                //: begin svm-step
                var m = 0.0
                for j in 0..<d { m += w[j] * z[i * d + j] }
                let g = 1 - y[i] * m                                   // ∂D/∂αᵢ = 1 − yᵢ wᵀzᵢ
                violation = Swift.max(violation, alpha[i] > 0 ? abs(g) : Swift.max(0, g))
                let new = Swift.max(0, alpha[i] + g / sq[i])           // exact maximization along αᵢ, projected
                let delta = new - alpha[i]
                if delta != 0 {
                    for j in 0..<d { w[j] += delta * y[i] * z[i * d + j] }
                    alpha[i] = new
                }
                //: end svm-step
            }
            guard violation.isFinite else { throw NumericalFailure.nonFinite("hard-margin SVM dual: violation \(violation) at sweep \(sweep)") }
            if violation < tolerance { return Solution(w: w, alpha: alpha, sweeps: sweep) }
        }
        throw NumericalFailure.failed("hard-margin SVM dual coordinate ascent did not reach tolerance \(tolerance) in \(maxSweeps) sweeps (data not separable?)")
    }

    /// The KKT certificate recomputed from α and the data (w = Σ αᵢ yᵢ zᵢ).
    static func certify(_ alpha: [Double], _ z: [Double], _ y: [Double], d: Int) -> Certificate {
        let n = y.count
        var w = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { w[j] += alpha[i] * y[i] * z[i * d + j] } }
        let margins = (0..<n).map { i in y[i] * (0..<d).reduce(0) { $0 + w[$1] * z[i * d + $1] } }
        let amax = alpha.max() ?? 0
        let support = (0..<n).filter { alpha[$0] > 1e-9 * amax }
        let norm2 = w.reduce(0) { $0 + $1 * $1 }
        return Certificate(
            primalInfeasibility: Swift.max(0, 1 - (margins.min() ?? .nan)),
            supportMarginError: support.map { abs(margins[$0] - 1) }.max() ?? .nan,
            complementarity: (0..<n).map { alpha[$0] * abs(margins[$0] - 1) }.max() ?? .nan,
            relativeDualityGap: abs(alpha.reduce(0, +) - norm2) / norm2,
            supportVectors: support.count)
    }
}
