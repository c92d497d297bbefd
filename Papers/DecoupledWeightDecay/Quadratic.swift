import Foundation
import Numerics
import Learning
import Notebook

/// The quadratic of experiment 1, f(x) = ½(x − c)ᵀH(x − c), with its two predicted fixed points.
struct Quadratic {
    let h: Matrix
    let c: [Double]

    /// H = AᵀA/d + 0.1·I (A with iid N(0, 1) entries: well conditioned, not diagonal) and c ~ N(0, I).
    init(dimension d: Int, rng: inout RandomSource) {
        let a = rng.normalMatrix(d, d)
        var h = Matrix(rows: d, cols: d) { i, j in (0..<d).reduce(0) { $0 + a[$1, i] * a[$1, j] } / Double(d) }
        for i in 0..<d { h[i, i] += 0.1 }
        self.h = h
        c = rng.normalVector(d)
    }

    func gradient(_ x: [Double]) -> [Double] { h.apply(zip(x, c).map { $0 - $1 }) }

    /// The fixed point of gradient steps with L2 coefficient λ' (SGD or Adam): ∇f(x) + λ'x = 0, i.e.
    /// (H + λ'I)x = Hc, solved by Cholesky.
    func ridge(_ l2: Double) throws -> [Double] {
        var m = h
        for i in 0..<m.rows { m[i, i] += l2 }
        return try CholeskyFactorization(m).solve(h.apply(c))
    }

    /// min f(x) subject to ||x||_∞ ≤ r, by projected gradient descent with step 1/||H||_F until the
    /// projected-gradient residual ||x − clip(x − ∇f(x))||_∞ is below 1e-13. Throws if it does not get there.
    func boxSolution(radius r: Double) throws -> [Double] {
        let step = 1 / h.frobeniusNorm
        var x = [Double](repeating: 0, count: c.count)
        for _ in 0..<1_000_000 {
            let g = gradient(x)
            let next = zip(x, g).map { Swift.min(r, Swift.max(-r, $0 - step * $1)) }
            let residual = zip(x, g).map { abs($0 - Swift.min(r, Swift.max(-r, $0 - $1))) }.max() ?? 0
            x = next
            if residual < 1e-13 { return x }
        }
        throw NumericalFailure.failed("projected gradient on the box did not converge in 10⁶ steps")
    }

    /// Runs `opt` from x = 0 for `steps` full-gradient steps with the per-step cosine multiplier
    /// η_t = ½(1 + cos(π t / T)) and returns the last iterate.
    func run<O: ScheduledOptimizer>(_ opt: inout O, steps: Int) -> [Double] {
        var x = [Double](repeating: 0, count: c.count)
        for t in 0..<steps {
            opt.scheduleMultiplier = 0.5 * (1 + cos(Double.pi * Double(t) / Double(steps)))
            opt.step(&x, gradient: gradient(x))
        }
        return x
    }
}

/// ||a − b||₂ / ||b||₂.
func relativeDistance(_ a: [Double], _ b: [Double]) -> Double { Vector.distance(a, b) / Vector.norm(b) }
