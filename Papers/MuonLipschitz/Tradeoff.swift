import Foundation
import Numerics
import Learning
import Notebook

/// Claim 2: the Pareto fronts of (certified bound, test accuracy), AdamW against Muon, per regulation.
enum Tradeoff {
    /// One configuration (optimizer, regulation, learning rate, strength) over its seeds.
    struct Point: Sendable {
        var optimizer: OptimizerKind
        var regulation: Regulation
        var learningRate: Double
        var strength: Double
        var bound: Double           // largest certified bound over the seeds
        var accuracy: Double        // mean test accuracy over the seeds
        var accuracySE: Double      // its standard error
    }

    /// The fronts of one regulation compared at `bins` bounds log-spaced over the range both reach.
    struct Comparison {
        var regulation: Regulation
        var range: ClosedRange<Double>?              // nil when the two sets of bounds do not overlap by 1.5x
        var bins: [Double] = []
        var adamFront: [Point] = [], muonFront: [Point] = []   // the best configuration at or under each bin
        var muonWins: Int { zip(muonFront, adamFront).filter { $0.accuracy > $1.accuracy }.count }
        var gaps: [Double] { zip(muonFront, adamFront).map { $0.accuracy - $1.accuracy } }
        var gapSEs: [Double] { zip(muonFront, adamFront).map { ($0.accuracySE * $0.accuracySE + $1.accuracySE * $1.accuracySE).squareRoot() } }
    }

    struct Evidence {
        var wins: [Regulation: Int]        // bins where Muon's front is higher
        var bins: [Regulation: Int]        // bins compared (0: ranges do not overlap)
        var meanGap: Double                // Muon − AdamW accuracy, mean over every regulation's bins
        var meanGapSE: Double              // its standard error over seeds
        var requiredWins: Int
    }

    //: begin front
    /// The front at bound b: the configuration of highest mean accuracy among those with bound ≤ b.
    static func front(_ points: [Point], at b: Double) -> Point? {
        points.filter { $0.bound <= b }.max { $0.accuracy < $1.accuracy }
    }
    //: end front

    static func compare(_ points: [Point], _ regulation: Regulation, bins n: Int) -> Comparison {
        let a = points.filter { $0.regulation == regulation && $0.optimizer == .adamW }
        let m = points.filter { $0.regulation == regulation && $0.optimizer == .muon }
        var c = Comparison(regulation: regulation, range: nil)
        guard let aLo = a.map(\.bound).min(), let mLo = m.map(\.bound).min() else { return c }
        let lo = max(aLo, mLo), hi = min(a.map(\.bound).max()!, m.map(\.bound).max()!)
        guard hi >= 1.5 * lo else { return c }
        c.range = lo...hi
        c.bins = (0..<n).map { lo * pow(hi / lo, Double($0) / Double(n - 1)) }
        c.adamFront = c.bins.map { front(a, at: $0)! }
        c.muonFront = c.bins.map { front(m, at: $0)! }
        return c
    }

    static func evidence(_ comparisons: [Comparison], requiredWins: Int) -> Evidence {
        var wins: [Regulation: Int] = [:], bins: [Regulation: Int] = [:]
        var gaps: [Double] = [], ses: [Double] = []
        for c in comparisons {
            wins[c.regulation] = c.muonWins; bins[c.regulation] = c.bins.count
            gaps += c.gaps; ses += c.gapSEs
        }
        let mean = gaps.isEmpty ? Double.nan : gaps.reduce(0, +) / Double(gaps.count)
        let se = gaps.isEmpty ? Double.nan : ses.map { $0 * $0 }.reduce(0, +).squareRoot() / Double(gaps.count)
        return Evidence(wins: wins, bins: bins, meanGap: mean, meanGapSE: se, requiredWins: requiredWins)
    }

    static func claim(_ e: Evidence) -> Claim {
        let checks = Regulation.allCases.map { r -> Check in
            let n = e.bins[r] ?? 0
            return Check("\(r.rawValue): bins where Muon's front is higher (of \(n))", measured: Double(e.wins[r] ?? 0),
                         .atLeast(Double(e.requiredWins)), format: "%.0f",
                         notObserved: n == 0 ? "the AdamW and Muon bounds do not overlap by a factor 1.5" : nil)
        } + [Check("mean front gap Muon − AdamW over all bins, in seed standard errors", measured: e.meanGap / e.meanGapSE,
                   .atLeast(2), format: "%.2f", notObserved: e.meanGapSE > 0 ? nil : "no bins compared")]
        return Claim(
            id: "C2",
            statement: "Switching AdamW → Muon improves weight decay and spectral normalization: equal accuracy at a lower Lipschitz bound (abstract; MLP figures).",
            checks: checks,
            failsIf: "for a regulation, Muon's front (accuracy at matched certified bound) is higher in fewer than \(e.requiredWins) of the bound bins, or the pooled gap is under 2 standard errors",
            note: "A digits MLP instead of the paper's CIFAR-10 MLP and transformers; accuracy is the seed mean, the bound the largest over seeds.")
    }

    /*: tradeoff
     **Claim 2: is Muon's Lipschitz–accuracy trade-off better?** A bias-free ReLU MLP 64 → h → h → 10
     on the 8x8 digits. Inputs are centred per pixel and divided by one scalar s (the pixels' overall
     standard deviation), so the normalization is exactly (1/s)-Lipschitz and the certified bound is
     Π σ₁(W_l)/s, with exact singular values. We train every combination of {AdamW, Muon} ×
     {decoupled weight decay λ, spectral normalization, spectral hard cap, spectral soft cap} over
     learning rates and strengths (λ, or the per-layer cap w_max), with several seeds each (seeds
     change the initial weights and the minibatch order; the data split is fixed). After every
     optimizer step each layer gets its constraint: normalization W/max(1, σ₁/w_max); the hard cap
     clips every singular value at w_max (exactly, through the SVD; the authors approximate this map
     by an odd polynomial); the soft cap is the authors' two-step polynomial, whose strength is set
     so that the largest singular value the step can reach maps onto w_max (for Muon the a-priori
     norm of its update, the paper's co-design; for AdamW, which has no such bound, the measured
     spectral norm of its step). Muon uses the authors' Newton–Schulz steps and momentum 0.95.

     Criterion, fixed before the run: per regulation, the two fronts (best seed-mean accuracy among
     configurations whose bound is at most b) are compared at n bounds b log-spaced over the range
     both optimizers reach; Muon reproduces the claim for that regulation if its front is strictly
     higher in at least ⌈2n/3⌉ bins; and the mean gap over all bins must exceed 2 seed standard errors.
     */
    static func run(_ c: MuonLipschitz.Config, options: RunOptions, report: Report, data: DigitsSplit,
                    mean: [Double], scale: Double) throws -> [Certificate.RunResult] {
        report.section("Claim 2: the Lipschitz–accuracy trade-off, AdamW against Muon")
        report.literate("tradeoff")
        report.code("constrained-step", file: Trainer.sourceFile)
        let specs = c.specs()
        let trainer = Trainer(sizes: c.sizes, epochs: c.epochs, batch: c.batch)
        let results = try report.phase("sweep: \(specs.count) training runs (dominant loop: minibatch forward/backward and per-step SVDs or Newton–Schulz of \(c.sizes[1])-wide weights)") {
            try Threads.map(specs.count) { i -> Certificate.RunResult in
                var rng = RandomSource.stream(seed: options.seed, Int(MuonLipschitz.Stream.training.rawValue) * 10_000 + i)
                let net = try trainer.train(specs[i], data: data, mean: mean, scale: scale, rng: &rng)
                var probe = RandomSource.stream(seed: options.seed, Int(MuonLipschitz.Stream.probes.rawValue) * 10_000 + i)
                return try Certificate.probe(net, spec: specs[i], data: data, config: c, rng: &probe)
            }
        }
        var points: [Point] = []
        for key in Set(results.map { "\($0.spec.optimizer.rawValue)|\($0.spec.regulation.rawValue)|\($0.spec.learningRate)|\($0.spec.strength)" }).sorted() {
            let group = results.filter { "\($0.spec.optimizer.rawValue)|\($0.spec.regulation.rawValue)|\($0.spec.learningRate)|\($0.spec.strength)" == key }
            let acc = group.map(\.accuracy)
            let mu = acc.reduce(0, +) / Double(acc.count)
            let sd = acc.count > 1 ? (acc.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(acc.count - 1)).squareRoot() : .nan
            let s = group[0].spec
            points.append(Point(optimizer: s.optimizer, regulation: s.regulation, learningRate: s.learningRate, strength: s.strength,
                                bound: group.map(\.bound).max()!, accuracy: mu, accuracySE: sd / Double(acc.count).squareRoot()))
        }
        let comparisons = Regulation.allCases.map { compare(points, $0, bins: c.bins) }
        let e = evidence(comparisons, requiredWins: Int((2 * Double(c.bins) / 3).rounded(.up)))
        report.claim(claim(e))
        report.code("front")
        Figures.write(points: points, comparisons: comparisons, evidence: e, results: results, config: c, report: report)
        return results
    }
}
