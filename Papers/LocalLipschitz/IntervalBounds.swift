import Foundation
import Numerics
import Learning

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
// both endpoints.

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
