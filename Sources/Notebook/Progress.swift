import Foundation

/// Progress messages on standard error.
public enum Progress {
    static let clock = ContinuousClock()
    static let start = clock.now

    /// Seconds since the first use of `Progress` (`PaperRunner.main` touches it at start-up).
    public static var elapsed: Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Writes `"[  12.3s] message"` to standard error (unbuffered).
    public static func log(_ message: String) {
        stderr(String(format: "[%6.1fs] ", elapsed) + message)
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A numerical failure that stops a paper's run (no report is written).
public enum NumericalFailure: Error, CustomStringConvertible {
    /// A NaN or infinity appeared, e.g. in a training curve; the message says where.
    case nonFinite(String)
    /// Anything else that cannot proceed: a factorization, no convergence, ...
    case failed(String)

    public var description: String {
        switch self {
        case .nonFinite(let what): return "non-finite value: \(what)"
        case .failed(let what): return what
        }
    }
}
