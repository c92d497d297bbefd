import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 4 (Fig. 2, right): a non-convex network with a damped Hessian.
enum NetworkExperiment {
    struct Evidence {
        /// Per seed: Pearson R between predicted (damped) and actual changes, most influential points.
        var pearsons: [Double]
        /// Per seed: smallest eigenvalue of H at θ̂ (positive: a strict local minimum).
        var lambdaMin: [Double]
        var convexPearson: Double
        var paper: Double
    }

    struct Seed { var pearson: Double; var undamped: Double; var lambdaMin: Double; var lambdaMax: Double; var trainLoss: Double; var testLoss: Double; var steps: Int
                  var predicted: [Double]; var actual: [Double]; var bound: Double; var smallest: Double; var unconverged: Int }

    struct Result { var evidence: Evidence; var seeds: [Seed]; var parameters: Int }

    static func claim(_ e: Evidence) -> Claim {
        let mean = e.pearsons.isEmpty ? Double.nan : Stats.mean(e.pearsons)
        let saddle = e.lambdaMin.contains { !($0 > 0) } ? "θ̂ is not a strict local minimum on every seed (λ_min(H) ≤ 0)" : nil
        return Claim(
            id: "C4",
            statement: "On a non-convex network, influence with a damped Hessian still predicts leave-one-out changes, less accurately than for the convex model: Pearson R = 0.86 for the paper's CNN (Fig. 2, right).",
            checks: [
                Check("mean Pearson R over seeds", measured: mean, .atLeast(e.paper - 0.1), format: "%.3f", notObserved: saddle),
                Check("seeds with R ≥ \(Fmt.g(e.paper - 0.1)) (of \(e.pearsons.count))", measured: Double(e.pearsons.filter { $0 >= e.paper - 0.1 }.count),
                      .atLeast(Double(max(e.pearsons.count - 1, 1))), format: "%.0f", notObserved: saddle),
                Check("mean R below the convex model's R", mean < e.convexPearson),
            ],
            failsIf: "the mean correlation falls more than 0.1 below the paper's 0.86, more than one seed does, or the network's correlation is not below the convex model's",
            note: "A one-hidden-layer tanh network trained to a strict local minimum (Newton-polished); leave-one-out by Newton warm-started at θ̂; the paper's CNN was retrained by 30k SGD steps.")
    }

    /// F(θ) = (1/n) Σ_{i ≠ j} ℓᵢ + (λ/2)‖θ‖² and its gradient.
    static func objective(_ net: MLP, _ theta: [Double], x: Matrix, labels: [Int], lambda: Double, excluding j: Int? = nil) -> (Double, [Double]) {
        let keep = (0..<x.rows).filter { $0 != j }
        let w = Double(keep.count) / Double(x.rows)
        let (l, g) = net.with(parameters: theta).lossAndGradient(j == nil ? x : x.rows(keep), .softmaxCrossEntropy(labels: keep.map { labels[$0] }))
        var grad = g
        for k in 0..<grad.count { grad[k] = w * grad[k] + lambda * theta[k] }
        return (w * l + 0.5 * lambda * Vector.dot(theta, theta), grad)
    }

    static func hessian(_ net: MLP, _ theta: [Double], x: Matrix, labels: [Int], lambda: Double) -> Matrix {
        var h = net.with(parameters: theta).fullHessian(x, .softmaxCrossEntropy(labels: labels))
        for k in 0..<h.rows { h[k, k] += lambda }
        return h
    }

    /// Levenberg–Marquardt-damped Newton: θ ← θ − (H + μI)⁻¹∇F, accepted if F decreases (or, at the
    /// round-off level of F, if ‖∇F‖ does); μ shrinks tenfold after a success and grows tenfold after a
    /// failure. H is refreshed after each accepted step while ‖∇F‖ > `refreshAbove` and then kept (the last steps
    /// are chord steps, which converge linearly at a tiny rate so close to the minimum).
    static func newton(_ start: [Double], tolerance: Double, steps: inout Int, refreshAbove: Double = 1e-8,
                       f: ([Double]) -> (Double, [Double]), hessian: ([Double]) -> Matrix) throws -> [Double] {
        var theta = start, mu = 0.0
        var (v, g) = f(theta)
        var h = hessian(theta)
        for _ in 0..<200 {
            let gn = Vector.norm(g)
            if gn <= tolerance { return theta }
            var hm = h
            if mu > 0 { for k in 0..<hm.rows { hm[k, k] += mu } }
            guard let fac = try? CholeskyFactorization(hm) else { mu = max(mu * 10, 1e-6); continue }
            let trial = Vector.subtract(theta, fac.solve(g))
            let (vt, gt) = f(trial)
            let flat = abs(vt - v) <= 1e-14 * abs(v)
            if vt.isFinite && (vt < v || (flat && Vector.norm(gt) < gn)) {
                theta = trial; v = vt; g = gt; steps += 1
                mu = mu / 10 < 1e-9 ? 0 : mu / 10
                if Vector.norm(g) > refreshAbove { h = hessian(theta) }
            } else {
                mu = max(mu * 10, 1e-6)
            }
        }
        return theta
    }

    static func trainSeed(_ r: Int, x: Matrix, labels: [Int], testX: Matrix, testLabels: [Int], c: InfluenceFunctions.Config, seed: UInt64) throws -> Seed {
        var rng = RandomSource.stream(seed: seed, Int(InfluenceFunctions.Stream.network.rawValue) * 100 + r)
        let net = MLP(sizes: [64, c.hidden, 10], hidden: .tanh, initialization: .lecun, rng: &rng)
        let lam = c.networkLambda
        // Adam on the full batch, then Levenberg–Marquardt-damped Newton to a strict local minimum.
        var theta = net.parameters
        var adam = Adam(learningRate: 0.01)
        for k in 0..<2000 {
            if k == 1500 { adam.learningRate = 0.001 }
            adam.step(&theta, gradient: objective(net, theta, x: x, labels: labels, lambda: lam).1)
        }
        var steps = 0
        theta = try newton(theta, tolerance: c.retrainTolerance * 10, steps: &steps, f: { objective(net, $0, x: x, labels: labels, lambda: lam) },
                           hessian: { hessian(net, $0, x: x, labels: labels, lambda: lam) })
        let (_, g) = objective(net, theta, x: x, labels: labels, lambda: lam)
        guard Vector.norm(g) <= c.retrainTolerance * 10, theta.allSatisfy(\.isFinite) else {
            throw NumericalFailure.failed("network seed \(r): Newton polish reached only ‖∇L‖ = \(Vector.norm(g))")
        }
        let model = net.with(parameters: theta)
        let h = hessian(net, theta, x: x, labels: labels, lambda: lam)
        let eig = try symmetricEigenvalues(h)
        // The test point: the first wrongly classified test digit (else the one with the largest loss).
        let out = model.forward(testX)
        let loss = Loss.softmaxCrossEntropy(labels: testLabels)
        let per = loss.perSample(out)
        let wrong = (0..<testX.rows).first { i in (0..<10).max { out[i, $0] < out[i, $1] }! != testLabels[i] }
        let t = wrong ?? per.indices.max { per[$0] < per[$1] }!
        let tx = testX.rows([t]), tl = Loss.softmaxCrossEntropy(labels: [testLabels[t]])
        let gTest = model.lossAndGradient(tx, tl).gradient
        //: begin damped
        var damped = h
        for k in 0..<damped.rows { damped[k, k] += c.damping }      // H + δI
        let sTest = try CholeskyFactorization(damped).solve(gTest)
        //: end damped
        let sUndamped = try CholeskyFactorization(h).solve(gTest)          // θ̂ is a strict minimum: H itself is PD
        let perSample = model.perSampleGradients(x, .softmaxCrossEntropy(labels: labels))
        let n = Double(x.rows)
        let predicted = (0..<x.rows).map { Vector.dot(perSample.row($0), sTest) / n }
        let undamped = (0..<x.rows).map { Vector.dot(perSample.row($0), sUndamped) / n }
        let top = Array((0..<x.rows).sorted { abs(predicted[$0]) > abs(predicted[$1]) }.prefix(c.networkRemovals))
        let base = per[t]
        var actual: [Double] = [], kept: [Double] = [], keptUndamped: [Double] = [], bound = 0.0, unconverged = 0
        for j in top {
            // Leave-one-out: Newton's method from θ̂ on F₋ⱼ, starting with the Hessian of F₋ⱼ at θ̂.
            var spent = 0
            let fj = { (t: [Double]) in objective(net, t, x: x, labels: labels, lambda: lam, excluding: j) }
            let tj = try newton(theta, tolerance: c.retrainTolerance * 10, steps: &spent, f: fj, hessian: { t in
                let full = t == theta ? h : hessian(net, t, x: x, labels: labels, lambda: lam)    // H(θ̂) is known
                return full - net.with(parameters: t).fullHessian(x.rows([j]), .softmaxCrossEntropy(labels: [labels[j]])) / n
            })
            let gn = Vector.norm(fj(tj).1)
            guard gn <= c.retrainTolerance * 10 else { unconverged += 1; continue }   // left its basin or stalled: not compared
            kept.append(predicted[j]); keptUndamped.append(undamped[j])
            actual.append(tl.value(net.with(parameters: tj).forward(tx)) - base)
            bound = max(bound, Vector.norm(gTest) * gn / eig.first!)
        }
        return Seed(pearson: pearson(kept, actual), undamped: pearson(keptUndamped, actual), lambdaMin: eig.first!, lambdaMax: eig.last!,
                    trainLoss: objective(net, theta, x: x, labels: labels, lambda: lam).0, testLoss: base, steps: steps,
                    predicted: kept, actual: actual, bound: bound, smallest: actual.map(abs).min() ?? .nan, unconverged: unconverged)
    }

    static func run(_ digits: DigitsSplit, convexPearson: Double, _ c: InfluenceFunctions.Config, seed: UInt64, report: Report) throws -> Result {
        report.section("Experiment 4: a non-convex network")
        /*: network
         **Claim 4 (Fig. 2, right).** The paper trains a CNN, adds a damping term δI to H so that it is
         positive definite, and finds Pearson R = 0.86 between predicted and actual changes for the 100
         most influential points (the authors' notebook prints 0.875 for the saved run). We train a
         64 → h → 10 tanh network with weight decay on part of the digits, from several random
         initializations: Adam on the full batch, then Newton steps (the Hessian refreshed a few times)
         until ‖∇L‖ is at the retraining tolerance, so that θ̂ is a stationary point whose Hessian we
         inspect (all eigenvalues positive: a strict local minimum). Influence uses H + δI with the
         paper's δ; leave-one-out retraining starts at θ̂ and stays in its basin. Criteria fixed before
         the run: the mean R over seeds at least the paper's 0.86 minus 0.1, on all seeds but one, and
         below the convex model's R of experiment 3.
         */
        report.literate("network")
        report.code("damped")
        let x = digits.trainX.rows(0..<c.networkTrain), labels = Array(digits.trainLabels[0..<c.networkTrain])
        let seeds = try report.phase("Experiment 4: \(c.networkSeeds) networks, \(c.networkRemovals) retrainings each") {
            try Threads.map(c.networkSeeds) { r in
                try trainSeed(r, x: x, labels: labels, testX: digits.testX, testLabels: digits.testLabels, c: c, seed: seed)
            }
        }
        let e = Evidence(pearsons: seeds.map(\.pearson), lambdaMin: seeds.map(\.lambdaMin), convexPearson: convexPearson, paper: 0.86)
        report.claim(claim(e))
        report.plot(ScatterPlot(title: "network: predicted (damped) against actual change, seed 0", xLabel: "actual change of the test loss",
                                yLabel: "predicted", series: [Series("most influential", x: seeds[0].actual, y: seeds[0].predicted, marker: "o")]))
        report.table(["seed", "Pearson R", "R without damping", "λ_min(H)", "λ_max(H)", "training objective", "test loss", "Newton steps", "retraining bound / smallest |change|", "retrainings not converged"],
                     seeds.enumerated().map { r, s in
                         ["\(r)", Fmt.g(s.pearson, 3), Fmt.g(s.undamped, 3), Fmt.sci(s.lambdaMin, 2), Fmt.g(s.lambdaMax, 3), Fmt.sci(s.trainLoss, 3), Fmt.g(s.testLoss, 3), "\(s.steps)", Fmt.sci(s.bound / s.smallest, 2), "\(s.unconverged)"]
                     }, caption: "P = \(MLP(sizes: [64, c.hidden, 10], activations: [.tanh, .identity], weights: [Matrix(rows: c.hidden, cols: 64), Matrix(rows: 10, cols: c.hidden)], biases: [[Double](repeating: 0, count: c.hidden), [Double](repeating: 0, count: 10)]).parameterCount) parameters, n = \(c.networkTrain), δ = \(Fmt.g(c.damping)).")
        return Result(evidence: e, seeds: seeds, parameters: 64 * c.hidden + c.hidden + 10 * c.hidden + 10)
    }
}
