import Foundation
import Numerics
import Notebook

/// The closing paragraphs, every number formatted from the run.
enum Discussion {
    static func text(over: Incremental.Results, under: UnderParameterized.Results, lab: Lab) -> String {
        let c = lab.config
        let e = over.onsets
        let third = zip(e.sensingSlopes[2], e.sensingPredicted[2]).map { $0 / $1 }
        let bulk = lab.problems.map { $0.initialResidualEigenvalues[2] }
        let noise = [2 * Double(c.n).squareRoot() * lab.problems[0].population.truth.matrix.frobeniusNorm / Double(c.m).squareRoot()]
        let slower = Stats.mean(p.sensingExponents[0]) < Stats.mean(p.populationExponents[0])
            && Stats.mean(p.sensingExponents[1]) < Stats.mean(p.populationExponents[1])
        let comparison = slower
            ? "both below the population powers: the residual matrices of the sensing loss have a bulk of noise eigenvalues that also grow near Z_s, instead of the clean spectrum of M* − Z_s, so the sensing powers are not given by our population formula"
            : "not both below the population powers"
        let p = over.plateau
        func mean(_ x: [Double]) -> String { Fmt.estimate(Stats.mean(x), Stats.standardError(x)) }
        return """
        **Sizes and settings.** The paper's experimental section was not available to us (only its abstract), so n = \(c.n), \
        r* = \(c.r), eigenvalues \(Fmt.list(c.spectrum) { Fmt.g($0, 4) }), m = \(c.m), k = \(c.kOver), η = \(Fmt.g(c.eta)), \
        the α grid and the plateau rule are our choices, fixed before the runs; \(c.seeds) seeds, each with its own M*, \
        operator and initial draw. Theorem numbers are not cited for the same reason.

        **How close, as a power of α.** On the population loss the closest approach to Z_s scales like α^p with p = \
        \(mean(p.populationExponents[0])) (s = 1) and \(mean(p.populationExponents[1])) (s = 2) against our derived \
        \(Fmt.g(p.predictedExponents[0], 3)) and \(Fmt.g(p.predictedExponents[1], 3)). On the sensing loss the powers are \
        \(mean(p.sensingExponents[0])) and \(mean(p.sensingExponents[1])), \(comparison).

        **The third onset on the sensing loss.** The third eigenvalue of R(0) is \(Fmt.list(bulk) { Fmt.g($0, 3) }) per \
        seed, against λ₃ = \(Fmt.g(c.spectrum[2], 3)): it is a noise eigenvalue of the operator (the semicircle edge \
        2√n||M*||_F/√m is \(Fmt.g(noise[0], 3))), not the third direction of M*. Its neighbours are close, so the \
        component that becomes rank 3 grows as a sum of exponentials with nearby rates and reaches its asymptotic growth \
        only at very small α. The fitted slope is \(mean(third)) times the asymptotic value (per-seed ratios \
        \(Fmt.list(third) { Fmt.g($0, 4) })), with minimum R² \(Fmt.g(e.sensingRSquared[2], 5)) for s = 3 against \
        \(Fmt.g(e.sensingRSquared[0], 5)) and \(Fmt.g(e.sensingRSquared[1], 5)) for s = 1, 2: over this grid the third \
        onset is the least linear in ln(1/α). On the population loss all three slopes match 1/ln(1 + ηλ_s) with no \
        such effect.

        **The under-parameterized runs.** With k = \(Fmt.list(c.kUnder.map(Double.init)) { Fmt.g($0) }) every run ends at the \
        second algorithm's Z_k, to a largest relative distance of \(Fmt.sci(under.evidence.maxDistance)), and no run found \
        a lower loss (smallest relative gap \(Fmt.sci(under.evidence.minLossGap))), so GD and projected gradient descent \
        agree on the best rank-k solution. The distance to M* stays at \
        \(Fmt.list(c.kUnder.map { k in Stats.median(under.cells.indices.filter { under.cells[$0].k == k }.map { under.toTruth[$0] }) }) { Fmt.sci($0) }) \
        (medians for each k), the part of M* a rank-k factor cannot hold.
        """
    }
}
