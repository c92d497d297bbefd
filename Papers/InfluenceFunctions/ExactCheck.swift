import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 1: ridge regression, where leave-one-out has a closed form.
enum ExactCheck {
    struct Evidence {
        var sizes: [Int]
        /// Per n: median over training points of |predicted − exact| / |exact| (change of the test loss).
        var medianErrors: [Double]
        /// Per n: median leverage h_j = x_jᵀ(XᵀX + nλI)⁻¹x_j.
        var medianLeverage: [Double]
        /// Largest relative difference between the Sherman–Morrison θ₋ⱼ and a direct solve.
        var shermanMorrisonError: Double
    }

    struct Result { var evidence: Evidence; var slope: LineFit? }

    static func claim(_ e: Evidence) -> Claim {
        let fit = try? LineFit.logLog(x: e.sizes.map(Double.init), y: e.medianErrors)
        let thin = e.sizes.count < 3 ? "fit over \(e.sizes.count) sizes" : nil
        let ratio = zip(e.medianErrors, e.medianLeverage).map { $0 / $1 }
        return Claim(
            id: "C1",
            statement: "Removing a point is the up-weighting ε = −1/n, so the influence prediction (1/n)∇ℓ_testᵀH⁻¹∇ℓ(z) is the leave-one-out change to first order: its relative error is O(1/n) (Sec. 2).",
            checks: [
                Check("log-log slope of the median relative error against n", measured: fit?.slope ?? .nan, .between(-1.2, -0.8),
                      format: "%.3f", notObserved: thin),
                Check("median relative error / median leverage, largest n", measured: ratio.last ?? .nan, .between(0.5, 2), format: "%.3g"),
                Check("Sherman–Morrison θ₋ⱼ against a direct solve (max relative difference)", measured: e.shermanMorrisonError, .atMost(1e-10), format: "%.2g"),
            ],
            failsIf: "the relative error of the prediction does not fall like 1/n (slope outside [−1.2, −0.8]), is not of the size of the leverage, or the closed form disagrees with a direct solve",
            note: "Ridge regression, d fixed, n doubling; the test loss is the squared error ½(x_tᵀθ − y_t)² of one fixed test point.")
    }

    static func run(_ c: InfluenceFunctions.Config, seed: UInt64, report: Report) throws -> Result {
        report.section("Experiment 1: the exact leave-one-out of ridge regression")
        /*: exact-check
         **Claim 1 (first order in 1/n).** For ridge regression, L(θ) = (1/2n) Σ (xᵢᵀθ − yᵢ)² + (λ/2)‖θ‖²,
         write A = XᵀX + nλI, so H = A/n and θ̂ = A⁻¹Xᵀy. Removing point j (keeping the weight 1/n on
         the others) gives, by Sherman–Morrison, θ₋ⱼ − θ̂ = A⁻¹xⱼ rⱼ / (1 − hⱼ) with the residual
         rⱼ = xⱼᵀθ̂ − yⱼ and the leverage hⱼ = xⱼᵀA⁻¹xⱼ. The influence prediction is
         (1/n) H⁻¹∇ℓⱼ = A⁻¹xⱼrⱼ, the same vector without the factor 1/(1 − hⱼ): the parameters' relative
         error is exactly hⱼ/(1 − hⱼ) ≈ hⱼ ~ d/n. We measure the change of the loss at one test point (quadratic
         in θ, so the exact change has a second-order term too) for every training point, at n doubling
         from the smallest to the largest size. Criteria fixed before the run: the median relative error
         falls with slope in [−1.2, −0.8] on log-log axes, is within a factor 2 of the median leverage
         at the largest n, and the closed form agrees with a direct re-solve to 1e-10.
         */
        report.literate("exact-check")
        let d = c.regressionDimension, lambda = c.lambda
        var rng = RandomSource.stream(seed: seed, InfluenceFunctions.Stream.regression)
        let beta = rng.normalVector(d)
        func sample(_ n: Int) -> (Matrix, [Double]) {
            let x = rng.normalMatrix(n, d)
            return (x, (0..<n).map { i in Vector.dot(x.row(i), beta) + 0.5 * rng.normal() })
        }
        let (xt, yt) = sample(1)
        let gramTest = matmul(xt, xt, transA: true)              // H_test of the test loss ½(x_tᵀθ − y_t)²
        var errors: [Double] = [], leverage: [Double] = [], smError = 0.0
        for n in c.regressionSizes {
            let (x, y) = sample(n)
            var a = matmul(x, x, transA: true)
            for k in 0..<d { a[k, k] += Double(n) * lambda }
            let fa = try CholeskyFactorization(a)
            let theta = fa.solve(x.applyTransposed(y))
            let resT = Vector.subtract(xt.apply(theta), yt)
            let gTest = xt.applyTransposed(resT)
            var rel: [Double] = [], lev: [Double] = []
            for j in 0..<n {
                let xj = x.row(j)
                //: begin sherman-morrison
                let aInvX = fa.solve(xj)
                let r = Vector.dot(xj, theta) - y[j], h = Vector.dot(xj, aInvX)
                let predicted = Vector.scaled(aInvX, r)              // (1/n) H⁻¹ ∇ℓⱼ
                let exact = Vector.scaled(aInvX, r / (1 - h))        // θ₋ⱼ − θ̂
                //: end sherman-morrison
                let quad = { (v: [Double]) in Vector.dot(gTest, v) + 0.5 * Vector.dot(v, gramTest.apply(v)) }
                let actual = quad(exact), first = Vector.dot(gTest, predicted)
                rel.append(abs(first - actual) / abs(actual)); lev.append(h)
                if j < 3 {                                          // the closed form against a direct solve
                    var aj = a
                    for p in 0..<d { for q in 0..<d { aj[p, q] -= xj[p] * xj[q] } }
                    var b = x.applyTransposed(y)
                    Vector.axpy(-y[j], xj, &b)
                    let direct = try CholeskyFactorization(aj).solve(b)
                    let sm = Vector.add(theta, exact)
                    smError = max(smError, Vector.distance(direct, sm) / Vector.norm(Vector.subtract(direct, theta)))
                }
            }
            errors.append(Stats.median(rel.filter(\.isFinite))); leverage.append(Stats.median(lev))
        }
        report.code("sherman-morrison")
        let e = Evidence(sizes: c.regressionSizes, medianErrors: errors, medianLeverage: leverage, shermanMorrisonError: smError)
        report.claim(claim(e))
        let fit = try? LineFit.logLog(x: e.sizes.map(Double.init), y: errors)
        let xs = e.sizes.map(Double.init)
        report.plot(LinePlot(title: "relative error of the influence prediction, ridge regression", xLabel: "n", yLabel: "median relative error (log)",
                             xScale: .log10, yScale: .log10,
                             series: [Series("median leverage h", x: xs, y: leverage, marker: "+"),
                                      Series("|pred − exact| / |exact|", x: xs, y: errors, marker: "o")]),
                    caption: "The two series nearly coincide: the relative error is the leverage.")
        report.table(["n", "median relative error", "median leverage h", "error / h"],
                     zip(e.sizes, zip(errors, leverage)).map { n, p in ["\(n)", Fmt.sci(p.0, 3), Fmt.sci(p.1, 3), Fmt.g(p.0 / p.1, 3)] },
                     caption: "d = \(d), λ = \(Fmt.g(lambda)); fitted slope \(Fmt.g(fit?.slope ?? .nan, 3)).")
        return Result(evidence: e, slope: fit)
    }
}
