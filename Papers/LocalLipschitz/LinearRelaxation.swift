import Foundation
import Numerics
import Learning

// Linear relaxations and linear bound propagation (CROWN; Zhang et al., 2018) for ReLU MLPs.
//
// Network (see MLP.swift): z_l = W_l a_l + b_l, a_{l+1} = ReLU(z_l) for the hidden layers
// l = 0..<L−1, a_0 = x in an input box B = [x̲, x̄]. With bounds l ≤ z ≤ u on a hidden neuron, ReLU is
// sandwiched between two lines valid on [l, u]:
//
//     stable active   (l ≥ 0):   a = z
//     stable inactive (u ≤ 0):   a = 0
//     unstable (l < 0 < u):      α z  ≤  a  ≤  u (z − l) / (u − l),     α ∈ {0, 1}: 1 if u ≥ −l, else 0
//
// (the upper line is the chord, the tightest linear upper bound; α is CROWN's adaptive lower slope).
//
// Backward propagation. To bound a linear function of several pre-activation layers,
//
//     maximize  Σ_k C_k z_k + c     over x ∈ B         (rows of C_k = one specification each),
//
// start from the top layer and substitute backwards: z_k = W_k a_k + b_k turns a coefficient Λ on z_k
// into ΛW_k on a_k; a_k = ReLU(z_{k−1}) is replaced, coefficient by coefficient, by its upper line
// where the coefficient is ≥ 0 and by its lower line where it is < 0 (this keeps the bound valid);
// C_{k−1} is added to the coefficient of z_{k−1}; at the input, max_{x∈B} λᵀx = λᵀc + |λ|ᵀr
// (center c, radius r of B). Bounds of the hidden layers themselves are computed layer by layer
// with C_m = ±I, each layer's relaxations using the bounds already found for the layers below.
//
// Branch-and-bound splits: a neuron may be constrained to be active (z ≥ 0) or inactive (z ≤ 0) on
// a sub-domain; its bounds are then clamped to [max(l, 0), u] or [l, min(u, 0)] and the layers
// above are bounded with the clamped values. An empty clamped interval means the sub-domain is empty.

/// An axis-aligned input box [lower, upper] = center ± radius.
public struct InputBox: Sendable {
    public let lower: [Double]
    public let upper: [Double]
    public init(lower: [Double], upper: [Double]) {
        precondition(lower.count == upper.count && zip(lower, upper).allSatisfy { $0 <= $1 }, "InputBox: need lower ≤ upper")
        self.lower = lower; self.upper = upper
    }
    /// The ℓ∞ ball B∞(center, radius).
    public init(center: [Double], radius: Double) {
        precondition(radius >= 0, "InputBox: radius must be ≥ 0")
        self.init(lower: center.map { $0 - radius }, upper: center.map { $0 + radius })
    }
    public var dimension: Int { lower.count }
    public var center: [Double] { zip(lower, upper).map { ($0 + $1) / 2 } }
    public var radius: [Double] { zip(lower, upper).map { ($1 - $0) / 2 } }
    public var interval: IntervalVector { IntervalVector(lower: lower, upper: upper) }

    /// max over the box of λᵀx = λᵀc + |λ|ᵀr.
    public func maximum(of lambda: [Double]) -> Double {
        var s = 0.0
        for i in 0..<dimension { s += lambda[i] * (lower[i] + upper[i]) / 2 + abs(lambda[i]) * (upper[i] - lower[i]) / 2 }
        return s
    }
}

/// The state of one hidden ReLU neuron on a (sub-)domain.
public enum NeuronPhase: Sendable, Equatable {
    case active, inactive, unstable
}

/// Bounds on every hidden pre-activation z_l (l = 0..<L−1) over a domain, with the ReLU relaxation
/// each one implies.
public struct PreActivationBounds: Sendable {
    public var layers: [IntervalVector]

    public init(layers: [IntervalVector]) { self.layers = layers }

    /// Active if l ≥ 0, inactive if u ≤ 0, unstable otherwise.
    public func phase(_ layer: Int, _ i: Int) -> NeuronPhase {
        let (l, u) = (layers[layer].lower[i], layers[layer].upper[i])
        if l >= 0 { return .active }
        if u <= 0 { return .inactive }
        return .unstable
    }

    /// Number of unstable neurons per hidden layer.
    public var unstableCounts: [Int] {
        layers.indices.map { k in (0..<layers[k].count).filter { phase(k, $0) == .unstable }.count }
    }

    /// The ReLU relaxation of neuron i of hidden layer k: a ≤ upperSlope·z + upperIntercept, a ≥ lowerSlope·z.
    public func reluRelaxation(_ k: Int, _ i: Int) -> (upperSlope: Double, upperIntercept: Double, lowerSlope: Double) {
        switch phase(k, i) {
        case .active: return (1, 0, 1)
        case .inactive: return (0, 0, 0)
        case .unstable:
            let (l, u) = (layers[k].lower[i], layers[k].upper[i])
            let s = u / (u - l)
            return (s, -s * l, u >= -l ? 1 : 0)
        }
    }
}

/// Linear bound propagation (CROWN) for MLPs with ReLU hidden layers; see LinearRelaxation.swift.
public enum LinearBoundPropagation {
    /// Upper bounds over the box of Σ_k C_k z_k + c, one per row. `zCoefficients[k]` is C_k (rows x
    /// n_{k+1}) or nil; layers up to the last non-nil one are used, and `bounds` must cover the
    /// hidden layers below it.
    public static func upperBound(_ net: MLP, box: InputBox, bounds: PreActivationBounds,
                                  zCoefficients: [Matrix?], constant: [Double]) -> [Double] {
        guard let top = zCoefficients.lastIndex(where: { $0 != nil }) else { return constant }
        let rows = zCoefficients[top]!.rows
        precondition(constant.count == rows, "LinearBoundPropagation: one constant per row")
        var lambda = zCoefficients[top]!
        var c = constant
        for k in stride(from: top, through: 1, by: -1) {
            let bk = net.biases[k]
            for r in 0..<rows { var s = 0.0; for i in 0..<bk.count { s += lambda.storage[r * bk.count + i] * bk[i] }; c[r] += s }
            let onA = matmul(lambda, net.weights[k])                  // coefficient on a_k = ReLU(z_{k−1})
            let n = onA.cols
            var onZ = Matrix(rows: rows, cols: n)
            for i in 0..<n {
                let (su, iu, sl) = bounds.reluRelaxation(k - 1, i)
                for r in 0..<rows {
                    let lam = onA.storage[r * n + i]
                    if lam >= 0 { onZ.storage[r * n + i] = lam * su; c[r] += lam * iu }
                    else { onZ.storage[r * n + i] = lam * sl }
                }
            }
            if let add = zCoefficients[k - 1] { onZ.addScaled(add, 1) }
            lambda = onZ
        }
        let b0 = net.biases[0]
        let onX = matmul(lambda, net.weights[0])
        var out = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            var s = c[r]
            for i in 0..<b0.count { s += lambda.storage[r * b0.count + i] * b0[i] }
            out[r] = s + box.maximum(of: onX.row(r))
        }
        return out
    }

    /// CROWN bounds of every hidden pre-activation over the box. `splits[k][i] = true` constrains
    /// neuron i of hidden layer k to be active on the domain, `false` inactive. Returns nil if a split
    /// contradicts the bounds (the sub-domain is empty). Each layer's bounds are intersected with its
    /// interval (IBP) bounds computed from the layer below.
    public static func bounds(_ net: MLP, box: InputBox, splits: [Int: [Int: Bool]] = [:]) -> PreActivationBounds? {
        let hidden = net.layerCount - 1
        var result = PreActivationBounds(layers: [])
        var previousActivation = box.interval
        for m in 0..<hidden {
            precondition(net.activations[m] == .relu, "LinearBoundPropagation: hidden activations must be ReLU")
            let n = net.sizes[m + 1]
            let ibp = previousActivation.affine(net.weights[m], net.biases[m])
            var z = ibp
            if m > 0 {
                var coeffs = [Matrix?](repeating: nil, count: m + 1)
                coeffs[m] = Matrix.identity(n)
                let up = upperBound(net, box: box, bounds: result, zCoefficients: coeffs, constant: [Double](repeating: 0, count: n))
                coeffs[m] = Matrix.identity(n) * -1
                let lo = upperBound(net, box: box, bounds: result, zCoefficients: coeffs, constant: [Double](repeating: 0, count: n))
                z = ibp.intersected(with: IntervalVector(lower: lo.map { -$0 }, upper: up))
            }
            if let s = splits[m] {
                for (i, active) in s {
                    if active { z.lower[i] = Swift.max(z.lower[i], 0) } else { z.upper[i] = Swift.min(z.upper[i], 0) }
                    if z.lower[i] > z.upper[i] { return nil }
                }
            }
            result.layers.append(z)
            previousActivation = z.relu()
        }
        return result
    }
}
