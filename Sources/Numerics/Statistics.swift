import Foundation

/// Small statistics used to summarise experiments.
public enum Stats {
    public static func mean(_ x: [Double]) -> Double {
        x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    }

    /// The sample variance (divisor n − 1); NaN for fewer than two values.
    public static func variance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    }

    /// The sample standard deviation (divisor n − 1).
    public static func std(_ x: [Double]) -> Double { variance(x).squareRoot() }

    /// The standard error of the mean, s / √n.
    public static func standardError(_ x: [Double]) -> Double { std(x) / Double(x.count).squareRoot() }

    /// The q-quantile, q in [0, 1], by linear interpolation between order statistics
    /// (Hyndman–Fan type 7, the default of R and NumPy). NaN for empty input, and NaN if any value
    /// is NaN (as NumPy's `quantile`: a NaN has no place in the order).
    public static func quantile(_ x: [Double], _ q: Double) -> Double {
        precondition(q >= 0 && q <= 1, "quantile: q must be in [0, 1]")
        guard !x.isEmpty, !x.contains(where: { $0.isNaN }) else { return .nan }
        let s = x.sorted()
        let h = Double(s.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    public static func median(_ x: [Double]) -> Double { quantile(x, 0.5) }

    /// Root mean square of the values.
    public static func rms(_ x: [Double]) -> Double { (x.reduce(0) { $0 + $1 * $1 } / Double(x.count)).squareRoot() }
}

/// An ordinary least-squares line y = intercept + slope·x, with standard errors.
public struct LineFit: Sendable, CustomStringConvertible {
    public let slope: Double
    public let intercept: Double
    /// Standard error of the slope, s / √Σ(x − x̄)², s² = RSS / (n − 2).
    public let slopeStandardError: Double
    public let interceptStandardError: Double
    /// Coefficient of determination.
    public let rSquared: Double
    public let count: Int

    /// Fits the line to the points; needs at least two distinct x values (throws otherwise).
    public init(x: [Double], y: [Double]) throws {
        precondition(x.count == y.count, "LineFit: x and y differ in length")
        let n = x.count
        guard n >= 2 else { throw LinearAlgebraError.dimensionMismatch("a line fit needs at least 2 points, got \(n)") }
        guard x.allSatisfy({ $0.isFinite }), y.allSatisfy({ $0.isFinite }) else {
            throw LinearAlgebraError.nonFiniteInput(routine: "LineFit")
        }
        let mx = Stats.mean(x), my = Stats.mean(y)
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = x[i] - mx, dy = y[i] - my
            sxx += dx * dx; sxy += dx * dy; syy += dy * dy
        }
        guard sxx > 0 else { throw LinearAlgebraError.singular(pivot: 0) }
        slope = sxy / sxx
        intercept = my - slope * mx
        var rss = 0.0
        for i in 0..<n { let r = y[i] - intercept - slope * x[i]; rss += r * r }
        let s2 = n > 2 ? rss / Double(n - 2) : 0
        slopeStandardError = (s2 / sxx).squareRoot()
        interceptStandardError = (s2 * (1 / Double(n) + mx * mx / sxx)).squareRoot()
        rSquared = syy > 0 ? 1 - rss / syy : 1
        count = n
    }

    /// Fits log10(y) against log10(x): the slope is the power-law exponent. Non-positive values throw.
    public static func logLog(x: [Double], y: [Double]) throws -> LineFit {
        guard x.allSatisfy({ $0 > 0 }), y.allSatisfy({ $0 > 0 }) else {
            throw LinearAlgebraError.dimensionMismatch("a log-log fit needs positive values")
        }
        return try LineFit(x: x.map(log10), y: y.map(log10))
    }

    /// Fits ln(y) against x: the slope is the exponential rate (per unit of x). Non-positive y throws.
    public static func logLinear(x: [Double], y: [Double]) throws -> LineFit {
        guard y.allSatisfy({ $0 > 0 }) else {
            throw LinearAlgebraError.dimensionMismatch("a log-linear fit needs positive values")
        }
        return try LineFit(x: x, y: y.map { Foundation.log($0) })
    }

    public var description: String {
        String(format: "slope %.4g ± %.2g (R² = %.4f, n = %d)", slope, slopeStandardError, rSquared, count)
    }
}
