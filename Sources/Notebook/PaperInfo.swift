import Foundation

/// The themes of the course page (`Reports/README.md`), in the order a reader meets them.
public enum Theme: String, Codable, Sendable, CaseIterable {
    case overparameterization = "Over-parameterization and matrix sensing"
    case secondOrder = "Second-order methods and the Hessian"
    case optimizers = "Optimizers"
    case lipschitz = "Lipschitz constants and certified robustness"
    case weighting = "Weighting, data and distribution shift"
}

/// What a paper is: the bibliographic facts, the idea in our own words, and its place on the course page.
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
    /// The course page's section for this paper.
    public var theme: Theme?
    /// One line: what a reader learns from this report.
    public var lesson: String
    /// Slugs of reports worth reading before this one.
    public var readFirst: [String]
    /// Checks the paper's input files (present, readable, well formed) before any work starts; throws
    /// an error whose description is one line naming the file and what is wrong. Nil: no input files.
    public var checkInputs: (@Sendable () throws -> Void)?

    public init(slug: String, target: String, title: String, authors: [String], year: Int, venue: String,
                arxiv: String, bibtex: String, idea: String, defaultSeed: UInt64,
                theme: Theme? = nil, lesson: String = "", readFirst: [String] = [],
                checkInputs: (@Sendable () throws -> Void)? = nil) {
        self.slug = slug; self.target = target; self.title = title; self.authors = authors
        self.year = year; self.venue = venue; self.arxiv = arxiv; self.bibtex = bibtex
        self.idea = idea; self.defaultSeed = defaultSeed
        self.theme = theme; self.lesson = lesson; self.readFirst = readFirst
        self.checkInputs = checkInputs
    }
}
