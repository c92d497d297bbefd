import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 6 (Sec. 5.4, Fig. 6): finding flipped training labels.
enum FlipExperiment {
    struct Evidence {
        /// Per seed: mean fraction of flipped labels found over the checked fractions, by each ordering.
        var influence: [Double], loss: [Double], random: [Double]
    }

    struct Result { var evidence: Evidence; var fractions: [Double]; var curves: [[[Double]]] }   // [seed][method][fraction]

    static func claim(_ e: Evidence) -> Claim {
        let s = e.influence.count
        let beatsLoss = zip(e.influence, e.loss).filter { $0 > $1 }.count
        let beatsRandom = zip(e.influence, e.random).filter { $0 > $1 }.count
        return Claim(
            id: "C6",
            statement: "With 10% of training labels flipped, checking points in order of self-influence I_up,loss(zᵢ, zᵢ) finds the flipped labels faster than checking in order of training loss or at random (Sec. 5.4, Fig. 6).",
            checks: [
                Check("seeds where self-influence beats training loss (of \(s))", measured: Double(beatsLoss), .atLeast(Double(max(s - 1, 1))), format: "%.0f"),
                Check("seeds where self-influence beats random (of \(s))", measured: Double(beatsRandom), .atLeast(Double(s)), format: "%.0f"),
                Check("mean gain over training loss, fraction of flips found", measured: s == 0 ? .nan : Stats.mean(zip(e.influence, e.loss).map { $0 - $1 }),
                      .greaterThan(0), format: "%.3f"),
            ],
            failsIf: "self-influence finds fewer flipped labels than the training loss on two or more seeds, or does not beat random checking on every seed",
            note: "Score per seed: the fraction of flipped labels found, averaged over checking 5%, 10%, …, 30% of the training set. Multinomial logistic regression on digits, not the paper's spam data.")
    }

    static func run(_ digits: DigitsSplit, _ c: InfluenceFunctions.Config, seed: UInt64, report: Report) throws -> Result {
        report.section("Experiment 6: finding flipped labels")
        /*: flips
         **Claim 6 (Fig. 6).** The paper flips 10% of the labels of the Enron spam data and checks training
         points in order of their self-influence, the change of a point's own loss when it is up-weighted;
         on removal, (1/n)∇ℓᵢᵀH⁻¹∇ℓᵢ, a leverage-weighted gradient norm. Its baselines check in order of
         training loss, or at random. We flip 10% of the digits' training labels to a uniformly drawn
         other class, retrain the logistic regression, and record which fraction of the flipped labels
         each ordering has found after checking 5%, 10%, …, 30% of the points. Criteria fixed before the
         run, on the mean of that fraction over the checking budgets: self-influence ahead of the training
         loss on all seeds but one, and ahead of random on every seed.
         */
        report.literate("flips")
        let n = digits.trainX.rows
        let curves = try report.phase("Experiment 6: \(c.flipSeeds) seeds of flipped labels") {
            try Threads.map(c.flipSeeds) { r -> [[Double]] in
                var rng = RandomSource.stream(seed: seed, Int(InfluenceFunctions.Stream.flips.rawValue) * 100 + r)
                var labels = digits.trainLabels
                let flipped = Set(rng.permutation(n).prefix(Int((c.flipFraction * Double(n)).rounded())))
                for i in flipped.sorted() { labels[i] = (labels[i] + 1 + rng.int(below: 9)) % 10 }   // a different class
                let model = SoftmaxRegression(x: digits.trainX, labels: labels, classes: 10, lambda: c.lambda)
                let theta = try model.train(tolerance: 1e-10, label: "flipped labels, seed \(r)")
                let p = model.probabilities(theta)
                let factor = try CholeskyFactorization(model.hessian(p))
                var g = Matrix(rows: model.dimension, cols: n)
                for i in 0..<n { let gi = SoftmaxRegression.exampleGradient(model.x.row(i), p.row(i), labels[i]); for k in 0..<gi.count { g[k, i] = gi[k] } }
                let hg = factor.solve(g)
                //: begin self-influence
                let selfInfluence = (0..<n).map { i in (0..<model.dimension).reduce(0.0) { $0 + g[$1, i] * hg[$1, i] } }  // ∇ℓᵢᵀH⁻¹∇ℓᵢ
                let loss = (0..<n).map { SoftmaxRegression.crossEntropy(p.row($0), labels[$0]) }
                let orders = [(0..<n).sorted { selfInfluence[$0] > selfInfluence[$1] },
                              (0..<n).sorted { loss[$0] > loss[$1] },
                              rng.permutation(n)]
                //: end self-influence
                return orders.map { order in c.checkFractions.map { f in
                    Double(order.prefix(Int(f * Double(n))).filter { flipped.contains($0) }.count) / Double(flipped.count)
                } }
            }
        }
        report.code("self-influence")
        let e = Evidence(influence: curves.map { Stats.mean($0[0]) }, loss: curves.map { Stats.mean($0[1]) }, random: curves.map { Stats.mean($0[2]) })
        report.claim(claim(e))
        let names = ["self-influence", "training loss", "random"]
        let xs = c.checkFractions.map { $0 * 100 }
        report.plot(LinePlot(title: "fraction of flipped labels found (mean over seeds)", xLabel: "training points checked (%)", yLabel: "flips found",
                             series: names.enumerated().map { k, name in
                                 Series(name, x: xs, y: c.checkFractions.indices.map { f in Stats.mean(curves.map { $0[k][f] }) }, marker: Array("o+x")[k]) }))
        report.table(["checked"] + names, c.checkFractions.indices.map { f in
            [Fmt.pct(c.checkFractions[f], 0)] + names.indices.map { k in
                let v = curves.map { $0[k][f] }
                return Fmt.estimate(Stats.mean(v), v.count > 1 ? Stats.standardError(v) : 0)
            }
        }, caption: "Fraction of the flipped labels found; mean ± standard error over \(c.flipSeeds) seeds.")
        return Result(evidence: e, fractions: c.checkFractions, curves: curves)
    }
}
