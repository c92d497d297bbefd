import Foundation

/// A paper's report: a Markdown document built block by block, plus its claims.
///
/// Layout: title, authors, the run line with the verdict, the idea, the Claims table, the body blocks
/// in the order they were added, Discussion, Reproduce (timings between `<!-- timings:begin -->` and
/// `<!-- timings:end -->`, the only machine-dependent lines) and Cite.
public final class Report {
    public let info: PaperInfo
    public let options: RunOptions
    private var blocks: [String] = []
    private var discussions: [String] = []
    private var sources: [String: String?] = [:]
    /// Claims registered so far, in order.
    public private(set) var claims: [Claim] = []
    /// Phase timings recorded with `timing(_:seconds:)`, rendered before the ones passed to `render`.
    public private(set) var timings: [(String, String)] = []
    /// Wall-clock measurements recorded with `wallClock(_:_:)`: results that depend on the machine
    /// (timed rates, speed ratios), in a table of their own after the phases.
    public private(set) var measurements: [(String, String)] = []

    public init(info: PaperInfo, options: RunOptions) {
        self.info = info
        self.options = options
    }

    /// Appends `## title`.
    public func section(_ title: String) { blocks.append("## \(title)") }

    /// Appends `### title`.
    public func subsection(_ title: String) { blocks.append("### \(title)") }

    /// Appends a Markdown paragraph (or several).
    public func prose(_ markdown: String) {
        let text = markdown.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { blocks.append(text) }
    }

    /// Weaves in the prose cell `/*: cell ... */` of a Swift source file (the caller's by default).
    /// A missing file or cell leaves a visible note in the report and a warning on standard error.
    public func literate(_ cell: String, file: String = #filePath) {
        if let text = source(file), let prose = Literate.prose(cell, inSource: text) {
            self.prose(prose)
        } else {
            missing("literate cell", cell, file)
        }
    }

    /// Weaves in the code between `//: begin name` and `//: end name` of a Swift source file as a
    /// `swift` block, preceded by the file's path relative to the package root.
    /// An argument that is not a valid cell name is taken as literal code.
    public func code(_ excerpt: String, file: String = #filePath) {
        let path = Report.packagePath(file)
        let code: String
        if !Literate.isValidName(excerpt) {
            code = Literate.dedent(Literate.lines(excerpt))
        } else if let text = source(file), let found = Literate.excerpt(excerpt, inSource: text) {
            code = found
        } else {
            return missing("code excerpt", excerpt, file)
        }
        blocks.append("(`\(path)`)\n\n```swift\n\(code)\n```")
    }

    /// A setup table from `Setting`s (parameter, value, reason).
    public func setup(_ settings: [Setting]) {
        table(["parameter", "value", "why"], settings.map { [$0.parameter, $0.value, $0.reason] })
    }

    /// A Markdown table; the caption, if any, goes above it in italics. Short rows are padded.
    public func table(_ header: [String], _ rows: [[String]], caption: String? = nil) {
        var lines: [String] = []
        if let caption { lines += ["*\(Report.escape(caption))*", ""] }
        lines.append(Report.row(header))
        lines.append("|" + String(repeating: "---|", count: header.count))
        lines += rows.map { Report.row($0 + Array(repeating: "", count: max(0, header.count - $0.count))) }
        blocks.append(lines.joined(separator: "\n"))
    }

    /// A plot in a ```` ```text ```` block; the caption, if any, goes below it in italics.
    public func plot(_ p: TextPlot, caption: String? = nil) {
        var block = "```text\n\(p.render())\n```"
        if let caption { block += "\n\n*\(caption)*" }
        blocks.append(block)
    }

    /// Adds a paragraph to the Discussion section rendered after the body.
    public func discussion(_ markdown: String) {
        let text = markdown.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { discussions.append(text) }
    }

    /// Records a machine-dependent timing, shown only between the timings markers.
    public func timing(_ name: String, seconds: Double) {
        timings.append((name, Fmt.fixed(seconds, 2) + " s"))
    }

    /// Records a machine-dependent measurement that is not a phase of the run (a timed exponent, a
    /// speed ratio). It is shown only between the timings markers, in its own table after the
    /// phases, so that the phase times still add up to the total.
    public func wallClock(_ name: String, _ value: String) {
        measurements.append((name, value))
    }

    /// Runs one phase of the experiment: logs its start, times it and records the time for the
    /// timings block (phases should add up to the run's total).
    public func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        Progress.log(name)
        let t0 = Progress.elapsed
        defer { timing(name, seconds: Progress.elapsed - t0) }
        return try body()
    }

    /// Registers a claim for the Claims table (rendered near the top) and the claims JSON; returns it.
    @discardableResult
    public func claim(_ c: Claim) -> Claim {
        claims.append(c)
        return c
    }

    /// "k of n claims reproduced" with the partly count if any.
    public static func verdictSummary(_ claims: [Claim], bold: Bool = false) -> String {
        let done = claims.filter { $0.verdict == .reproduced }.count
        let partly = claims.filter { $0.verdict == .partly }.count
        let main = "\(done) of \(claims.count) claim\(claims.count == 1 ? "" : "s") reproduced"
        let notReproduced = claims.filter { $0.verdict == .notReproduced }.count
        let notObserved = claims.filter { $0.verdict == .notObserved }.count
        let counts: [(Int, String)] = [(partly, "partly"), (notReproduced, "not reproduced"), (notObserved, "not observed")]
        let rest = counts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return (bold ? "**\(main)**" : main) + rest.map { ", " + $0 }.joined()
    }

    /// The whole document. Only the lines between the timings markers depend on `timings` and on the machine.
    public func render(timings: [(String, String)]) -> String {
        var out: [String] = ["# \(info.title)"]
        var byline = [Report.authorList(info.authors), "\(info.venue) \(info.year)"].filter { !$0.isEmpty }
        if !info.arxiv.isEmpty { byline.append("[arXiv:\(info.arxiv)](https://arxiv.org/abs/\(info.arxiv))") }
        out.append("**" + byline.joined(separator: " · ") + "**\\\n"
                   + "Report generated by `Papers/\(info.target)` · mode: \(options.mode) · seed: \(options.seed) · verdict: "
                   + Report.verdictSummary(claims, bold: true))
        out.append(Literate.lines("**The idea.** " + info.idea.trimmingCharacters(in: .whitespacesAndNewlines))
            .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n"))

        out.append("## Claims")
        out.append(Report.claimsTable(claims, stability: Stability.load(dir: options.outDir), slug: info.slug,
                                      mode: options.mode))
        out += blocks
        if !discussions.isEmpty { out += ["## Discussion"] + discussions }

        out.append("## Reproduce")
        let commands = [("make reproduce PAPER=\(info.slug)", "full mode, writes Reports/\(info.slug).md (skipped when its inputs are unchanged; FORCE=1 reruns)"),
                        ("make quick PAPER=\(info.slug)", "quick mode, seconds, writes .build/quick-reports/\(info.slug).md")]
        let commandWidth = commands.map(\.0.count).max()!
        out.append((["```sh"] + commands.map { $0.0.padding(toLength: commandWidth + 2, withPad: " ", startingAt: 0) + "# " + $0.1 }
            + ["```"]).joined(separator: "\n"))
        let flags = (options.quick ? " --quick" : "") + " --seed \(options.seed)"
        let hash = InputHash.compute(target: info.target, slug: info.slug, mode: options.mode, seed: options.seed,
                                     reportsDir: options.outDir) ?? "unknown (sources not found)"
        out.append("This report: mode \(options.mode), seed \(options.seed), built with \(InputHash.compilerVersion); "
                   + "the binary `make build` leaves in `.build/release` was run as `\(info.target)\(flags)`. "
                   + "Input hash `\(hash)` (FNV-1a of `Package.swift`, `Sources/`, `Data/`, `Papers/\(info.target)/`, the compiler "
                   + "version, mode, seed and this paper's entry in `stability.json`). Everything outside the timings block below is byte-identical between runs with the "
                   + "same inputs.")
        out.append(Report.timingsBlock(timings, measurements: measurements, threads: options.threads))

        out.append("## Cite")
        out.append("```bibtex\n\(info.bibtex.trimmingCharacters(in: .whitespacesAndNewlines))\n```")
        out.append("To cite Reprise itself, see [`CITATION.cff`](../CITATION.cff).")
        return out.joined(separator: "\n\n") + "\n"
    }

    /// Writes `<outDir>/<slug>.md` and `<outDir>/<slug>.claims.json` atomically, creating `outDir`.
    /// Returns the URL of the Markdown file.
    @discardableResult
    public func write(timings: [(String, String)]) throws -> URL {
        let dir = URL(fileURLWithPath: options.outDir, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let md = dir.appendingPathComponent(info.slug + ".md")
        try Report.atomicWrite(Data(render(timings: timings).utf8), to: md)
        try Report.atomicWrite(claimsDocument().encoded(), to: dir.appendingPathComponent(info.slug + ".claims.json"))
        return md
    }

    /// The claims as written to `<slug>.claims.json`.
    public func claimsDocument() -> ClaimsDocument {
        var doc = ClaimsDocument(slug: info.slug, title: info.title, arxiv: info.arxiv, target: info.target, mode: options.mode,
                                 seed: options.seed, claims: claims.map(ClaimsDocument.Record.init))
        doc.authors = info.authors; doc.venue = info.venue; doc.year = info.year
        doc.theme = info.theme; doc.lesson = info.lesson.isEmpty ? nil : info.lesson
        doc.readFirst = info.readFirst.isEmpty ? nil : info.readFirst
        return doc
    }

    /// The Claims section: one row per check (its measured value, criterion and mark), the claim's
    /// verdict on its first row, then for every claim what would have failed it and, for each check
    /// that did not pass, why.
    static func claimsTable(_ claims: [Claim], stability: [String: Stability.Entry], slug: String, mode: String) -> String {
        if claims.isEmpty { return "No claims registered." }
        var rows = ["| # | The paper says | Check | Measured | Criterion (fixed before the run) | | Verdict |",
                    "|---|---|---|---|---|---|---|"]
        var notes: [String] = []
        for c in claims {
            let seeds = Stability.count(stability, slug: slug, mode: mode, claim: c.id)
            let verdict = "**\(c.verdict.rawValue)**" + (seeds.map { " · \($0.agreement(with: c.verdict))" } ?? "")
            let checks = c.checks.isEmpty ? [Check.notObserved("(no checks)", .isTrue, because: "the claim has no checks")] : c.checks
            for (i, k) in checks.enumerated() {
                rows.append(row(i == 0 ? [c.id, c.statement, k.name, k.formattedValue, "\(k.criterion)", k.status.mark, verdict]
                                       : ["", "", k.name, k.formattedValue, "\(k.criterion)", k.status.mark, ""]))
            }
            var line = "- **\(c.id)** would fail if \(lowercasedFirst(c.failsIf))"
            if !line.hasSuffix(".") { line += "." }
            for k in checks where !k.passed { line += "\\\n  \(k.status.mark) \(k.reason ?? k.name)." }
            if let note = c.note { line += "\\\n  *Scope:* " + note }
            notes.append(line)
        }
        return rows.joined(separator: "\n") + "\n\n" + notes.joined(separator: "\n")
    }

    static func lowercasedFirst(_ s: String) -> String {
        guard let f = s.first, f.isUppercase, !(s.dropFirst().first?.isUppercase ?? false) else { return s }
        return f.lowercased() + s.dropFirst()
    }

    // MARK: - Helpers

    static let timingsBegin = "<!-- timings:begin -->"
    static let timingsEnd = "<!-- timings:end -->"

    static func timingsBlock(_ timings: [(String, String)], measurements: [(String, String)], threads: Int?) -> String {
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown architecture"
        #endif
        let process = ProcessInfo.processInfo
        let threadText = threads.map { "\($0) threads (--threads)" } ?? "\(process.activeProcessorCount) cores available"
        var lines = [timingsBegin, "\(process.operatingSystemVersionString) · \(arch) · \(threadText)"]
        if !timings.isEmpty {
            lines += ["", "| phase | time |", "|---|---|"] + timings.map { row([$0.0, $0.1]) }
        }
        if !measurements.isEmpty {
            lines += ["", "| wall-clock measurement (not a phase) | value |", "|---|---|"] + measurements.map { row([$0.0, $0.1]) }
        }
        return (lines + [timingsEnd]).joined(separator: "\n")
    }

    static func authorList(_ authors: [String]) -> String {
        authors.count <= 2 ? authors.joined(separator: " and ")
            : authors.dropLast().joined(separator: ", ") + " and " + authors.last!
    }

    /// A table row with `|` escaped and newlines flattened.
    static func row(_ cells: [String]) -> String {
        "| " + cells.map(escape).joined(separator: " | ") + " |"
    }

    static func escape(_ cell: String) -> String {
        cell.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    func missing(_ kind: String, _ name: String, _ file: String) {
        let path = Report.packagePath(file)
        blocks.append("(\(kind) `\(name)` not found in `\(path)`)")
        Progress.stderr("warning: \(kind) '\(name)' not found in \(path)")
    }

    func source(_ file: String) -> String? {
        if let cached = sources[file] { return cached }
        let text = try? String(contentsOfFile: file, encoding: .utf8)
        sources[file] = .some(text)
        return text
    }

    /// The path of `file` relative to the nearest enclosing directory with a `Package.swift`
    /// (or its last component if there is none).
    public static func packagePath(_ file: String) -> String {
        let parts = URL(fileURLWithPath: file).standardizedFileURL.pathComponents
        for n in stride(from: parts.count - 1, to: 0, by: -1) {
            let dir = NSString.path(withComponents: Array(parts[..<n]))
            if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("Package.swift")) {
                return parts[n...].joined(separator: "/")
            }
        }
        return parts.last ?? file
    }

    /// Creates `dir` if needed and checks that a file can be written in it, so that a bad `--out` is
    /// found before the run, with a one-line reason.
    public static func checkWritable(_ dir: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw OptionError.invalid("cannot create the output folder '\(dir)'")
        }
        let probe = (dir as NSString).appendingPathComponent(".reprise-write-check-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
            throw OptionError.invalid("cannot write into the output folder '\(dir)'")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    static func atomicWrite(_ data: Data, to url: URL) throws {
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: tmp)
            guard rename(tmp.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }
}
