import Foundation
import Numerics
import Notebook

/// The closing paragraphs, every number formatted from the run.
enum Discussion {
    static func text(exact: ExactCheck.Result, solvers: SolverExperiment.Result, loo: LeaveOneOutExperiment.Result,
                     net: NetworkExperiment.Result, hinge: HingeExperiment.Result, flips: FlipExperiment.Result,
                     config c: InfluenceFunctions.Config) -> String {
        let s = solvers.evidence
        let tops = loo.removals.filter(\.top)
        let ratio = Stats.median(tops.map { $0.predicted / $0.actual })
        let pearsons = net.evidence.pearsons
        let netMean = pearsons.isEmpty ? Double.nan : Stats.mean(pearsons)
        let netSE = pearsons.count > 1 ? Stats.standardError(pearsons) : 0
        return """
        **Sizes and data.** The paper works on MNIST (55,000 training images) and a CNN; this notebook uses the \
        UCI 8x8 digits (\(loo.removals.isEmpty ? 0 : 1347) training images in the logistic regression) and a \
        one-hidden-layer network with P = \(net.parameters) parameters, so that the Hessian can be formed, \
        factored and checked densely. Leave-one-out effects scale as 1/n, so with n about 40 times smaller they are \
        about 40 times larger here; the logistic regression reaches training accuracy \(Fmt.pct(loo.trainAccuracy)) and test \
        accuracy \(Fmt.pct(loo.testAccuracy)).

        **How close is first order?** For the most influential points of the logistic regression the median ratio \
        of predicted to actual change is \(Fmt.g(ratio, 4)); for ridge regression the closed form says the \
        parameters' prediction misses the exact change by the factor 1/(1 − hⱼ), and the measured median relative \
        error falls from \(Fmt.sci(exact.evidence.medianErrors.first ?? .nan, 2)) to \
        \(Fmt.sci(exact.evidence.medianErrors.last ?? .nan, 2)) as n grows from \(c.regressionSizes.first!) to \
        \(c.regressionSizes.last!).

        **Solvers.** Conjugate gradient reached the dense solve to \(Fmt.sci(s.cgError, 2)) in \(s.cgIterations) \
        products. The full-batch LiSSA recursion converged at \(Fmt.sci(s.richardsonRate, 3)) per step against \
        −ln(1 − λ*/s) = \(Fmt.sci(s.predictedRate, 3)) for the slowest mode present in v (λ* = \(Fmt.g(solvers.lambdaStar, 4)), \
        against λ_max = \(Fmt.g(solvers.lambdaMax, 4))), while conjugate gradient's rate depends on the square root of that \
        ratio. The paper's stochastic settings (scale \(Fmt.g(c.lissaScale)), depth \(c.lissaDepth)) truncate that mode at \
        (1 − λ*/s)^depth = \(Fmt.sci(Foundation.pow(1 - solvers.lambdaStar / c.lissaScale, Double(c.lissaDepth)), 2)) and leave a relative \
        error of \(Fmt.sci(s.stochasticError, 2)) in H⁻¹v; the correlation of its predictions with retraining was \
        \(Fmt.g(loo.evidence.pearsonLissa, 4)).

        **The network.** Over \(pearsons.count) initializations the damped influence correlated with retraining at \
        R = \(Fmt.estimate(netMean, netSE)) (mean ± standard error; per seed \(Fmt.list(pearsons) { Fmt.g($0, 3) })), against \
        \(Fmt.g(loo.evidence.pearsonTop, 4)) for the convex model. Without damping (H is positive definite at our θ̂) the \
        same predictions give R = \(Fmt.list(net.seeds.map(\.undamped)) { Fmt.g($0, 3) }): the damping δ = \(Fmt.g(c.damping)) \
        is large against the smallest curvatures of these minima (λ_min(H) from \
        \(Fmt.sci(net.seeds.map(\.lambdaMin).min() ?? .nan, 2)) to \(Fmt.sci(net.seeds.map(\.lambdaMin).max() ?? .nan, 2))), and \
        what remains is the network's departure from its quadratic model over one removal. Our retraining converges to the \
        minimum of the basin of θ̂; the paper's CNN was retrained by 30,000 SGD steps from θ̂.

        **The hinge.** Of the \(hinge.n) training points of the SVM, \(hinge.inside) lie inside the margin (the only \
        points with a nonzero hinge gradient, hence the ones the authors' script retrains: the most influential by the hinge's \
        own influence) and \(hinge.onMargin) exactly on it; removing \(hinge.changed) points changed the test loss at all. \
        Restricted to the points inside the margin the correlations at t = \(Fmt.list(c.temperatures) { Fmt.g($0) }) are \
        \(Fmt.list(hinge.insideR) { Fmt.g($0, 3) }); on the margin they are \(Fmt.list(hinge.onMarginR) { Fmt.g($0, 3) }) \
        (NaN where every prediction is zero; a correlation over \(hinge.inside) points is weak evidence). At the exact solution these points have margin 1 to round-off, so the smooth \
        hinge gives them curvature 1/(4t) and a gradient of half the hinge's: the claim's checks over all points mix both groups.

        **Flipped labels.** Averaged over checking 5% to 30% of the data, self-influence found \
        \(Fmt.g(Stats.mean(flips.evidence.influence), 3)) of the flipped labels, the training loss \
        \(Fmt.g(Stats.mean(flips.evidence.loss), 3)) and random checking \(Fmt.g(Stats.mean(flips.evidence.random), 3)). With ten \
        classes a flipped digit usually has a large loss already; the paper used binary spam data, which this notebook \
        does not test.
        """
    }
}
