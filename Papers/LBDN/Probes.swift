import Foundation
import Numerics
import Learning
import Notebook

/// Lower bounds on a trained network's ℓ2 Lipschitz constant: exact Jacobian norms at chosen inputs,
/// gradient ascent on the difference quotient, and (one input) an exact walk over the linear pieces.
enum Probes {
    static let sourceFile = #filePath

    /// J(x) = W_L D_{L−1} W_{L−1} … D_1 W_1, D_l = diag(1[z_l > 0]): exact for a ReLU MLP off the kinks.
    static func jacobian(_ net: MLP, at x: [Double]) -> Matrix {
        let pass = net.forwardPass(Matrix(rows: 1, cols: x.count, elements: x))
        var j = net.weights[0]
        for l in 1..<net.layerCount {
            let z = pass.preActivations[l - 1]
            for r in 0..<j.rows where z.storage[r] <= 0 { for c in 0..<j.cols { j[r, c] = 0 } }
            j = matmul(net.weights[l], j)
        }
        return j
    }

    /// ||J(x)||₂ (a vector norm when J has one row or column, else the top singular value).
    static func jacobianNorm(_ net: MLP, at x: [Double]) throws -> Double {
        let j = jacobian(net, at: x)
        if j.rows == 1 || j.cols == 1 { return j.frobeniusNorm }
        return try singularValues(j).first ?? 0
    }

    //: begin ascent
    /// The authors' search (`empirical_lipschitz`): pairs (a, a + δ) with δ ~ U(±0.05), moved by normalized
    /// gradient steps on R = ||f(a + δ) − f(a)||² / ||δ||² with a step that shrinks when R stalls.
    /// Returns the largest √R seen and the largest exact ||J|| at the points visited.
    static func ascent(_ net: MLP, starts: Matrix, steps: Int, rng: inout RandomSource) throws -> Double {
        var best = 0.0
        for i in 0..<starts.rows {
            var a = starts.row(i)
            var d = a.map { _ in rng.uniform(-0.05, 0.05) }
            var step = 0.1, last = 0.0
            for t in 0..<steps {
                let pa = net.forwardPass(Matrix(rows: 1, cols: a.count, elements: a))
                let b = zip(a, d).map { $0 + $1 }
                let pb = net.forwardPass(Matrix(rows: 1, cols: a.count, elements: b))
                let e = zip(pb.output.storage, pa.output.storage).map { $0 - $1 }
                let num = Vector.dot(e, e), den = Vector.dot(d, d)
                let r = (num / den).squareRoot()
                best = max(best, r)
                // ∇_b R = 2 J(b)ᵀe/den − 2 num·d/den²,  ∇_a R = 2 (J(b) − J(a))ᵀe/den  (δ = b − a).
                let jb = jacobian(net, at: b).applyTransposed(e), ja = jacobian(net, at: a).applyTransposed(e)
                let gd = (0..<d.count).map { 2 * jb[$0] / den - 2 * num * d[$0] / (den * den) }
                let ga = (0..<a.count).map { 2 * (jb[$0] - ja[$0]) / den }
                let nd = Vector.norm(gd), na = Vector.norm(ga)
                for k in 0..<a.count {
                    if na > 0 { a[k] += step * ga[k] / na }
                    if nd > 0 { d[k] += 0.1 * step * gd[k] / nd * Vector.norm(d) }
                }
                if t % 5 == 4 { if r < last + 1e-3 { step /= 10 }; last = r }
            }
            best = max(best, try jacobianNorm(net, at: a), try jacobianNorm(net, at: zip(a, d).map { $0 + $1 }))
        }
        return best
    }
    //: end ascent

    /// One input, one output: the exact max |f′(x)| over [lo, hi], walking from linear piece to linear
    /// piece (within a piece every pre-activation z(x) = z₀ + t z′ is affine, so the next kink is the
    /// smallest positive root). Returns the largest slope and the number of pieces.
    static func walk(_ net: MLP, from lo: Double, to hi: Double) -> (slope: Double, pieces: Int) {
        precondition(net.inputSize == 1 && net.outputSize == 1, "Probes.walk: one input and one output")
        var x = lo, best = 0.0, pieces = 0
        while x < hi && pieces < 1_000_000 {
            // forward value and derivative of every pre-activation at x
            var h = [x], dh = [1.0], next = Double.infinity
            for l in 0..<net.layerCount {
                let w = net.weights[l]
                var z = w.apply(h), dz = w.apply(dh)
                for k in 0..<z.count { z[k] += net.biases[l][k] }
                if l < net.layerCount - 1 {
                    for k in 0..<z.count {
                        if dz[k] != 0 { let t = -z[k] / dz[k]; if t > 1e-12 { next = min(next, t) } }
                        if z[k] <= 0 { z[k] = 0; dz[k] = 0 }
                    }
                }
                h = z; dh = dz
            }
            best = max(best, abs(dh[0]))
            pieces += 1
            x += next + 1e-10
        }
        return (best, pieces)
    }
}
