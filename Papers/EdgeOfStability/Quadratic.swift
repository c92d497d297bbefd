import Foundation
import Numerics

/// Exact small cases: gradient descent (with or without heavy-ball momentum) on a quadratic, where the
/// stability threshold is known in closed form.
enum Quadratic {
    static let file = #filePath

    //: begin companion
    /// The spectral radius of the companion matrix [[1 + β − a, −β], [1, 0]] with a = ηλ.
    static func companionRadius(beta: Double, a: Double) -> Double {
        let tr = 1 + beta - a, det = beta                      // z² − tr z + det = 0
        let disc = tr * tr - 4 * det
        if disc >= 0 {
            let s = disc.squareRoot()
            return Swift.max(abs((tr + s) / 2), abs((tr - s) / 2))
        }
        return det.squareRoot()                                // complex pair: |z|² = det
    }
    //: end companion

    /// The closed-form stability threshold on ηλ: 2 + 2β (2 for plain gradient descent).
    static func threshold(beta: Double) -> Double { 2 + 2 * beta }

    /// Whether heavy-ball GD on the quadratic with eigenvalues `lambdas` keeps every coordinate
    /// bounded by its start over `steps` steps (x₀ = 1, v₀ = 0).
    static func staysBounded(eta: Double, beta: Double, lambdas: [Double], steps: Int) -> Bool {
        for l in lambdas {
            var (x, v) = (1.0, 0.0)
            for _ in 0..<steps {
                v = beta * v + l * x
                x -= eta * v
                if !(abs(x) <= 1e6) { return false }
            }
            if !(abs(x) <= 1) { return false }
        }
        return true
    }

    /// The largest stable η on [0, hi], by bisection of the iteration itself (no formula used).
    static func bisectedEdge(beta: Double, lambdas: [Double], steps: Int, hi: Double) -> Double {
        var (lo, up) = (0.0, hi)
        precondition(!staysBounded(eta: hi, beta: beta, lambdas: lambdas, steps: steps), "bisectedEdge: hi must be unstable")
        for _ in 0..<60 {
            let mid = (lo + up) / 2
            if staysBounded(eta: mid, beta: beta, lambdas: lambdas, steps: steps) { lo = mid } else { up = mid }
        }
        return lo
    }
}
