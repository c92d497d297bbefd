import Foundation
import Learning
import Notebook

/// The update rule compared in this notebook lives in the shared library (`SophiaOptimizer` in
/// Sources/Learning/Sophia.swift): one Sophia step in the paper's form,
/// θ ← θ − η · clip(m / max(h, ε), ρ) per coordinate; a negative or tiny curvature h falls back to ε,
/// so the step becomes η ρ sign(m).
enum Methods {
    static let sharedFile = Literate.packageFile("Sources/Learning/Sophia.swift")

    /// Weaves the update into the report.
    static func showUpdate(_ report: Report) { report.code("sophia", file: sharedFile) }
}
