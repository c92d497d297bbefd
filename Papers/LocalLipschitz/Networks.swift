import Foundation
import Numerics
import Learning
import Notebook

/// A trained network of the study.
struct TrainedNetwork {
    var name: String
    var hidden: [Int]
    var net: MLP
    var testAccuracy: Double
}

/// The data and the trained networks (the Setup section).
enum Networks {
    static let inputs = 16, classes = 10

    /// `16-8-8-10` for hidden widths [8, 8].
    static func label(_ hidden: [Int]) -> String { "\(inputs)-" + hidden.map(String.init).joined(separator: "-") + "-\(classes)" }

    /// Generates the data, trains every network of the notebook and writes the Setup section. Returns the
    /// networks of the experiments and the extra copies of the radius sweep's network.
    static func setup(config c: LocalLipschitz.Config, seed: UInt64, report: Report) throws -> (networks: [TrainedNetwork], radiusCopies: [TrainedNetwork]) {
        /*: setup
         **Data and models (the authors' synthetic setting).** The data are the random "k leaders"
         set of LipMIP that the authors' code generates for its synthetic models: points uniform in
         [0, 1]¹⁶, k = 5·16 = 80 of them chosen as leaders with random labels among 10 classes, every
         point labelled like its nearest leader; 70% train, 30% test. The models are the authors'
         synthetic MLPs: 16 inputs, 10 logits, ReLU hidden layers — two hidden layers of width w for
         the width sweep, and depth − 1 hidden layers of width 32 for the depth sweep — trained with
         Adam (learning rate 10⁻³, batch 256) on softmax cross-entropy from PyTorch's default
         initialization U(±1/√fan-in) (biases too). Lipschitz constants are taken over the box
         B∞(x₀, ε) around x₀ = 0.5·1, the point the authors' evaluation script uses for these
         models (their "simpleData" test set is that point repeated).
         */
        report.section("Setup")
        report.literate("setup")
        report.setup(c.settings(seed: seed))
        var specs: [[Int]] = c.tiny + c.widths.map { [$0, $0] } + c.depths.map { Array(repeating: c.depthWidth, count: $0 - 1) } + [c.epsilonNet]
        var unique: [[Int]] = []
        for s in specs where !unique.contains(s) { unique.append(s) }
        specs = unique
        let trained = try report.phase("data and training") { () -> [TrainedNetwork] in
            var rngData = RandomSource.stream(seed: seed, LocalLipschitz.Stream.data.offset(0))
            let data = LeaderClusters.generate(points: c.points, leaders: 5 * inputs, dimension: inputs, classes: classes, rng: &rngData)
            let nTrain = c.points * 7 / 10
            let split = Split(train: data.x.rows(Array(0..<nTrain)), trainLabels: Array(data.labels[0..<nTrain]),
                              test: data.x.rows(Array(nTrain..<c.points)), testLabels: Array(data.labels[nTrain...]))
            let copies = Swift.max(0, c.radiusNetworks - 1)
            return try Threads.map(specs.count + copies) { i in
                if i < specs.count {
                    return try train(hidden: specs[i], epochs: c.epochs, rng: RandomSource.stream(seed: seed, LocalLipschitz.Stream.initialization.offset(i)), split)
                }
                let copy = i - specs.count + 1
                var t = try train(hidden: c.epsilonNet, epochs: c.epochs,
                                  rng: RandomSource.stream(seed: seed, LocalLipschitz.Stream.radiusCopyInitialization.offset(copy)), split)
                t.name += " #\(copy + 1)"
                return t
            }
        }
        report.table(["network", "hidden neurons", "parameters", "test accuracy"],
                     trained.map { [$0.name, "\($0.hidden.reduce(0, +))", "\($0.net.parameterCount)", Fmt.pct($0.testAccuracy)] },
                     caption: "Trained networks (accuracy on the held-out 30%; the 10 classes are unbalanced Voronoi cells, so chance is the largest class share).")
        return (Array(trained.prefix(specs.count)), Array(trained.dropFirst(specs.count)))
    }

    struct Split { var train: Matrix; var trainLabels: [Int]; var test: Matrix; var testLabels: [Int] }

    static func train(hidden: [Int], epochs: Int, rng source: RandomSource, _ split: Split) throws -> TrainedNetwork {
        var rng = source
        var net = MLP(sizes: [inputs] + hidden + [classes], hidden: .relu, initialization: .uniformFanIn, rng: &rng)
        for l in 0..<net.layerCount {                     // PyTorch's nn.Linear bias: U(±1/√fan-in)
            let a = 1 / Double(net.sizes[l]).squareRoot()
            net.biases[l] = (0..<net.sizes[l + 1]).map { _ in rng.uniform(-a, a) }
        }
        var adam = Adam(learningRate: 1e-3)
        let run = MiniBatchTraining(batch: 256, epochs: epochs).train(
            net, x: split.train, loss: .softmaxCrossEntropy(labels: split.trainLabels), optimizer: &adam, rng: &rng)
        if let d = run.divergence { throw NumericalFailure.nonFinite("\(d) of network \(label(hidden))") }
        net = run.model
        let acc = Loss.softmaxCrossEntropy(labels: split.testLabels).accuracy(net.forward(split.test))
        return TrainedNetwork(name: label(hidden), hidden: hidden, net: net, testAccuracy: acc)
    }
}
