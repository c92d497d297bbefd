import Foundation
import Numerics
import Notebook

/// The closing paragraphs, every number formatted from the run.
enum Discussion {
    static func text(over: Incremental.Results, under: UnderParameterized.Results, lab: Lab) -> String {
        let c = lab.config
        let e = over.onsets
        let p = over.plateau
        let third = zip(e.sensingSlopes[2], e.sensingPredicted[2]).map { $0 / $1 }
        let bulk = lab.problems.map { $0.initialResidualEigenvalues[2] }
        let noise = [(2 * Double(c.n) / Double(c.m)).squareRoot() * lab.problems[0].population.truth.matrix.frobeniusNorm]
        let slower = Stats.mean(p.sensingExponents[0]) < Stats.mean(p.populationExponents[0])
            && Stats.mean(p.sensingExponents[1]) < Stats.mean(p.populationExponents[1])
        let comparison = slower
            ? "both below the population powers: the population formula does not carry over to the sensing loss, whose residual matrices add a bulk of noise eigenvalues to the spectrum of M* − Z_s; we did not derive the sensing powers"
            : "not both below the population powers"
        let popRatios = (0..<c.r).map { Stats.mean(e.populationSlopes[$0]) / e.populationPredicted[$0] }
        let bulkSentence = bulk.allSatisfy({ $0 > 1.5 * c.spectrum[2] && abs($0 / noise[0] - 1) < 0.3 })
            ? "on every seed it is well above λ₃ and within 30% of the edge, a noise eigenvalue of the operator rather than the third direction of M*"
            : "it is not on every seed a noise eigenvalue near the edge"
        let linearSentence = e.sensingRSquared[2] < min(e.sensingRSquared[0], e.sensingRSquared[1])
            ? "the third onset is the least linear in ln(1/α)" : "the third onset is not the least linear"
        // The same runs, fitted over the shallow part of the grid only (α ≥ 10⁻⁸): how much the deep part matters for s = 3.
        let shallow = c.alphas.indices.filter { c.alphas[$0] >= 1e-8 }
        var shallowSentence = ""
        if shallow.count >= 3 && shallow.count < c.alphas.count {
            let fits = over.sensing.map { runs in Onsets.fit(shallow.map { runs[$0] }, shallow.map { c.alphas[$0] }, rank: 3) }
            let ratios = zip(fits, e.sensingPredicted[2]).map { ($0?.slope ?? .nan) / $1 }
            let r2 = fits.map { $0?.rSquared ?? .nan }.min() ?? .nan
            let closer = abs(Stats.mean(ratios) - 1) > abs(Stats.mean(third) - 1)
            shallowSentence = " Fitted on the same runs over α ≥ 10⁻⁸ only (\(shallow.count) scales), the s = 3 slope is \(mean(ratios)) times the prediction with minimum R² \(Fmt.g(r2, 5)): " + (closer
                ? "the deeper part of the grid brings the fitted slope closer to its α → 0 value."
                : "the deeper part of the grid does not bring the fitted slope closer to its α → 0 value.")
        }
        let agreeSentence = under.evidence.maxDistance <= c.underTolerance && under.evidence.minLossGap >= -1e-9
            ? "GD and projected gradient descent agree on the best rank-k solution"
            : "GD and projected gradient descent do not agree on every seed"
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
        seed, against λ₃ = \(Fmt.g(c.spectrum[2], 3)) and the noise edge √(2n/m)||M*||_F = \(Fmt.g(noise[0], 3)) of a \
        Wigner matrix with the entry variance of R(0) − M*: \(bulkSentence). The fitted slope for s = 3 is \(mean(third)) \
        times the α → 0 prediction (per-seed ratios \(Fmt.list(third) { Fmt.g($0, 4) })), with minimum R² \
        \(Fmt.g(e.sensingRSquared[2], 5)) against \(Fmt.g(e.sensingRSquared[0], 5)) and \(Fmt.g(e.sensingRSquared[1], 5)) \
        for s = 1, 2 (\(linearSentence)).\(shallowSentence) On the population loss the three slopes are \
        \(Fmt.list(popRatios) { Fmt.g($0, 4) }) times 1/ln(1 + ηλ_s).

        **The under-parameterized runs.** With k = \(Fmt.list(c.kUnder.map(Double.init)) { Fmt.g($0) }) the largest final \
        relative distance to the second algorithm's Z_k over all runs is \(Fmt.sci(under.evidence.maxDistance)) and the \
        smallest relative loss gap L_T/L(Z_k) − 1 is \(Fmt.sci(under.evidence.minLossGap)) (\(agreeSentence)). The \
        distance to M* stays at \
        \(Fmt.list(c.kUnder.map { k in Stats.median(under.cells.indices.filter { under.cells[$0].k == k }.map { under.toTruth[$0] }) }) { Fmt.sci($0) }) \
        (medians for each k), the part of M* a rank-k factor cannot hold.
        """
    }
}
