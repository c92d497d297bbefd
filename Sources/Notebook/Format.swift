import Foundation

/// Number formatting shared by reports, tables and plots.
///
/// Every function is locale-independent (C `printf` formats) and prints non-finite values as
/// `NaN`, `inf` and `-inf`, so that reports are byte-identical across machines.
public enum Fmt {
    /// `%g`-style with `digits` significant digits: `g(0.012345) == "0.01235"`, `g(1e-7) == "1e-07"`.
    public static func g(_ x: Double, _ digits: Int = 4) -> String {
        special(x) ?? clean(String(format: "%.\(max(1, digits))g", x))
    }

    /// Fixed-point with `d` decimals: `fixed(3.14159, 2) == "3.14"`.
    public static func fixed(_ x: Double, _ d: Int) -> String {
        special(x) ?? clean(String(format: "%.\(max(0, d))f", x))
    }

    /// Scientific notation with `d` decimals in the mantissa: `sci(12345) == "1.23e+04"`.
    public static func sci(_ x: Double, _ d: Int = 2) -> String {
        special(x) ?? clean(String(format: "%.\(max(0, d))e", x))
    }

    /// A fraction as a percentage with `d` decimals: `pct(0.1234) == "12.3%"`.
    public static func pct(_ x: Double, _ d: Int = 1) -> String {
        (special(x * 100) ?? clean(String(format: "%.\(max(0, d))f", x * 100))) + "%"
    }

    static func special(_ x: Double) -> String? {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return nil
    }

    /// Turns a negative zero such as "-0.00" into "0.00".
    static func clean(_ s: String) -> String {
        s.hasPrefix("-") && !s.contains(where: { "123456789".contains($0) }) ? String(s.dropFirst()) : s
    }
}

// MARK: - Presentation vocabulary: what papers would otherwise format by hand

extension Fmt {
    /// A comma-separated list: `list([0.1, 0.05]) == "0.1, 0.05"`; pass a formatter for other styles.
    public static func list(_ xs: [Double], _ format: (Double) -> String = { Fmt.g($0) }) -> String {
        xs.map(format).joined(separator: ", ")
    }

    /// An estimate with its standard error: `estimate(1.234, 0.056) == "1.234 ± 0.056"` (`digits` decimals),
    /// or in `%g` style when `digits` is nil.
    public static func estimate(_ x: Double, _ se: Double, digits: Int? = 3) -> String {
        if let d = digits { return "\(fixed(x, d)) ± \(fixed(se, d))" }
        return "\(g(x)) ± \(g(se, 2))"
    }

    /// An iteration count that may not have been reached: `"t = 120"` or `"not reached"`.
    public static func reached(_ t: Int?, prefix: String = "t = ") -> String {
        t.map { prefix + "\($0)" } ?? "not reached"
    }
}

/// One row of a setup table: a parameter, its value and the reason for it.
public struct Setting: Sendable {
    public var parameter: String
    public var value: String
    public var reason: String

    public init(_ parameter: String, _ value: String, _ reason: String = "") {
        self.parameter = parameter; self.value = value; self.reason = reason
    }

    /// A numeric value, formatted `%g`-style.
    public init(_ parameter: String, _ value: Double, _ reason: String = "") {
        self.init(parameter, Fmt.g(value), reason)
    }

    /// An integer value.
    public init(_ parameter: String, _ value: Int, _ reason: String = "") {
        self.init(parameter, "\(value)", reason)
    }

    /// A list of numbers.
    public init(_ parameter: String, _ values: [Double], _ reason: String = "") {
        self.init(parameter, Fmt.list(values), reason)
    }

    /// The seed row, with the legend of the paper's named random streams generated from their declaration:
    /// `enum Stream: UInt64, CaseIterable { case problem, initialization }` gives "streams: 0 problem, 1 initialization".
    public static func seed<S: CaseIterable & RawRepresentable>(_ seed: UInt64, streams: S.Type) -> Setting
    where S.RawValue: BinaryInteger {
        Setting("seed", "\(seed)", "streams: " + S.allCases.map { "\($0.rawValue) \($0)" }.joined(separator: ", "))
    }
}

extension Series {
    /// A fitted power law y = 10^intercept · x^slope over `x` (a reference line on a log-log plot).
    public static func powerLaw(_ name: String, slope: Double, log10Intercept: Double, x: [Double]) -> Series {
        Series(name, x: x, y: x.map { Foundation.pow(10, log10Intercept + slope * Foundation.log10($0)) })
    }

    /// A fitted exponential y = exp(intercept + slope · x) (a reference line on a log-y plot).
    public static func exponential(_ name: String, slope: Double, intercept: Double, x: [Double]) -> Series {
        Series(name, x: x, y: x.map { Foundation.exp(intercept + slope * $0) })
    }

    /// At most `count` points, evenly spaced by index, always keeping the first and the last.
    public func thinned(to count: Int) -> Series {
        let n = min(x.count, y.count)
        guard n > count, count >= 2 else { return self }
        let last = Double(n - 1), gaps = Double(count - 1)
        let idx = (0..<count).map { i -> Int in Int((Double(i) * last / gaps).rounded()) }
        var s = self
        s.x = idx.map { x[$0] }
        s.y = idx.map { y[$0] }
        return s
    }
}
