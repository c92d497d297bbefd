import Foundation
import Numerics
import Notebook

/*: theory
 **The closed form.** Because every generator has T₀ > d samples, X_k has full column rank and
 least squares reproduces its own target exactly: ŵ_k = ŵ_{k−1} + X_k⁺E_k. So after n generations
 ŵ_n = w* + δ_n with δ_n = Σ_k X_k⁺E_k, a sum of n independent zero-mean terms, each with
 covariance σ₀² E(X_kᵀX_k)⁻¹ = σ₀² Σ⁻¹/(T₀ − d − 1) (the mean of an inverse Wishart matrix). The
 downstream ridge fit is linear in its labels, so ŵ_n^pred − w* = (the clean-data error) + RΣ̂δ_n
 with R = (Σ̂ + λ)⁻¹, Σ̂ = XᵀX/T, and the cross term has mean zero. Hence

     E_test(n) = E_test(0) + n · σ₀² · G/(T₀ − d − 1),    G = E tr(Σ⁻¹ Σ̂R Σ RΣ̂).

 - Least squares downstream (λ = 0, T ≥ d + 2): Σ̂R = I, G = d and E_test(0) = σ² d/(T − d − 1),
   so E_test(n) = σ² d/(T − d − 1) + n σ₀² d/(T₀ − d − 1), *exactly*, for every finite d, T, T₀
   and every Σ. With σ₀ = σ and T₀ = T this is (n + 1) σ² d/(T − d − 1).
 - Ridge downstream: E_test(0) ≃ bias + variance and G ≃ df₂ + κ² tr(Σ + κ)⁻² (df₂/T)/(1 − df₂/T),
   from the deterministic equivalents of `RidgeEquivalent` (Regression.swift in this folder),
   valid as d, T → ∞ proportionally, so a finite-size discrepancy of order 1/d is expected.

 The same mean holds if all generators share one design X₁ (then δ_n = X₁⁺ Σ_k E_k). This is
 the shape of the paper's Section 4 result (clean error plus n times a term ∝ σ₀² φ₀/(1 − φ₀),
 φ₀ = d/T₀). The display above is our own derivation in the paper's setting (we did not have
 the paper's theorem statements to hand), and it is what the claims below check.
 */
enum Theory {
    /// (E_test(0), extra error per generation) for downstream penalty λ.
    static func parts(_ s: ChainSetting, lambda: Double) throws -> (clean: Double, perGeneration: Double) {
        let d = s.d
        guard s.t0 > d + 1 else { throw NumericalFailure.failed("closed form needs T₀ > d + 1 (T₀ = \(s.t0), d = \(d))") }
        //: begin closed-form
        let scale = s.sigma0 * s.sigma0 / Double(s.t0 - d - 1)             // σ₀²/(T₀ − d − 1)
        if lambda == 0 && s.t > d + 1 {                                      // least squares: exact
            return (s.sigma * s.sigma * Double(d) / Double(s.t - d - 1), scale * Double(d))
        }
        let eq = try RidgeEquivalent(spectrum: s.design.spectrum, samples: s.t, lambda: lambda)
        let c2 = s.design.coordinates(s.wStar).map { $0 * $0 }
        return (eq.testError(coefficientsSquared: c2, noise: s.sigma), scale * eq.perturbationGain)
        //: end closed-form
    }

    static func testError(_ s: ChainSetting, lambda: Double, n: Int) throws -> Double {
        let p = try parts(s, lambda: lambda)
        return p.clean + Double(n) * p.perGeneration
    }
}
