import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 3: the diagonal-curvature estimators against dense matrices of a small network.
enum Estimators {
    /// The network, its batch, and the exact targets: diag(H) from the dense Hessian and diag(GGN)
    /// from the Jacobian, diag(Jᵀ H_ℓ J) with H_ℓ = diag(p) − p pᵀ per sample.
    struct Lab: Sendable {
        var model: MLP, x: Matrix, labels: [Int]
        var probabilities: Matrix
        var hessianDiagonal: [Double], ggnDiagonal: [Double]
        var hessianRowNorms2: [Double]          // Σ_l H_jl², for the predicted Hutchinson variance

        init(_ c: Sophia.Config, seed: UInt64) throws {
            let data = try DigitsDataset.load().prefix(c.networkSamples)
            x = data.features(bias: false); labels = data.labels
            var rng = RandomSource.stream(seed: seed, Sophia.Stream.network)
            model = MLP(sizes: [64, c.hidden, 10], hidden: .tanh, initialization: .lecun, rng: &rng)
            let z = model.forward(x)
            probabilities = Loss.softmax(z)
            let h = model.fullHessian(x, .softmaxCrossEntropy(labels: labels))
            let p = model.parameterCount
            hessianDiagonal = (0..<p).map { h[$0, $0] }
            hessianRowNorms2 = (0..<p).map { j in (0..<p).reduce(0) { $0 + h[j, $1] * h[j, $1] } }
            ggnDiagonal = Lab.ggnDiagonal(model, x, z, Loss.softmax(z))
        }

        //: begin ggn
        /// diag(GGN)_j = (1/n) Σᵢ [Σ_c p_ic J_icj² − (Σ_c p_ic J_icj)²], with the Jacobian row J_ic = ∂z_ic/∂θ
        /// read off as the per-sample gradient of ½‖z − t‖² at the target t = z − e_c.
        static func ggnDiagonal(_ model: MLP, _ x: Matrix, _ z: Matrix, _ prob: Matrix) -> [Double] {
            let (n, k, p) = (x.rows, z.cols, model.parameterCount)
            var first = [Double](repeating: 0, count: n * p), second = [Double](repeating: 0, count: p)
            for c in 0..<k {
                var t = z
                for i in 0..<n { t[i, c] -= 1 }
                model.forEachSampleGradient(x, .meanSquaredError(targets: t)) { i, jRow in
                    let pic = prob[i, c]
                    for j in 0..<p { first[i * p + j] += pic * jRow[j]; second[j] += pic * jRow[j] * jRow[j] }
                }
            }
            return (0..<p).map { j in (second[j] - (0..<n).reduce(0) { $0 + first[$1 * p + j] * first[$1 * p + j] }) / Double(n) }
        }
        //: end ggn

        /// Hutchinson (Sophia-H): u ⊙ H u with u ~ N(0, I); Gauss-Newton-Bartlett (Sophia-G): B · ĝ ⊙ ĝ at
        /// labels drawn from the model's softmax. Both in the shared library (Sources/Learning/Sophia.swift).
        func hutchinson(_ op: HessianOperator, _ rng: inout RandomSource) -> [Double] {
            op.hutchinsonDiagonal(probe: rng.normalVector(model.parameterCount))
        }
        func gaussNewtonBartlett(_ rng: inout RandomSource) -> [Double] {
            model.gaussNewtonBartlettDiagonal(x, probabilities: probabilities, rng: &rng)
        }
    }

    /// Error of the k-draw average and the aggregate bias statistic of one estimator.
    struct Accuracy {
        var ks: [Double], relativeError: [Double]    // RMS over repeats of ‖mean_k − target‖ / ‖target‖
        var biasStatistic: Double                    // Σ_j (pooled mean − target)² / Σ_j se_j²; ≈ 1 if unbiased
        var resolution: Double                       // √(Σ_j se_j²) / ‖target‖: the smallest relative bias the statistic sees
        var fit: LineFit?
    }

    static func accuracy(_ draws: [[[Double]]], target: [Double], ks: [Int]) -> Accuracy {
        let norm = target.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let p = target.count
        let errors = ks.map { k -> Double in
            let ms = draws.map { rep -> Double in
                var s = 0.0
                for j in 0..<p { let m = (0..<k).reduce(0) { $0 + rep[$1][j] } / Double(k); s += (m - target[j]) * (m - target[j]) }
                return s
            }
            return (ms.reduce(0, +) / Double(ms.count)).squareRoot() / norm
        }
        let pooled = draws.flatMap { $0 }, n = Double(pooled.count)
        var bias2 = 0.0, se2 = 0.0
        for j in 0..<p {
            let m = pooled.reduce(0) { $0 + $1[j] } / n
            let v = pooled.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / (n - 1)
            bias2 += (m - target[j]) * (m - target[j]); se2 += v / n
        }
        return Accuracy(ks: ks.map(Double.init), relativeError: errors, biasStatistic: bias2 / se2, resolution: se2.squareRoot() / norm,
                        fit: try? LineFit.logLog(x: ks.map(Double.init), y: errors))
    }

    struct Evidence {
        var hutchinsonSlope: Double, hutchinsonBias: Double
        var gnbSlope: Double, gnbBias: Double
        var points: Int
    }

    /*: estimators
     **Claim 3 (the estimators).** Sophia-H uses Hutchinson's u ⊙ Hu with u ~ N(0, I), unbiased for
     diag(H) (its variance is H_jj² + Σ_l H_jl² per coordinate); Sophia-G uses the
     Gauss-Newton-Bartlett estimate B · ĝ ⊙ ĝ, where ĝ is the mini-batch gradient at labels sampled
     from the model's own softmax, unbiased for diag(GGN) because each sampled per-sample gradient has
     mean zero and covariance Jᵀ H_ℓ J. We form both targets densely on a small tanh network on
     digits images: diag(H) from the full Hessian (one exact Hessian-vector product per column) and
     diag(GGN) from the network's Jacobian (one pass per output), so neither target uses the
     estimators' identities. We take B = the whole batch. For each estimator we draw several
     independent sequences of k estimates inside the run, record the RMS relative error
     ‖mean of k − target‖ / ‖target‖ over the sequences, and fit its log against log k.
     Criteria, fixed before the run: both slopes within 0.1 of −½ (error ∝ 1/√k), and both
     pooled bias statistics Σ_j (mean_j − target_j)² / Σ_j se_j² (over all draws pooled) in [0.5, 2].
     Its expectation is 1 for an unbiased estimator and 1 + Σ_j bias_j² / Σ_j se_j² otherwise, so a
     bias raises it; a value far below 1 would mean the standard errors are overstated (squared
     gradients have heavy tails), which would weaken the test rather than show a bias.
     */
    static func claim(_ e: Evidence) -> Claim {
        let few = e.points >= 3 ? nil : "fit over \(e.points) values of k"
        return Claim(
            id: "C3",
            statement: "Hutchinson's u ⊙ Hu is an unbiased estimate of diag(H) and the Gauss-Newton-Bartlett estimate (labels sampled from the model) an unbiased estimate of diag(GGN); averaging k draws reduces the error like 1/√k (Sec. 3.2).",
            checks: [
                Check("Hutchinson: slope of log error in log k", measured: e.hutchinsonSlope, .withinAbs(target: -0.5, tolerance: 0.1), format: "%.3f", notObserved: few),
                Check("Hutchinson: bias statistic vs diag(H)", measured: e.hutchinsonBias, .between(0.5, 2), format: "%.3g"),
                Check("GNB: slope of log error in log k", measured: e.gnbSlope, .withinAbs(target: -0.5, tolerance: 0.1), format: "%.3f", notObserved: few),
                Check("GNB: bias statistic vs diag(GGN)", measured: e.gnbBias, .between(0.5, 2), format: "%.3g"),
            ],
            failsIf: "either error's fitted slope in k fell outside [−0.6, −0.4], or either pooled bias statistic fell outside [0.5, 2].",
            note: "One network at its random initialization, the whole batch as B; the estimators inside a training run are not tested.")
    }

    static func run(_ c: Sophia.Config, options: RunOptions, report: Report) throws {
        report.section("Experiment 3: the diagonal-curvature estimators")
        report.literate("estimators")
        report.code("estimators", file: Methods.sharedFile)
        let lab = try Lab(c, seed: options.seed)
        let op = lab.model.hessian(lab.x, .softmaxCrossEntropy(labels: lab.labels))
        let base = RandomSource.stream(seed: options.seed, Sophia.Stream.probes)
        let kMax = c.estimatorKs.last!
        let hutch = try Threads.map(c.estimatorRepeats) { r in
            var rng = base.stream(2 * r)
            return (0..<kMax).map { _ in lab.hutchinson(op, &rng) }
        }
        let gnb = try Threads.map(c.estimatorRepeats) { r in
            var rng = base.stream(2 * r + 1)
            return (0..<kMax).map { _ in lab.gaussNewtonBartlett(&rng) }
        }
        let h = accuracy(hutch, target: lab.hessianDiagonal, ks: c.estimatorKs)
        let g = accuracy(gnb, target: lab.ggnDiagonal, ks: c.estimatorKs)
        let e = Evidence(hutchinsonSlope: h.fit?.slope ?? .nan, hutchinsonBias: h.biasStatistic,
                         gnbSlope: g.fit?.slope ?? .nan, gnbBias: g.biasStatistic, points: c.estimatorKs.count)
        report.claim(claim(e))
        report.code("ggn")
        // The unbiased prediction of Hutchinson's RMS relative error: √(Σ_j (H_jj² + Σ_l H_jl²) / k) / ‖diag H‖.
        let hNorm = lab.hessianDiagonal.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let hVar = zip(lab.hessianDiagonal, lab.hessianRowNorms2).reduce(0) { $0 + $1.0 * $1.0 + $1.1 }
        let predicted = c.estimatorKs.map { (hVar / Double($0)).squareRoot() / hNorm }
        let rows = c.estimatorKs.indices.map { i in
            [String(c.estimatorKs[i]), Fmt.g(h.relativeError[i], 3), Fmt.g(predicted[i], 3), Fmt.g(g.relativeError[i], 3)]
        }
        report.table(["k", "Hutchinson error", "Hutchinson, unbiased prediction", "GNB error"], rows,
                     caption: "RMS over \(c.estimatorRepeats) independent sequences of ‖mean of k draws − target‖ / ‖target‖; network 64-\(c.hidden)-10 (tanh, \(lab.model.parameterCount) parameters) on \(c.networkSamples) digits images.")
        report.plot(LinePlot(title: "relative error of the k-draw average", xLabel: "k (log)", yLabel: "error (log)", xScale: .log10, yScale: .log10, height: 14,
                             series: [Series("Hutchinson vs diag(H)", x: h.ks, y: h.relativeError, marker: "h"),
                                      Series("GNB vs diag(GGN)", x: g.ks, y: g.relativeError, marker: "g")]))
        // GGN against H, and AdaHessian's absolute value, from the same draws.
        let dist = { (a: [Double], b: [Double]) in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        let pooled = hutch.flatMap { $0 }
        let meanAbs = (0..<lab.hessianDiagonal.count).map { j in pooled.reduce(0) { $0 + abs($1[j]) } / Double(pooled.count) }
        let absRatio = meanAbs.reduce(0, +) / lab.hessianDiagonal.reduce(0) { $0 + abs($1) }
        let negative = lab.hessianDiagonal.filter { $0 < 0 }.count
        report.discussion("Fitted slopes (± standard error): Hutchinson \(h.fit.map { Fmt.estimate($0.slope, $0.slopeStandardError) } ?? "n/a"), GNB \(g.fit.map { Fmt.estimate($0.slope, $0.slopeStandardError) } ?? "n/a"); bias statistics \(Fmt.g(h.biasStatistic, 3)) and \(Fmt.g(g.biasStatistic, 3)), with the pooled standard errors at \(Fmt.g(h.resolution, 2)) and \(Fmt.g(g.resolution, 2)) of ‖target‖ (a relative bias of that size would double the statistic). Hutchinson's measured error matches the unbiased prediction column within \(Fmt.g(100 * zip(h.relativeError, predicted).map { abs($0 / $1 - 1) }.max()!, 2))%. At this random initialization ‖diag(H) − diag(GGN)‖ / ‖diag(H)‖ = \(Fmt.g(dist(lab.hessianDiagonal, lab.ggnDiagonal) / hNorm, 3)), and \(negative) of \(lab.hessianDiagonal.count) entries of diag(H) are negative (diag(GGN) is never negative), which is why Sophia-H clamps h at ε. Taking absolute values, as in AdaHessian's |u ⊙ Hu|, cannot lower the mean (E|X| ≥ |EX|); here Σ_j mean|u_j (Hu)_j| / Σ_j |H_jj| = \(Fmt.g(absRatio, 3)) over \(pooled.count) draws.")
    }
}
