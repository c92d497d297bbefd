import Foundation
import Numerics
import Learning
import Notebook

/*: setup
 **Data and networks.** Each class is one isotropic Gaussian cluster in ℝᵈ: x = μ_c + σ z with
 z ~ N(0, I). The k means lie at distance `separation` from the origin along random orthonormal
 directions, so any two means are separation·√2 apart. The "less separable" data keep the same
 means and the same draws z but a larger σ. The networks have two hidden ReLU layers of equal
 width h and k linear outputs, He-initialized, trained by plain mini-batch SGD for a fixed number
 of epochs, on the mean softmax cross-entropy or, as a control, on half the squared error against
 one-hot targets. The Hessian is always that of the full training loss at the final weights. Every
 experiment is repeated on each replicate seed (new data, initialization and batch order), and
 every count is decided over those seeds inside the run.
 */

/// One trained network and the spectrum of its training-loss Hessian.
struct TrainedPoint {
    var label: String
    var classes: Int
    var width: Int
    var parameterCount: Int
    var loss: Double
    /// Training accuracy (NaN for squared error, where it is not defined here).
    var accuracy: Double
    var steps: Int
    var spectrum: SpectrumSummary
}

/// What a trained point is: the data, the network, the loss, and an optional early stop.
struct PointKey: Hashable {
    var replicate: Int
    var classes: Int
    var width: Int
    var noise: Double
    var squaredError = false
    /// Stop training at the first step where the full training loss is ≤ this (matched-loss runs).
    var stopBelow: Double? = nil
}

/// Data, networks and trained points of every replicate seed; a point shared by two experiments
/// (the base network on the base data) is trained and diagonalized once.
final class Lab {
    let config: HessianSpectrum.Config
    let options: RunOptions
    private var cache: [PointKey: TrainedPoint] = [:]

    init(config: HessianSpectrum.Config, options: RunOptions) {
        self.config = config; self.options = options
    }

    typealias Stream = HessianSpectrum.Stream
    var replicates: Range<Int> { 0..<config.seeds }
    func seed(_ r: Int) -> UInt64 { config.seed(options.seed, replicate: r) }

    func data(replicate r: Int, classes k: Int, noise: Double) -> (x: Matrix, labels: [Int]) {
        var rng = RandomSource.stream(seed: seed(r), Int(Stream.data.rawValue) + k)
        let mixture = GaussianMixture(classes: k, dimension: config.dimension, separation: config.separation,
                                      noise: noise, rng: &rng)
        return mixture.sample(perClass: config.perClass, rng: &rng)
    }

    func initialNetwork(replicate r: Int, classes k: Int, width h: Int) -> MLP {
        var rng = RandomSource.stream(seed: seed(r), Int(Stream.initialization.rawValue))
        return MLP(sizes: [config.dimension, h, h, k], hidden: .relu, initialization: .he, rng: &rng)
    }

    func batchOrder(replicate r: Int) -> RandomSource {
        RandomSource.stream(seed: seed(r), Int(Stream.batchOrder.rawValue))
    }

    static func oneHot(_ labels: [Int], classes k: Int) -> Matrix {
        var y = Matrix(rows: labels.count, cols: k)
        for (i, c) in labels.enumerated() { y[i, c] = 1 }
        return y
    }

    func loss(_ labels: [Int], classes k: Int, squaredError: Bool) -> Loss {
        squaredError ? .meanSquaredError(targets: Lab.oneHot(labels, classes: k)) : .softmaxCrossEntropy(labels: labels)
    }

    func summary(_ values: [Double], classes k: Int) -> SpectrumSummary {
        SpectrumSummary(values, classes: k, window: config.window, edge: config.bulkEdge, minimumGap: config.minimumGap)
    }

    /// Trains (or returns the cached) point `key` and diagonalizes its Hessian.
    func point(_ key: PointKey) throws -> TrainedPoint {
        if let p = cache[key] { return p }
        let (k, h) = (key.classes, key.width)
        let label = "seed \(key.replicate), k = \(k), h = \(h), σ = \(Fmt.g(key.noise))"
            + (key.squaredError ? ", squared error" : "") + (key.stopBelow.map { ", stopped at L ≤ \(Fmt.sci($0, 2))" } ?? "")
        let (x, labels) = data(replicate: key.replicate, classes: k, noise: key.noise)
        let loss = loss(labels, classes: k, squaredError: key.squaredError)
        var order = batchOrder(replicate: key.replicate)
        let run = try Training.sgd(initialNetwork(replicate: key.replicate, classes: k, width: h), x: x, loss: loss,
                                   batch: config.batchSize, learningRate: config.learningRate, epochs: config.epochs,
                                   rng: &order, label: label, stopBelow: key.stopBelow)
        let values = try Analysis.spectrum(run.net, x: x, loss: loss, label: label)
        let z = run.net.forward(x)
        let p = TrainedPoint(label: label, classes: k, width: h, parameterCount: run.net.parameterCount,
                             loss: loss.value(z), accuracy: loss.accuracy(z), steps: run.steps,
                             spectrum: summary(values, classes: k))
        cache[key] = p
        return p
    }

    /// The base network (width `baseWidth`) on the base data with k classes, cross-entropy.
    func base(_ r: Int, classes k: Int? = nil, width h: Int? = nil) throws -> TrainedPoint {
        try point(PointKey(replicate: r, classes: k ?? config.baseClasses, width: h ?? config.baseWidth, noise: config.noise))
    }
}

/// Summaries over replicate seeds.
enum Seeds {
    /// The geometric mean of positive ratios (NaN if any is not positive and finite).
    static func geometricMean(_ ratios: [Double]) -> Double {
        guard !ratios.isEmpty, ratios.allSatisfy({ $0 > 0 && $0.isFinite }) else { return .nan }
        return Foundation.exp(Stats.mean(ratios.map { Foundation.log($0) }))
    }

    /// "mean ± se" of a list of values.
    static func estimate(_ xs: [Double], digits: Int? = 3) -> String {
        xs.count < 2 ? Fmt.list(xs) : Fmt.estimate(Stats.mean(xs), Stats.standardError(xs), digits: digits)
    }

    /// A histogram of integer counts: "3 (×4), 2 (×1)".
    static func tally(_ counts: [Int]) -> String {
        let distinct = Array(Set(counts)).sorted(by: >)
        return distinct.map { c in "\(c) (×\(counts.filter { $0 == c }.count))" }.joined(separator: ", ")
    }
}
