import Foundation
import Numerics
import Learning
import Notebook

/// Experiment 3: NTP at large width is kernel gradient descent with the closed-form NTK; μP is not.
enum KernelRegime {
    struct Evidence {
        var ntk: SlopeEstimate           // slope of the relative gap to kernel GD in n (NTP)
        var muP: SlopeEstimate           // the same for μP
        var ratioAtLargest: Double       // μP gap / NTP gap at the largest width (mean over seeds)
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(
            id: "C4",
            statement: "In the kernel regime the infinite-width dynamics is kernel gradient descent with the NTK (Section 3, after Jacot et al.): an NTP network's function-space trajectory approaches kernel GD with the closed-form kernel at rate n^(−1/2), while μP's does not approach it (the dichotomy).",
            checks: [e.ntk.check("NTP: slope of gap to kernel GD", predicted: -0.5, tolerance: 0.15),
                     Check("μP: slope of gap to kernel GD", measured: e.muP.mean, .atLeast(-0.15), format: "%.3f",
                           notObserved: e.muP.points >= 3 ? nil : "fit over \(e.muP.points) widths"),
                     Check("μP gap / NTP gap at the largest width", measured: e.ratioAtLargest, .atLeast(3), format: "%.3g")],
            failsIf: "NTP's gap slope is outside −0.5 ± 0.15, μP's gap shrinks faster than n^(−0.15), or at the largest width μP is not at least 3x further from kernel GD than NTP.")
    }

    //: begin ntk
    /// The NTK of a one-hidden-layer ReLU network f(x) = Σᵢ vᵢ·relu(uᵢ·x/√d)/√n, u ~ N(0, I), v ~ N(0, 1),
    /// in closed form (Cho & Saul's arc-cosine kernels of degree 1 and 0): with σ = |x|/√d and θ the
    /// angle between x and x',
    ///     Θ(x, x') = σσ'·(sin θ + (π − θ) cos θ)/(2π) + (x·x'/d)·(π − θ)/(2π).
    static func ntk(_ x: [Double], _ y: [Double]) -> Double {
        let d = Double(x.count)
        let nx = Vector.norm(x), ny = Vector.norm(y), dot = Vector.dot(x, y)
        let cosine = max(-1, min(1, dot / (nx * ny)))
        let theta = acos(cosine)
        let degree1 = nx * ny / d * (sin(theta) + (Double.pi - theta) * cosine) / (2 * Double.pi)
        let degree0 = (Double.pi - theta) / (2 * Double.pi)
        return degree1 + dot / d * degree0
    }
    //: end ntk

    /// The empirical NTK of a one-hidden-layer network (L = 1) at inputs x and y, output 0:
    /// Σ_params ∂f/∂W·∂f/∂W scaled by each layer's rate factor n^{−c−2a} (the kernel SGD on w sees).
    static func empiricalNTK(_ net: ABCNetwork, _ x: [Double], _ y: [Double]) -> Double {
        let p = net.parametrization, n = Double(net.width)
        let (w1, w2) = (net.weights[0], net.weights[1])
        let s = 1 / Double(x.count).squareRoot()
        var readout = 0.0, hidden = 0.0
        for i in 0..<net.width {
            var hx = 0.0, hy = 0.0
            for j in 0..<x.count { hx += w1[i, j] * x[j] * s; hy += w1[i, j] * y[j] * s }
            readout += net.activation.value(hx) * net.activation.value(hy)
            hidden += w2[0, i] * w2[0, i] * net.activation.derivative(hx) * net.activation.derivative(hy)
        }
        let dot = Vector.dot(x, y) / Double(x.count)
        return pow(n, -p.c - 2 * p.a[1]) * readout + pow(n, -p.c - 2 * p.a[0]) * hidden * dot
    }

    /// Outputs on `eval` after each of `steps` full-batch steps, for the network and for kernel GD
    /// started from the network's own initial outputs.
    static func trajectories(_ p: Parametrization, width n: Int, x: Matrix, y: Matrix, eval: Matrix, kernel: Matrix,
                             steps: Int, rate eta: Double, rng: inout RandomSource) -> (network: [Matrix], kernelGD: [Matrix], start: Matrix) {
        let draws = ABCNetwork.standardDraws(inputs: x.cols, width: n, outputs: y.cols, hidden: 1, rng: &rng)
        var net = ABCNetwork(p, width: n, activation: .relu, standard: draws)
        let start = net.forward(eval).output
        var g = start                                             // kernel GD state on eval rows
        var netOut: [Matrix] = [], kernelOut: [Matrix] = []
        let train = x.rows
        for _ in 0..<steps {
            //: begin kgd
            let residual = g.submatrix(rows: 0..<train, cols: 0..<g.cols) - y      // g_t(X) − Y
            g.addScaled(matmul(kernel, residual), -eta / Double(train))             // g ← g − (η/N) Θ(·, X)(g(X) − Y)
            //: end kgd
            net.sgdStep(x, .meanSquaredError(targets: y), rate: eta)
            netOut.append(net.forward(eval).output); kernelOut.append(g)
        }
        return (netOut, kernelOut, start)
    }

    /*: ntk
     **Setup.** A 64 → n → 10 ReLU network on N digits (the training rows; N in the setup table) plus as many probe digits,
     half squared error against centred one-hot targets (one-hot minus 1/10), full-batch SGD at a
     fixed rate for T steps, in NTP and in μP (same draw). Kernel GD runs in function space with
     the closed-form NTK, g_{t+1} = g_t − (η/N)·Θ(·, X)·(g_t(X) − Y), on the training and probe rows,
     started from the network's own initial outputs f_0 (so the random initial function, which does
     not vanish in NTP, is not counted as a gap). One-hidden-layer NTP and μP have the same NTK at
     initialization (in μP the readout is n^(−1/2) smaller and the first-layer rate n times larger,
     which cancel in the kernel), so the comparison isolates what happens during training. The gap
     at width n is RMS(f_t − g_t) / RMS(g_t − g_0) over steps, rows and outputs: how far the network
     is from kernel GD relative to how far kernel GD moved. **Criterion, fixed before the run:** NTP's
     mean slope within −0.5 ± 0.15; μP's slope at least −0.15 (not shrinking) and μP at least 3x further
     from kernel GD than NTP at the largest width.
     */
    static func run(_ c: MuP.Config, data: DigitsDataset, options: RunOptions, report: Report) throws {
        report.section("Experiment 3: NTP is kernel gradient descent, μP is not")
        report.literate("ntk")
        report.code("ntk")
        let x = MuP.inputs(data)
        let ps = [Parametrization.ntk(hidden: 1), .maximalUpdate(hidden: 1)]
        // gaps[seed][param][width]
        let runs = try Threads.map(c.ntkSeeds) { s -> (gaps: [[Double]], stepScale: Double) in
            var shuffle = MuP.stream(options.seed, replicate: s, .ntk)
            let order = shuffle.permutation(x.rows)
            let trainRows = Array(order.prefix(c.ntkTrain)), probeRows = Array(order[c.ntkTrain..<(2 * c.ntkTrain)])
            let train = x.rows(trainRows), eval = x.rows(trainRows + probeRows)
            let y = Matrix(rows: c.ntkTrain, cols: 10) { i, k in (data.labels[trainRows[i]] == k ? 1 : 0) - 0.1 }
            let kernel = Matrix(rows: eval.rows, cols: train.rows) { i, j in ntk(eval.row(i), train.row(j)) }
            let top = try SymmetricEigen(kernel.submatrix(rows: 0..<train.rows, cols: 0..<train.rows), computeVectors: false).values.last ?? .nan
            return (ps.map { p in
                c.ntkWidths.map { n in
                    var rng = MuP.stream(options.seed &+ UInt64(n), replicate: s, .ntk)
                    let (f, g, g0) = trajectories(p, width: n, x: train, y: y, eval: eval, kernel: kernel, steps: c.ntkSteps, rate: c.ntkRate, rng: &rng)
                    let gap = Stats.rms(zip(f, g).flatMap { ($0 - $1).storage })
                    return gap / Stats.rms(g.flatMap { ($0 - g0).storage })
                }
            }, c.ntkRate * top / Double(c.ntkTrain))
        }
        let gaps = runs.map(\.gaps)
        let stepScale = runs.map(\.stepScale).max() ?? .nan
        let e = Evidence(ntk: SlopeEstimate(widths: c.ntkWidths, values: gaps.map { $0[0] }),
                         muP: SlopeEstimate(widths: c.ntkWidths, values: gaps.map { $0[1] }),
                         ratioAtLargest: Stats.mean(gaps.map { $0[1].last! / $0[0].last! }))
        report.code("kgd")
        report.claim(claim(e))
        let ws = c.ntkWidths.map(Double.init)
        let mean = { (p: Int) -> [Double] in c.ntkWidths.indices.map { w in Stats.mean(gaps.map { $0[p][w] }) } }
        report.plot(LinePlot(title: "Relative gap between the network and kernel GD with the closed-form NTK", xLabel: "width n", yLabel: "gap",
                             xScale: .log10, yScale: .log10,
                             series: [Series("NTP", x: ws, y: mean(0), marker: "n"), Series("μP", x: ws, y: mean(1), marker: "m")]))
        report.discussion("**Experiment 3.** Over widths \(Fmt.list(ws) { String(Int($0)) }) and \(c.ntkSeeds) seeds, NTP's relative gap to kernel GD has slope \(e.ntk.text) (from \(Fmt.g(mean(0).first ?? .nan, 3)) to \(Fmt.g(mean(0).last ?? .nan, 3))), μP's has slope \(e.muP.text) (from \(Fmt.g(mean(1).first ?? .nan, 3)) to \(Fmt.g(mean(1).last ?? .nan, 3))); at the largest width μP is \(Fmt.g(e.ratioAtLargest, 3))x further from kernel GD than NTP. The largest η·λ_max(Θ)/N over the seeds' training sets is \(Fmt.g(stepScale, 3)) (kernel GD is stable below 2).")
    }
}
