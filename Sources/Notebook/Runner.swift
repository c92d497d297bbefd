import Foundation

/// What a paper is: the bibliographic facts and the idea in our own words.
public struct PaperInfo: Sendable {
    /// The report's file name without extension, e.g. `"overparam-slows-gd"` for `Reports/overparam-slows-gd.md`.
    public var slug: String
    /// The executable target, e.g. `"OverparamSlowsGD"` (its sources live in `Papers/<target>`).
    public var target: String
    public var title: String
    public var authors: [String]
    public var year: Int
    public var venue: String
    /// The arXiv identifier, e.g. `"1802.06509"`; empty if there is none.
    public var arxiv: String
    /// A complete BibTeX entry.
    public var bibtex: String
    /// One paragraph: the paper's idea, in our own words.
    public var idea: String
    public var defaultSeed: UInt64

    public init(slug: String, target: String, title: String, authors: [String], year: Int, venue: String,
                arxiv: String, bibtex: String, idea: String, defaultSeed: UInt64) {
        self.slug = slug; self.target = target; self.title = title; self.authors = authors
        self.year = year; self.venue = venue; self.arxiv = arxiv; self.bibtex = bibtex
        self.idea = idea; self.defaultSeed = defaultSeed
    }
}

/// Why command-line options could not be parsed.
public enum OptionError: Error, Equatable, CustomStringConvertible {
    /// `--help` or `-h` was given.
    case help
    /// An unknown flag, a missing value or a bad value.
    case invalid(String)

    public var description: String {
        switch self {
        case .help: return "help requested"
        case .invalid(let message): return message
        }
    }
}

/// The options of one run of a paper's executable.
public struct RunOptions: Sendable {
    /// Small sizes that run in seconds (what the tests run).
    public var quick: Bool
    public var seed: UInt64
    /// Where the report is written; `"Reports"` by default.
    public var outDir: String
    /// Exit with status 1 if any claim is not reproduced.
    public var check: Bool
    /// Worker threads for the numerics kernel; nil leaves its default.
    public var threads: Int?

    /// `"quick"` or `"full"`.
    public var mode: String { quick ? "quick" : "full" }

    public init(quick: Bool = false, seed: UInt64, outDir: String = "Reports", check: Bool = false, threads: Int? = nil) {
        self.quick = quick; self.seed = seed; self.outDir = outDir; self.check = check; self.threads = threads
    }

    /// Parses the arguments after the program name: `--quick`, `--seed N`, `--out DIR`, `--check`,
    /// `--threads N`, `--help`/`-h`. Values may also be given as `--seed=N`.
    /// - Throws: `OptionError.help`, or `OptionError.invalid` for an unknown flag or a bad value.
    public static func parse(_ args: [String], info: PaperInfo) throws -> RunOptions {
        var options = RunOptions(seed: info.defaultSeed)
        var rest = args[...]
        while let arg = rest.popFirst() {
            var flag = arg, inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                flag = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            func value() throws -> String {
                if let inline { return inline }
                guard let v = rest.popFirst() else { throw OptionError.invalid("\(flag) needs a value") }
                return v
            }
            func noValue() throws {
                if inline != nil { throw OptionError.invalid("\(flag) takes no value") }
            }
            switch flag {
            case "--help", "-h": throw OptionError.help
            case "--quick": try noValue(); options.quick = true
            case "--check": try noValue(); options.check = true
            case "--seed":
                let v = try value()
                guard let seed = UInt64(v) else { throw OptionError.invalid("--seed needs an unsigned integer, got '\(v)'") }
                options.seed = seed
            case "--threads":
                let v = try value()
                guard let n = Int(v), n >= 1 else { throw OptionError.invalid("--threads needs a positive integer, got '\(v)'") }
                options.threads = n
            case "--out":
                let v = try value()
                guard !v.isEmpty else { throw OptionError.invalid("--out needs a directory") }
                options.outDir = v
            default:
                throw OptionError.invalid("unknown option '\(arg)'")
            }
        }
        return options
    }

    /// The help text.
    public static func usage(_ info: PaperInfo) -> String {
        """
        usage: \(info.target) [--quick] [--seed N] [--out DIR] [--check] [--threads N]

        Reproduces \(info.title) (\(info.venue) \(info.year)) and writes <DIR>/\(info.slug).md.

          --quick       small sizes that run in seconds (default: full size)
          --seed N      random seed (default: \(info.defaultSeed))
          --out DIR     output directory (default: Reports)
          --check       exit with status 1 if any claim is not reproduced
          --threads N   worker threads for the numerics kernel
          --slug        print the report's slug (\(info.slug)) and exit
          -h, --help    show this help
        """
    }
}

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

/// The `main` of every paper executable.
public enum PaperRunner {
    /// Parses `CommandLine.arguments`, runs `body`, writes the report and exits.
    ///
    /// `--help` prints the usage (exit 0); a bad option prints the error and usage to standard error
    /// (exit 2). The seed and mode are logged; `--threads N` is passed to `setThreads`. If `body` throws,
    /// `error: <description>` is printed and nothing is written (exit 1). Otherwise the report and its
    /// claims JSON are written, the path and a verdict summary printed, and with `--check` the exit
    /// status is 1 if any claim is not reproduced.
    public static func main(_ info: PaperInfo, setThreads: ((Int) -> Void)? = nil,
                            _ body: (RunOptions, Report) throws -> Void) -> Never {
        _ = Progress.start
        let options: RunOptions
        switch CommandLine.arguments.dropFirst().first {   // queries used by the Makefile
        case "--slug": print(info.slug); exit(0)
        case "--default-seed": print(info.defaultSeed); exit(0)
        default: break
        }
        do {
            options = try RunOptions.parse(Array(CommandLine.arguments.dropFirst()), info: info)
        } catch OptionError.help {
            print(RunOptions.usage(info))
            exit(0)
        } catch {
            Progress.stderr("error: \(error)\n\n" + RunOptions.usage(info))
            exit(2)
        }
        Progress.log("\(info.target): mode \(options.mode), seed \(options.seed)")
        if let n = options.threads {
            if let setThreads { setThreads(n) } else { Progress.log("warning: --threads \(n) ignored by this paper") }
        }
        let report = Report(info: info, options: options)
        let t0 = Progress.elapsed
        do {
            try body(options, report)
        } catch {
            Progress.stderr("error: \(error)")
            exit(1)
        }
        let wall = Progress.elapsed - t0
        let path: String
        do {
            _ = try report.write(timings: report.timings + [("total wall time", Fmt.fixed(wall, 1) + " s")])
            path = (options.outDir as NSString).appendingPathComponent(info.slug + ".md")
        } catch {
            Progress.stderr("error: could not write the report: \(error)")
            exit(1)
        }
        for c in report.claims {
            Progress.stderr("  \(c.id): \(c.verdict.rawValue) (\(c.measured))")
        }
        print("wrote \(path)")
        print("\(info.target): \(Report.verdictSummary(report.claims)) (mode \(options.mode), seed \(options.seed), \(Fmt.fixed(wall, 1)) s)")
        let failed = report.claims.contains { $0.verdict == .notReproduced }
        exit(options.check && failed ? 1 : 0)
    }
}
