import Foundation
import Numerics

/// Accelerated proximal gradient (FISTA, Beck & Teboulle 2009) with adaptive restart
/// (O'Donoghue & Candès 2015), for min_x F(x) = s(x) + r(x) with s L-smooth and r "simple"
/// (its proximal map is given). With r the indicator of a convex set C the prox is the
/// projection onto C and this is accelerated projected gradient descent.
///
///     y = x_k + ((t_k − 1)/t_{k+1}) (x_k − x_{k−1}),   t_{k+1} = (1 + √(1 + 4t_k²))/2
///     x_{k+1} = prox_{r/L}( y − ∇s(y)/L )
///     restart (t ← 1, y ← x) when ⟨y − x_{k+1}, x_{k+1} − x_k⟩ > 0
///
/// Stops when the gradient mapping G(x) = L·(x − prox_{r/L}(x − ∇s(x)/L)) has ∞-norm ≤ `tolerance`
/// (G = 0 exactly at a minimizer: for a box it is the projected-gradient KKT residual).
public enum ProximalGradient {
    public struct Result: Sendable {
        public var x: [Double]
        public var iterations: Int
        /// ||G(x)||_∞ at the returned point.
        public var residual: Double
        public var converged: Bool

        public init(x: [Double], iterations: Int, residual: Double, converged: Bool) {
            self.x = x; self.iterations = iterations; self.residual = residual; self.converged = converged
        }
    }

    /// - Parameters:
    ///   - gradient: ∇s.
    ///   - prox: (v, η) ↦ argmin_u r(u) + ||u − v||²/(2η).
    public static func minimize(from x0: [Double], lipschitz: Double, maxIterations: Int, tolerance: Double,
                                gradient: ([Double]) -> [Double],
                                prox: ([Double], Double) -> [Double]) -> Result {
        precondition(lipschitz > 0, "ProximalGradient: the Lipschitz constant must be positive")
        let eta = 1 / lipschitz
        var x = prox(x0, eta), xPrev = x, t = 1.0
        func residual(_ x: [Double], _ g: [Double]) -> Double {
            let p = prox(zip(x, g).map { $0 - eta * $1 }, eta)
            return zip(x, p).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) } * lipschitz
        }
        for k in 0..<maxIterations {
            let tNext = (1 + (1 + 4 * t * t).squareRoot()) / 2
            let beta = (t - 1) / tNext
            let y = zip(x, xPrev).map { $0 + beta * ($0 - $1) }
            let gy = gradient(y)
            let xNew = prox(zip(y, gy).map { $0 - eta * $1 }, eta)
            var restartDot = 0.0
            for i in 0..<x.count { restartDot += (y[i] - xNew[i]) * (xNew[i] - x[i]) }
            xPrev = x; x = xNew
            t = restartDot > 0 ? 1 : tNext
            if k % 25 == 24 || k == maxIterations - 1 {
                let r = residual(x, gradient(x))
                if r <= tolerance { return Result(x: x, iterations: k + 1, residual: r, converged: true) }
            }
        }
        let r = residual(x, gradient(x))
        return Result(x: x, iterations: maxIterations, residual: r, converged: r <= tolerance)
    }

    /// Projection onto the box {||x||_∞ ≤ radius}.
    public static func projectBox(_ v: [Double], radius: Double) -> [Double] {
        v.map { Swift.min(radius, Swift.max(-radius, $0)) }
    }

    /// Projection onto the ball {||x||₂ ≤ radius}.
    public static func projectBall(_ v: [Double], radius: Double) -> [Double] {
        let n = Vector.norm(v)
        return n <= radius ? v : v.map { $0 * radius / n }
    }
}
