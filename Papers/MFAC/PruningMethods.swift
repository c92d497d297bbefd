import Foundation
import Numerics
import Learning
import Notebook

/// Mini-batches of training rows in a seeded random order, reshuffled when used up.
struct BatchSampler {
    var rng: RandomSource
    let n: Int
    var order: [Int] = []
    var position = 0

    init(n: Int, rng: RandomSource) { self.n = n; self.rng = rng }

    mutating func next(_ size: Int) -> [Int] {
        var out: [Int] = []
        while out.count < size {
            if position == order.count { order = rng.permutation(n); position = 0 }
            out.append(order[position]); position += 1
        }
        return out
    }
}

/// F⁻¹ over the unpruned weights, either one static M-FAC over all of them or one per block of
/// `blockSize` consecutive weights (a block-diagonal Fisher).
struct InverseFisher {
    var blocks: [(range: Range<Int>, mfac: StaticMFAC)]
    var cost: Int { blocks.reduce(0) { $0 + $1.mfac.precomputationCost.multiplyAdds } }

    init(gradients g: Matrix, damping: Double, blockSize: Int?) throws {
        let d = g.cols
        let size = blockSize ?? d
        blocks = try stride(from: 0, to: d, by: size).map { lo in
            let r = lo..<Swift.min(d, lo + size)
            return (r, try StaticMFAC(gradients: g.submatrix(rows: 0..<g.rows, cols: r), damping: damping))
        }
    }

    func diagonal() -> [Double] { blocks.flatMap { $0.mfac.inverseDiagonal() } }

    func times(_ x: [Double]) -> [Double] { blocks.flatMap { $0.mfac.inverseTimes(Array(x[$0.range])) } }
}

/// The weights of a network being pruned: its parameters and which weights are still alive.
struct PrunedState {
    var theta: [Double]
    /// alive[i] for the i-th weight (in `weightIndices` order).
    var alive: [Bool]
    var sparsity: Double { Double(alive.filter { !$0 }.count) / Double(alive.count) }
}

extension Experiments {
    /// Magnitude pruning: zero the smallest |w| among the alive weights until `prunedTarget` are zero.
    func magnitudePrune(_ s: PrunedState, weights: [Int], prunedTarget: Int) -> PrunedState {
        var out = s
        let aliveList = (0..<weights.count).filter { s.alive[$0] }
        let k = prunedTarget - (weights.count - aliveList.count)
        guard k > 0 else { return out }
        let order = aliveList.sorted { (abs(s.theta[weights[$0]]), $0) < (abs(s.theta[weights[$1]]), $1) }
        for i in order.prefix(k) { out.theta[weights[i]] = 0; out.alive[i] = false }
        return out
    }

    /// The m mini-batch gradients at `s`, restricted to the alive weights (an m x d_alive matrix).
    func pruningGradients(_ net: MLP, _ s: PrunedState, weights: [Int], task: DigitsTask,
                          sampler: inout BatchSampler) -> Matrix {
        let model = net.with(parameters: s.theta)
        let aliveParams = (0..<weights.count).filter { s.alive[$0] }.map { weights[$0] }
        var g = Matrix(rows: config.fisherGradients, cols: aliveParams.count)
        for i in 0..<config.fisherGradients {
            let rows = sampler.next(config.fisherBatch)
            let grad = model.lossAndGradient(task.trainX.rows(rows), task.trainLoss.subset(rows)).gradient
            for (j, p) in aliveParams.enumerated() { g.storage[i * aliveParams.count + j] = grad[p] }
        }
        return g
    }

    /// Optimal-brain-surgeon pruning with an inverse Fisher over the alive weights: remove the
    /// `prunedTarget − (already pruned)` alive weights of smallest score w²/(2[F⁻¹]ᵢᵢ) and move the rest
    /// by δw = F⁻¹ e, e_Q = −w_Q / [F⁻¹]_QQ on the removed set Q (zero elsewhere).
    func obsPrune(_ s: PrunedState, weights: [Int], inverse: InverseFisher, prunedTarget: Int, update: Bool = true) throws -> PrunedState {
        var out = s
        let aliveList = (0..<weights.count).filter { s.alive[$0] }
        let k = prunedTarget - (weights.count - aliveList.count)
        guard k > 0 else { return out }
        let w = aliveList.map { s.theta[weights[$0]] }
        let diag = inverse.diagonal()
        guard diag.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw NumericalFailure.failed("OBS pruning: the diagonal of the inverse Fisher is not positive")
        }
        //: begin obs-prune
        let score = (0..<w.count).map { i -> Double in w[i] * w[i] / (2 * diag[i]) }   // ρᵢ = wᵢ² / (2 [F⁻¹]ᵢᵢ)
        let drop = (0..<w.count).sorted { i, j in (score[i], i) < (score[j], j) }.prefix(k)
        var e = [Double](repeating: 0, count: w.count)
        for i in drop { e[i] = -w[i] / diag[i] }                                     // e_Q = −w_Q / [F⁻¹]_QQ
        let delta = update ? inverse.times(e) : e.map { _ in 0 }                     // δw = F⁻¹ e
        var wNew = (0..<w.count).map { w[$0] + delta[$0] }
        for i in drop { wNew[i] = 0 }                                                // exactly zero on Q
        //: end obs-prune
        for (j, i) in aliveList.enumerated() { out.theta[weights[i]] = wNew[j] }
        for i in drop { out.alive[aliveList[i]] = false }
        guard out.theta.allSatisfy({ $0.isFinite }) else { throw NumericalFailure.nonFinite("weights after an OBS step") }
        return out
    }
}
