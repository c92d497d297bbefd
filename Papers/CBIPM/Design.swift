import Foundation
import Numerics

/*: design
 **The Kang–Schafer design (Kang & Schafer 2007), as the authors' data generator uses it for the
 ATT.** Four latent confounders Z ~ N(0, I₄). Treatment T ~ Bernoulli(expit(−Z₁ + 0.5 Z₂ − 0.25 Z₃
 − 0.1 Z₄)), so about half the units are treated. The outcome does not depend on T:
 Y = 210 + 27.4 Z₁ + 13.7 Z₂ + 13.7 Z₃ + 13.7 Z₄ + σ ε, ε ~ N(0, 1), so the true ATT is exactly 0
 and every estimate *is* its own error. The analyst never sees Z, only the nonlinear transforms
 X = (exp(Z₁/2), Z₂/(1 + exp(Z₁)) + 10, (Z₁Z₃/25 + 0.6)³, (Z₂ + Z₄ + 20)²), standardized to mean 0
 and variance 1 over the whole sample. A logistic model in X is therefore misspecified for the
 propensity, and a linear model in X is misspecified for the outcome: exactly the situation in which
 the paper says model-based weights fail and IPM balancing does not need a correct model.
 */

/// One simulated data set of the Kang–Schafer design.
struct KangSchaferSample {
    /// Latent confounders Z (n x 4), never shown to the estimators.
    let latent: Matrix
    /// Observed covariates X, standardized over the sample (n x 4).
    let covariates: Matrix
    let treated: [Bool]
    /// 210 + 27.4 Z₁ + 13.7 (Z₂ + Z₃ + Z₄): the noiseless outcome.
    let signal: [Double]
    /// ε ~ N(0, 1); the outcome at noise level σ is signal + σ ε (common random numbers across σ).
    let noise: [Double]

    var count: Int { treated.count }
    var treatedIndices: [Int] { (0..<count).filter { treated[$0] } }
    var controlIndices: [Int] { (0..<count).filter { !treated[$0] } }

    func outcome(sigma: Double) -> [Double] { zip(signal, noise).map { $0 + sigma * $1 } }

    static let propensityCoefficients = [-1.0, 0.5, -0.25, -0.1]
    static let outcomeCoefficients = [27.4, 13.7, 13.7, 13.7]
    static let outcomeIntercept = 210.0

    /// The observed transform of one latent row.
    static func observe(_ z: [Double]) -> [Double] {
        //: begin observe
        [Foundation.exp(z[0] / 2),
         z[1] / (1 + Foundation.exp(z[0])) + 10,
         Foundation.pow(z[0] * z[2] / 25 + 0.6, 3),
         Foundation.pow(z[1] + z[3] + 20, 2)]
        //: end observe
    }

    /// Draws n units: per unit Z (4 normals), then U for the treatment, then ε, in that order.
    static func draw(n: Int, rng: inout RandomSource) -> KangSchaferSample {
        var z = Matrix(rows: n, cols: 4), raw = Matrix(rows: n, cols: 4)
        var treated = [Bool](repeating: false, count: n)
        var signal = [Double](repeating: 0, count: n), noise = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let zi = (0..<4).map { _ in rng.normal() }
            z.setRow(i, zi)
            raw.setRow(i, observe(zi))
            let logit = Vector.dot(propensityCoefficients, zi)
            treated[i] = LogisticRegression.sigmoid(logit) > rng.uniform()
            signal[i] = outcomeIntercept + Vector.dot(outcomeCoefficients, zi)
            noise[i] = rng.normal()
        }
        return KangSchaferSample(latent: z, covariates: standardize(raw), treated: treated, signal: signal, noise: noise)
    }

    /// Columns to mean 0 and (population) variance 1, as scikit-learn's StandardScaler.
    static func standardize(_ x: Matrix) -> Matrix {
        var out = x
        for j in 0..<x.cols {
            let c = x.column(j)
            let m = Stats.mean(c)
            let sd = (c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(c.count)).squareRoot()
            out.setColumn(j, c.map { sd > 0 ? ($0 - m) / sd : 0 })
        }
        return out
    }

    /// The authors' outcome-model augmentation (their `aug-OLS` column): Y minus the prediction of
    /// an ordinary least-squares fit of Y on (1, X) over the controls only. Weighting the residuals
    /// instead of Y gives the augmented (doubly robust style) ATT estimate.
    func olsResiduals(_ y: [Double]) throws -> [Double] {
        let design = LogisticRegression.withIntercept(covariates)
        let controls = design.rows(controlIndices)
        let beta = try CholeskyFactorization(gram(controls)).solve(controls.applyTransposed(controlIndices.map { y[$0] }))
        return zip(y, gemv(design, beta)).map { $0 - $1 }
    }
}
