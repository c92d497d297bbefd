import Foundation
import Numerics
import Learning
import Notebook

public enum MFAC {
    public static let info = PaperInfo(
        slug: "mfac",
        target: "MFAC",
        title: "M-FAC: Efficient Matrix-Free Approximations of Second-Order Information",
        authors: ["Elias Frantar", "Eldar Kurtic", "Dan Alistarh"],
        year: 2021,
        venue: "NeurIPS",
        arxiv: "2107.03356",
        bibtex: """
        @inproceedings{frantar2021mfac,
          title     = {{M-FAC}: Efficient Matrix-Free Approximations of Second-Order Information},
          author    = {Frantar, Elias and Kurtic, Eldar and Alistarh, Dan},
          booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
          volume    = {34},
          year      = {2021},
          eprint    = {2107.03356},
          archivePrefix = {arXiv}
        }
        """,
        idea: """
        Second-order methods for pruning and optimization need products of an inverse Hessian with a \
        vector. If the Hessian is approximated by a damped empirical Fisher, λI plus an average of m \
        gradient outer products, the inverse is a sum of m rank-one corrections to λ⁻¹I, each built \
        from the previous ones by the Sherman–Morrison formula. Storing the m correction vectors \
        (O(d m²) to compute) gives inverse-Fisher-vector products in O(d m) and any single entry of the \
        inverse in O(m), never touching a d x d matrix. For a sliding window of gradients the same \
        recursion can be carried entirely by the m x m Gram matrix of the window, so adding a \
        gradient costs O(d m + m³) and a product O(d m + m²). This makes optimal-brain-surgeon \
        pruning with many gradients, and a full-matrix natural-gradient-like optimizer, affordable.
        """,
        defaultSeed: 20210707,
        theme: .secondOrder,
        lesson: "Inverse-Fisher products from a window of m gradients in O(dm) time, exact to round-off, and where that helps (pruning) and where it did not (optimization).",
        readFirst: ["hessian-spectrum"],
        checkInputs: { _ = try DigitsDataset.load() }
    )

    /// The random streams of the run, all derived from the seed (the replicate r of claims 3 and 4
    /// uses the seed + r; replicate 0 is the run's seed).
    enum Stream: UInt64, CaseIterable {
        case syntheticGradients, testVectors, costSweeps, split, initialization, baseTrainingOrder,
             pruningBatches, optimizerBatches, exactnessSamples
    }

    /// Every size and setting of the experiments, in one place, with its reason (the setup table).
    struct Config {
        // Claim 1: exactness against a dense solve.
        var exactDimensions: [Int]
        var exactWindows: [Int]
        var relativeDamping: Double          // λ = relativeDamping · ||G||_F² / m, so cond(F) ≤ 1 + 1/relativeDamping
        var dampingSweep: [Double]           // relative dampings for the error-vs-conditioning table
        var columnsChecked: Int              // columns of F⁻¹ compared element by element
        // Claim 2: costs.
        var costFixedD: Int, costMGrid: [Int]
        var costFixedM: Int, costDGrid: [Int]
        var dynamicUpdateFixedM: Int         // the dynamic update's sweep in d, where d m ≫ m³
        var dynamicUpdateD: Int, dynamicUpdateMGrid: [Int]
        var denseDGrid: [Int]                // dense d x d comparison (wall clock, timings only), at m = costFixedM
        // The network and its training (claims 3 and 4).
        var hidden: [Int]
        var trainEpochs: Int
        var batchSize: Int
        var adamRate: Double
        var replicates: Int                  // seeds of claims 3 and 4
        // Claim 3: pruning.
        var fisherGradients: Int             // m
        var fisherBatch: Int                 // samples per gradient
        var pruneDamping: Double
        var blockSize: Int
        var sparsities: [Double]
        var recomputeSteps: Int              // re-estimations of F between consecutive sparsity levels
        // Claim 4, protocol A: learning-rate grids.
        var optEpochs: Int
        var sgdRates: [Double], adamRates: [Double], mfacRates: [Double]
        var mfacWindow: Int
        var mfacDamping: Double
        var mfacDampingSweep: [Double]       // diagnostic only
        // Claim 4, protocol B: the authors' example settings (main_optim.py, README), scaled.
        var authorsEpochs: Int
        var authorsBatch: Int
        var authorsWindow: Int
        var authorsWeightDecay: Double

        /// The authors' example: m = 512 gradients of batch 128 on CIFAR-10 (50000 images) span
        /// 512·128/50000 = 1.31 passes over the data; η = 1e-3 at m = 512.
        static let authorsExampleWindow = 512, authorsExampleRate = 1e-3
        /// η·m kept at the authors' value: the step F⁻¹g grows in proportion to m for a small λ.
        var authorsRate: Double { Self.authorsExampleRate * Double(Self.authorsExampleWindow) / Double(authorsWindow) }
        /// The authors decay η by 10 at epochs 82 and 123 of 164 (main_optim.py): half and three quarters.
        var authorsDecayEpochs: [Int] { [authorsEpochs / 2, (3 * authorsEpochs) / 4] }

        static let quick = Config(
            exactDimensions: [300, 1000], exactWindows: [16, 64], relativeDamping: 1e-4,
            dampingSweep: [1e-2, 1e-4, 1e-6, 1e-8], columnsChecked: 8,
            costFixedD: 1024, costMGrid: [8, 16, 32, 64, 128],
            costFixedM: 32, costDGrid: [256, 512, 1024, 2048, 4096],
            dynamicUpdateFixedM: 16, dynamicUpdateD: 64, dynamicUpdateMGrid: [32, 64, 128, 256],
            denseDGrid: [256, 512, 1024],
            hidden: [32], trainEpochs: 40, batchSize: 32, adamRate: 1e-3, replicates: 3,
            fisherGradients: 128, fisherBatch: 32, pruneDamping: 1e-5, blockSize: 128,
            sparsities: [0.5, 0.7, 0.9, 0.95], recomputeSteps: 2,
            optEpochs: 3, sgdRates: [0.01, 0.03, 0.1, 0.3], adamRates: [3e-4, 1e-3, 3e-3, 1e-2],
            mfacRates: [1e-3, 3e-3, 0.01, 0.03],
            mfacWindow: 32, mfacDamping: 1e-5, mfacDampingSweep: [1e-3, 1e-2],
            authorsEpochs: 6, authorsBatch: 128, authorsWindow: 16, authorsWeightDecay: 0.003)

        static let full = Config(
            exactDimensions: [500, 1000, 2000], exactWindows: [16, 64, 256], relativeDamping: 1e-4,
            dampingSweep: [1e-2, 1e-4, 1e-6, 1e-8], columnsChecked: 16,
            costFixedD: 2048, costMGrid: [8, 16, 32, 64, 128, 256],
            costFixedM: 64, costDGrid: [256, 512, 1024, 2048, 4096, 8192],
            dynamicUpdateFixedM: 16, dynamicUpdateD: 64, dynamicUpdateMGrid: [32, 64, 128, 256, 512],
            denseDGrid: [256, 512, 1024, 2048],
            hidden: [64, 32], trainEpochs: 60, batchSize: 32, adamRate: 1e-3, replicates: 5,
            fisherGradients: 512, fisherBatch: 32, pruneDamping: 1e-5, blockSize: 128,
            sparsities: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95], recomputeSteps: 4,
            optEpochs: 15, sgdRates: [0.01, 0.03, 0.1, 0.3], adamRates: [3e-4, 1e-3, 3e-3, 1e-2],
            mfacRates: [1e-3, 3e-3, 0.01, 0.03, 0.1],
            mfacWindow: 64, mfacDamping: 1e-5, mfacDampingSweep: [1e-4, 1e-3, 1e-2],
            authorsEpochs: 40, authorsBatch: 128, authorsWindow: 16, authorsWeightDecay: 0.003)
    }

    /*: overview
     M-FAC answers one question fast: given m gradients g₁, ..., g_m ∈ ℝᵈ and a damping λ > 0, what is
     F⁻¹x for the damped empirical Fisher F = λI + (1/m) Σᵢ gᵢgᵢᵀ, without forming the d x d matrix?
     The paper's two algorithms, both built from the same Sherman–Morrison recursion, are written out in
     `StaticMFAC.swift` and `DynamicMFAC.swift` beside this file; this notebook checks the paper's
     claims about them, in its order:

     1. **Exactness.** Both algorithms return the IHVP of the damped Fisher itself (no approximation
        beyond the Fisher), so they must agree with a dense Cholesky solve to round-off.
     2. **Costs.** Static: O(d m²) precomputation, O(d m) per IHVP, O(m) per element of F⁻¹. Dynamic
        (a sliding window of the last m gradients): O(d m + m²) per IHVP, O(d m + m³) per update.
     3. **Pruning.** Optimal-brain-surgeon pruning with M-FAC's inverse Fisher keeps a network's accuracy
        better than magnitude pruning, the more so at high sparsity, and re-estimating F in several
        steps helps further.
     4. **Optimization** (secondary). M-FAC as a preconditioner for SGD is competitive with SGD with
        momentum and Adam.
     */
    public static func run(options: RunOptions, report: Report) throws {
        let c = options.quick ? Config.quick : Config.full
        report.literate("overview")
        let e = Experiments(config: c, options: options, report: report)
        let task = try e.setup()
        e.generalDiscussion()
        let base = try report.phase("training the base network") { try e.trainBaseNetwork(task) }
        try report.phase("claim 1: exactness") { try e.exactness(network: base, task: task) }
        try report.phase("claim 2: costs") { try e.costs() }
        try report.phase("claim 3: pruning") { try e.pruning(task: task, base: base) }
        try report.phase("claim 4: optimization") { try e.optimization() }
    }
}
