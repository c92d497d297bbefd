import Foundation
import Numerics
import Learning

/// Where the step's code lives (the report shows it from here).
enum SourceFiles { static let training = #filePath }

/// The SAM gradient of Algorithm 1 (Foret et al., 2021), with the ascent taken on micro-batches of
/// m rows (m-sharpness, Section 4.1):
///
///     for each micro-batch Bₖ of the batch B (m rows each; one micro-batch when m = |B|)
///         gₖ  = ∇L_Bₖ(w)                               the ascent gradient, on the same rows
///         ε̂ₖ  = ρ · gₖ / ||gₖ||₂                       normalized ascent (p = 2, equation 2)
///         g'ₖ = ∇L_Bₖ(w + ε̂ₖ)                          the gradient at the perturbed point (equation 3)
///     g_SAM = Σₖ (|Bₖ|/|B|) · g'ₖ
///
/// The perturbed point is a copy of the parameters, so w itself is never moved: the base optimizer
/// steps from w with g_SAM ("undo the perturbation" holds by construction).
struct SharpnessAware: Sendable {
    var rho: Double
    /// Rows per ascent (m); nil = the whole batch.
    var microBatch: Int?

    /// The batch loss at w and the SAM gradient, for the model at w on the rows x with loss `loss`.
    func lossAndGradient(_ model: MLP, _ x: Matrix, _ loss: Loss) -> (loss: Double, gradient: [Double]) {
        let n = x.rows, m = Swift.min(microBatch ?? n, n)
        let w = model.parameters
        var total = [Double](repeating: 0, count: w.count), value = 0.0
        for start in stride(from: 0, to: n, by: m) {
            let rows = Array(start..<Swift.min(n, start + m))
            let (xb, lb) = rows.count == n ? (x, loss) : (x.rows(rows), loss.subset(rows))
            let share = Double(rows.count) / Double(n)
            //: begin sam-step
            let (l, g) = model.lossAndGradient(xb, lb)                 // L_B(w), ∇L_B(w)
            let norm = Vector.norm(g)
            let scale = norm > 0 ? rho / norm : 0                      // ε̂ = ρ g/||g||₂ (0 if g = 0)
            var perturbed = w
            Vector.axpy(scale, g, &perturbed)                          // w + ε̂, a copy: w is untouched
            let (_, gSAM) = model.with(parameters: perturbed).lossAndGradient(xb, lb)   // ∇L_B(w + ε̂)
            //: end sam-step
            Vector.axpy(share, gSAM, &total); value += share * l
        }
        return (value, total)
    }
}

/// The digits with a fixed three-way split (one seeded permutation): train, validation (for tuning
/// and early stopping, labels always clean), test (clean).
struct DigitsTask: Sendable {
    let trainX: Matrix, trainLabels: [Int]
    let validationX: Matrix, validationLabels: [Int]
    let testX: Matrix, testLabels: [Int]

    static func load(train: Int, validation: Int, seed: UInt64) throws -> DigitsTask {
        let data = try DigitsDataset.load()
        var rng = RandomSource.stream(seed: seed, SAM.Stream.split)
        let s = data.split(trainCount: train + validation, rng: &rng)
        let tr = Array(0..<train), va = Array(train..<(train + validation))
        return DigitsTask(trainX: s.trainX.rows(tr), trainLabels: tr.map { s.trainLabels[$0] },
                          validationX: s.trainX.rows(va), validationLabels: va.map { s.trainLabels[$0] },
                          testX: s.testX, testLabels: s.testLabels)
    }

    /// Symmetric label noise: each training label, with probability p, is replaced by one of the
    /// other nine classes drawn uniformly.
    func noisyLabels(_ p: Double, rng: inout RandomSource) -> [Int] {
        trainLabels.map { y in
            let flip = rng.uniform() < p
            let other = rng.int(below: DigitsDataset.classes - 1)           // drawn always: same stream use for every p
            return flip ? (other >= y ? other + 1 : other) : y
        }
    }

    func network(hidden: Int, rng: inout RandomSource) -> MLP {
        MLP(sizes: [64, hidden, DigitsDataset.classes], hidden: .relu, initialization: .he, rng: &rng)
    }
}

/// How one network is trained: SGD with heavy-ball momentum, on the plain or the SAM gradient.
struct Recipe: Sendable {
    var learningRate: Double
    var momentum: Double
    var epochs: Int
    var batch: Int
    var sam: SharpnessAware?            // nil = plain SGD
}

/// What a run recorded after every epoch (entry 0 = at initialization).
struct RunRecord: Sendable {
    var trainLoss: [Double] = []        // on the labels the run trained on
    var validationAccuracy: [Double] = []
    var testAccuracy: [Double] = []
    var model: MLP
    var steps = 0
    /// Set when `stopBelow` was reached: the full training loss at the stop.
    var stoppedAtLoss: Double?
    /// Set when a mini-batch loss or gradient was not finite (the run ended before that step).
    var diverged: String?

    /// Early stopping: the test accuracy at the first epoch of best validation accuracy.
    var earlyStoppedTest: Double {
        guard let best = validationAccuracy.max(), let e = validationAccuracy.firstIndex(of: best) else { return .nan }
        return testAccuracy[e]
    }
    var bestValidation: Double { validationAccuracy.max() ?? .nan }
    /// The epoch early stopping picks (0 = initialization).
    var bestEpoch: Int { validationAccuracy.max().flatMap { validationAccuracy.firstIndex(of: $0) } ?? 0 }
    var finalTest: Double { testAccuracy.last ?? .nan }
}

/// A run the comparison needs that diverged stops the paper with this error.
struct TrainingDiverged: Error, CustomStringConvertible {
    let detail: String
    var description: String { "training diverged: \(detail)" }
}

extension DigitsTask {
    /// Mini-batch training, a fresh random order each epoch from `order` (the shared loop's scheme;
    /// the SAM gradient needs the batch's rows twice, which the shared loop's optimizer interface does
    /// not pass, so both methods run through this one loop). With `stopBelow`, the run stops at the
    /// first step whose full training loss is below it (matched-loss comparisons).
    func train(_ net: MLP, labels: [Int], recipe r: Recipe, order: inout RandomSource,
               stopBelow: Double? = nil) -> RunRecord {
        let loss = Loss.softmaxCrossEntropy(labels: labels)
        let (vLoss, tLoss) = (Loss.softmaxCrossEntropy(labels: validationLabels), Loss.softmaxCrossEntropy(labels: testLabels))
        var rec = RunRecord(model: net)
        func record(_ m: MLP) -> Double {
            let l = stopBelow == nil ? .nan : m.loss(trainX, loss)       // only the matched-loss runs need it
            rec.trainLoss.append(l)
            rec.validationAccuracy.append(vLoss.accuracy(m.forward(validationX)))
            rec.testAccuracy.append(tLoss.accuracy(m.forward(testX)))
            return l
        }
        var model = net, theta = net.parameters
        var sgd = SGD(learningRate: r.learningRate, momentum: r.momentum)
        var last = record(model)
        let n = trainX.rows
        for epoch in 0..<r.epochs {
            let perm = r.batch >= n ? Array(0..<n) : order.permutation(n)
            // Measure the full loss after every step only in an epoch expected to cross the target
            // (the last epoch's decrease repeated); otherwise the run stops at an epoch's end.
            let predicted = rec.trainLoss.count >= 2 ? last * last / rec.trainLoss[rec.trainLoss.count - 2] : last
            let watch = stopBelow.map { predicted < $0 } ?? false
            for start in stride(from: 0, to: n, by: r.batch) {
                let rows = Array(perm[start..<Swift.min(n, start + r.batch)])
                model.parameters = theta
                let (xb, lb) = (trainX.rows(rows), loss.subset(rows))
                let (value, g) = r.sam?.lossAndGradient(model, xb, lb) ?? model.lossAndGradient(xb, lb)
                guard value.isFinite, g.allSatisfy({ $0.isFinite }) else {
                    rec.diverged = "mini-batch loss \(value) in epoch \(epoch + 1) at learning rate \(r.learningRate)"
                    rec.model = model
                    return rec
                }
                sgd.step(&theta, gradient: g)                      // heavy ball on ∇L_B or on g_SAM
                rec.steps += 1
                if watch, let target = stopBelow {
                    model.parameters = theta
                    let l = model.loss(trainX, loss)
                    if l < target { _ = record(model); rec.model = model; rec.stoppedAtLoss = l; return rec }
                }
            }
            model.parameters = theta
            last = record(model)
            if let target = stopBelow, last < target { rec.model = model; rec.stoppedAtLoss = last; return rec }
        }
        rec.model = model
        return rec
    }
}
