import Foundation
import Numerics
import Notebook

/// The closing paragraphs, every number formatted from the run.
enum Discussion {
    static func text(over: Incremental.Results, under: UnderParameterized.Results, lab: Lab) -> String {
        let c = lab.config
        return """
        **Sizes.** n = \(c.n), r* = \(c.r), m = \(c.m), k = \(c.kOver), η = \(Fmt.g(c.eta)), \(c.seeds) seeds.
        """
    }
}
