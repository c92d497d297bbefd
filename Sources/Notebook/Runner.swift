import Foundation

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
        case "--input-hash": print(InputHash.compute(target: info.target, slug: info.slug, mode: "full", seed: info.defaultSeed) ?? "unknown"); exit(0)
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
        do {
            try Report.checkWritable(options.outDir)
            try info.checkInputs?()
        } catch {
            Progress.stderr("error: \(error)")
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
