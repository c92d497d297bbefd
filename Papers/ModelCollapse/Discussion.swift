import Foundation
import Notebook

extension Experiments {
    /// The closing paragraphs: what the reproduction rests on and what it leaves out (no results here:
    /// the experiments' own paragraphs carry those).
    var discussionText: String {
        """
        **What the checks rest on.** The setting (generation 0 is the truth, each generator is least squares on \
        T₀ fresh Gaussian samples labelled by its predecessor plus N(0, σ₀²) noise, the downstream model is ridge \
        on T samples of the n-th generation, error measured against the truth) follows the paper's Figure 4 \
        description. The closed form we check is our own derivation in that setting (see the Setup); for least \
        squares it is exact at finite size, for ridge it uses the standard deterministic equivalents. The power-law \
        exponents −2ℓr, −(1 − ℓ/β) and the critical exponent ℓ_crit = β/(2βr + 1) are those of the paper's \
        Section 5; the regularization rule λ = T^(−ℓ_crit) is the one its Figure 1b uses.

        **Power law.** For the fake-data term to decay at all, the generators' sample size must grow with T: we \
        take the proportionate regime d = T/2, T₀ = T. With a generator budget T₀ fixed while T grows, the \
        formula instead says the curve flattens at the generators' own error n σ₀² d/(T₀ − d − 1). The noise-free \
        grid (σ = 0) lets the clean curve show its own fast rate; the noisy grid shows that the bend is a \
        noise-free phenomenon. σ₀ = 0.03 puts the crossover of the noise-free curve inside the grid; it was \
        chosen from the closed form before simulating.

        **Not covered.** The over-parameterized generators (T₀ < d), where the paper reports exponentially fast \
        collapse even without noise, the kernel / MNIST experiments, and any re-tuning of the constant in the \
        regularization rule.
        """
    }
}
