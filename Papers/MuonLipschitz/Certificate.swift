import Foundation
import Numerics
import Learning
import Notebook

/// Claim 3: the certified bound against the largest input-Jacobian norm we can find, per trained model.
enum Certificate {
    /// One trained model: its test accuracy, its certified bound and the empirical probes.
    struct RunResult: Sendable {
        var spec: RunSpec
        var accuracy: Double
        var bound: Double
        var sampledJacobian: Double   // max over sampled test inputs of ||J(x)||₂ (exact, by SVD)
        var ascentRatio: Double       // max over gradient-ascent pairs of ||f(a) − f(b)|| / ||a − b||
        var ascentJacobian: Double    // max ||J||₂ at the ascended points
        var stableRank: Double        // mean over layers of ||W_l||_F² / σ₁(W_l)²
        var largestProbe: Double { max(sampledJacobian, ascentRatio, ascentJacobian) }
    }

    struct Evidence {
        var models: Int
        var violations: Int               // models with a probe above bound · (1 + 1e-12)
        var finiteDifferenceResidual: Double   // |J v − (f(x + hv) − f(x − hv))/2h| / |J v|, one model
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(id: "C3",
              statement: "The certified bound Π σ₁(W_l) (with the input normalization) bounds every model's Lipschitz constant (the paper's certificate).",
              checks: [
                Check("models whose largest sampled Jacobian norm or ascent ratio exceeds the bound (of \(e.models))",
                      measured: Double(e.violations), .atMost(0), format: "%.0f", notObserved: e.models == 0 ? "no model trained" : nil),
                Check("input Jacobian vs central differences, relative", measured: e.finiteDifferenceResidual, .atMost(1e-6), format: "%.1e"),
              ],
              failsIf: "any model has an input Jacobian (exact, at a sampled or ascended input) or a difference quotient above its certified bound, or the Jacobian is wrong",
              note: "Empirical probes give lower bounds on the Lipschitz constant; the check can fail if the bound omits a factor, e.g. the normalization's 1/s.")
    }

    //: begin probe
    /// Exact Jacobian norms at sampled test inputs, then gradient ascent on the difference quotient
    /// R(a, b) = ||f(a) − f(b)||² / ||a − b||² from pairs of nearby test inputs.
    static func probe(_ net: LipschitzNet, spec: RunSpec, data: DigitsSplit, config c: MuonLipschitz.Config,
                      rng: inout RandomSource) throws -> RunResult {
        let bound = try net.certifiedBound()
        let picks = (0..<c.jacobianSamples).map { _ in rng.int(below: data.testX.rows) }
        let sampled = try picks.map { try Spectral.norm(net.jacobian(at: data.testX.row($0))) }.max()!
        var a = data.testX.rows(picks.prefix(c.ascentPairs))
        var b = a
        for k in 0..<b.count { b.storage[k] += 0.05 * rng.normal() }
        var ratio = 0.0
        for _ in 0...c.ascentSteps {
            let za = net.forward(a), zb = net.forward(b)
            let e = za.last! - zb.last!
            let ga = net.backward(a, za, outputGradient: e).input, gb = net.backward(b, zb, outputGradient: -e).input
            for i in 0..<a.rows {
                let num = e.row(i).reduce(0) { $0 + $1 * $1 }
                let diff = zip(a.row(i), b.row(i)).map { $0 - $1 }
                let den = diff.reduce(0) { $0 + $1 * $1 }
                ratio = max(ratio, (num / den).squareRoot())
                // ∇_a R = 2 (Jᵀe · den − num · (a − b)) / den², and symmetrically for b; normalized steps.
                let da = (0..<a.cols).map { (ga[i, $0] * den - num * diff[$0]) / (den * den) }
                let db = (0..<a.cols).map { (gb[i, $0] * den + num * diff[$0]) / (den * den) }
                let na = Vector.norm(da), nb = Vector.norm(db)
                for j in 0..<a.cols {
                    if na > 0 { a[i, j] += c.ascentStep * da[j] / na }
                    if nb > 0 { b[i, j] += c.ascentStep * db[j] / nb }
                }
            }
        }
        let ascended = try (0..<a.rows).map { try Spectral.norm(net.jacobian(at: a.row($0))) }.max()!
        //: end probe
        let ranks = try net.weights.map { w -> Double in let s = try Spectral.norm(w); return w.frobeniusNorm * w.frobeniusNorm / (s * s) }
        return RunResult(spec: spec, accuracy: net.accuracy(data.testX, data.testLabels), bound: bound,
                         sampledJacobian: sampled, ascentRatio: ratio, ascentJacobian: ascended,
                         stableRank: ranks.reduce(0, +) / Double(ranks.count))
    }

    /// |J v − central difference| / |J v| at one test input, along a random direction.
    static func finiteDifference(_ net: LipschitzNet, at x: [Double], rng: inout RandomSource) -> Double {
        let v = rng.normalVector(x.count)
        let jv = net.jacobian(at: x).apply(v)
        let h = 1e-6
        let plus = net.forward(Matrix(rows: 1, cols: x.count, elements: zip(x, v).map { $0 + h * $1 })).last!.storage
        let minus = net.forward(Matrix(rows: 1, cols: x.count, elements: zip(x, v).map { $0 - h * $1 })).last!.storage
        let fd = zip(plus, minus).map { ($0 - $1) / (2 * h) }
        return Vector.norm(zip(jv, fd).map { $0 - $1 }) / Vector.norm(jv)
    }

    /*: certificate
     **Claim 3: is the bound a bound?** For every trained model of claim 2 we look for the largest
     local slope we can find: the exact spectral norm of the input Jacobian (W_L D … D W_1 / s, with
     D the ReLU's 0/1 pattern, by SVD) at sampled test inputs, then a few steps of normalized
     gradient ascent on the difference quotient ||f(a) − f(b)||/||a − b|| from pairs of nearby test
     inputs, and the Jacobian norm where the ascent ends. Every one of these is a lower bound on the
     Lipschitz constant, so each must be at most the certified bound (criterion: no model above
     bound · (1 + 1e-12)). The Jacobian itself is checked against central differences.
     */
    static func run(_ c: MuonLipschitz.Config, results: [RunResult], net: LipschitzNet, data: DigitsSplit,
                    options: RunOptions, report: Report) {
        report.section("Claim 3: the certified bound against sampled Jacobians")
        report.literate("certificate")
        report.code("probe")
        var rng = RandomSource.stream(seed: options.seed, MuonLipschitz.Stream.finiteDifference)
        let fd = finiteDifference(net, at: data.testX.row(0), rng: &rng)
        let violations = results.filter { $0.largestProbe > $0.bound * (1 + 1e-12) }.count
        report.claim(claim(Evidence(models: results.count, violations: violations, finiteDifferenceResidual: fd)))
        let tight = results.map { $0.largestProbe / $0.bound }.sorted()
        var rows: [[String]] = []
        for o in OptimizerKind.allCases {
            for r in Regulation.allCases {
                let g = results.filter { $0.spec.optimizer == o && $0.spec.regulation == r }.map { $0.largestProbe / $0.bound }.sorted()
                guard !g.isEmpty else { continue }
                rows.append([o.rawValue, r.rawValue, "\(g.count)", Fmt.g(g[0], 3), Fmt.g(g[g.count / 2], 3), Fmt.g(g.last!, 3)])
            }
        }
        report.table(["optimizer", "regulation", "models", "min probe/bound", "median", "max"], rows,
                     caption: "Largest probe (Jacobian norm or difference quotient) over the certified bound, per model.")
        report.discussion("""
            No probe may exceed its bound, and \(violations) of \(results.count) models had one that did. The largest probe \
            reaches a median \(Fmt.pct(tight[tight.count / 2])) of the certified bound (range \(Fmt.pct(tight.first!))–\
            \(Fmt.pct(tight.last!))). The slack is that of Π σ₁(W_l): the product is attained only where the top singular \
            directions of consecutive layers line up and the ReLUs pass them.
            """)
    }
}
