import Foundation
import Numerics

/*: estimator
 **The estimator.** Every method below produces weights w on the n₀ control units, w ≥ 0 and
 Σ w = 1, and estimates the ATT by the weighted difference of means

   ATT̂ = (1/n₁) Σ_{T=1} Yᵢ − Σ_{T=0} wᵢ Yᵢ.

 The authors also report an *augmented* version of every estimator: the same weights applied to the
 residuals Y − m̂₀(X) of an outcome model m̂₀ fitted on the controls. We reproduce their OLS
 augmentation (m̂₀ linear in X); their BART augmentation needs a Bayesian tree ensemble that this
 package does not have, and is not run. The methods differ only in how they choose w:

 - **unweighted**: wᵢ = 1/n₀, the naive difference of means;
 - **IPW (logistic)**: fit P(T = 1 | X) by logistic regression on the standardized X (with an
   intercept and the ridge penalty ½||β||² of scikit-learn's default, which the authors' script
   uses), then odds weights wᵢ ∝ p̂ᵢ/(1 − p̂ᵢ), normalized;
 - **CBIPM**: w minimizes an IPM between the weighted controls and the treated,
   d_F(P̂₀^w, P̂₁) = sup_{f ∈ F} |Σ wᵢ f(Xᵢ) − (1/n₁) Σ_{T=1} f(Xⱼ)|, over the simplex (the paper's
   "nonparametric" weights: one free weight per control unit), with F the unit ball of a Gaussian
   RKHS (the MMD) or a family of sigmoids.
 */

/// The weighting methods compared, in table order.
enum Method: Int, CaseIterable {
    case unweighted, ipw, mmdAdam, sigmoid, mmdFrankWolfe

    var name: String {
        switch self {
        case .unweighted: return "unweighted"
        case .ipw: return "IPW (logistic)"
        case .mmdAdam: return "CBIPM-MMD (Adam, authors')"
        case .sigmoid: return "CBIPM-sigmoid"
        case .mmdFrankWolfe: return "CBIPM-MMD (Frank–Wolfe)"
        }
    }

    /// The paper's method as the authors run it, in its two variants (the claims are checked on
    /// these); the Frank–Wolfe row solves the same MMD problem to a tight gap, as a sensitivity check.
    var isPrimaryCBIPM: Bool { self == .mmdAdam || self == .sigmoid }

    static var primary: [Method] { allCases.filter(\.isPrimaryCBIPM) }
    static var baselines: [Method] { [.unweighted, .ipw] }
}

enum Weights {
    /// IPW odds weights p̂/(1 − p̂) on the controls, normalized.
    static func ipw(_ s: KangSchaferSample, ridge: Double) throws -> [Double] {
        //: begin ipw
        let fit = try LogisticRegression(features: s.covariates, labels: s.treated.map { $0 ? 1 : 0 }, ridge: ridge)
        let odds = s.controlIndices.map { fit.probabilities[$0] / (1 - fit.probabilities[$0]) }
        let total = odds.reduce(0, +)
        return odds.map { $0 / total }                       // wᵢ ∝ p̂ᵢ / (1 − p̂ᵢ), Σ w = 1
        //: end ipw
    }

    /// The ATT estimate (1/n₁) Σ_{T=1} yᵢ − Σ_{T=0} wᵢ yᵢ.
    static func att(_ s: KangSchaferSample, weights w: [Double], outcome y: [Double]) -> Double {
        Stats.mean(s.treatedIndices.map { y[$0] }) - zip(w, s.controlIndices).reduce(0) { $0 + $1.0 * y[$1.1] }
    }

    /// The effective number of controls 1/Σwᵢ².
    static func effectiveSampleSize(_ w: [Double]) -> Double { 1 / w.reduce(0) { $0 + $1 * $1 } }
}
