import Foundation
import Numerics
import Learning
import Notebook

/// Claim 2: the authors' square-wave toy (Table 1, Fig. 3 of the paper).
enum Toy {
    /// One trained toy network.
    struct Model: Sendable {
        var kind: LayerKind
        var gamma: Double
        var seed: Int
        var net: LipschitzNetwork
        var explicit: MLP
        var testMSE: Double
        var slope: Double        // exact max |f′| over [−3, 3]
        var pieces: Int
        var fit: [Double]        // f on the test grid
    }

    /// The target: 1 on [−2, −1] and (0, 1], 0 elsewhere on [−2, 2] (the authors' `square_wave`).
    static func squareWave(_ x: Double) -> Double { (x <= -1 || (x > 0 && x <= 1)) ? 1 : 0 }
    static let testGrid: [Double] = (0..<200).map { i -> Double in -2 + 4 * Double(i) / 199 }

    /// The best γ-Lipschitz fit in closed form: a ramp of slope γ centred on each of the three jumps
    /// (a symmetric convex problem per jump), scored on the test grid.
    static func rampFloor(_ gamma: Double) -> Double {
        let f: (Double) -> Double = { x in
            var y = squareWave(x)
            for j in [-1.0, 0, 1] where abs(x - j) < 0.5 / gamma {
                let up = j == 0 ? 1.0 : -1.0      // the jump at 0 goes up, at ±1 down
                y = 0.5 + up * gamma * (x - j)
            }
            return y
        }
        return testGrid.reduce(0) { $0 + pow(f($1) - squareWave($1), 2) } / Double(testGrid.count)
    }

    static func train(_ c: LBDN.Config, options: RunOptions) throws -> [Model] {
        var rng = RandomSource.stream(seed: options.seed, LBDN.Stream.toyData)
        let xs = (0..<300).map { _ in 2 * (2 * rng.uniform() - 1) }
        let x = Matrix(rows: 300, cols: 1, elements: xs), y = Matrix(rows: 300, cols: 1, elements: xs.map(squareWave))
        var specs: [(LayerKind, Double, Int)] = []
        for k in LayerKind.allCases { for g in c.toyGammas { for s in 0..<c.seeds { specs.append((k, g, s)) } } }
        let grid = Matrix(rows: testGrid.count, cols: 1, elements: testGrid)
        return try Threads.map(specs.count) { i in
            let (kind, gamma, seed) = specs[i]
            var r = RandomSource.stream(seed: options.seed, Int(LBDN.Stream.toyTraining.rawValue) * 1_000 + i)
            var net = LipschitzNetwork(kind: kind, sizes: c.toySizes(kind), gamma: gamma, rng: &r)
            _ = try c.toyTrainer.train(&net, x: x, targets: y, labels: [], rng: &r)
            let mlp = try net.explicit()
            let fit = mlp.forward(grid).storage
            let mse = zip(fit, testGrid).reduce(0) { $0 + pow($1.0 - squareWave($1.1), 2) } / Double(testGrid.count)
            let w = Probes.walk(mlp, from: -3, to: 3)
            return Model(kind: kind, gamma: gamma, seed: seed, net: net, explicit: mlp, testMSE: mse, slope: w.slope, pieces: w.pieces, fit: fit)
        }
    }

    struct Evidence {
        var runs: Int                 // (γ, seed) pairs
        var fitWins: Int              // sandwich test MSE below both other families
        var tightWins: Int            // sandwich's empirical Lipschitz / γ above both other families
        var logGapMean: Double        // mean over runs of ln(best other MSE / sandwich MSE)
        var logGapSE: Double
    }

    static func claim(_ e: Evidence) -> Claim {
        let need = Double((2 * e.runs + 2) / 3)
        let none = e.runs == 0 ? "no toy run" : nil
        return Claim(
            id: "C2",
            statement: "On the square-wave toy, sandwich networks fit better at equal γ than orthogonal and spectrally normalized networks, and their empirical Lipschitz constant comes closest to γ (Table 1, Fig. 3).",
            checks: [
                Check("runs (γ × seed) where sandwich has the lowest test MSE, of \(e.runs)", measured: Double(e.fitWins), .atLeast(need), format: "%.0f", notObserved: none),
                Check("runs where sandwich's max |f′|/γ is the highest, of \(e.runs)", measured: Double(e.tightWins), .atLeast(need), format: "%.0f", notObserved: none),
                Check("mean ln(best other MSE / sandwich MSE) − 2 se", measured: e.logGapMean - 2 * e.logGapSE, .greaterThan(0), format: "%.3f",
                      notObserved: e.runs < 3 ? "mean over \(e.runs) runs" : nil),
            ],
            failsIf: "sandwich is best in fewer than two thirds of the (γ, seed) runs on fit or on tightness, or its fit advantage is within two standard errors of zero",
            note: "Sandwich networks are narrower than the others in the authors' 2:3 ratio (equal parameter counts); all share the same data, schedule and seeds.")
    }

    /*: toy
     **Claim 2: the square wave.** A step is not Lipschitz, so a γ-Lipschitz network must ramp
     through each jump with slope at most γ; the best it can do is a ramp of slope exactly γ, and a
     network that fits well must use its whole budget there. We train every family at every γ with
     the authors' toy settings, and measure the test MSE on the 200-point grid and the exact largest
     slope max|f′| on [−3, 3], found by walking from one linear piece of the network to the next.
     The ramp floor (the MSE of the best γ-Lipschitz fit, centred ramps of slope γ) is the reference
     no γ-Lipschitz model can beat by more than the grid's discretization. Criterion, fixed before the
     run: sandwich has the lowest test MSE and the highest max|f′|/γ in at least two thirds of the
     (γ, seed) runs, and the mean log-ratio of the best competitor's MSE to sandwich's exceeds two
     standard errors.
     */
    static func report(_ c: LBDN.Config, _ models: [Model], report: Report) throws {
        report.section("Claim 2: expressiveness on the square wave")
        report.literate("toy")
        var fitWins = 0, tightWins = 0, gaps: [Double] = [], runs = 0
        for g in c.toyGammas {
            for s in 0..<c.seeds {
                let group = models.filter { $0.gamma == g && $0.seed == s }
                guard let sw = group.first(where: { $0.kind == .sandwich }) else { continue }
                let others = group.filter { $0.kind != .sandwich }
                runs += 1
                if others.allSatisfy({ sw.testMSE < $0.testMSE }) { fitWins += 1 }
                if others.allSatisfy({ sw.slope > $0.slope }) { tightWins += 1 }
                gaps.append(log(others.map(\.testMSE).min()! / sw.testMSE))
            }
        }
        let e = Evidence(runs: runs, fitWins: fitWins, tightWins: tightWins, logGapMean: Stats.mean(gaps),
                         logGapSE: gaps.count > 1 ? Stats.standardError(gaps) : .nan)
        report.claim(claim(e))
        var rows: [[String]] = []
        for g in c.toyGammas {
            for k in LayerKind.allCases {
                let m = models.filter { $0.gamma == g && $0.kind == k }
                let mse = m.map(\.testMSE), tight = m.map { $0.slope / g }
                rows.append([Fmt.g(g), k.rawValue, Fmt.g(Stats.mean(mse), 3), Fmt.g(mse.max()! - mse.min()!, 2), Fmt.g(rampFloor(g), 3),
                             Fmt.pct(Stats.mean(tight)), Fmt.pct(tight.max()!), "\(Int(Stats.mean(m.map { Double($0.pieces) })))"])
            }
        }
        report.table(["γ", "layers", "test MSE (mean)", "range over seeds", "ramp floor", "max|f′|/γ (mean)", "max|f′|/γ (largest)", "linear pieces"], rows,
                     caption: "Toy fits over \(c.seeds) seed(s); max|f′| is exact on [−3, 3].")
        let g = c.toyGammas.first!
        let pick = LayerKind.allCases.compactMap { k in models.first { $0.gamma == g && $0.kind == k && $0.seed == 0 } }
        report.plot(LinePlot(title: "Fits at γ = \(Fmt.g(g)), seed 0", xLabel: "x", yLabel: "f(x)",
                             series: [Series("target", x: testGrid, y: testGrid.map(squareWave), marker: ".")] +
                                pick.map { Series($0.kind.rawValue, x: testGrid, y: $0.fit) }, yRange: -0.3...1.3))
        let sw = models.filter { $0.kind == .sandwich }
        report.discussion("""
            Sandwich networks had the lowest test MSE in \(fitWins) of \(runs) (γ, seed) runs and the highest \
            max|f′|/γ in \(tightWins) of \(runs); the best competitor's MSE was on average \
            \(Fmt.g(exp(e.logGapMean), 3))× sandwich's (log-ratio \(Fmt.estimate(e.logGapMean, e.logGapSE))). Sandwich \
            networks used \(Fmt.pct(Stats.mean(sw.map { $0.slope / $0.gamma }))) of their budget on average \
            (range \(Fmt.pct(sw.map { $0.slope / $0.gamma }.min()!))–\(Fmt.pct(sw.map { $0.slope / $0.gamma }.max()!))).
            """)
    }
}
