import Foundation
import Numerics

// Sophia (Liu, Li, Hall, Liang, Ma, ICLR 2024) and AdaHessian (Yao et al., AAAI 2021): optimizers that
// divide a moving average of the gradient by an estimate of the Hessian's diagonal, with the two
// cheap estimators they use.
//
// Sophia, in the paper's form (its Algorithm 3 with the clip threshold ρ written out):
//
//     m ← β₁ m + (1 − β₁) g                          every step
//     h ← β₂ h + (1 − β₂) ĥ                          every k steps, ĥ a diagonal-curvature estimate
//     θ ← θ − η λ θ                                  decoupled weight decay
//     θ ← θ − η · clip(m / max(h, ε), ρ)             clip to [−ρ, ρ] per coordinate
//
// The authors' code writes the last line as lr · clip(m / (ρ B h_code), 1) with lr = ηρ and
// h_code = h / B (B the batch size): the same step.
//
// AdaHessian: Adam with the squared gradient in the second moment replaced by the square of a
// Hutchinson estimate D of diag(H), Hessian power 1:
//
//     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) D ⊙ D
//     θ ← θ − η λ θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)

/// Sophia's state and step. `step` uses the current curvature average; `updateCurvature` folds in a
/// new estimate (the caller decides when: every k steps in the paper).
public struct SophiaOptimizer: Sendable {
    public var learningRate: Double
    public var beta1: Double, beta2: Double
    public var rho: Double, epsilon: Double
    public var weightDecay: Double
    public private(set) var momentum: [Double] = []
    public private(set) var curvature: [Double] = []

    public init(learningRate: Double, beta1: Double = 0.96, beta2: Double = 0.99, rho: Double = 0.04,
                epsilon: Double = 1e-12, weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.rho = rho; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// clip(z, ρ) = max(min(z, ρ), −ρ).
    @inline(__always) public static func clip(_ z: Double, _ rho: Double) -> Double { Swift.max(Swift.min(z, rho), -rho) }

    /// The update without moving averages: θ ← θ − η · clip(m / max(h, ε), ρ) per coordinate. A
    /// negative or tiny h falls back to ε, so the step becomes η ρ sign(m).
    //: begin sophia
    public static func clippedStep(_ theta: inout [Double], m: [Double], h: [Double], eta: Double, rho: Double, epsilon: Double) {
        precondition(m.count == theta.count && h.count == theta.count, "Sophia: m, h and θ need equal lengths")
        for i in theta.indices { theta[i] -= eta * clip(m[i] / Swift.max(h[i], epsilon), rho) }
    }
    //: end sophia

    /// h ← β₂ h + (1 − β₂) ĥ (h starts at 0).
    public mutating func updateCurvature(_ estimate: [Double]) {
        checkedState(&curvature, estimate.count, "Sophia")
        for i in curvature.indices { curvature[i] = beta2 * curvature[i] + (1 - beta2) * estimate[i] }
    }

    /// One step given the mini-batch gradient at θ.
    public mutating func step(_ theta: inout [Double], gradient g: [Double]) {
        checkedState(&momentum, g.count, "Sophia")
        checkedState(&curvature, g.count, "Sophia")
        for i in momentum.indices { momentum[i] = beta1 * momentum[i] + (1 - beta1) * g[i] }
        if weightDecay != 0 { for i in theta.indices { theta[i] -= learningRate * weightDecay * theta[i] } }
        SophiaOptimizer.clippedStep(&theta, m: momentum, h: curvature, eta: learningRate, rho: rho, epsilon: epsilon)
    }

    public mutating func reset() { momentum = []; curvature = [] }
}

/// AdaHessian's state and step (Hessian power 1, no spatial averaging: every parameter here is a
/// plain weight or bias, for which the authors' code averages nothing either).
public struct AdaHessian: Sendable {
    public var learningRate: Double
    public var beta1: Double, beta2: Double, epsilon: Double
    public var weightDecay: Double
    public private(set) var first: [Double] = [], second: [Double] = []
    public private(set) var stepCount = 0

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-4, weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// One step given the mini-batch gradient and a Hutchinson estimate D of diag(H) at θ.
    public mutating func step(_ theta: inout [Double], gradient g: [Double], curvature d: [Double]) {
        precondition(d.count == g.count, "AdaHessian: gradient and curvature need equal lengths")
        checkedState(&first, g.count, "AdaHessian"); checkedState(&second, g.count, "AdaHessian")
        stepCount += 1
        let c1 = 1 - Foundation.pow(beta1, Double(stepCount)), c2 = 1 - Foundation.pow(beta2, Double(stepCount))
        for i in theta.indices {
            first[i] = beta1 * first[i] + (1 - beta1) * g[i]
            second[i] = beta2 * second[i] + (1 - beta2) * d[i] * d[i]
            theta[i] -= learningRate * weightDecay * theta[i]
            theta[i] -= learningRate * (first[i] / c1) / ((second[i] / c2).squareRoot() + epsilon)
        }
    }

    public mutating func reset() { first = []; second = []; stepCount = 0 }
}

// MARK: - Diagonal-curvature estimators

//: begin estimators
extension MLP {
    /// Hutchinson's estimate u ⊙ H u of diag(H) for the loss on x (unbiased for u with E[u uᵀ] = I),
    /// with an exact Hessian-vector product.
    public func hutchinsonDiagonal(_ x: Matrix, _ loss: Loss, probe u: [Double]) -> [Double] {
        hessian(x, loss).hutchinsonDiagonal(probe: u)
    }

    /// Gauss-Newton-Bartlett (Sophia-G): B · ĝ ⊙ ĝ, where ĝ is the gradient of the mean softmax
    /// cross-entropy over the B rows of x at labels ŷᵢ drawn from the model's own softmax. Unbiased for
    /// the diagonal of the Gauss-Newton matrix (1/B) Σᵢ Jᵢᵀ (diag(pᵢ) − pᵢpᵢᵀ) Jᵢ of the mean loss.
    public func gaussNewtonBartlettDiagonal(_ x: Matrix, rng: inout RandomSource) -> [Double] {
        gaussNewtonBartlettDiagonal(x, probabilities: Loss.softmax(forward(x)), rng: &rng)
    }

    /// The same with the model's softmax probabilities on x given (one row per row of x).
    public func gaussNewtonBartlettDiagonal(_ x: Matrix, probabilities p: Matrix, rng: inout RandomSource) -> [Double] {
        precondition(p.rows == x.rows, "gaussNewtonBartlettDiagonal: \(p.rows) rows of probabilities for \(x.rows) inputs")
        let k = p.cols
        let sampled = (0..<x.rows).map { i -> Int in
            var r = rng.uniform(), c = 0
            while c < k - 1 { r -= p[i, c]; if r < 0 { break }; c += 1 }
            return c
        }
        let g = lossAndGradient(x, .softmaxCrossEntropy(labels: sampled)).gradient
        return g.map { Double(x.rows) * $0 * $0 }
    }
}
//: end estimators

extension HessianOperator {
    /// Hutchinson's estimate u ⊙ H u of diag(H) with this operator's exact product.
    public func hutchinsonDiagonal(probe u: [Double]) -> [Double] {
        zip(u, apply(u)).map { $0 * $1 }
    }
}
