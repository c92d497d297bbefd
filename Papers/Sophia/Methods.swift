import Foundation
import Notebook

/// The update rules compared in this notebook, on plain vectors (every problem here is small).
enum Methods {
    /// clip(z, ρ) = max(min(z, ρ), −ρ), per coordinate.
    @inline(__always) static func clip(_ z: Double, _ rho: Double) -> Double { Swift.max(Swift.min(z, rho), -rho) }

    //: begin sophia
    /// One Sophia step in the paper's form: θ ← θ − η · clip(m / max(h, ε), ρ), per coordinate.
    /// A negative or tiny curvature h falls back to ε, so the step becomes η ρ sign(m).
    static func sophiaStep(_ theta: inout [Double], m: [Double], h: [Double], eta: Double, rho: Double, epsilon: Double) {
        for i in theta.indices { theta[i] -= eta * clip(m[i] / Swift.max(h[i], epsilon), rho) }
    }
    //: end sophia

    /// Weaves the update above into the report.
    static func showUpdate(_ report: Report) { report.code("sophia") }
}
