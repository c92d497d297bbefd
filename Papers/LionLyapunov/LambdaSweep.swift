import Foundation
import Numerics
import Learning
import Notebook

// MARK: - Experiment 5: sweeping λ, the box tracks 1/λ

/// Lion's end point and the box reference at one λ.
struct SweepPoint {
    var lambda: Double
    var normInf: Double
    var loss: Double
    var referenceLoss: Double
    /// (f(x_T) − f*)/(f(0) − f*).
    var gap: Double
    var atBound: Int
    var weights: Int
    var accuracy: Double
    var referenceUnconverged: String?
}

/// What Claim 5 is decided on.
struct SweepEvidence {
    var points: [SweepPoint]
}

extension Lab {
    func lambdaSweep() throws {
        let c = config
        report.section("Experiment 5: sweeping λ, the box tracks 1/λ")
        /*: sweep
         **The λ sweep.** On the digits, Lion from x₀ = 0 with ε = (ελ)/λ (the same number of steps to cross
         the box for every λ) and the reference solution of each box problem. If Lion solves the constrained
         problem, its final ||x||_∞ sits on 1/λ (the unconstrained minimizer is at infinity, so some weight
         is always at the bound) and its final loss follows the constrained optimum, which must rise as the
         box shrinks. Only optimal values are compared here, so each Newton solve starts at Lion's final
         point; its KKT residual certifies the value whatever the start.
         */
        report.literate("sweep")
        let f0 = digits.loss(zeroDigits)
        let points = try Threads.map(c.lambdas.count) { i -> SweepPoint in
            let lambda = c.lambdas[i], eps = c.rho / lambda
            let run = try Algorithms.run(digits, optimizer: lion(eps, lambda: lambda), from: zeroDigits,
                                         schedule: StepSchedule(epsilon: eps, steps: c.steps, constantFraction: c.constantFraction),
                                         lyapunov: false, label: "λ = \(Fmt.g(lambda))")
            let ref = lambda == c.lambda ? digitsReference
                : try Algorithms.reference(digits, .l1, lambda: lambda, maxIterations: c.referenceIterations, tolerance: Lab.digitsTolerance,
                                           warmStart: run.final)
            let f = run.loss.last!, fs = digits.loss(ref.x)
            let atBound = Algorithms.activeSet(run.final, radius: 1 / lambda, tolerance: 1e-3 / lambda).filter { $0 != 0 }.count
            return SweepPoint(lambda: lambda, normInf: Vector.normInf(run.final), loss: f, referenceLoss: fs, gap: (f - fs) / (f0 - fs),
                              atBound: atBound, weights: run.final.count, accuracy: model.accuracy(run.final),
                              referenceUnconverged: Lab.unconverged(ref, "the box problem at λ = \(Fmt.g(lambda))"))
        }
        let e = SweepEvidence(points: points)
        /*: claim5
         **Claim 5 (λ sweep).** Criteria fixed before the run: (a) for every λ, λ||x_T||_∞ is within 1% of 1;
         (b) the constrained optimum's loss f*(λ) strictly increases with λ, and so does Lion's final loss;
         (c) at every λ, Lion's relative loss gap to the reference is within 1e-3 of zero.
         */
        report.literate("claim5")
        report.claim(Lab.claim5(e))
        report.table(["λ", "1/λ", "||x_T||_∞", "λ||x_T||_∞", "f(x_T) Lion", "f* (reference)", "relative gap", "weights at the bound", "train accuracy"],
                     points.map { p in
                         [Fmt.g(p.lambda), Fmt.g(1 / p.lambda), Fmt.g(p.normInf, 6), Fmt.g(p.normInf * p.lambda, 6), Fmt.g(p.loss, 6),
                          Fmt.g(p.referenceLoss, 6), Fmt.sci(p.gap), "\(p.atBound) of \(p.weights)", Fmt.pct(p.accuracy)]
                     })
        report.plot(LinePlot(
            title: "digits: final loss against the box half-width 1/λ",
            xLabel: "1/λ (log)", yLabel: "loss", xScale: .log10, yScale: .log10,
            series: [Series("constrained optimum f*(λ)", x: points.map { 1 / $0.lambda }, y: points.map(\.referenceLoss), marker: "o"),
                     Series("Lion, f(x_T)", x: points.map { 1 / $0.lambda }, y: points.map(\.loss), marker: "*", style: .points)]))
    }

    static func claim5(_ e: SweepEvidence) -> Claim {
        let p = e.points
        let increasing = { (y: [Double]) in zip(y, y.dropFirst()).allSatisfy { $0 < $1 } }
        let unconverged = p.compactMap(\.referenceUnconverged).first
        return Claim(
            id: "C5",
            statement: "Sweeping λ: Lion's final ||x||_∞ tracks 1/λ, and the constrained optimum's loss rises as the box shrinks.",
            checks: [
                Check("max over λ of |λ||x_T||_∞ − 1|", measured: p.map { abs($0.normInf * $0.lambda - 1) }.max() ?? .nan, .atMost(0.01), format: "%.3g"),
                Check("f*(λ) and Lion's loss strictly increase with λ", increasing(p.map(\.referenceLoss)) && increasing(p.map(\.loss)),
                      notObserved: p.count < 3 ? "fewer than 3 values of λ" : unconverged),
                Check("max over λ of |relative loss gap|", measured: p.map { abs($0.gap) }.max() ?? .nan, .atMost(1e-3), format: "%.3g",
                      notObserved: unconverged),
            ],
            failsIf: "at some λ Lion's final ||x||_∞ is more than 1% off 1/λ or its loss more than 1e-3 of f(0) − f* off the constrained optimum, or the losses do not rise with λ",
            note: "Digits only, one data subset, the λ values of the setup table.")
    }
}
