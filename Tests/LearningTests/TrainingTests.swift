import Foundation
import XCTest
import Numerics
@testable import Learning

/// The shared mini-batch loop and the rate windows of a convergence trace, against what they must be
/// by construction: one full batch is gradient descent, the hooks see every step and epoch, a
/// geometric sequence has its ratio as its rate.
final class TrainingTests: XCTestCase {
    private func problem() -> (MLP, Matrix, Loss) {
        var rng = RandomSource(seed: 5)
        let x = rng.normalMatrix(20, 3)
        let labels = (0..<20).map { $0 % 2 }
        let net = MLP(sizes: [3, 4, 2], hidden: .tanh, rng: &rng)
        return (net, x, .softmaxCrossEntropy(labels: labels))
    }

    /// With a batch that holds the whole set, the loop is plain gradient descent and draws nothing.
    func testFullBatchIsGradientDescent() {
        let (net, x, loss) = problem()
        var sgd = SGD(learningRate: 0.3)
        var rng = RandomSource(seed: 9)
        let before = rng
        let run = MiniBatchTraining(batch: 20, epochs: 5).train(net, x: x, loss: loss, optimizer: &sgd, rng: &rng)
        var theta = net.parameters
        for _ in 0..<5 {
            let g = net.with(parameters: theta).lossAndGradient(x, loss).gradient
            for i in theta.indices { theta[i] -= 0.3 * g[i] }
        }
        XCTAssertEqual(run.steps, 5)
        XCTAssertNil(run.divergence)
        for (a, b) in zip(run.model.parameters, theta) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        var r1 = rng, r2 = before
        XCTAssertEqual(r1.next(), r2.next(), "a full batch draws no permutation")
    }

    /// Hooks: the schedule runs before each epoch, every step is seen with its count and length, every
    /// epoch is seen, and a stop request ends the run there.
    func testHooksSeeEveryStepAndEpochAndCanStop() {
        let (net, x, loss) = problem()
        var sgd = SGD(learningRate: 0.1)
        var rng = RandomSource(seed: 3)
        var rates: [Double] = [], counts: [Int] = [], epochs: [Int] = []
        let run = MiniBatchTraining(batch: 6, epochs: 3).train(
            net, x: x, loss: loss, optimizer: &sgd, rng: &rng,
            beforeEpoch: { e, opt in if e == 2 { opt.learningRate *= 0.5 }; rates.append(opt.learningRate) },
            afterStep: { s in
                counts.append(s.count)
                XCTAssertGreaterThan(s.length, 0, "every step moves θ")
                return .proceed
            },
            afterEpoch: { e, _ in epochs.append(e); return .proceed })
        XCTAssertEqual(rates, [0.1, 0.1, 0.05])
        XCTAssertEqual(counts, Array(1...12), "4 batches of ≤ 6 rows per epoch of 20")
        XCTAssertEqual(epochs, [0, 1, 2])
        XCTAssertEqual(run.steps, 12)
        var sgd2 = SGD(learningRate: 0.1)
        var rng2 = RandomSource(seed: 3)
        let stopped = MiniBatchTraining(batch: 6, epochs: 3).train(net, x: x, loss: loss, optimizer: &sgd2, rng: &rng2,
                                                                   afterStep: { $0.count == 5 ? .stop : .proceed })
        XCTAssertEqual(stopped.steps, 5)
        XCTAssertTrue(stopped.stoppedByHook)
    }

    /// A loss that stops being finite ends the run before its step, and says where.
    func testDivergenceIsReportedNotApplied() {
        var g = RandomSource(seed: 6)
        let x = g.normalMatrix(20, 3), targets = g.normalMatrix(20, 2)
        let net = MLP(sizes: [3, 2], hidden: .identity, rng: &g)      // least squares: GD diverges for η ≫ 2/λ_max
        let loss = Loss.meanSquaredError(targets: targets)
        var sgd = SGD(learningRate: 1e8)
        var rng = RandomSource(seed: 4)
        let run = MiniBatchTraining(batch: 5, epochs: 10).train(net, x: x, loss: loss, optimizer: &sgd, rng: &rng)
        guard let d = run.divergence else { return XCTFail("GD with η = 1e8 on least squares must diverge within 40 steps") }
        XCTAssertEqual(d.step, run.steps + 1, "the diverging step is not counted as taken")
        XCTAssertFalse(d.value.isFinite)
        XCTAssertTrue("\(d)".contains("epoch"))
    }

    /// value_t = c·q^t has rate −ln q over any window, with a zero standard error; the windows
    /// start and stop where they say, and a window with fewer than 3 points is not observed.
    func testRateWindowsOnAGeometricSequence() {
        var t = ConvergenceTrace(label: "geometric")
        let q = 0.9
        for i in 0...300 { t.record(i, 2 * Foundation.pow(q, Double(i))) }
        let a = t.linearRate(from: 10, untilBelow: 1e-6)
        XCTAssertEqual(a.rate, -Foundation.log(q), accuracy: 1e-12)
        XCTAssertEqual(a.window?.lowerBound, 10)
        XCTAssertEqual(a.window?.upperBound, t.firstIteration(below: 1e-6))
        XCTAssertEqual(a.standardError, 0, accuracy: 1e-10)
        let b = t.linearRate(fromBelow: 1e-2, toBelow: 1e-8)
        XCTAssertEqual(b.rate, -Foundation.log(q), accuracy: 1e-12)
        XCTAssertEqual(b.window?.lowerBound, t.firstIteration(below: 1e-2))
        XCTAssertNotNil(t.linearRate(fromBelow: 1e-2, toBelow: 1e-300).unobserved, "never reached, not to the end")
        XCTAssertNil(t.linearRate(fromBelow: 1e-2, toBelow: 1e-300, orEnd: true).unobserved, "to the end when asked")
        XCTAssertNotNil(t.linearRate(from: 299, untilBelow: 1e-300).unobserved, "two points are not a fit")
        XCTAssertNotNil(t.linearRate(from: 200, untilBelow: 1).unobserved, "below the floor before the window")
        XCTAssertTrue(t.linearRate(from: 200, untilBelow: 1).rate.isNaN)
        XCTAssertEqual(t.value(at: 5), 2 * Foundation.pow(q, 5))
        XCTAssertTrue(t.value(at: -1).isNaN)
    }
}
