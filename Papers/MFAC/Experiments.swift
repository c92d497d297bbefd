import Foundation
import Numerics
import Learning
import Notebook

/// The notebook's experiments, in the paper's order (one file per claim), sharing the config, the
/// run's options and the report.
struct Experiments {
    let config: MFAC.Config
    let options: RunOptions
    let report: Report

    typealias Stream = MFAC.Stream

    /// The seed of replicate r (claims 3 and 4): replicate 0 is the run's seed.
    func seed(replicate r: Int) -> UInt64 { options.seed &+ UInt64(r) }

    func stream(_ s: Stream, replicate r: Int = 0) -> RandomSource { RandomSource.stream(seed: seed(replicate: r), Int(s.rawValue)) }

    /// The setup section; returns the digits task of the run's seed.
    func setup() throws -> DigitsTask {
        let c = config
        /*: setup
         **Shared setup.** Claims 1 and 2 use synthetic gradients (iid N(0, 1) entries) and, for
         claim 1, also the per-sample gradients of a real network. Claims 3 and 4 use a small ReLU
         network on the UCI 8x8 handwritten digits (1797 images, 64 pixels scaled to [0, 1], ten
         classes; shipped in `Data/digits.csv`, CC BY 4.0, Alpaydin & Kaynak 1998), split at random
         into 75% training and 25% test images. The network is trained by Adam on the mean
         softmax cross-entropy; claim 3 prunes that trained network, claim 4 trains fresh copies of its
         initialization with each optimizer. Claims 3 and 4 are repeated on several seeds (each with its
         own split, initialization, training order and mini-batches) and decided over all of them.

         **How cost is measured.** The report must be byte-identical between runs with the same seed,
         so wall-clock time cannot decide a verdict. Every loop of the M-FAC routines instead adds the
         multiply-adds it executes to a counter as it runs (`MFACCost`, in `StaticMFAC.swift` and
         `DynamicMFAC.swift`), and the claim 2 exponents are fitted to those counts. The same sweeps are
         also timed; the wall-clock exponents appear only in the timings block under *Reproduce*, where
         machine-dependent lines belong.
         */
        report.section("Setup")
        report.literate("setup")
        let task = try DigitsTask.load(seed: seed(replicate: 0))
        let parameters = task.network(hidden: c.hidden, rng: stream(.initialization)).parameterCount
        report.setup([
            Setting("claim 1: d (synthetic)", Fmt.list(c.exactDimensions.map(Double.init)), "iid N(0, 1) gradient entries; m < d"),
            Setting("claim 1: m", Fmt.list(c.exactWindows.map(Double.init)), "the dynamic algorithm is checked for m ≤ 64"),
            Setting("claim 1: damping λ", "\(Fmt.g(c.relativeDamping)) · ||G||_F² / m", "so that cond(F) ≤ 1 + \(Fmt.g(1 / c.relativeDamping))"),
            Setting("claim 1: columns of F⁻¹ compared", c.columnsChecked, "every element of each column, by O(m) queries"),
            Setting("claim 2: static sweeps", "d = \(c.costFixedD), m = \(Fmt.list(c.costMGrid.map(Double.init))); m = \(c.costFixedM), d = \(Fmt.list(c.costDGrid.map(Double.init)))", "one of d, m varied at a time"),
            Setting("claim 2: dynamic update sweeps", "m = \(c.dynamicUpdateFixedM), d as above; d = \(c.dynamicUpdateD), m = \(Fmt.list(c.dynamicUpdateMGrid.map(Double.init)))", "regimes where d m, then m³, dominates"),
            Setting("data", "UCI 8x8 digits, \(task.trainLabels.count) train / \(task.testLabels.count) test", "features = pixels / 16"),
            Setting("network", "64 → \(c.hidden.map(String.init).joined(separator: " → ")) → 10, ReLU, He init", "\(parameters) parameters"),
            Setting("base training", "Adam, η = \(Fmt.g(c.adamRate)), batch \(c.batchSize), \(c.trainEpochs) epochs", "β = (0.9, 0.999)"),
            Setting("seeds (claims 3, 4)", c.replicates, "seed + r for replicate r; counts and means over all of them decide"),
            Setting("pruning: gradients m", "\(c.fisherGradients) mini-batch gradients of \(c.fisherBatch) samples", "authors' code: batch 32; m = 1024 in their example"),
            Setting("pruning: damping λ", c.pruneDamping, "authors' default"),
            Setting("pruning: block size (blocked variant)", c.blockSize, "authors' default; the main variant uses no blocks"),
            Setting("pruning: sparsities", c.sparsities.map { Fmt.pct($0, 0) }.joined(separator: ", "), "of the weights (biases are not pruned)"),
            Setting("pruning: re-estimations of F", c.recomputeSteps, "per sparsity step, recomputation variant"),
            Setting("optimization A: epochs, batch", "\(c.optEpochs), \(c.batchSize)", "same initialization and batch order for every run of a seed"),
            Setting("optimization A: η grids", "SGD (μ = 0.9): \(Fmt.list(c.sgdRates)); Adam: \(Fmt.list(c.adamRates)); M-FAC: \(Fmt.list(c.mfacRates))", "best η per optimizer by final training loss on the run's seed"),
            Setting("optimization A: M-FAC window, λ", "m = \(c.mfacWindow), λ = \(Fmt.g(c.mfacDamping))", "authors' λ; m = 1024 in their default"),
            Setting("optimization B: M-FAC", "m = \(c.authorsWindow), η = \(Fmt.g(c.authorsRate)), λ = \(Fmt.g(c.mfacDamping)), weight decay \(Fmt.g(c.authorsWeightDecay)), no momentum",
                    "authors' example m = \(MFAC.Config.authorsExampleWindow), η = \(Fmt.g(MFAC.Config.authorsExampleRate)), wd 0.003; m scaled to the same passes over the data, η·m kept"),
            Setting("optimization B: baselines", "SGD η = 0.1, μ = 0.9, weight decay \(Fmt.g(c.authorsWeightDecay)); Adam η = 1e-3", "authors' main_optim.py"),
            Setting("optimization B: schedule", "batch \(c.authorsBatch), \(c.authorsEpochs) epochs, η × 0.1 before epochs \(c.authorsDecayEpochs.map { "\($0 + 1)" }.joined(separator: " and "))", "authors: batch 128, η × 0.1 at 50% and 75% of training"),
            Setting.seed(options.seed, streams: Stream.self),
        ])
        return task
    }

    /// Trains the network that claims 1 and 3 use.
    func trainBaseNetwork(_ task: DigitsTask, replicate r: Int = 0) throws -> MLP {
        var rng = stream(.baseTrainingOrder, replicate: r)
        var adam = Adam(learningRate: config.adamRate)
        let net = task.network(hidden: config.hidden, rng: stream(.initialization, replicate: r))
        let run = task.train(net, optimizer: &adam, epochs: config.trainEpochs, batch: config.batchSize, rng: &rng)
        guard run.curve.divergedInEpoch == nil else {
            throw NumericalFailure.nonFinite("the base network's training loss in epoch \(run.curve.divergedInEpoch!)")
        }
        if r == 0 {
            report.prose("The base network reaches training loss \(Fmt.g(task.trainingLoss(run.model), 3)), test accuracy \(Fmt.pct(task.testAccuracy(run.model))) after \(config.trainEpochs) epochs.")
        }
        return run.model
    }

    /// The general part of the Discussion, first (each experiment adds its own paragraph after it).
    func generalDiscussion() {
        report.discussion("""
        **What we could read.** The arXiv abstract and the authors' public code (IST-DASLab/M-FAC) were \
        reachable; the paper's experimental sections were not. The algorithms follow the paper's \
        description (the recursion is written out in `StaticMFAC.swift` and `DynamicMFAC.swift`); the \
        defaults we took from the authors' code are λ = 1e-5 for pruning and for the optimizer, \
        mini-batch gradients of 32 samples for pruning, blocks of 128 for the blocked variant, the \
        optimal-brain-surgeon score w²/(2[F⁻¹]ᵢᵢ), the simultaneous update δw = F⁻¹(−w_Q/[F⁻¹]_QQ) for the \
        pruned set Q followed by zeroing Q, the geometric interpolation of the density between \
        re-estimations, pruning weights but not biases, the optimizer's update x ← x − η F⁻¹g with \
        the current gradient added to the window first, and the example settings of `main_optim.py` \
        (protocol B of claim 4). Everything about the network, the data, the sparsity ladder and the \
        learning-rate grids is ours.

        **Sizes.** The paper prunes ResNets and MobileNets on CIFAR-10 and ImageNet with m = 1024 and \
        runs its optimizer with m = 1024 on CIFAR; here d is a few thousand parameters and m at most \
        \(config.fisherGradients) for pruning and \(config.mfacWindow) for the optimizer. With d this small, \
        the full (unblocked) static algorithm is cheap, so it is our main pruning variant; the blocked \
        one is shown beside it.
        """)
    }
}
