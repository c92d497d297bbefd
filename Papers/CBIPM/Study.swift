import Foundation
import Numerics
import Notebook

/// Everything one simulated data set produces.
struct ReplicationResult {
    /// estimates[method][σ index]: the ATT estimate (= its error, the true ATT being 0).
    var estimates: [[Double]]
    /// The same weights applied to the OLS residuals (the authors' OLS augmentation).
    var augmented: [[Double]]
    /// mmd[method][evaluation bandwidth index]: the MMD (not squared) of the weighted controls.
    var mmd: [[Double]]
    var heldOutSigmoid: [Double]
    var smdX: [Double]
    var smdZ: [Double]
    var ess: [Double]
    var adam: SolverReport
    var frankWolfe: SolverReport
    var sigmoid: SolverReport
    /// ||w_Adam − w_FW||₁: how far apart the two MMD solvers' weights are (2 = disjoint supports).
    var adamToFrankWolfe: Double
    /// The sigmoid IPM of the CBIPM-sigmoid weights on the family it was fitted to.
    var sigmoidFitted: Double
}

/// The notebook's experiment: setup, simulation, then one analysis per claim.
struct Study {
    let config: CBIPM.Config
    let options: RunOptions
    let report: Report

    var designFile: String { Literate.sibling("Design.swift") }
    var methodsFile: String { Literate.sibling("Methods.swift") }
    var mmdFile: String { Literate.sibling("MMDWeights.swift") }
    var sigmoidFile: String { Literate.sibling("SigmoidWeights.swift") }

    func setup() throws {
        report.section("Setup")
        report.literate("design", file: designFile)
        report.code("observe", file: designFile)
        report.setup(config.settings(quick: options.quick, seed: options.seed))
        report.literate("estimator", file: methodsFile)
        report.code("ipw", file: methodsFile)
        report.literate("mmd", file: mmdFile)
        report.code("adam", file: mmdFile)
        report.code("frankwolfe", file: mmdFile)
        report.literate("sipm", file: sigmoidFile)
        report.code("sipm", file: sigmoidFile)
    }

    /// results[size index][data set].
    func simulate() throws -> [[ReplicationResult]] {
        try config.sampleSizes.enumerated().map { i, n in
            try report.phase("n = \(n): \(config.replications[i]) data sets, \(Method.allCases.count) weightings each") {
                try Threads.map(config.replications[i]) { r in try replicate(n: n, sizeIndex: i, replication: r) }
            }
        }
    }

    func replicate(n: Int, sizeIndex: Int, replication: Int) throws -> ReplicationResult {
        let c = config
        var rng = RandomSource.stream(seed: options.seed, 1000 * (sizeIndex + 1) + replication)
        let s = KangSchaferSample.draw(n: n, rng: &rng)
        let (ti, ci) = (s.treatedIndices, s.controlIndices)
        let label = "n = \(n), data set \(replication)"
        guard ti.count >= 5, ci.count >= 5 else {
            throw NumericalFailure.nonFinite("\(label): only \(ti.count) treated and \(ci.count) controls")
        }
        let xt = s.covariates.rows(ti), xc = s.covariates.rows(ci)
        let family = SigmoidFamily.random(count: c.sigmoidCount, slopeGrid: c.slopeGrid, anchors: s.covariates, rng: &rng)
        let heldOut = SigmoidFamily.random(count: c.heldOutSigmoids, slopeGrid: c.slopeGrid, anchors: s.covariates, rng: &rng)
        let distances = PairwiseDistances(source: xc, target: xt)
        let objectives = c.evaluationBandwidths.map { WeightedMMD(kernel: GaussianKernel(bandwidth: $0), distances: distances) }
        let fitted = c.evaluationBandwidths.firstIndex(of: c.mmdBandwidth).map { objectives[$0] }
            ?? WeightedMMD(kernel: GaussianKernel(bandwidth: c.mmdBandwidth), distances: distances)

        var weights = [[Double]](repeating: [], count: Method.allCases.count)
        weights[Method.unweighted.rawValue] = Simplex.uniform(ci.count)
        weights[Method.ipw.rawValue] = try Weights.ipw(s, ridge: c.ipwRidge)
        let (wAdam, adam) = MMDWeights.adam(fitted, settings: c.adam)
        weights[Method.mmdAdam.rawValue] = wAdam
        let (wFW, frankWolfe) = try MMDWeights.frankWolfe(fitted, relativeTolerance: c.frankWolfeRelativeTolerance,
                                                         maxIterations: c.frankWolfeMaxIterations)
        weights[Method.mmdFrankWolfe.rawValue] = wFW
        let fittedBalance = family.balance(controls: xc, treated: xt)
        let (wSig, sigmoid) = try SigmoidWeights.solve(fittedBalance, tolerance: c.sigmoidTolerance,
                                                      maxIterations: c.sigmoidMaxIterations, stepScale: c.sigmoidStepScale)
        weights[Method.sigmoid.rawValue] = wSig
        for m in Method.allCases {
            let w = weights[m.rawValue]
            guard w.count == ci.count, w.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw NumericalFailure.nonFinite("\(label): \(m.name) weights are not finite and non-negative")
            }
        }

        let outcomes = c.sigmas.map { s.outcome(sigma: $0) }
        let residuals = try outcomes.map { try s.olsResiduals($0) }
        let estimates = weights.map { w in outcomes.map { Weights.att(s, weights: w, outcome: $0) } }
        let augmented = weights.map { w in residuals.map { Weights.att(s, weights: w, outcome: $0) } }
        if (estimates + augmented).joined().contains(where: { !$0.isFinite }) {
            throw NumericalFailure.nonFinite("\(label): a non-finite ATT estimate")
        }
        let heldOutBalance = heldOut.balance(controls: xc, treated: xt)   // features computed once
        return ReplicationResult(
            estimates: estimates, augmented: augmented,
            mmd: weights.map { w in objectives.map { $0.distance(w) } },
            heldOutSigmoid: weights.map { heldOutBalance.ipm($0) },
            smdX: weights.map { Balance.meanAbsSMD(s.covariates, treated: ti, controls: ci, weights: $0) },
            smdZ: weights.map { Balance.meanAbsSMD(s.latent, treated: ti, controls: ci, weights: $0) },
            ess: weights.map(Weights.effectiveSampleSize),
            adam: adam, frankWolfe: frankWolfe, sigmoid: sigmoid,
            adamToFrankWolfe: zip(wAdam, wFW).reduce(0) { $0 + abs($1.0 - $1.1) },
            sigmoidFitted: fittedBalance.ipm(wSig))
    }
}
