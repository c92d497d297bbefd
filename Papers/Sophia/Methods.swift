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

    /// Adam (Kingma and Ba) with bias correction, on a deterministic gradient.
    struct Adam {
        var m: [Double], v: [Double], t = 0
        let beta1: Double, beta2: Double, epsilon: Double
        init(dimension: Int, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
            m = Array(repeating: 0, count: dimension); v = m
            self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        }
        mutating func step(_ theta: inout [Double], gradient g: [Double], eta: Double) {
            t += 1
            let (c1, c2) = (1 - pow(beta1, Double(t)), 1 - pow(beta2, Double(t)))
            for i in theta.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                theta[i] -= eta * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
            }
        }
    }
}
