import Foundation
import Numerics
import Notebook

/// The closing paragraphs, every number formatted from the run.
enum Discussion {
    static func text(symmetric s: SymmetryExperiment.Results, asymmetric a: InitializationExperiment.Results,
                     config c: OverparamSlowsGD.Config) -> String {
        let p = a.oneStep
        let popFixed = Stats.mean(p.populationRates), senFixed = Stats.mean(p.sensingRates)
        let larger = Stats.mean(a.largerConstantRates)
        func exponentText(_ x: Double) -> String { x.isFinite ? Fmt.g(x, 3) : "not measured (a late-phase fit had fewer than 3 points above the round-off floor)" }
        let popExact = a.population.exactRates, popPredicted = a.population.exactPredicted
        let constantEffect = abs(larger / popFixed - 1) < 0.1
            ? "a change of less than 10%: once the spurious G-columns contract at least as fast as the slowest signal mode, a larger constant cannot speed up the run"
            : "a change of more than 10%"
        let slowerWithAlpha = zip(popExact, popExact.dropFirst()).allSatisfy { $0.0 < $0.1 }
            ? "a larger α leaves a larger imbalance and a slower exact-rank run"
            : "the exact-rank rate is not monotone in α here"
        let smallRatio = p.sensingRates.last.map { $0 / p.sensingExactRate } ?? .nan
        let largeRatio = a.largerM.fixed / a.largerM.exact
        let popRatio = popFixed / p.populationExactRate
        let operatorSentence = abs(largeRatio - 1) < abs(smallRatio - 1) && abs(popRatio - 1) < abs(largeRatio - 1)
            ? "The ratio moves toward the population value as m grows, so the gap in claim 4 belongs to the finite sensing operator, which slows the runs after the step more than the exact-rank run, and not to the step's constant."
            : "The ratio does not move toward the population value as m grows, so this run does not tie the gap in claim 4 to the sensing operator."
        return """
        **Sizes.** The paper's figures use 50 x 50 matrices of rank 3, as its public reviews describe them; this run \
        uses n = \(c.n), r = \(c.r) (full mode n = \(OverparamSlowsGD.Config.full.n), quick mode \
        n = \(OverparamSlowsGD.Config.quick.n) with shorter runs). The paper's experimental section and its equation \
        (5.1) were not available to us (only the abstract and the reviews), so k, m, η, α, κ and the run lengths are \
        our choices, picked so that every run fits in about a minute.

        **What sets the rate after the step.** On the population loss the rates after the step average \
        \(Fmt.g(popFixed, 4)) against the closed form −ln(1 − ησ_r) = \(Fmt.g(p.closedForm, 4)); with a \
        \(Fmt.g(InitializationExperiment.largerConstant))x larger re-balancing constant they average \(Fmt.g(larger, 4)) \
        (\(Fmt.g(larger / popFixed, 3)) times the c = 1 rate), \(constantEffect). The exact-rank population runs measure \(Fmt.list(popExact) { Fmt.g($0, 3) }) \
        for α = \(Fmt.list(c.alphas)), against the closed form \(Fmt.list(popPredicted) { Fmt.g($0, 3) }) computed from \
        their final factors: \(slowerWithAlpha). With m = \(c.m) Gaussian \
        measurements every rate is lower than on the population loss: the exact-rank sensing rate (smallest α) is \
        \(Fmt.g(p.sensingExactRate / p.populationExactRate, 3)) times the population one, the rate after the step \
        \(Fmt.g(senFixed / popFixed, 3)) times. Their ratio is \(Fmt.g(senFixed / p.sensingExactRate, 3)) on the sensing \
        loss against \(Fmt.g(popFixed / p.populationExactRate, 3)) on the population loss. With m = \(c.largerM) \
        measurements (smallest α only) the rate after the step is \(Fmt.g(a.largerM.fixed, 3)) and the exact-rank rate \
        \(Fmt.g(a.largerM.exact, 3)), a ratio of \(Fmt.g(largeRatio, 3)) against \(Fmt.g(smallRatio, 3)) at m = \(c.m) \
        for the same α. \(operatorSentence)

        **The α-exponent.** The rate of plain GD scales with α at the power \(exponentText(a.alpha.exponent)) on the \
        sensing loss and \(exponentText(a.populationExponent)) on the population loss. The paper's statement is a lower \
        bound on the rate, Ω(α²), so a weaker α-dependence would not contradict it; claim 3 tests the α² shape.

        **The 1/T tail.** On the population loss the slope of 1/||Δ_t||_F is \(Fmt.g(s.populationSlope?.slope ?? .nan, 4)) \
        against 4η/√(k−r) = \(Fmt.g(4 * c.eta / Double(c.kOver - c.r).squareRoot(), 4)). The sensing run's log-log slope \
        of the squared error on [T/10, T] is \(Fmt.g(s.sublinear.sensingSlope, 3)); for a 1/(c + bt)² law the local slope \
        is −2bt/(c + bt), shallower than −2 at finite t. The Ω(1/T²) bound holds with positive probability over the \
        initialization, and one initialization is shown.
        """
    }
}
