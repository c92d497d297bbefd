import Foundation
import Numerics
import Notebook

/*: chain
 **The data-generation chain.** Inputs are Gaussian, x ~ N(0, Σ), and the true labels are
 y = xᵀw* + N(0, σ²). Generation 0 is the truth itself, ŵ₀ = w*. Generation k ≥ 1 draws a fresh
 design X_k of T₀ rows, labels it with the previous generation's model plus fresh noise,
 Ȳ_k = X_k ŵ_{k−1} + N(0, σ₀² I), and fits ordinary least squares, ŵ_k = X_k⁺ Ȳ_k. The downstream
 learner then draws T inputs, labels them with the n-th generation, Y = X ŵ_n + N(0, σ² I), and
 fits ridge regression ŵ_n^pred = (XᵀX/T + λI)⁻¹XᵀY/T (λ = 0: least squares). Its test error is
 the excess risk against the *true* model, E_test = E ||ŵ_n^pred − w*||²_Σ (the irreducible σ²
 of a fresh test label is left out). n = 0 is training on clean data.

 In every replication one downstream design and one noise vector serve all n and all λ (common
 random numbers), so the differences between generations are measured with little noise; the
 expectations are unaffected. Each replication has two independent streams, one for the generators
 and one for the downstream learner, so that the downstream draw is independent of the generators'
 noise by construction, not only by the quality of one long stream.
 */

/// One configuration of the chain and of the downstream learner.
struct ChainSetting {
    var design: GaussianDesign
    var wStar: [Double]
    var t0: Int                 // samples per generator
    var t: Int                  // downstream samples
    var sigma: Double           // downstream label noise
    var sigma0: Double          // generators' label noise
    var generations: Int        // n = 0 … generations
    var lambdas: [Double]       // downstream ridge penalties (0 = least squares)
    var fixedDesign = false     // reuse X₁ in every generation instead of fresh designs

    var d: Int { design.dimension }
}

/// One replication: test error and its fake-data part for every penalty (rows) and n (columns).
struct ChainSample {
    var error: [[Double]]
    /// ||ŵ_n^pred − ŵ_0^pred||²_Σ: the part of the downstream fit that the synthetic labels moved.
    var fakePart: [[Double]]
}

enum Chain {
    /// Runs one replication of the chain and the downstream fits. The generators draw from `generators`
    /// and the downstream learner from `downstream`, two independent streams: the cross term between
    /// the clean error and the synthetic-data error then has mean zero by construction.
    static func replicate(_ s: ChainSetting, generators rng: inout RandomSource, downstream: inout RandomSource,
                          label: String) throws -> ChainSample {
        let d = s.d, n = s.generations
        var models = [s.wStar]
        var w = s.wStar
        var fixed: (Matrix, RidgeRegression)?
        for _ in 0..<n {
            //: begin generation
            let xk = fixed?.0 ?? s.design.sample(s.t0, rng: &rng)           // X_k: T₀ fresh inputs
            let yk = s.design.labels(xk, w, noise: s.sigma0, rng: &rng)     // Ȳ_k = X_k ŵ_{k−1} + noise
            let ols = try fixed?.1 ?? RidgeRegression(design: xk, lambda: 0)
            w = ols.fit(yk)                                                 // ŵ_k = X_k⁺ Ȳ_k
            //: end generation
            if s.fixedDesign && fixed == nil { fixed = (xk, ols) }
            models.append(w)
        }
        // Downstream: Y = X ŵ_n + E for every n at once (columns), one design and one noise vector.
        let x = s.design.sample(s.t, rng: &downstream)
        let noise = downstream.normalVector(s.t, std: s.sigma)
        var wMat = Matrix(rows: d, cols: n + 1)
        for (k, m) in models.enumerated() { wMat.setColumn(k, m) }
        var y = matmul(x, wMat)
        for i in 0..<s.t { for k in 0...n { y[i, k] += noise[i] } }
        var errors: [[Double]] = [], fake: [[Double]] = []
        for lambda in s.lambdas {
            //: begin downstream
            let fit = try RidgeRegression(design: x, lambda: lambda).fit(y)   // column n: ŵ_n^pred
            let preds = (0...n).map { fit.column($0) }
            let err = preds.map { s.design.excessRisk($0, s.wStar) }           // ||ŵ_n^pred − w*||²_Σ
            //: end downstream
            guard err.allSatisfy({ $0.isFinite }) else {
                throw NumericalFailure.nonFinite("test error of \(label) (λ = \(lambda)) is \(err)")
            }
            errors.append(err)
            fake.append(preds.map { s.design.excessRisk($0, preds[0]) })
        }
        return ChainSample(error: errors, fakePart: fake)
    }

    /// `reps` independent replications on the kernel's threads. Replication r draws from its own
    /// generator, seeded by the r-th draw of `stream`, so the result does not depend on the thread count.
    static func monteCarlo(_ s: ChainSetting, reps: Int, stream: RandomSource, label: String) throws -> MonteCarlo {
        var base = stream
        let seeds = (0..<reps).map { _ in base.next() }
        let samples = try Threads.map(reps) { r in
            //: begin streams
            var generators = RandomSource.stream(seed: seeds[r], 0)    // X_k and E_k of every generation
            var downstream = RandomSource.stream(seed: seeds[r], 1)    // the downstream X and E
            //: end streams
            return try replicate(s, generators: &generators, downstream: &downstream, label: "\(label), replication \(r)")
        }
        return MonteCarlo(samples: samples, setting: s)
    }

    /// `sets` Monte Carlo runs of `reps` replications, set k on stream k of `family`.
    static func streamSets(_ s: ChainSetting, sets: Int, reps: Int, family: ModelCollapse.Stream, seed: UInt64,
                           label: String) throws -> [MonteCarlo] {
        try (0..<sets).map { k in
            try monteCarlo(s, reps: reps, stream: family.source(seed: seed, k), label: "\(label), set \(k)")
        }
    }
}

/// The replications of one setting and their summaries.
struct MonteCarlo {
    let samples: [ChainSample]
    let setting: ChainSetting

    /// Mean and standard error over replications of `f(sample)`.
    func summary(_ f: (ChainSample) -> Double) -> (mean: Double, se: Double) {
        let v = samples.map(f)
        return (Stats.mean(v), Stats.standardError(v))
    }
    func error(lambda l: Int, n: Int) -> (mean: Double, se: Double) { summary { $0.error[l][n] } }
    func fakePart(lambda l: Int, n: Int) -> (mean: Double, se: Double) { summary { $0.fakePart[l][n] } }

    /// The cross term error − clean error − fake-data part: 2⟨e₀, ŵ_n^pred − ŵ_0^pred⟩_Σ, where e₀ is
    /// the clean fit's own error. It has mean zero when the generators' noise is independent of the
    /// downstream draw.
    static func cross(_ x: ChainSample, lambda l: Int, n: Int) -> Double {
        x.error[l][n] - x.error[l][0] - x.fakePart[l][n]
    }

    /// Fits a line to f(sample, n) against n = 0…N in every replication; mean and SE of the slopes.
    func slope(_ f: (ChainSample, Int) -> Double) throws -> (mean: Double, se: Double) {
        let ns = (0...setting.generations).map(Double.init)
        let slopes = try samples.map { x in try LineFit(x: ns, y: (0...setting.generations).map { f(x, $0) }).slope }
        return (Stats.mean(slopes), Stats.standardError(slopes))
    }

    /// The slope of the test error itself, for penalty index l.
    func slope(lambda l: Int) throws -> (mean: Double, se: Double) { try slope { x, n in x.error[l][n] } }

    /// All replications of several runs of the same setting, pooled.
    static func pooled(_ runs: [MonteCarlo]) -> MonteCarlo {
        MonteCarlo(samples: runs.flatMap(\.samples), setting: runs[0].setting)
    }
}
