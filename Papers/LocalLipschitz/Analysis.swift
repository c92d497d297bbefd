import Foundation
import Numerics
import Learning
import Notebook

/// Every bound computed for one network at one radius.
struct Analysis {
    var naive = Double.nan, interval = Double.nan, ours = Double.nan, bab = Double.nan, lower = Double.nan
    var exact: Double? = nil
    /// Ours with the least-volume planes only (no optimization); computed where the exact value is.
    var oursLeastVolume: Double? = nil
    var unstable = 0, hiddenNeurons = 0
    var work = WorkCounter()

    /// The chain lower ≤ exact ≤ ours+BaB ≤ ours ≤ interval ≤ naive (exact skipped if absent).
    var chain: [(String, Double)] {
        [("lower", lower)] + (exact.map { [("exact", $0)] } ?? []) + [("ours+BaB", bab), ("ours", ours), ("interval", interval), ("naive", naive)]
    }
    /// Links of the chain that fail, allowing a relative slack of 1e-9.
    var orderingViolations: [String] {
        let c = chain
        return (1..<c.count).compactMap { i in
            c[i - 1].1 <= c[i].1 * (1 + 1e-9) + 1e-12 ? nil : "\(c[i - 1].0) \(Fmt.g(c[i - 1].1, 6)) > \(c[i].0) \(Fmt.g(c[i].1, 6))"
        }
    }
}

/// What every experiment needs: the sizes, the seed, the trained networks and the report.
struct Study {
    let config: LocalLipschitz.Config
    let seed: UInt64
    let networks: [TrainedNetwork]
    /// Copies 2, 3, … of the radius sweep's network (copy 1 is the one in `networks`).
    let radiusCopies: [TrainedNetwork]
    let report: Report

    func network(_ hidden: [Int]) -> TrainedNetwork { networks.first { $0.hidden == hidden }! }

    /// The independently trained networks of the radius sweep.
    var radiusNetworks: [TrainedNetwork] { [network(config.epsilonNet)] + radiusCopies }

    /// All bounds of network `t` over B∞(0.5·1, ε); the exact value only when asked. The lower bound's
    /// sampling uses random stream `stream`.
    func analyze(_ t: TrainedNetwork, epsilon: Double, exact: Bool, babBudget: Int, stream: Int) throws -> Analysis {
        let net = t.net
        let classes = net.outputSize
        let box = InputBox(center: [Double](repeating: 0.5, count: net.inputSize), radius: epsilon)
        var a = Analysis()
        a.naive = Lipschitz.naive(net)
        guard let fb = LinearBoundPropagation.bounds(net, box: box) else {
            throw NumericalFailure.failed("forward bounds of \(t.name) are empty")
        }
        a.unstable = fb.unstableCounts.reduce(0, +)
        a.hiddenNeurons = t.hidden.reduce(0, +)
        a.interval = (0..<classes).map { Lipschitz.intervalBound(net, bounds: fb, classIndex: $0).value }.max()!
        // The ten classes are bounded independently, on the worker threads (results in class order).
        let perClass = try Threads.map(classes) { j -> (Lipschitz.Domain, WorkCounter) in
            var w = WorkCounter()
            let (v, y) = Lipschitz.linearBound(net, box: box, bounds: fb, classIndex: j, optimizationSweeps: config.optimizationSweeps,
                                               optimizeIntermediate: exact, counter: &w)
            return (Lipschitz.Domain(classIndex: j, splits: [:], bounds: fb, y: y, value: v, splitCount: 0), w)
        }
        let roots = perClass.map(\.0)
        var work = WorkCounter()
        for (_, w) in perClass { work.add(w) }
        a.ours = roots.map(\.value).max()!
        let widths = fb.layers[0].upper.enumerated().map { $0.element - fb.layers[0].lower[$0.offset] }
        let beta = 1 / (0.02 * Stats.mean(widths))
        var rng = RandomSource.stream(seed: seed, stream)
        a.lower = Lipschitz.lowerBound(net, box: box, samples: config.samples, restarts: config.restarts, steps: config.steps, beta: beta, rng: &rng)
        a.bab = Lipschitz.branchAndBound(net, box: box, roots: roots, lowerBound: a.lower, budget: babBudget, counter: &work)
        if exact {
            a.oursLeastVolume = (0..<classes).map { j in
                Lipschitz.linearBound(net, box: box, bounds: fb, classIndex: j, counter: &work).value
            }.max()!
            a.exact = try Lipschitz.exact(net, box: box, bounds: fb, counter: &work, maxLinearPrograms: config.maxLinearPrograms)
        }
        a.work = work
        for (name, v) in a.chain where !v.isFinite {
            throw NumericalFailure.nonFinite("\(name) bound of \(t.name) at ε = \(epsilon) is \(v)")
        }
        return a
    }

    /// Bounds against a swept quantity on log axes (used by the sweeps and the radius experiment).
    func boundsPlot(title: String, xLabel: String, xs: [Double], results: [Analysis], logX: Bool) -> LinePlot {
        LinePlot(title: title, xLabel: xLabel, yLabel: "local Lipschitz bound (log)", xScale: logX ? .log10 : .linear, yScale: .log10,
                 series: [Series("naive", x: xs, y: results.map(\.naive), marker: "n"),
                          Series("interval", x: xs, y: results.map(\.interval), marker: "i"),
                          Series("ours", x: xs, y: results.map(\.ours), marker: "o"),
                          Series("ours + BaB", x: xs, y: results.map(\.bab), marker: "b"),
                          Series("lower bound", x: xs, y: results.map(\.lower), marker: "l")])
    }
}
