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
        factored and checked densely. With n about 40 times smaller, every leave-one-out effect is about 40 times \
        larger, and the logistic regression reaches training accuracy \(Fmt.pct(loo.trainAccuracy)) and test \
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
        R = \(Fmt.estimate(netMean, netSE)) (mean ± standard error), against \(Fmt.g(loo.evidence.pearsonTop, 4)) \
        for the convex model. Our retraining converges to the minimum of the basin of θ̂; the paper's CNN was \
        retrained by 30,000 SGD steps from θ̂, whose own noise is part of its scatter.

        **The hinge.** Of the \(hinge.n) training points of the SVM, \(hinge.supportVectors) are support vectors and \
        \(hinge.marginPoints) of them lie exactly on the margin; removing any other point leaves the solution \
        unchanged, and \(hinge.changed) removals changed the test loss at all.
        """
    }
}
