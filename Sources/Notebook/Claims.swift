import Foundation

/// The outcome of checking one claim of a paper, computed from its checks alone.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// Every check passed.
    case reproduced = "reproduced"
    /// Some checks passed, not all.
    case partly = "partly reproduced"
    /// At least one check was observed and none passed.
    case notReproduced = "not reproduced"
    /// No check could be observed in this run (no event in the window, too few points, NaN, a stall).
    case notObserved = "not observed"
}

/// A test that one measured number must pass, fixed before the run (GUIDE §3).
public enum Criterion: Sendable, Equatable, CustomStringConvertible {
    /// x ≤ bound.
    case atMost(Double)
    /// x ≥ bound.
    case atLeast(Double)
    /// x < bound.
    case lessThan(Double)
    /// x > bound.
    case greaterThan(Double)
    /// lo ≤ x ≤ hi.
    case between(Double, Double)
    /// |x − target| ≤ relative·|target|.
    case within(target: Double, relative: Double)
    /// |x − target| ≤ tolerance.
    case withinAbs(target: Double, tolerance: Double)
    /// The measured value encodes a boolean: 1 is true, anything else is false.
    case isTrue

    /// Whether `x` satisfies the criterion. NaN never does; boundaries are inclusive except for
    /// `lessThan` and `greaterThan`. The tolerances of `within` and `withinAbs` allow for the rounding
    /// of the subtraction (four ulps), so that 2.2 is within 10% of 2.
    public func holds(_ x: Double) -> Bool {
        if x.isNaN { return false }
        switch self {
        case .atMost(let b): return x <= b
        case .atLeast(let b): return x >= b
        case .lessThan(let b): return x < b
        case .greaterThan(let b): return x > b
        case .between(let lo, let hi): return lo <= x && x <= hi
        case .within(let t, let rel): return abs(x - t) <= rel * abs(t) + slack(x, t)
        case .withinAbs(let t, let tol): return abs(x - t) <= tol + slack(x, t)
        case .isTrue: return x == 1
        }
    }

    private func slack(_ x: Double, _ t: Double) -> Double { 4 * max(abs(x), abs(t)).ulp }

    /// A short rendering such as `≤ 0.05`, `in [1.8, 2.2]`, `within 10% of 2`, `within ±0.1 of 2`.
    public var description: String {
        switch self {
        case .atMost(let b): return "≤ \(Fmt.g(b))"
        case .atLeast(let b): return "≥ \(Fmt.g(b))"
        case .lessThan(let b): return "< \(Fmt.g(b))"
        case .greaterThan(let b): return "> \(Fmt.g(b))"
        case .between(let lo, let hi): return "in [\(Fmt.g(lo)), \(Fmt.g(hi))]"
        case .within(let t, let rel): return "within \(Fmt.g(rel * 100))% of \(Fmt.g(t))"
        case .withinAbs(let t, let tol): return "within ±\(Fmt.g(tol)) of \(Fmt.g(t))"
        case .isTrue: return "true"
        }
    }

    /// The criterion's negation in words, for the reason line of a failed check: `is not ≤ 0.05`.
    var failureText: String {
        if case .isTrue = self { return "is false" }
        return "is not \(description)"
    }
}

/// Whether a check passed, failed, or could not be observed in the run that was made.
public enum CheckStatus: String, Codable, Sendable {
    case pass = "pass"
    case fail = "fail"
    case notObserved = "not observed"

    /// The mark shown in the Claims table.
    public var mark: String {
        switch self {
        case .pass: return "✓"
        case .fail: return "✗"
        case .notObserved: return "–"
        }
    }
}

/// One measured quantity checked against one criterion.
///
/// A check whose quantity was not observed (a NaN or infinite value, or an explicit reason such as
/// "no rise in the window", "fit over 2 points", "iterate stalled") has status `.notObserved`: it is
/// shown as such and can never count as a pass.
public struct Check: Sendable {
    /// What was measured, e.g. `"fitted rate"`.
    public var name: String
    /// The measured value (for `.isTrue`, 1 or 0).
    public var measured: Double
    /// The criterion fixed before the run; its text is the criterion the report shows.
    public var criterion: Criterion
    /// A `printf` format for `measured`, e.g. `"%.4g"` or `"%.2f"`.
    public var format: String
    /// Why the quantity was not observed, or nil if it was.
    public var unobserved: String?

    /// Creates a check; `Check("slope", measured: 1.97, .between(1.8, 2.2))`.
    /// Pass `notObserved:` with a one-line reason when the run could not observe the quantity; a NaN or
    /// infinite `measured` is not observed in any case.
    public init(_ name: String, measured: Double, _ criterion: Criterion, format: String = "%.4g",
                notObserved: String? = nil) {
        self.name = name
        self.measured = measured
        self.criterion = criterion
        self.format = format
        self.unobserved = notObserved
    }

    /// A boolean check: `Check("reached 1e-10", true)`.
    public init(_ name: String, _ holds: Bool, notObserved: String? = nil) {
        self.init(name, measured: holds ? 1 : 0, .isTrue, notObserved: notObserved)
    }

    /// A check whose quantity the run could not observe, with the reason in one line.
    public static func notObserved(_ name: String, _ criterion: Criterion, because reason: String) -> Check {
        Check(name, measured: .nan, criterion, notObserved: reason)
    }

    /// Pass, fail or not observed.
    public var status: CheckStatus {
        if unobserved != nil || !measured.isFinite { return .notObserved }
        return criterion.holds(measured) ? .pass : .fail
    }

    /// Whether the check passed (a check that was not observed never passes).
    public var passed: Bool { status == .pass }

    /// The measured value formatted with `format` (`true`/`false` for `.isTrue`; `—` when not observed
    /// for a reason other than a non-finite value).
    public var formattedValue: String {
        if unobserved != nil && measured.isNaN { return "—" }
        if case .isTrue = criterion, measured.isFinite { return measured == 1 ? "true" : "false" }
        return Fmt.special(measured) ?? Fmt.clean(String(format: format, measured))
    }

    /// One line saying why the check did not pass, formatted from the measured value; nil if it passed.
    public var reason: String? {
        switch status {
        case .pass: return nil
        case .fail: return "\(name) = \(formattedValue) \(criterion.failureText)"
        case .notObserved:
            return "\(name) not observed: " + (unobserved ?? "the measured value is \(formattedValue)")
        }
    }
}

/// A headline claim of a paper: what it says, its checks, what would have failed it, and the verdict.
public struct Claim: Sendable {
    /// A short id such as `"C1"`.
    public var id: String
    /// What the paper says, with its number or figure.
    public var statement: String
    /// The checks whose outcomes decide the verdict.
    public var checks: [Check]
    /// One line: what result of this run would have failed the claim.
    public var failsIf: String
    /// The scope of the test (what was and was not run), never a measured result; optional.
    public var note: String?
    /// Verdicts of this claim over the seeds of `Reports/STABILITY.md`, when that file exists.
    public var stability: Stability.Count?

    /// Creates a claim. Every threshold lives in its check; `failsIf` says in one line what result
    /// would have failed the claim; `note` states the scope of the test (not a result).
    public init(id: String, statement: String, checks: [Check], failsIf: String, note: String? = nil) {
        self.id = id
        self.statement = statement
        self.checks = checks
        self.failsIf = failsIf
        self.note = note
    }

    /// Every check passes: reproduced. Some pass: partly. None passes: not reproduced, unless no
    /// check was observed at all (or there are no checks): not observed.
    public var verdict: Verdict {
        let passed = checks.filter(\.passed).count
        if passed == checks.count && passed > 0 { return .reproduced }
        if passed > 0 { return .partly }
        return checks.contains { $0.status == .fail } ? .notReproduced : .notObserved
    }

    /// The criterion, derived from the checks: `name criterion; ...`.
    public var criterion: String {
        checks.map { "\($0.name) \($0.criterion)" }.joined(separator: "; ")
    }

    /// What was measured, derived from the checks: `name = value; ...` with ✗ or – on checks that did
    /// not pass.
    public var measured: String {
        checks.map { c in "\(c.name) = \(c.formattedValue)" + (c.passed ? "" : " " + c.status.mark) }
            .joined(separator: "; ")
    }
}

/// The machine-readable summary of one report, written as `<slug>.claims.json`.
public struct ClaimsDocument: Codable, Sendable, Equatable {
    /// One check, as recorded in the JSON file.
    public struct CheckRecord: Codable, Sendable, Equatable {
        public var name: String
        /// The measured value; nil when it is not finite.
        public var measured: Double?
        /// The measured value as the report prints it.
        public var value: String
        public var criterion: String
        public var status: CheckStatus
        public var reason: String?

        public init(_ c: Check) {
            name = c.name
            measured = c.measured.isFinite ? c.measured : nil
            value = c.formattedValue
            criterion = "\(c.criterion)"
            status = c.status
            reason = c.reason
        }

        enum CodingKeys: String, CodingKey { case name, measured, value, criterion, status, reason }

        /// Encodes every key (`null` when absent), so the schema is the same in every file.
        public func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: CodingKeys.self)
            try k.encode(name, forKey: .name)
            try k.encode(measured, forKey: .measured)
            try k.encode(value, forKey: .value)
            try k.encode(criterion, forKey: .criterion)
            try k.encode(status, forKey: .status)
            try k.encode(reason, forKey: .reason)
        }
    }

    /// One claim, as recorded in the JSON file.
    public struct Record: Codable, Sendable, Equatable {
        public var id: String
        public var statement: String
        public var checks: [CheckRecord]
        public var failsIf: String
        public var verdict: Verdict
        public var note: String?

        public init(_ c: Claim) {
            id = c.id; statement = c.statement; checks = c.checks.map(CheckRecord.init)
            failsIf = c.failsIf; verdict = c.verdict; note = c.note
        }

        /// The derived criterion text (as in the report).
        public var criterion: String { checks.map { "\($0.name) \($0.criterion)" }.joined(separator: "; ") }

        /// What was measured, derived from the checks (as in the report): `name = value; ...`.
        public var measured: String {
            checks.map { "\($0.name) = \($0.value)" + ($0.status == .pass ? "" : " " + $0.status.mark) }.joined(separator: "; ")
        }

        enum CodingKeys: String, CodingKey { case id, statement, checks, failsIf, verdict, note }

        public func encode(to encoder: Encoder) throws {
            var k = encoder.container(keyedBy: CodingKeys.self)
            try k.encode(id, forKey: .id)
            try k.encode(statement, forKey: .statement)
            try k.encode(checks, forKey: .checks)
            try k.encode(failsIf, forKey: .failsIf)
            try k.encode(verdict, forKey: .verdict)
            try k.encode(note, forKey: .note)
        }
    }

    public var slug: String
    public var title: String
    public var arxiv: String
    public var target: String
    public var mode: String
    public var seed: UInt64
    public var claims: [Record]
    /// Byline and course-page facts (absent in files written before they existed).
    public var authors: [String]?
    public var venue: String?
    public var year: Int?
    public var theme: Theme?
    public var lesson: String?
    public var readFirst: [String]?

    public init(slug: String, title: String, arxiv: String, target: String, mode: String,
                seed: UInt64, claims: [Record]) {
        self.slug = slug; self.title = title; self.arxiv = arxiv; self.target = target
        self.mode = mode; self.seed = seed; self.claims = claims
    }

    /// Pretty-printed JSON with sorted keys (deterministic bytes).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a claims file.
    public static func read(_ url: URL) throws -> ClaimsDocument {
        do { return try JSONDecoder().decode(ClaimsDocument.self, from: Data(contentsOf: url)) } catch {
            throw NumericalFailure.failed("cannot read \(url.lastPathComponent): \(error)")
        }
    }
}
