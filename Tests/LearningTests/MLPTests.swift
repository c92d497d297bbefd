import Foundation
import XCTest
import Numerics
import Learning

/// The shared MLP against mathematics: gradients and Hessian-vector products against differences, the full Hessian's symmetry, a linear model's closed-form Hessian, per-sample gradients, the parameter layout.
final class MLPTests: XCTestCase {

    /// A small problem with every kind of layer: the gradient, Hessian-vector products and Hessian.
    func smallProblem(_ act: Activation, seed: UInt64 = 3) -> (MLP, Matrix, Loss) {
        var rng = RandomSource(seed: seed)
        let x = rng.normalMatrix(21, 4)
        let y = (0..<21).map { $0 % 3 }
        let net = MLP(sizes: [4, 6, 5, 3], hidden: act, initialization: .he, rng: &rng)
        return (net, x, .softmaxCrossEntropy(labels: y))
    }

    func testGradientMatchesCentralDifferences() {
        for act in [Activation.tanh, .softplus, .relu, .sigmoid] {
            for lossKind in 0..<2 {
                var (net, x, loss) = smallProblem(act)
                if lossKind == 1 {
                    var rng = RandomSource(seed: 9)
                    loss = .meanSquaredError(targets: rng.normalMatrix(x.rows, 3))
                }
                let theta = net.parameters
                let g = net.lossAndGradient(x, loss).gradient
                let h = 1e-6
                let fd = (0..<theta.count).map { j -> Double in
                    var p = theta, m = theta
                    p[j] += h; m[j] -= h
                    return (net.with(parameters: p).loss(x, loss) - net.with(parameters: m).loss(x, loss)) / (2 * h)
                }
                let rel = Vector.distance(g, fd) / Vector.norm(g)
                XCTAssertLessThan(rel, 1e-6, "gradient vs central differences, \(act), loss \(lossKind)")
                net.parameters = theta
            }
        }
    }

    func testHessianVectorProductMatchesDifferencesOfExactGradients() {
        for act in [Activation.tanh, .softplus, .relu, .identity] {
            let (net, x, loss) = smallProblem(act)
            var rng = RandomSource(seed: 5)
            let theta = net.parameters
            let v = rng.normalVector(theta.count)
            let hv = net.hessianVectorProduct(x, loss, v)
            let eps = 1e-5
            let gp = net.with(parameters: Vector.add(theta, Vector.scaled(v, eps))).lossAndGradient(x, loss).gradient
            let gm = net.with(parameters: Vector.subtract(theta, Vector.scaled(v, eps))).lossAndGradient(x, loss).gradient
            let fd = Vector.scaled(Vector.subtract(gp, gm), 1 / (2 * eps))
            XCTAssertLessThan(Vector.distance(hv, fd) / Vector.norm(hv), 1e-6, "H v vs differences of gradients, \(act)")
        }
    }

    func testFullHessianIsSymmetricAndMatchesProducts() {
        for act in [Activation.tanh, .relu] {
            let (net, x, loss) = smallProblem(act)
            let raw = net.fullHessian(x, loss, symmetrize: false)
            let scale = raw.storage.map(abs).max()!
            let asym = (raw - raw.transposed).storage.map(abs).max()!
            XCTAssertLessThan(asym / scale, 1e-12, "the assembled Hessian is symmetric up to rounding (\(act))")
            var rng = RandomSource(seed: 8)
            let v = rng.normalVector(net.parameterCount)
            let hv = net.hessianVectorProduct(x, loss, v)
            XCTAssertLessThan(Vector.distance(raw.apply(v), hv) / Vector.norm(hv), 1e-12)
        }
    }

    func testLinearModelWithSquaredErrorHasHessianXtXOverN() {
        // f(x) = w·x + b with MSE (1/N) Σ ½ (f − y)²: H = X̃ᵀX̃ / N with X̃ = [X, 1], for any θ.
        var rng = RandomSource(seed: 21)
        let (n, d) = (13, 5)
        let x = rng.normalMatrix(n, d)
        let net = MLP(sizes: [d, 1], hidden: .identity, output: .identity, rng: &rng)
        let loss = Loss.meanSquaredError(targets: rng.normalMatrix(n, 1))
        let h = net.fullHessian(x, loss)
        var xt = Matrix(rows: n, cols: d + 1)
        for i in 0..<n { for j in 0..<d { xt[i, j] = x[i, j] }; xt[i, d] = 1 }
        let expected = gram(xt) / Double(n)
        XCTAssertLessThan((h - expected).storage.map(abs).max()!, 1e-13)
        // With two outputs the Hessian is block-diagonal in the parameter order W (row-major), b:
        // output r's weights and bias see X̃ᵀX̃/N, cross-output blocks vanish.
        let net2 = MLP(sizes: [d, 2], hidden: .identity, output: .identity, rng: &rng)
        let h2 = net2.fullHessian(x, .meanSquaredError(targets: rng.normalMatrix(n, 2)))
        let index = { (r: Int, j: Int) in j < d ? r * d + j : 2 * d + r }   // w_rj or b_r
        for r in 0..<2 { for s in 0..<2 { for i in 0...d { for j in 0...d {
            XCTAssertEqual(h2[index(r, i), index(s, j)], r == s ? expected[i, j] : 0, accuracy: 1e-13)
        } } } }
    }

    func testPerSampleGradientsAverageToTheGradient() {
        let (net, x, loss) = smallProblem(.tanh)
        let per = net.perSampleGradients(x, loss)
        XCTAssertEqual(per.rows, x.rows)
        XCTAssertEqual(per.cols, net.parameterCount)
        let mean = (0..<per.cols).map { j in (0..<per.rows).reduce(0.0) { $0 + per[$1, j] } / Double(per.rows) }
        let g = net.lossAndGradient(x, loss).gradient
        XCTAssertLessThan(Vector.distance(mean, g) / Vector.norm(g), 1e-13)
        // Row i is the gradient of sample i alone.
        let one = net.lossAndGradient(Matrix([x.row(4)]), loss.subset([4])).gradient
        XCTAssertLessThan(Vector.distance(per.row(4), one) / Vector.norm(one), 1e-13)
    }

    func testParameterVectorRoundTripsInTheDocumentedOrder() {
        var rng = RandomSource(seed: 2)
        var net = MLP(sizes: [3, 4, 2], hidden: .relu, rng: &rng)
        XCTAssertEqual(net.parameterCount, 3 * 4 + 4 + 4 * 2 + 2)
        let theta = (0..<net.parameterCount).map(Double.init)
        net.parameters = theta
        XCTAssertEqual(net.parameters, theta)
        XCTAssertEqual(net.weights[0][1, 2], 5)      // W₀ row-major: entry (1, 2) is 1·3 + 2
        XCTAssertEqual(net.biases[0], [12, 13, 14, 15])
        XCTAssertEqual(net.weights[1][0, 0], 16)
        XCTAssertEqual(net.offsets(layer: 1).biases, 24)
    }
}
