import Foundation
import Numerics

/// A recorded convergence history: an error quantity at chosen iterations.
public struct ConvergenceTrace: Sendable {
    public var label: String
    public var iterations: [Int] = []
    public var values: [Double] = []

    public init(label: String) { self.label = label }

    public mutating func record(_ t: Int, _ value: Double) {
        iterations.append(t)
        values.append(value)
    }

    public var last: Double { values.last ?? .nan }

    /// The first recorded iteration at which the value is ≤ `threshold` (nil if never).
    public func firstIteration(below threshold: Double) -> Int? {
        zip(iterations, values).first { $0.1 <= threshold }?.0
    }

    /// The recorded points with iteration in `window` and a positive value.
    public func points(in window: ClosedRange<Int>) -> (x: [Double], y: [Double]) {
        var x: [Double] = [], y: [Double] = []
        for (t, v) in zip(iterations, values) where window.contains(t) && v > 0 && v.isFinite {
            x.append(Double(t)); y.append(v)
        }
        return (x, y)
    }

    /// Fits ln(value) = a + b·t over `window`: −b is the linear-convergence rate per iteration.
    public func linearRate(in window: ClosedRange<Int>) throws -> LineFit {
        let p = points(in: window)
        return try LineFit.logLinear(x: p.x, y: p.y)
    }

    /// Fits log10(value) = a + b·log10(t) over `window`: b is the power-law exponent.
    public func powerLaw(in window: ClosedRange<Int>) throws -> LineFit {
        let p = points(in: window)
        return try LineFit.logLog(x: p.x, y: p.y)
    }

    /// The recorded value at the last recorded iteration ≤ `iteration` (NaN before the first).
    public func value(at iteration: Int) -> Double {
        guard let i = iterations.lastIndex(where: { $0 <= iteration }) else { return .nan }
        return values[i]
    }

    /// The linear rate −d ln(value)/dt fitted from iteration `start` until the value first reaches
    /// `floor` (or the last recorded iteration): a rate measured above a floor such as round-off.
    public func linearRate(from start: Int, untilBelow floor: Double) -> RateFit {
        let stop = firstIteration(below: floor) ?? (iterations.last ?? 0)
        guard stop > start else {
            return RateFit(unobserved: "\(label): the error is below \(floor) before iteration \(start), so the fit window is empty")
        }
        return fitted(start...stop)
    }

    /// The linear rate −d ln(value)/dt between the first iterations with value ≤ `upper` and ≤ `lower`.
    /// With `orEnd`, a trace that never reaches `lower` is fitted up to its last recorded iteration (a
    /// run that is still moving but slow); otherwise that window is not observed.
    public func linearRate(fromBelow upper: Double, toBelow lower: Double, orEnd: Bool = false) -> RateFit {
        guard let a = firstIteration(below: upper) else {
            return RateFit(unobserved: "\(label) never reached \(upper) in \(iterations.last ?? 0) iterations")
        }
        guard let b = firstIteration(below: lower) ?? (orEnd ? iterations.last : nil) else {
            return RateFit(unobserved: "\(label) never reached \(lower) in \(iterations.last ?? 0) iterations")
        }
        return fitted(a...Swift.max(a, b))
    }

    private func fitted(_ window: ClosedRange<Int>) -> RateFit {
        let p = points(in: window)
        guard p.x.count >= 3 else {
            return RateFit(window: window, points: p.x.count,
                           unobserved: "\(label): the window \(window.lowerBound)–\(window.upperBound) holds \(p.x.count) recorded points (a fit needs 3)")
        }
        guard let fit = try? LineFit.logLinear(x: p.x, y: p.y) else {
            return RateFit(window: window, points: p.x.count, unobserved: "\(label): no line fits the window \(window.lowerBound)–\(window.upperBound)")
        }
        return RateFit(fit: fit, window: window, points: p.x.count)
    }

    /// The same trace with every value transformed (e.g. squared).
    public func mapValues(_ f: (Double) -> Double) -> ConvergenceTrace {
        var t = self
        t.values = values.map(f)
        return t
    }
}

/// A linear-convergence rate fitted over a window of a trace (ln value = a + b·t, rate = −b), or why it
/// was not observed (the window was never reached, or holds fewer than 3 points).
public struct RateFit: Sendable {
    public var fit: LineFit?
    /// The iterations fitted (nil when the window was not reached).
    public var window: ClosedRange<Int>?
    /// Recorded points in the window.
    public var points: Int
    /// Why there is no fit, or nil.
    public var unobserved: String?

    public init(fit: LineFit? = nil, window: ClosedRange<Int>? = nil, points: Int = 0, unobserved: String? = nil) {
        self.fit = fit; self.window = window; self.points = points; self.unobserved = unobserved
    }

    /// −d ln(value)/dt per iteration; NaN when not observed.
    public var rate: Double { fit.map { -$0.slope } ?? .nan }
    /// The standard error of the rate; NaN when not observed.
    public var standardError: Double { fit?.slopeStandardError ?? .nan }
}

/// Iterations at which to record a long run: every iteration up to `dense`, then about
/// `perDecade` points per decade (log-spaced), always including the last iteration.
public func logSpacedSchedule(total: Int, dense: Int = 100, perDecade: Int = 40) -> Set<Int> {
    var s = Set(0...Swift.min(dense, total))
    var x = Double(Swift.max(dense, 1))
    let factor = Foundation.pow(10, 1 / Double(perDecade))
    while x < Double(total) {
        s.insert(Int(x.rounded()))
        x *= factor
    }
    s.insert(total)
    return s
}
