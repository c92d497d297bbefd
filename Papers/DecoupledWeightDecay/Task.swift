import Foundation
import Numerics
import Learning

/// The five ways of adding weight decay to SGD and Adam that the notebook compares.
enum Method: Int, CaseIterable, Sendable {
    case sgdL2, sgdw, adamL2, adamw, libraryAdamW

    var name: String {
        switch self {
        case .sgdL2: return "SGD + L2"
        case .sgdw: return "SGDW"
        case .adamL2: return "Adam + L2"
        case .adamw: return "AdamW"
        case .libraryAdamW: return "AdamW, library form"
        }
    }

    /// The symbol of the decay coefficient in the method's update rule.
    var coefficient: String {
        switch self {
        case .sgdL2, .adamL2: return "λ' (L2)"
        case .sgdw, .adamw: return "λ"
        case .libraryAdamW: return "w"
        }
    }

    /// True where the decay actually applied per step is multiplied by the learning rate α.
    var coupled: Bool { self == .sgdL2 || self == .adamL2 || self == .libraryAdamW }
    var isAdam: Bool { self != .sgdL2 && self != .sgdw }

}

/// The library form of AdamW (the shared `AdamW`, as in torch.optim.AdamW) driven by a schedule: its
/// one learning rate is η_t·α, so the decay applied per step is η_t·α·w.
struct LibraryAdamW: ScheduledOptimizer {
    var inner: AdamW
    var learningRate: Double { didSet { inner.learningRate = learningRate * scheduleMultiplier } }
    var scheduleMultiplier: Double = 1 { didSet { inner.learningRate = learningRate * scheduleMultiplier } }

    init(learningRate: Double, weightDecay: Double) {
        inner = AdamW(learningRate: learningRate, weightDecay: weightDecay)
        self.learningRate = learningRate
    }

    var name: String { "AdamW, library form" }
    mutating func step(_ x: inout [Double], gradient: [Double]) { inner.step(&x, gradient: gradient) }
    mutating func reset() { inner.reset() }
}

/// The digits data split once (a seeded permutation), the network and the training run of one grid cell.
struct DigitsTask: Sendable {
    let trainX: Matrix, trainLabels: [Int]
    let testX: Matrix, testLabels: [Int]
    let config: DecoupledWeightDecay.Config
    let seed: UInt64

    init(config c: DecoupledWeightDecay.Config, seed: UInt64) throws {
        var rng = RandomSource.stream(seed: seed, DecoupledWeightDecay.Stream.split)
        let split = try DigitsDataset.load().split(trainCount: c.trainCount, rng: &rng)
        trainX = split.trainX; trainLabels = split.trainLabels
        testX = split.testX; testLabels = split.testLabels
        config = c; self.seed = seed
    }

    var trainLoss: Loss { .softmaxCrossEntropy(labels: trainLabels) }

    /// The network of replicate `replicate`: 64 → hidden → 10, ReLU, He initialization.
    func network(replicate: Int) -> MLP {
        var rng = RandomSource.stream(seed: seed, Int(DecoupledWeightDecay.Stream.initialization.rawValue) + 16 * replicate)
        return MLP(sizes: [64] + config.hidden + [10], hidden: .relu, initialization: .he, rng: &rng)
    }

    /// The batch order of replicate `replicate` (the same for every method and cell of that replicate).
    func orderSource(replicate: Int) -> RandomSource {
        RandomSource.stream(seed: seed, Int(DecoupledWeightDecay.Stream.batchOrder.rawValue) + 16 * replicate)
    }

    /// The paper's cosine annealing of the schedule multiplier, per epoch e = 0 … E − 1:
    /// η_e = ½(1 + cos(π e / E)), from 1 down to just above 0.
    static func cosine(epoch e: Int, of epochs: Int) -> Double { 0.5 * (1 + cos(Double.pi * Double(e) / Double(epochs))) }

    struct Outcome: Sendable {
        var testError: Double        // fraction of the test images misclassified (1 after a divergence)
        var trainLoss: Double        // full training cross-entropy at the end (inf after a divergence)
        var weightNorm: Double       // ||θ||₂ at the end
        var diverged: Bool
    }

    /// Trains replicate `replicate` with `method` at learning rate α and decay coefficient `decay`.
    func train(_ method: Method, alpha: Double, decay: Double, replicate: Int) -> Outcome {
        let b1 = config.momentum
        switch method {
        case .sgdL2: var o = SGDW(learningRate: alpha, momentum: b1, l2: decay); return train(&o, replicate: replicate)
        case .sgdw: var o = SGDW(learningRate: alpha, momentum: b1, weightDecay: decay); return train(&o, replicate: replicate)
        case .adamL2: var o = AdamWPaper(learningRate: alpha, l2: decay); return train(&o, replicate: replicate)
        case .adamw: var o = AdamWPaper(learningRate: alpha, weightDecay: decay); return train(&o, replicate: replicate)
        case .libraryAdamW: var o = LibraryAdamW(learningRate: alpha, weightDecay: decay); return train(&o, replicate: replicate)
        }
    }

    func train<O: ScheduledOptimizer>(_ opt: inout O, replicate: Int, trace: ((MiniBatchTraining.Step) -> Void)? = nil) -> Outcome {
        var rng = orderSource(replicate: replicate)
        let epochs = config.epochs
        //: begin schedule
        let run = MiniBatchTraining(batch: config.batch, epochs: epochs).train(
            network(replicate: replicate), x: trainX, loss: trainLoss, optimizer: &opt, rng: &rng,
            beforeEpoch: { e, o in o.scheduleMultiplier = DigitsTask.cosine(epoch: e, of: epochs) },   // η_t
            afterStep: { step in trace?(step); return .proceed })
        //: end schedule
        let model = run.model
        let loss = model.loss(trainX, trainLoss)
        guard run.divergence == nil, loss.isFinite else {
            return Outcome(testError: 1, trainLoss: .infinity, weightNorm: .nan, diverged: true)
        }
        let accuracy = Loss.softmaxCrossEntropy(labels: testLabels).accuracy(model.forward(testX))
        return Outcome(testError: 1 - accuracy, trainLoss: loss, weightNorm: Vector.norm(model.parameters), diverged: false)
    }
}
