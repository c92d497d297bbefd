import Foundation
import Numerics

/// Mini-batch training of an MLP with any `Optimizer`: `epochs` passes over the data, each in a fresh
/// random order (drawn from the caller's generator; a batch that holds the whole set keeps the data's
/// order and draws nothing), one optimizer step per batch of `batch` rows (the last batch of an epoch
/// may be smaller). The loop is the same for every paper; what a paper records or changes is in its
/// hooks:
///
///   beforeEpoch(epoch, &optimizer)   e.g. a learning-rate schedule (epoch counts from 0)
///   afterStep(step) -> Control       e.g. a loss probe, a stopping rule, gradient norms
///   afterEpoch(epoch, model) -> Control   e.g. the training loss and test accuracy of the epoch
///
/// A mini-batch loss that is not finite ends the run before its step is applied; the outcome then
/// names where (`divergence`), and the caller decides whether that is an error or a result.
public struct MiniBatchTraining {
    public var batch: Int
    public var epochs: Int

    public init(batch: Int, epochs: Int) {
        precondition(batch > 0 && epochs >= 0, "MiniBatchTraining: batch must be positive and epochs non-negative")
        self.batch = batch; self.epochs = epochs
    }

    public enum Control: Sendable { case proceed, stop }

    /// What a step hook sees: where the step was taken, the mini-batch loss and gradient at the
    /// parameters before it, and the parameters before and after it.
    public struct Step {
        /// The epoch, counting from 0.
        public let epoch: Int
        /// The number of steps taken so far, counting this one (1 on the first step).
        public let count: Int
        public let batchLoss: Double
        public let gradient: [Double]
        public let previous: [Double]
        public let parameters: [Double]
        /// ||θ_after − θ_before||₂.
        public var length: Double { Vector.distance(parameters, previous) }
    }

    /// A mini-batch loss that was not finite: in which epoch (from 0), at which step (from 1), its value.
    public struct Divergence: Sendable, CustomStringConvertible {
        public let epoch: Int
        public let step: Int
        public let value: Double
        public var description: String { "mini-batch loss is \(value) in epoch \(epoch + 1), step \(step)" }
    }

    public struct Outcome {
        /// The model with the last parameters reached (before the diverging step, if any).
        public var model: MLP
        /// Optimizer steps taken.
        public var steps: Int
        /// Set when a mini-batch loss was not finite (the run ended there).
        public var divergence: Divergence?
        /// True when a hook asked to stop.
        public var stoppedByHook: Bool
    }

    public func train<O: Optimizer>(
        _ net: MLP, x: Matrix, loss: Loss, optimizer: inout O, rng: inout RandomSource,
        beforeEpoch: (Int, inout O) -> Void = { _, _ in },
        afterStep: (Step) -> Control = { _ in .proceed },
        afterEpoch: (Int, MLP) -> Control = { _, _ in .proceed }
    ) -> Outcome {
        var model = net
        var theta = net.parameters
        var steps = 0
        let n = x.rows
        for epoch in 0..<epochs {
            beforeEpoch(epoch, &optimizer)
            let order = batch >= n ? Array(0..<n) : rng.permutation(n)
            for start in stride(from: 0, to: n, by: batch) {
                let rows = Array(order[start..<Swift.min(n, start + batch)])
                //: begin minibatch-step
                model.parameters = theta
                let (value, g) = model.lossAndGradient(x.rows(rows), loss.subset(rows))   // L_B(θ), ∇L_B(θ)
                //: end minibatch-step
                guard value.isFinite else {
                    return Outcome(model: model, steps: steps,
                                   divergence: Divergence(epoch: epoch, step: steps + 1, value: value), stoppedByHook: false)
                }
                let previous = theta
                //: begin optimizer-step
                optimizer.step(&theta, gradient: g)          // θ ← update(θ, ∇L_B(θ)); for SGD θ − η ∇L_B(θ)
                //: end optimizer-step
                steps += 1
                let control = afterStep(Step(epoch: epoch, count: steps, batchLoss: value, gradient: g,
                                                 previous: previous, parameters: theta))
                if control == .stop {
                    model.parameters = theta
                    return Outcome(model: model, steps: steps, divergence: nil, stoppedByHook: true)
                }
            }
            model.parameters = theta
            if afterEpoch(epoch, model) == .stop {
                return Outcome(model: model, steps: steps, divergence: nil, stoppedByHook: true)
            }
        }
        model.parameters = theta
        return Outcome(model: model, steps: steps, divergence: nil, stoppedByHook: false)
    }
}
