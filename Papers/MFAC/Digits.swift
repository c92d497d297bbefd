import Foundation
import Numerics
import Learning

/// The digits data split once, with the training loop the experiments share.
struct DigitsTask {
    let trainX: Matrix, trainLabels: [Int]
    let testX: Matrix, testLabels: [Int]

    var trainLoss: Loss { .softmaxCrossEntropy(labels: trainLabels) }
    var testLoss: Loss { .softmaxCrossEntropy(labels: testLabels) }

    /// Loads `Data/digits.csv` and splits it 75/25 by a seeded permutation (stream `split`).
    static func load(seed: UInt64) throws -> DigitsTask {
        let data = try DigitsDataset.load()
        var rng = RandomSource.stream(seed: seed, Int(MFAC.Stream.split.rawValue))
        let s = data.split(trainCount: data.count * 3 / 4, rng: &rng)
        return DigitsTask(trainX: s.trainX, trainLabels: s.trainLabels, testX: s.testX, testLabels: s.testLabels)
    }

    /// The network 64 → hidden → 10 with a He initialization drawn from `rng`.
    func network(hidden: [Int], rng: RandomSource) -> MLP {
        var r = rng
        return MLP(sizes: [64] + hidden + [10], hidden: .relu, initialization: .he, rng: &r)
    }

    func trainingLoss(_ net: MLP) -> Double { net.loss(trainX, trainLoss) }
    func testAccuracy(_ net: MLP) -> Double { testLoss.accuracy(net.forward(testX)) }

    /// The flat parameter indices of the weights (not the biases), layer by layer.
    static func weightIndices(_ net: MLP) -> [Int] {
        var out: [Int] = []
        for l in 0..<net.layerCount {
            let o = net.offsets(layer: l).weights
            out += Array(o..<(o + net.sizes[l + 1] * net.sizes[l]))
        }
        return out
    }

    /// Per-epoch record of a training run: losses, accuracies and the logs that explain them.
    struct Curve {
        /// After each epoch, on the whole training set (entry 0 = before training).
        var trainingLoss: [Double] = []
        var testAccuracy: [Double] = []
        /// Per epoch (entry 0 = epoch 1): the median norm of the mini-batch gradients.
        var gradientNorm: [Double] = []
        /// Per epoch: the median and the largest step length ||x_{t+1} − x_t||.
        var medianStep: [Double] = []
        var largestStep: [Double] = []
        /// Per epoch: ||x|| at the end of the epoch, and the learning rate used in it.
        var parameterNorm: [Double] = []
        var learningRate: [Double] = []
        /// The first epoch in which a loss was not finite (the run stops there), or nil.
        var divergedInEpoch: Int?

        var finalLoss: Double { divergedInEpoch == nil ? trainingLoss.last ?? .nan : .infinity }
        var finalAccuracy: Double { divergedInEpoch == nil ? testAccuracy.last ?? .nan : .nan }
    }

    /// Mini-batch training with `optimizer` (the shared loop; a fresh random order each epoch from
    /// `rng`). The learning rate is multiplied by 0.1 before each epoch (0-based) in `decayBefore`, as
    /// in the authors' `main_optim.py`. Records the full training loss and test accuracy after every
    /// epoch, and the gradient norms and step lengths within it. A non-finite loss ends the run
    /// (`divergedInEpoch`).
    func train<O: Optimizer>(_ net: MLP, optimizer: inout O, epochs: Int, batch: Int, rng: inout RandomSource,
                             decayBefore: [Int] = []) -> (model: MLP, curve: Curve) {
        var curve = Curve()
        curve.trainingLoss.append(trainingLoss(net)); curve.testAccuracy.append(testAccuracy(net))
        var norms: [Double] = [], steps: [Double] = [], rate = optimizer.learningRate
        let run = MiniBatchTraining(batch: batch, epochs: epochs).train(
            net, x: trainX, loss: trainLoss, optimizer: &optimizer, rng: &rng,
            beforeEpoch: { epoch, opt in
                if decayBefore.contains(epoch) { opt.learningRate *= 0.1 }
                rate = opt.learningRate; norms = []; steps = []
            },
            afterStep: { step in
                norms.append(Vector.norm(step.gradient)); steps.append(step.length)
                return .proceed
            },
            afterEpoch: { epoch, model in
                let l = trainingLoss(model)
                curve.gradientNorm.append(Stats.median(norms))
                curve.medianStep.append(Stats.median(steps)); curve.largestStep.append(steps.max() ?? .nan)
                curve.parameterNorm.append(Vector.norm(model.parameters)); curve.learningRate.append(rate)
                guard l.isFinite else { curve.divergedInEpoch = epoch + 1; return .stop }
                curve.trainingLoss.append(l); curve.testAccuracy.append(testAccuracy(model))
                return .proceed
            })
        if let d = run.divergence { curve.divergedInEpoch = d.epoch + 1 }
        return (run.model, curve)
    }
}
