import Foundation
import Numerics
import Learning
import Notebook

/// The problems every experiment draws from: M* for each κ, the sensing operator, X₀.
struct Lab {
    typealias Stream = ScaledGDLambda.Stream
    let config: ScaledGDLambda.Config
    let seed: UInt64
    let sensingOperator: SensingOperator

    init(config: ScaledGDLambda.Config, seed: UInt64) {
        self.config = config
        self.seed = seed
        var rng = RandomSource.stream(seed: seed, Int(Stream.sensingOperator.rawValue))
        sensingOperator = SensingOperator(n1: config.n, n2: config.n, m: config.m, symmetric: true, rng: &rng)
    }

    /// M* with condition number κ: the same eigenvectors for every κ (common random numbers).
    func truth(kappa: Double) -> LowRankTruth {
        var rng = RandomSource.stream(seed: seed, Int(Stream.eigenvectors.rawValue))
        return LowRankTruth.symmetric(n: config.n, singularValues: LowRankTruth.geometricSpectrum(rank: config.r, condition: kappa),
                                      rng: &rng)
    }

    /// The sensing problem at κ with noise σ; `draw` picks an independent noise vector.
    func sensing(kappa: Double, noise: Double = 0, draw: Int = 0) -> SensingProblem {
        var rng = RandomSource.stream(seed: seed, Int(Stream.noise.rawValue) + 16 * draw)
        return SensingProblem(op: sensingOperator, truth: truth(kappa: kappa), noiseStd: noise, rng: &rng)
    }

    /// X₀ = α G for search rank k: the same G whatever the method, κ or noise level.
    func initial(k: Int, alpha: Double) -> Matrix {
        var rng = RandomSource.stream(seed: seed, Int(Stream.initialFactor.rawValue))
        return Algorithms.initialFactor(n: config.n, k: k, alpha: alpha, rng: &rng)
    }

    func scaled(kappa: Double, damping: Double) -> Method { .scaledGD(eta: config.eta, lambda: damping / kappa) }   // σ_min = 1/κ
    func gd(step: Double? = nil) -> Method { .gd(eta: step ?? config.gdStep) }                                    // σ_max = 1

    /// Population run at κ.
    func population(_ method: Method, kappa: Double, alpha: Double? = nil, label: String) throws -> Path {
        let budget: Int
        if case .gd = method { budget = config.gdBudget } else { budget = config.scaledBudget }
        return try Algorithms.run(.population(truth(kappa: kappa).matrix), method,
                                  initial: initial(k: config.searchRank, alpha: alpha ?? config.alpha),
                                  iterations: budget, stopBelow: config.stopBelow, label: label)
    }

    var algorithmsFile: String { Literate.sibling("Algorithms.swift") }

    /*: setup
     **The problem.** M* = U Σ Uᵀ is n x n, PSD, of rank r*, with Haar-random U (shared with
     `Sources/Learning/MatrixSensing.swift`) and eigenvalues spread geometrically from σ_max = 1 down
     to σ_min = 1/κ. For each κ the same U and the same initial draw G are used, so that only the
     spectrum changes. The error reported everywhere is ||X_t X_tᵀ − M*||_F / ||M*||_F, except in the
     noise experiment, which reports the absolute Frobenius error.

     **Two losses.** The κ sweep (Experiments 1 and 4) runs on the population loss: its gradient is
     exact, so what is measured there is the iteration itself, free of sampling error. Experiments
     2 and 3 run on the paper's sensing loss with m Gaussian measurements Aᵢ = (Gᵢ + Gᵢᵀ)/2, Gᵢ
     with iid N(0, 1) entries, yᵢ = ⟨Aᵢ, M*⟩ + εᵢ; on the paper's normalized scale the operator is
     Aᵢ/√m and the noise εᵢ/√m.

     **Settings.** ScaledGD(λ) uses η = 0.5; GD uses the classical step 1/L. The paper starts both
     from a small random initialization; the scales α used here stay far above the one at which
     GD's iterate freezes in floating point (Algorithms).
     */
    func setup(_ report: Report) {
        report.section("Setup")
        report.literate("setup")
        report.setup(config.settings(seed: seed))
        report.section("The two iterations")
        report.literate("algorithms", file: algorithmsFile)
        for excerpt in ["population-gradient", "paper-gradient", "init", "gd-step", "scaled-step"] {
            report.code(excerpt, file: algorithmsFile)
        }
    }

    /// ||(1/m)𝒜*𝒜(M*) − M*||_op / ||M*||_op at κ = 10: how far the operator is from an isometry on M*.
    var isometryDeviation: Double {
        let mStar = truth(kappa: config.sensingKappa).matrix
        let seen = sensingOperator.adjoint(sensingOperator.apply(mStar)) / Double(config.m)
        return ((try? (seen - mStar).spectralNorm()) ?? .nan) / ((try? mStar.spectralNorm()) ?? .nan)
    }

    var discussion: String {
        let c = config
        return """
        **What we could read.** The abstract and the paper's stated results: the loss \
        (1/4)||𝒜(XXᵀ) − y||², the small random initialization, the damped preconditioning, the iteration \
        complexity O(log κ · log(κn) + log(1/ε)) and the noisy guarantee "minimax optimal up to a factor \
        of the condition number". The experiment section's sizes and settings were not available to us, \
        so every size and setting here is ours: n, r*, m, k, the κ grid, η, λ, α, the budgets, the noise \
        levels, the error levels and the windows.

        **Normalization.** The paper's operator is normalized (𝒜*𝒜 ≈ I); ours stores standard Gaussian \
        Aᵢ, so the paper's operator is Aᵢ/√m, its loss is (1/4m)Σ(⟨Aᵢ, XXᵀ⟩ − yᵢ)² and its noise is εᵢ/√m. \
        At the population level ∇f(X) = (XXᵀ − M*)X, so step sizes mean the same thing on both losses. \
        The reference error σ√(n r* / m) is the minimax rate σ_ξ√(n r*) of Candès and Plan (2011) \
        written with our σ = √m·σ_ξ.

        **Sample size.** At n = \(c.n) with m = \(c.m) measurements (\(Fmt.g(Double(c.m) / Double(c.n * c.r), 3)) n r*) \
        the sensing operator is far from the small restricted-isometry constant the theory assumes: on \
        the κ = \(Fmt.g(c.sensingKappa)) truth, ||(1/m)𝒜*𝒜(M*) − M*||_op / ||M*||_op = \(Fmt.g(isometryDeviation, 3)). \
        Our reading of Experiment 2, where the population runs from the same α show no error floor: in the \
        burn-in the sensing error of the gradient makes the k − r* spare columns of X grow with the signal, \
        and the error floor they leave depends on α as measured there.

        **Damping.** On the population loss we use λ = \(Fmt.g(c.damping)) σ_min, a small constant times \
        σ_min as the theory takes it; on the sensing loss λ = \(Fmt.g(c.sensingDamping)) σ_min, because a tiny \
        direction grows by 1 + ησ/λ per step, and the spare columns excited by the sensing error are such \
        directions: a larger λ slows their growth. Experiment 1 repeats the κ sweep \
        with λ = \(Fmt.list(c.dampings)) σ_min, and Experiment 4 states how its check (a) depends on the damping.

        **Authors.** The issue lists the authors as Xu, Shen, Ma, Chi; we follow the arXiv listing \
        (Xu, Shen, Chi, Ma).
        """
    }
}

/// Formatting shared by the experiment files.
enum Show {
    static func count(_ t: Int?) -> String { t.map(String.init) ?? "not reached" }
    static func fit(_ f: LineFit?) -> String { f.map { Fmt.estimate($0.slope, $0.slopeStandardError) } ?? "n/a" }
    static func rate(_ f: LineFit?) -> String { f.map { "\(Fmt.g(-$0.slope, 3)) ± \(Fmt.sci($0.slopeStandardError, 1))" } ?? "n/a" }
    static func series(_ p: Path, _ name: String? = nil, points: Int = 600) -> Series {
        Series(name ?? p.label, x: p.trace.iterations.map(Double.init), y: p.trace.values).thinned(to: points)
    }

    /// Fits ln(error) against t between the first iterations with error ≤ `from` and ≤ `to`;
    /// nil with a reason when X stalled, or the window is not observed or has fewer than 3 points.
    static func linearRate(_ p: Path, from: Double, to: Double) -> (fit: LineFit?, unobserved: String?) {
        if let why = p.unobserved(reaching: to) { return (nil, why) }
        let r = p.trace.linearRate(fromBelow: from, toBelow: to)
        return (r.fit, r.unobserved)
    }
}
