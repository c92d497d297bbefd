import Foundation
import Numerics
import Learning
import Notebook

/// One way of training: a tuned baseline at one learning rate, or one of the DoG family.
enum Method: Sendable, Hashable {
    case sgd(learningRate: Double, momentum: Double)
    case adam(learningRate: Double)
    case dog(repsRel: Double)
    case layerwise(repsRel: Double)
    case tamed(repsRel: Double)

    var family: String {
        switch self {
        case .sgd(_, let mu): return mu == 0 ? "SGD" : "SGD (μ = \(Fmt.g(mu)))"
        case .adam: return "Adam"
        case .dog: return "DoG"
        case .layerwise: return "L-DoG"
        case .tamed: return "T-DoG"
        }
    }
}


/// What one training run leaves behind.
struct RunResult: Sendable {
    /// The training objective (mean cross-entropy + (λ/2)||x||²) at the last and at the averaged iterate.
    var lastObjective: Double, averageObjective: Double
    /// Test accuracy (fraction) at the last and at the averaged iterate.
    var lastAccuracy: Double, averageAccuracy: Double
    /// max_t ||x_t − x₀||₂ over the run.
    var maxDistance: Double
    /// ||x_t − x₀|| after every step t = 1 … T.
    var distances: [Double]
    /// η of the last step (block 0 for L-DoG; the learning rate for SGD and Adam).
    var finalStepSize: Double
    /// η_t of every step (the DoG family only; block 0).
    var stepSizes: [Double]
    /// Σ_t ||g̃_t||² over the run (g̃ the gradient with weight decay), for the ideal constant step.
    var gradientSquareSum: Double
    var steps: Int
    var diverged: Bool
    var averageParameters: [Double]
}

/// The digits split once, the model (logistic regression or an MLP) and the training run of one replicate.
struct DigitsProblem: Sendable {
    let trainX: Matrix, trainLabels: [Int]
    let testX: Matrix, testLabels: [Int]
    /// Hidden layer widths; empty for multinomial logistic regression (64 → 10 with biases).
    let hidden: [Int]
    /// Coupled weight decay λ (the objective's (λ/2)||x||²).
    let weightDecay: Double
    let batch: Int, epochs: Int
    let seed: UInt64
    /// The averager's γ.
    let gamma: Double

    init(split: DigitsSplit, hidden: [Int], weightDecay: Double, batch: Int, epochs: Int, seed: UInt64, gamma: Double = 8) {
        trainX = split.trainX; trainLabels = split.trainLabels
        testX = split.testX; testLabels = split.testLabels
        self.hidden = hidden; self.weightDecay = weightDecay; self.batch = batch; self.epochs = epochs
        self.seed = seed; self.gamma = gamma
    }

    var trainLoss: Loss { .softmaxCrossEntropy(labels: trainLabels) }
    var isConvex: Bool { hidden.isEmpty }

    /// x₀ of replicate r: zero for logistic regression (the convex problem's usual start), He
    /// initialization for the MLP (its own stream per replicate).
    func network(replicate r: Int) -> MLP {
        var rng = RandomSource.stream(seed: seed, Int(DoG.Stream.initialization.rawValue) + 16 * r)
        var net = MLP(sizes: [64] + hidden + [10], hidden: .relu, initialization: .he, rng: &rng)
        if isConvex { net.parameters = [Double](repeating: 0, count: net.parameterCount) }
        return net
    }

    /// The full-batch training objective F(x) = mean cross-entropy + (λ/2)||x||².
    func objective(_ theta: [Double], model: MLP) -> Double {
        model.with(parameters: theta).loss(trainX, trainLoss) + 0.5 * weightDecay * Vector.dot(theta, theta)
    }

    func accuracy(_ theta: [Double], model: MLP) -> Double {
        Loss.softmaxCrossEntropy(labels: testLabels).accuracy(model.with(parameters: theta).forward(testX))
    }

    func train(_ method: Method, replicate r: Int) -> RunResult {
        let net = network(replicate: r)
        let lambda = weightDecay
        switch method {
        case .sgd(let lr, let mu): var o = SGD(learningRate: lr, momentum: mu, weightDecay: lambda); return run(&o, net, r)
        case .adam(let lr): var o = Adam(learningRate: lr, weightDecay: lambda); return run(&o, net, r)
        case .dog(let reps): var o = DistanceOverGradients(repsRel: reps, weightDecay: lambda); return run(&o, net, r)
        case .layerwise(let reps):
            var o = DistanceOverGradients(repsRel: reps, weightDecay: lambda, blocks: DistanceOverGradients.layerBlocks(net))
            return run(&o, net, r)
        case .tamed(let reps): var o = DistanceOverGradients(variant: .tamed, repsRel: reps, weightDecay: lambda); return run(&o, net, r)
        }
    }

    func run<O: Optimizer>(_ optimizer: inout O, _ net: MLP, _ r: Int) -> RunResult {
        var rng = RandomSource.stream(seed: seed, Int(DoG.Stream.batchOrder.rawValue) + 16 * r)
        var averager = PolynomialAverager(gamma: gamma)
        let x0 = net.parameters
        var distances: [Double] = [], squares = 0.0
        let lambda = weightDecay
        //: begin training
        let outcome = MiniBatchTraining(batch: batch, epochs: epochs).train(
            net, x: trainX, loss: trainLoss, optimizer: &optimizer, rng: &rng,
            afterStep: { step in
                averager.add(step.parameters)                                        // x̄_t
                distances.append(Vector.distance(step.parameters, x0))                   // ||x_t − x₀||
                for i in 0..<step.gradient.count {
                    let g = step.gradient[i] + lambda * step.previous[i]; squares += g * g   // Σ ||g̃_t||²
                }
                return .proceed
            })
        //: end training
        let last = outcome.model.parameters
        let maxDistance = distances.max() ?? 0
        let dog = optimizer as? DistanceOverGradients
        let etas = dog?.stepSizes.map { $0[0] } ?? []
        let finalStep = dog == nil ? optimizer.learningRate : (etas.last ?? .nan)
        let objLast = objective(last, model: net), objAvg = averager.count > 0 ? objective(averager.average, model: net) : objLast
        let diverged = outcome.divergence != nil || !objLast.isFinite || !objAvg.isFinite
        if diverged {
            return RunResult(lastObjective: .infinity, averageObjective: .infinity, lastAccuracy: 0, averageAccuracy: 0,
                             maxDistance: maxDistance, distances: distances, finalStepSize: finalStep, stepSizes: etas, gradientSquareSum: squares,
                             steps: outcome.steps, diverged: true, averageParameters: [])
        }
        return RunResult(lastObjective: objLast, averageObjective: objAvg,
                         lastAccuracy: accuracy(last, model: net), averageAccuracy: accuracy(averager.average, model: net),
                         maxDistance: maxDistance, distances: distances, finalStepSize: finalStep, stepSizes: etas, gradientSquareSum: squares,
                         steps: outcome.steps, diverged: false, averageParameters: averager.average)
    }

    /// Trains every (method, replicate) pair, in parallel over the pairs (independent runs, so the
    /// results do not depend on the thread count). Returns results[method][replicate].
    func trainAll(_ methods: [Method], replicates: Int) throws -> [[RunResult]] {
        let flat = try Threads.map(methods.count * replicates) { k in train(methods[k / replicates], replicate: k % replicates) }
        return methods.indices.map { m in Array(flat[(m * replicates)..<((m + 1) * replicates)]) }
    }
}
