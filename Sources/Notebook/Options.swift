import Foundation

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
          --default-seed  print the default seed and exit
          --input-hash  print the hash of the inputs of a full run with the default seed and exit
          -h, --help    show this help
        """
    }
}
