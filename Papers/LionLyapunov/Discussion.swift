import Foundation
import Notebook

extension Lab {
    var discussionText: String {
        """
        **What we could read.** Of the paper we could consult the abstract and secondary summaries, not \
        the statements of its theorems, its table of K's or its experiments. The facts we rely on from \
        them: Lion-K is x ← x + ε(∇K(β₁m − (1 − β₁)∇f) − λx) with m ← β₂m − (1 − β₂)∇f (negated momentum); \
        it solves min F(x) = αf(x) + (γ/λ)K*(λx); phase 1 makes the distance to dom K* decay exponentially, \
        phase 2 decreases a Lyapunov function monotonically, and a discrete-time analysis accompanies the \
        continuous one. The explicit coefficient of the Lyapunov function H is our own derivation (see \
        Experiment 3): it has the structure the summaries describe (f, K*, and the Fenchel–Young coupling \
        K*(λx) + K(m) − λmᵀx), but we cannot confirm it is letter for letter the paper's. The four extra K's \
        are our choices, not necessarily the paper's table.

        **Discrete time.** Claim 1 uses the exact discrete inequality (1 − ελ) per step, which is what the \
        continuous rate e^{−λt} becomes for Lion's explicit update. Claim 3 tests H in the sense a \
        continuous-time Lyapunov function can hold for a discrete sign method with fixed β's: one-step rises \
        of order ε², whose sum over a fixed continuous time vanishes with ε. Such rises only appear once the \
        iterates chatter around the solution, so each Lyapunov run covers \(Fmt.g(config.lyapunovTime)) units \
        of continuous time on the quadratic; the exponents are fitted only where every step size showed rises. \
        For Claims 2, 4 and 5 the step size decays linearly to 0 over the last \
        \(Fmt.pct(1 - config.constantFraction, 0)) of each run, a standard schedule; at a constant ε a sign \
        method ends in an O(ε) limit cycle around the solution rather than at it.

        **Problems and sizes.** Both problems are ours: the paper's own experiments are on toy functions and \
        large models (ImageNet, GPT-2), out of reach here. The digits model is multinomial (one softmax over \
        10 classes), full batch (deterministic gradients; the paper also treats stochastic ones), on the \
        first \(config.digitsCount) images; the quadratic has condition number 10. Every claim is decided on \
        one quadratic instance and one data subset: the checks are deterministic properties of each run, not \
        counts over seeds. Quick mode uses fewer images, a smaller quadratic, larger steps and shorter runs.
        """
    }
}
