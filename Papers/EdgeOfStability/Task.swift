import Foundation
import Numerics
import Learning
import Notebook

/// The authors' synthetic regression task and the full-batch training loop that tracks the sharpness.
enum Task {
    static let file = #filePath

    /// n points evenly spaced on [−1, 1] labelled by the Chebyshev polynomial T_k (the authors'
    /// `chebyshev-k-20` data sets use n = 20).
    static func chebyshev(degree k: Int, points n: Int) -> (x: Matrix, y: Matrix) {
        precondition(n >= 2 && k >= 0, "chebyshev: need n ≥ 2 points and degree k ≥ 0")
        let xs = (0..<n).map { i -> Double in -1 + 2 * Double(i) / Double(n - 1) }
        //: begin chebyshev
        func T(_ k: Int, _ x: Double) -> Double {          // T₀ = 1, T₁ = x, T_{k+1} = 2x T_k − T_{k−1}
            var (a, b) = (1.0, x)
            if k == 0 { return a }
            for _ in 1..<k { (a, b) = (b, 2 * x * b - a) }
            return b
        }
        //: end chebyshev
        return (Matrix(rows: n, cols: 1, elements: xs), Matrix(rows: n, cols: 1, elements: xs.map { T(k, $0) }))
    }

    /// The 1-width-1 tanh network of the authors' `regression` architecture: first-layer weights
    /// N(0, g²·2/(1 + h)) (Xavier normal with gain g), first-layer biases zero, output weights
    /// N(0, 2/(h + 1)). Their output layer has no bias; ours is held at zero (see `frozen`).
    static func network(width h: Int, gain: Double, rng: inout RandomSource) -> MLP {
        let w0 = rng.normalMatrix(h, 1, std: gain * (2 / Double(1 + h)).squareRoot())
        let w1 = rng.normalMatrix(1, h, std: (2 / Double(h + 1)).squareRoot())
        return MLP(sizes: [1, h, 1], activations: [.tanh, .identity], weights: [w0, w1],
                   biases: [[Double](repeating: 0, count: h), [0]])
    }

    /// The index of the output bias in the flat parameter vector; it is never moved, and its row and
    /// column are left out of the Hessian, so the trained parameters are exactly the authors'.
    static func frozen(_ net: MLP) -> Int { net.parameterCount - 1 }

    /// The top eigenvalue of the exact Hessian of the training loss over the trained parameters.
    static func sharpness(_ net: MLP, x: Matrix, loss: Loss) throws -> Double {
        let p = frozen(net)
        let h = net.fullHessian(x, loss).submatrix(rows: 0..<p, cols: 0..<p)
        guard !h.hasNonFinite else { throw NumericalFailure.nonFinite("Hessian entries during training") }
        return try symmetricEigenvalues(h).last!
    }

    /// The same top eigenvalue by Lanczos on exact Hessian-vector products (30 steps, warm-started
    /// from `start`), with the output bias's coordinate held at zero; also returns the top Ritz vector.
    static func sharpnessLanczos(_ net: MLP, x: Matrix, loss: Loss, start: [Double]?) throws -> (value: Double, vector: [Double]) {
        let h = net.hessian(x, loss), p = frozen(net)
        //: begin lanczos
        let r = try lanczosTop(dimension: net.parameterCount, count: 1, steps: 30, start: start) { v in
            var u = v; u[p] = 0                                   // restrict to the trained parameters
            var hv = h.apply(u); hv[p] = 0
            return hv
        }
        //: end lanczos
        return (r.values[0], r.vectors[0])
    }

    /// One full-batch run: the training loss at every step and the sharpness every `every` steps.
    struct Run {
        var eta: Double
        var beta: Double
        var losses: [Double]            // L(θ_t), t = 0...steps
        var sharpSteps: [Int]           // the steps at which the sharpness was measured
        var sharpness: [Double]         // λ_max(∇²L(θ_t)) at those steps (Lanczos)
        var snapshots: [[Double]]       // θ_t at those steps
        var denseFinal: Double          // λ_max at the last step from the dense Hessian
        var final: MLP
    }

    /// Full-batch gradient descent with heavy-ball momentum β (β = 0: plain GD), in the form of the
    /// authors' optimizer: v ← β v + ∇L(θ), θ ← θ − η v.
    static func train(_ start: MLP, x: Matrix, loss: Loss, eta: Double, beta: Double, steps: Int,
                      every: Int) throws -> Run {
        var net = start
        var theta = net.parameters
        var v = [Double](repeating: 0, count: theta.count)
        let fixed = frozen(net)
        var run = Run(eta: eta, beta: beta, losses: [], sharpSteps: [], sharpness: [], snapshots: [], denseFinal: .nan, final: net)
        var top: [Double]? = nil
        for t in 0...steps {
            if t % every == 0 || t == steps {
                run.sharpSteps.append(t)
                let s = try sharpnessLanczos(net, x: x, loss: loss, start: top)
                top = s.vector
                run.sharpness.append(s.value)
                run.snapshots.append(theta)
            }
            let (l, g) = net.lossAndGradient(x, loss)
            guard l.isFinite else { throw NumericalFailure.nonFinite("training loss \(l) at step \(t) (η = \(eta), β = \(beta))") }
            run.losses.append(l)
            if t == steps { break }
            //: begin step
            for i in 0..<theta.count where i != fixed {
                v[i] = beta * v[i] + g[i]            // v ← β v + ∇L(θ)
                theta[i] -= eta * v[i]               // θ ← θ − η v
            }
            //: end step
            net.parameters = theta
        }
        run.final = net
        run.denseFinal = try sharpness(net, x: x, loss: loss)
        return run
    }
}
