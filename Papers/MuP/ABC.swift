import Foundation
import Numerics
import Learning

/// The paper's abc-parametrization of an L-hidden-layer MLP (Section 3), and the
/// network it defines.
///
/// Layer l ∈ 1 … L+1 has weights W^l = n^{−a_l}·w^l with trainable w^l ~ N(0, n^{−2b_l}) entrywise,
/// and SGD updates w^l with learning rate η·n^{−c}. W^1 is n x d (d fixed), W^l is n x n for
/// 2 ≤ l ≤ L, W^{L+1} is k x n (k fixed). Because W = n^{−a}w, a step on w moves W by
/// −η·n^{−c}·n^{−2a}·∂L/∂W, so we store W itself, initialize it with standard deviation
/// n^{−(a+b)} and step it with the per-layer rate η·n^{−c−2a}: the same network, the same run.
struct Parametrization: Sendable, Equatable {
    var name: String
    var a: [Double]   // a_1 … a_{L+1}
    var b: [Double]   // b_1 … b_{L+1}
    var c: Double
    var layers: Int { a.count }                  // L + 1
    var hiddenLayers: Int { a.count - 1 }        // L

    /// Standard parametrization (PyTorch's default shape): a = 0, b_1 = 0, b_{≥2} = 1/2, and the
    /// common, width-independent learning rate (c = 0).
    static func standard(hidden l: Int) -> Parametrization {
        Parametrization(name: "SP", a: Array(repeating: 0, count: l + 1), b: [0] + Array(repeating: 0.5, count: l), c: 0)
    }

    /// NTK parametrization: a_1 = 0, a_{≥2} = 1/2, b = 0, c = 0.
    static func ntk(hidden l: Int) -> Parametrization {
        Parametrization(name: "NTP", a: [0] + Array(repeating: 0.5, count: l), b: Array(repeating: 0, count: l + 1), c: 0)
    }

    /// Maximal update parametrization (Definition 5.1, for SGD): a_1 = −1/2, a_{L+1} = 1/2, other a = 0,
    /// b = 1/2 everywhere, c = 0.
    static func maximalUpdate(hidden l: Int) -> Parametrization {
        Parametrization(name: "μP", a: [-0.5] + Array(repeating: 0, count: l - 1) + [0.5],
                        b: Array(repeating: 0.5, count: l + 1), c: 0)
    }

    //: begin r
    /// r = min(a_{L+1} + b_{L+1}, 2a_{L+1} + c) + c − 1 + min_{1≤l≤L} (2a_l + 𝟙[l = 1])  (the paper's r, Section 3).
    var r: Double {
        let out = layers - 1
        var inner = Double.infinity
        for l in 0..<out { inner = min(inner, 2 * a[l] + (l == 0 ? 1 : 0)) }
        return min(a[out] + b[out], 2 * a[out] + c) + c - 1 + inner
    }
    //: end r

    /// Whether the paper's stability conditions (Section 3) hold: at initialization a_1 + b_1 = 0,
    /// a_l + b_l = 1/2 for 2 ≤ l ≤ L, a_{L+1} + b_{L+1} ≥ 1/2; in training r ≥ 0, and the logit
    /// updates stay bounded: 2a_{L+1} + c ≥ 1 (readout's own update) and a_{L+1} + b_{L+1} + r ≥ 1
    /// (the readout applied to the features' change).
    var isStable: Bool {
        let out = layers - 1
        let forward = a[0] + b[0] == 0 && (1..<out).allSatisfy { a[$0] + b[$0] == 0.5 } && a[out] + b[out] >= 0.5
        return forward && r >= 0 && 2 * a[out] + c >= 1 && a[out] + b[out] + r >= 1
    }

    //: begin exponents
    /// Predicted width exponents after the first SGD step, at a fixed learning rate: each hidden
    /// layer's pre-activation change Δh^l (coordinate size) and the output change Δf. The gradient
    /// reaching h^l has coordinates of size n^{−(a_{L+1}+b_{L+1})} (hidden layers with a + b = 1/2
    /// pass it on at the same size); W^l's own update moves h^l by n^{1 − 𝟙[l=1] − c − 2a_l} times
    /// that, and a lower layer's change is passed up at the same size.
    func firstStepExponents() -> (hidden: [Double], output: Double) {
        let out = layers - 1
        let gradient = a[out] + b[out]
        var hidden: [Double] = [], carried = -Double.infinity
        for l in 0..<out {
            carried = max(carried, 1 - (l == 0 ? 1 : 0) - c - 2 * a[l] - gradient)
            hidden.append(carried)
        }
        let readoutMove = 1 - 2 * a[out] - c                       // ΔW^{L+1} x^L
        let featureMove = 1 - (a[out] + b[out]) + (hidden.last ?? 0) // W^{L+1} Δx^L
        return (hidden, max(readoutMove, featureMove))
    }
    //: end exponents
}

enum SourceFiles { static let abc = #filePath }

enum Activation: Sendable {
    case relu, tanh
    func value(_ x: Double) -> Double { self == .relu ? max(x, 0) : Foundation.tanh(x) }
    func derivative(_ x: Double) -> Double {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .tanh: let t = Foundation.tanh(x); return 1 - t * t
        }
    }
}

/// An MLP in a given abc-parametrization. The input is multiplied by the width-independent constant
/// 1/√d so that h^1 has entries of order one for any d (the paper takes d fixed; this constant does
/// not change any exponent in n).
struct ABCNetwork: Sendable {
    let parametrization: Parametrization
    let width: Int
    let activation: Activation
    var weights: [Matrix]

    /// Draws w ~ N(0, 1) entrywise from `standard` (one matrix per layer, shared across
    /// parametrizations so that SP, NTP and μP start from the same draw) and scales it by n^{−(a+b)}.
    init(_ p: Parametrization, width n: Int, activation: Activation, standard: [Matrix]) {
        precondition(standard.count == p.layers, "one standard-normal matrix per layer")
        parametrization = p; width = n; self.activation = activation
        weights = standard.enumerated().map { l, z in z * pow(Double(n), -(p.a[l] + p.b[l])) }
    }

    /// Standard-normal draws of the right shapes: n x d, (n x n) x (L − 1), k x n.
    static func standardDraws(inputs d: Int, width n: Int, outputs k: Int, hidden l: Int, rng: inout RandomSource) -> [Matrix] {
        var m = [rng.normalMatrix(n, d)]
        for _ in 0..<(l - 1) { m.append(rng.normalMatrix(n, n)) }
        m.append(rng.normalMatrix(k, n))
        return m
    }

    /// Pre-activations h^1 … h^L (each B x n) and the output f (B x k) on the rows of `x`.
    func forward(_ x: Matrix) -> (pre: [Matrix], post: [Matrix], output: Matrix) {
        var z = x * (1 / Double(x.cols).squareRoot())
        var pre: [Matrix] = [], post: [Matrix] = [z]
        for l in 0..<(weights.count - 1) {
            let h = matmul(z, weights[l], transB: true)
            pre.append(h)
            z = h.map(activation.value)
            post.append(z)
        }
        return (pre, post, matmul(z, weights[weights.count - 1], transB: true))
    }

    //: begin sgd
    /// One SGD step on the mean loss of the batch; returns the loss before the step.
    @discardableResult
    mutating func sgdStep(_ x: Matrix, _ loss: Loss, rate eta: Double) -> Double {
        let (pre, post, out) = forward(x)
        let (value, dOut) = loss.valueAndGradient(out)
        var delta = dOut                                           // ∂L/∂(output of layer l)
        let n = Double(width), p = parametrization
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            var back: Matrix? = nil
            if l > 0 {
                var d = matmul(delta, weights[l])                  // ∂L/∂x^{l−1}, before W^l moves
                for i in 0..<d.storage.count { d.storage[i] *= activation.derivative(pre[l - 1].storage[i]) }
                back = d
            }
            // ΔW^l = −η n^{−c−2a_l} ∂L/∂W^l, with ∂L/∂W^l = deltaᵀ·x^{l−1} accumulated in place.
            gemm(transA: true, alpha: -eta * pow(n, -p.c - 2 * p.a[l]), delta, post[l], beta: 1, into: &weights[l])
            if let back { delta = back }
        }
        return value
    }
    //: end sgd
}
