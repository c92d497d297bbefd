import Foundation
import Numerics

// Interval arithmetic for bounding a network's quantities over an input box.
//
// A box of vectors is [lower, upper] elementwise; it is also written by its center c = (l + u)/2 and
// radius r = (u − l)/2. The image of a box under a linear map W is enclosed by the center-radius
// rule (the tightest box containing W·[l, u]):
//
//     W·[c − r, c + r]  ⊆  [W c − |W| r,  W c + |W| r],
//
// and the product of two scalar intervals is [min, max] of the four endpoint products. Interval bound
// propagation (IBP) pushes the input box through each layer of an MLP this way, with ReLU applied to
// both endpoints (ReLU is monotone, so [ReLU(l), ReLU(u)] is exactly the image of [l, u]).
//
// Margins with last-layer elision. To certify that class y wins over the box one bounds the margins
// m_j = z_y − z_j (j ≠ y) of the output logits z = W a + b below. Bounding z by a box first and then
// subtracting loses the correlation between z_y and z_j; instead the two linear maps are merged into
// one, m = (C W) a + C b with C's rows e_y − e_j, and the center-radius rule is applied once to C W
// (Gowal et al., 2018). The result is never looser than the subtraction of logit bounds.
//
// Input boxes of images are clipped to the data range: B∞(x, ε) ∩ [lo, hi]ᵈ, itself a box.

/// A closed interval [lower, upper] of reals.
public struct Interval: Sendable, Equatable, CustomStringConvertible {
    public var lower: Double
    public var upper: Double
    public init(_ lower: Double, _ upper: Double) { self.lower = lower; self.upper = upper }

    public var width: Double { upper - lower }
    /// max(|lower|, |upper|): the largest absolute value in the interval.
    public var magnitude: Double { Swift.max(abs(lower), abs(upper)) }
    public func contains(_ x: Double, tolerance: Double = 0) -> Bool { lower - tolerance <= x && x <= upper + tolerance }

    /// [a, b]·[c, d] = [min, max] of the four endpoint products.
    public static func * (a: Interval, b: Interval) -> Interval {
        let p = (a.lower * b.lower, a.lower * b.upper, a.upper * b.lower, a.upper * b.upper)
        return Interval(Swift.min(p.0, p.1, p.2, p.3), Swift.max(p.0, p.1, p.2, p.3))
    }
    public static func + (a: Interval, b: Interval) -> Interval { Interval(a.lower + b.lower, a.upper + b.upper) }

    public var description: String { "[\(lower), \(upper)]" }
}

/// A box of vectors [lower, upper] (elementwise).
public struct IntervalVector: Sendable, Equatable {
    public var lower: [Double]
    public var upper: [Double]

    public init(lower: [Double], upper: [Double]) {
        precondition(lower.count == upper.count, "IntervalVector: bounds differ in length")
        self.lower = lower; self.upper = upper
    }
    /// The box c ± r.
    public init(center: [Double], radius: [Double]) {
        precondition(center.count == radius.count, "IntervalVector: center and radius differ in length")
        self.lower = zip(center, radius).map { $0 - $1 }
        self.upper = zip(center, radius).map { $0 + $1 }
    }
    /// The degenerate box {v}.
    public init(point v: [Double]) { self.lower = v; self.upper = v }

    public var count: Int { lower.count }
    public subscript(i: Int) -> Interval { Interval(lower[i], upper[i]) }
    public var center: [Double] { zip(lower, upper).map { ($0 + $1) / 2 } }
    public var radius: [Double] { zip(lower, upper).map { ($1 - $0) / 2 } }
    /// Σᵢ max(|lᵢ|, |uᵢ|): the largest ℓ1 norm of a vector in the box.
    public var maxL1Norm: Double { (0..<count).reduce(0) { $0 + self[$1].magnitude } }

    /// The elementwise intersection (both boxes must contain the quantity being bounded).
    public func intersected(with o: IntervalVector) -> IntervalVector {
        IntervalVector(lower: zip(lower, o.lower).map { Swift.max($0, $1) }, upper: zip(upper, o.upper).map { Swift.min($0, $1) })
    }

    /// The box enclosing W·v for v in self (W: m x n, self: n entries), or Wᵀ·v when `transposed`.
    public func mapped(by w: Matrix, transposed: Bool = false) -> IntervalVector {
        let c = gemv(w, center, transposed: transposed)
        let r = gemv(w.map { abs($0) }, radius, transposed: transposed)
        return IntervalVector(center: c, radius: r)
    }
}

extension IntervalVector {
    /// The ℓ∞ ball B∞(x, ε) intersected with the data range [lo, hi]ᵈ (itself a box).
    public init(around x: [Double], radius eps: Double, clippedTo range: ClosedRange<Double>) {
        precondition(eps >= 0, "IntervalVector: radius must be ≥ 0")
        self.init(lower: x.map { Swift.max($0 - eps, range.lowerBound) }, upper: x.map { Swift.min($0 + eps, range.upperBound) })
    }

    /// The box enclosing W·v + b for v in self: `mapped(by: w)` with b added to both endpoints.
    public func affine(_ w: Matrix, _ b: [Double]) -> IntervalVector {
        var z = mapped(by: w)
        for i in 0..<z.count { z.lower[i] += b[i]; z.upper[i] += b[i] }
        return z
    }

    /// The elementwise image under ReLU (exact for a box: ReLU is monotone).
    public func relu() -> IntervalVector {
        IntervalVector(lower: lower.map { Swift.max(0, $0) }, upper: upper.map { Swift.max(0, $0) })
    }

    /// Whether every coordinate of v lies in the box (up to `tolerance`).
    public func contains(_ v: [Double], tolerance: Double = 0) -> Bool {
        v.indices.allSatisfy { self[$0].contains(v[$0], tolerance: tolerance) }
    }
}

/// Interval bound propagation (IBP) through an MLP whose hidden activations are ReLU or identity.
public enum IntervalBoundPropagation {
    /// The pre-activation boxes z_l ∈ [l_l, u_l] of every layer l = 0..<L over the input box (the
    /// last one bounds the outputs).
    public static func bounds(_ net: MLP, box: IntervalVector) -> [IntervalVector] {
        precondition(box.count == net.inputSize, "IBP: the box has \(box.count) entries, the network \(net.inputSize) inputs")
        var a = box
        var out: [IntervalVector] = []
        for l in 0..<net.layerCount {
            let z = a.affine(net.weights[l], net.biases[l])
            out.append(z)
            switch net.activations[l] {
            case .relu: a = z.relu()
            case .identity: a = z
            default: preconditionFailure("IBP: activation \(net.activations[l]) is not supported (ReLU or identity)")
            }
        }
        return out
    }

    /// The margin specification of class `label`: the rows e_label − e_j for j ≠ label, in order of j.
    public static func marginSpecification(classes: Int, label: Int) -> Matrix {
        precondition((0..<classes).contains(label), "IBP: label \(label) outside 0..<\(classes)")
        var c = Matrix(rows: classes - 1, cols: classes)
        var r = 0
        for j in 0..<classes where j != label { c[r, label] = 1; c[r, j] = -1; r += 1 }
        return c
    }

    /// Bounds on the margins z_label − z_j (j ≠ label, in order of j) over the input box, with the last
    /// layer elided into the specification: m = (C W_L) a_L + C b_L bounded by one center-radius step.
    public static func marginBounds(_ net: MLP, box: IntervalVector, label: Int) -> IntervalVector {
        let last = net.layerCount - 1
        precondition(net.activations[last] == .identity, "IBP: margins need identity (logit) outputs")
        let c = marginSpecification(classes: net.outputSize, label: label)
        var a = box
        if last > 0 {
            a = bounds(MLP(sizes: Array(net.sizes[0...last]), activations: Array(net.activations[0..<last]),
                           weights: Array(net.weights[0..<last]), biases: Array(net.biases[0..<last])), box: box)[last - 1]
            a = net.activations[last - 1] == .relu ? a.relu() : a
        }
        return a.affine(matmul(c, net.weights[last]), gemv(c, net.biases[last]))
    }
}
