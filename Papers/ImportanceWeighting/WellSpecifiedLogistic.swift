import Foundation
import Numerics
import Notebook

/// Experiment 1b: well-specified logistic regression under the same Gaussian variance shift.
enum WellSpecifiedLogistic {
    /// What claim 2 is decided on.
    struct Evidence {
        var mleRatio: Double          // MLE risk at the largest n / ½ tr(I_T I_S⁻¹)/n
        var mleSlope: Double          // log-log slope of MLE's mean risk over the n grid
        var pairedZ: [Double]         // (MWLE − MLE) / paired se, per n
        var mwleRatio: Double         // MWLE risk at the largest n / its sandwich ½ tr(I_T⁻¹ B)/n
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(
            id: "C2",
            statement: "Well-specified logistic regression: MLE's excess target risk is of order tr(I_T I_S⁻¹)/n, the quantity in the paper's upper and lower bounds, and MWLE is worse at every n (Ge et al.).",
            checks: [
                Check("MLE risk at the largest n / ½ tr(I_T I_S⁻¹)/n", measured: e.mleRatio, .within(target: 1, relative: 0.1), format: "%.3f"),
                Check("log-log slope of MLE's risk over the n grid", measured: e.mleSlope, .between(-1.1, -0.9), format: "%.3f"),
                Check("smallest (MWLE − MLE) / se of the paired difference over the n grid", measured: e.pairedZ.min() ?? .nan,
                      .atLeast(2), format: "%.2f", notObserved: e.pairedZ.allSatisfy(\.isFinite) ? nil : "a standard error was zero"),
                Check("MWLE risk at the largest n / its sandwich ½ tr(I_T⁻¹ B)/n", measured: e.mwleRatio, .within(target: 1, relative: 0.1), format: "%.3f"),
            ],
            failsIf: "MLE's risk is off ½ tr(I_T I_S⁻¹)/n by more than 10% at the largest n or decays with a slope outside [−1.1, −0.9], or MWLE is not worse by 2 paired standard errors at every n, or off its sandwich by more than 10%.",
            note: "Risk measured as ½(θ̂ − θ*)ᵀ I_T (θ̂ − θ*), the second-order expansion of the target excess log-loss.")
    }

    /// E[g(s) x xᵀ] for x ~ N(0, diag(λ)), s = θᵀx: with v = θᵀΣθ and a = Σθ, x = a s/v + r with r
    /// independent of s, so the expectation is E[g](Σ − aaᵀ/v) + E[g s²] aaᵀ/v² (1-D integrals, trapezoid).
    static func gaussianMoment(_ theta: [Double], variances: [Double], _ g: (Double) -> Double) -> Matrix {
        let d = theta.count
        let a = (0..<d).map { variances[$0] * theta[$0] }
        let v = zip(a, theta).reduce(0) { $0 + $1.0 * $1.1 }
        let sd = v.squareRoot(), steps = 20_000, h = 24 * sd / Double(steps)
        var e0 = 0.0, e2 = 0.0
        for k in 0...steps {
            let s = -12 * sd + Double(k) * h
            let wt = (k == 0 || k == steps ? 0.5 : 1) * h * Foundation.exp(-0.5 * s * s / v) / (2 * Double.pi * v).squareRoot()
            e0 += wt * g(s); e2 += wt * g(s) * s * s
        }
        return Matrix(rows: d, cols: d) { i, j in e0 * ((i == j ? variances[i] : 0) - a[i] * a[j] / v) + e2 * a[i] * a[j] / (v * v) }
    }

    static func sigmoid(_ s: Double) -> Double { 1 / (1 + Foundation.exp(-s)) }

    /// Weighted logistic MLE by damped Newton from `start` (θ = 0 by default; weights nil: plain MLE).
    static func fit(_ x: [Double], _ y: [Double], weights: [Double]?, d: Int, start: [Double]? = nil) throws -> [Double] {
        let n = y.count
        func loss(_ t: [Double]) -> Double {
            var l = 0.0
            for i in 0..<n {
                var m = 0.0
                for j in 0..<d { m += t[j] * x[i * d + j] }
                let z = (2 * y[i] - 1) * m                                  // ln(1 + e^{−z}), stably
                l += (weights?[i] ?? 1) * (z > 0 ? Foundation.log1p(Foundation.exp(-z)) : -z + Foundation.log1p(Foundation.exp(z)))
            }
            return l
        }
        var theta = start ?? [Double](repeating: 0, count: d)
        var current = loss(theta)
        for _ in 0..<60 {
            var grad = [Double](repeating: 0, count: d), hess = [Double](repeating: 0, count: d * d)
            for i in 0..<n {
                var m = 0.0
                for j in 0..<d { m += theta[j] * x[i * d + j] }
                let p = sigmoid(m), w = weights?[i] ?? 1
                for j in 0..<d {
                    grad[j] += w * (p - y[i]) * x[i * d + j]
                    for k in j..<d { hess[j * d + k] += w * p * (1 - p) * x[i * d + j] * x[i * d + k] }
                }
            }
            for j in 0..<d { for k in 0..<j { hess[j * d + k] = hess[k * d + j] } }
            guard let step = try? CholeskyFactorization(Matrix(rows: d, cols: d, elements: hess)).solve(grad) else { break }
            var scale = 1.0, trial = theta, value = Double.infinity
            while scale > 1e-6 {
                trial = (0..<d).map { theta[$0] - scale * step[$0] }
                value = loss(trial)
                if value <= current { break }
                scale /= 2
            }
            theta = trial; current = value
            if step.reduce(0, { $0 + $1 * $1 }).squareRoot() * scale < 1e-10 { return theta }
        }
        throw NumericalFailure.failed("logistic Newton did not converge at n = \(n) (separable sample?)")
    }

    /*: well-specified-logistic
     **Logistic regression.** P(y = 1 | x) = σ(θ*ᵀx) with the same source N(0, I) and target
     N(0, Σ_T) as above, here in three dimensions (the paper's second example). With Fisher
     informations I_S = E_S[σ'(θ*ᵀx) xxᵀ] and I_T = E_T[σ'(θ*ᵀx) xxᵀ], the MLE has covariance I_S⁻¹/n
     asymptotically, so the target excess log-loss, to second order ½(θ̂ − θ*)ᵀI_T(θ̂ − θ*), has mean
     ½ tr(I_T I_S⁻¹)/n: the quantity the paper's upper and lower bounds are written in. MWLE (weights
     w = p_T/p_S) has the sandwich ½ tr(I_T⁻¹ B)/n with B = E_S[w² σ' xxᵀ] = E_S[w²] E_Q[σ' xxᵀ],
     Q = N(0, (2Σ_T⁻¹ − I)⁻¹). All three matrices reduce to one-dimensional integrals over s = θ*ᵀx.
     Both estimators are computed by damped Newton to a step below 1e-10 (MWLE started from the MLE).

     **Criteria, fixed before the run.** MLE's mean risk at the largest n within 10% of
     ½ tr(I_T I_S⁻¹)/n and a log-log slope over the grid in [−1.1, −0.9]; MWLE worse than MLE by at
     least 2 paired standard errors at every n, and within 10% of its sandwich at the largest n.
     */
    static func run(_ c: ImportanceWeighting.Config, seed: UInt64, report: Report) throws {
        report.literate("well-specified-logistic")
        let lambdas = c.logisticVariances, theta = c.logisticTheta, d = theta.count
        let dsig = { (s: Double) -> Double in let p = sigmoid(s); return p * (1 - p) }
        //: begin fisher
        let infoS = gaussianMoment(theta, variances: [Double](repeating: 1, count: d), dsig)   // I_S
        let infoT = gaussianMoment(theta, variances: lambdas, dsig)                              // I_T
        let qVariances = lambdas.map { 1 / (2 / $0 - 1) }                                        // Q = N(0, (2Σ_T⁻¹ − I)⁻¹)
        let b = Shift.secondMoment(variances: lambdas) * gaussianMoment(theta, variances: qVariances, dsig)
        let mleConstant = 0.5 * (try CholeskyFactorization(infoS)).solve(infoT).trace            // ½ tr(I_S⁻¹ I_T)
        let mwleConstant = 0.5 * (try CholeskyFactorization(infoT)).solve(b).trace               // ½ tr(I_T⁻¹ B)
        //: end fisher
        report.code("fisher")
        var rng = RandomSource.stream(seed: seed, ImportanceWeighting.Stream.logistic)
        let draws = try report.phase("well-specified logistic Monte Carlo") {
            try Shift.monteCarlo(reps: c.reps1Logistic, chunks: c.chunks, rng: &rng) { r -> [(Double, Double)] in
                try c.sizes1Logistic.map { n in
                    var x = [Double](repeating: 0, count: n * d), y = [Double](repeating: 0, count: n), w = y
                    for i in 0..<n {
                        var m = 0.0
                        for j in 0..<d { x[i * d + j] = r.normal(); m += theta[j] * x[i * d + j] }
                        y[i] = r.uniform() < sigmoid(m) ? 1 : 0
                        w[i] = x.withUnsafeBufferPointer { Foundation.exp(Shift.logRatio($0.baseAddress! + i * d, variances: lambdas)) }
                    }
                    func risk(_ t: [Double]) -> Double {
                        let delta = (0..<d).map { t[$0] - theta[$0] }
                        return 0.5 * zip(delta, infoT.apply(delta)).reduce(0) { $0 + $1.0 * $1.1 }
                    }
                    let mle = try fit(x, y, weights: nil, d: d)
                    return (risk(mle), risk(try fit(x, y, weights: w, d: d, start: mle)))     // MWLE warm-started at MLE
                }
            }
        }
        var rows: [[String]] = [], mle: [Double] = [], mwle: [Double] = [], z: [Double] = []
        for (k, n) in c.sizes1Logistic.enumerated() {
            let a = Estimate(draws.map { $0[k].0 }), bb = Estimate(draws.map { $0[k].1 }), diff = Estimate(draws.map { $0[k].1 - $0[k].0 })
            mle.append(a.mean); mwle.append(bb.mean); z.append(diff.mean / diff.se)
            rows.append(["\(n)", a.text, Fmt.g(mleConstant / Double(n), 4), bb.text, Fmt.g(mwleConstant / Double(n), 4),
                         Fmt.g(bb.mean / a.mean, 3), Fmt.fixed(z.last!, 1)])
        }
        let ns = c.sizes1Logistic.map(Double.init), nMax = ns.last!
        let slope = try? LineFit.logLog(x: ns, y: mle)
        report.claim(claim(Evidence(mleRatio: mle.last! / (mleConstant / nMax), mleSlope: slope?.slope ?? .nan, pairedZ: z,
                                    mwleRatio: mwle.last! / (mwleConstant / nMax))))
        report.table(["n", "MLE risk (MC)", "½ tr(I_T I_S⁻¹)/n", "MWLE risk (MC)", "½ tr(I_T⁻¹B)/n", "MWLE / MLE", "paired z"], rows,
                     caption: "½(θ̂ − θ*)ᵀI_T(θ̂ − θ*), mean ± se over \(c.reps1Logistic) data sets per n; θ* = (\(Fmt.list(theta))), Σ_T = diag(\(Fmt.list(lambdas))).")
        report.discussion("""
        **Logistic regression (C2).** The constants are ½ tr(I_T I_S⁻¹) = \(Fmt.g(mleConstant, 4)) and ½ tr(I_T⁻¹B) = \(Fmt.g(mwleConstant, 4)), a predicted \
        MWLE/MLE ratio of \(Fmt.g(mwleConstant / mleConstant, 4)) for large n; the measured ratio is \(Fmt.g(mwle.last! / mle.last!, 3)) \
        at n = \(Int(nMax)) and \(Fmt.g(mwle.first! / mle.first!, 3)) at n = \(Int(ns.first!)). MLE's risk falls with log-log slope \
        \(slope.map { Fmt.estimate($0.slope, $0.slopeStandardError) } ?? "n/a").
        """)
    }
}
