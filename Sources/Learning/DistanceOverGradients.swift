import Foundation
import Numerics

/// DoG, "Distance over Gradients" (Ivgi, Hinder & Carmon, 2023, arXiv 2302.12022), its layer-wise form
/// L-DoG and its tamed form T-DoG, as an `Optimizer` on a flat parameter vector split into blocks.
///
/// For each block B (the whole vector for DoG; one weight matrix or one bias vector for L-DoG), with
/// x₀ the parameters at the first step and g̃ = g + λx the gradient with coupled weight decay λ:
///
///     r̄_t = max(r_ε, max_{i≤t} ||x_i,B − x_0,B||)      r_ε = reps_rel · (1 + ||x_0,B||)
///     G_t = Σ_{i≤t} ||g̃_i,B||²                          (plus ε = 1e-8 on the first step)
///     η_t = r̄_t / √G_t                                   DoG, L-DoG
///     x_{t+1},B = x_t,B − η_t · g̃_t,B
///
/// This follows the authors' implementation (formll/dog: `reps_rel`, r_ε relative to 1 + ||x₀||, ε in
/// G, weight decay added to the gradient). T-DoG replaces the denominator by a larger, "tamed" one
/// (the paper's Section 3.3, as we read it), with ḡ_t = max_{i≤t} ||g̃_i|| and log₊(z) = max(1, ln z):
///
///     G'_t = 8⁴ · log₊²(1 + t·ḡ_t²/ḡ_0²) · (G_{t−1} + 16·ḡ_t²)
///     η_t  = r̄_t / √( G'_t · log₊²(1 + G'_t/G'_0) )
public struct DistanceOverGradients: Optimizer {
    public enum Variant: Sendable { case dog, tamed }

    public var variant: Variant
    /// r_ε / (1 + ||x₀||) per block.
    public var repsRel: Double
    /// Coupled weight decay λ (added to the gradient, as in the authors' code).
    public var weightDecay: Double
    /// The blocks (index ranges of the flat vector); empty means one block, the whole vector.
    public var blocks: [Range<Int>]
    /// DoG has no learning rate; this multiplies η (the authors' `lr`, c in the paper) and stays 1.
    public var learningRate: Double = 1
    public static let epsilon = 1e-8

    public private(set) var start: [Double] = []
    public private(set) var rBar: [Double] = []
    public private(set) var gradientSum: [Double] = []      // G_{t} per block
    public private(set) var maxGradient: [Double] = []      // ḡ_t per block (T-DoG)
    public private(set) var firstGradient: [Double] = []    // ḡ_0 per block (T-DoG)
    public private(set) var firstTamed: [Double] = []       // G'_0 per block (T-DoG)
    public private(set) var steps = 0
    /// η_t of each step, per block (the last one is the step size now in use).
    public private(set) var stepSizes: [[Double]] = []
    /// max_{i≤t} ||x_i − x₀|| over the whole vector (for the boundedness claim).
    public private(set) var maxDistance = 0.0

    public init(variant: Variant = .dog, repsRel: Double = 1e-6, weightDecay: Double = 0, blocks: [Range<Int>] = []) {
        precondition(repsRel > 0, "DoG: reps_rel must be positive")
        precondition(weightDecay >= 0, "DoG: weight decay must be non-negative")
        self.variant = variant; self.repsRel = repsRel; self.weightDecay = weightDecay; self.blocks = blocks
    }

    /// L-DoG's blocks for an MLP: W₀, b₀, W₁, b₁, … each on its own (one block per tensor, as in formll/dog).
    public static func layerBlocks(_ net: MLP) -> [Range<Int>] {
        (0..<net.layerCount).flatMap { l -> [Range<Int>] in
            let (w, b) = net.offsets(layer: l)
            return [w..<b, b..<(b + net.sizes[l + 1])]
        }
    }

    public var name: String {
        switch variant {
        case .dog: return blocks.count > 1 ? "L-DoG" : "DoG"
        case .tamed: return blocks.count > 1 ? "L-T-DoG" : "T-DoG"
        }
    }

    public static func logPlus(_ z: Double) -> Double { Swift.max(1, Foundation.log(z)) }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "DoG: x and gradient differ in length")
        if blocks.isEmpty { blocks = [0..<x.count] }
        let k = blocks.count
        let gt = weightDecay == 0 ? g : zip(g, x).map { $0 + weightDecay * $1 }
        if steps == 0 {
            start = x
            rBar = blocks.map { repsRel * (1 + Vector.norm(Array(x[$0]))) }
            gradientSum = [Double](repeating: DistanceOverGradients.epsilon, count: k)
            maxGradient = [Double](repeating: 0, count: k)
        }
        var etas = [Double](repeating: 0, count: k)
        var total = 0.0
        for (b, range) in blocks.enumerated() {
            var d2 = 0.0, g2 = 0.0
            for i in range {
                let d = x[i] - start[i]
                d2 += d * d; g2 += gt[i] * gt[i]
            }
            total += d2
            //: begin dog-step
            rBar[b] = Swift.max(rBar[b], d2.squareRoot())              // r̄_t = max(r_ε, max_i ||x_i − x₀||)
            let previousSum = gradientSum[b]
            gradientSum[b] += g2                                        // G_t = Σ_{i≤t} ||g_i||²
            var eta = rBar[b] / gradientSum[b].squareRoot()            // η_t = r̄_t / √G_t
            //: end dog-step
            if variant == .tamed {
                maxGradient[b] = Swift.max(maxGradient[b], g2.squareRoot())
                if steps == 0 { firstGradient.append(Swift.max(maxGradient[b], .leastNormalMagnitude)) }
                let t = Double(steps)
                let ratio = maxGradient[b] * maxGradient[b] / (firstGradient[b] * firstGradient[b])
                let l1 = DistanceOverGradients.logPlus(1 + t * ratio)
                let tamedSum = 4096 * l1 * l1 * (previousSum + 16 * maxGradient[b] * maxGradient[b])   // G'_t
                if steps == 0 { firstTamed.append(tamedSum) }
                let l2 = DistanceOverGradients.logPlus(1 + tamedSum / firstTamed[b])
                eta = rBar[b] / (tamedSum * l2 * l2).squareRoot()
            }
            etas[b] = learningRate * eta
            for i in range { x[i] -= etas[b] * gt[i] }
        }
        maxDistance = Swift.max(maxDistance, total.squareRoot())
        stepSizes.append(etas)
        steps += 1
    }

    public mutating func reset() {
        start = []; rBar = []; gradientSum = []; maxGradient = []; firstGradient = []; firstTamed = []
        steps = 0; stepSizes = []; maxDistance = 0
    }
}

/// Polynomial-decay iterate averaging (Shamir & Zhang, 2013), as in the authors' averager: after step t
/// (t = 1, 2, …), x̄_t = (1 − w_t)·x̄_{t−1} + w_t·x_t with w_t = (1 + γ)/(t + γ); γ = 8 by default.
/// w₁ = 1, so x̄₁ = x₁; γ = 0 gives the uniform average of x₁ … x_t.
public struct PolynomialAverager: Sendable {
    public var gamma: Double
    public private(set) var average: [Double] = []
    public private(set) var count = 0

    public init(gamma: Double = 8) {
        precondition(gamma >= 0, "averager: γ must be non-negative")
        self.gamma = gamma
    }

    public mutating func add(_ x: [Double]) {
        count += 1
        //: begin average
        let w = (1 + gamma) / (Double(count) + gamma)                  // w_t = (1 + γ)/(t + γ)
        if average.isEmpty { average = x } else {
            for i in 0..<x.count { average[i] += w * (x[i] - average[i]) }   // x̄_t = (1 − w_t)x̄_{t−1} + w_t x_t
        }
        //: end average
    }
}
