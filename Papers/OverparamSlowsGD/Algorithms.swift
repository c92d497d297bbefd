import Foundation
import Numerics
import Learning
import Notebook

/*: algorithms
 Both parameterizations are trained by plain gradient descent. The loss is either the sensing
 loss f(M) = (1/2m) Σᵢ (⟨Aᵢ, M⟩ − yᵢ)² or, as a control without a sensing operator, its
 expectation over the Gaussian Aᵢ, the *population* loss ½||M − M*||_F² (its gradient in M is
 exactly Δ = M − M*). With M = X Xᵀ the gradient in X is (∇f + ∇fᵀ) X, which is 2ΔX for the
 population loss; with M = F Gᵀ it is (∇f G, ∇fᵀ F), i.e. (ΔG, ΔᵀF). The only paper-specific
 pieces are the initialization (small, Gaussian, and for F Gᵀ deliberately *imbalanced*: G starts
 at a third of F's scale, as in the paper) and the one-step modification of Section 5.
 */

/// The loss a run descends: the Gaussian sensing loss, or its population limit ½||M − M*||_F².
enum Objective {
    case sensing(SensingProblem)
    case population(LowRankTruth)

    var truth: LowRankTruth {
        switch self {
        case .sensing(let p): return p.truth
        case .population(let t): return t
        }
    }

    /// (loss, ∇_X, X Xᵀ) for M = X Xᵀ, for several factors; on the sensing loss all their gradients in M
    /// come from one pass over the operator (`SensingProblem.symmetricFactorGradients`), with the bits
    /// of one factor alone.
    func symmetricGradients(_ xs: [Matrix]) -> [(loss: Double, gradient: Matrix, product: Matrix)] {
        switch self {
        case .sensing(let p): return p.symmetricFactorGradients(xs)
        case .population(let t):
            return xs.map { x in
                let product = matmul(x, x, transB: true)
                let delta = product - t.matrix
                let norm = delta.frobeniusNorm
                return (0.5 * norm * norm, 2 * matmul(delta, x), product)
            }
        }
    }

    /// (loss, ∇_F, ∇_G, F Gᵀ) for M = F Gᵀ.
    func asymmetricGradient(_ f: Matrix, _ g: Matrix) -> (loss: Double, gradF: Matrix, gradG: Matrix, product: Matrix) {
        asymmetricGradients([(f, g)])[0]
    }

    /// The same for several factor pairs; on the sensing loss all their gradients in M come from one
    /// pass over the operator (`SensingProblem.asymmetricFactorGradients`), with the bits of one pair alone.
    func asymmetricGradients(_ pairs: [(f: Matrix, g: Matrix)]) -> [(loss: Double, gradF: Matrix, gradG: Matrix, product: Matrix)] {
        switch self {
        case .sensing(let p): return p.asymmetricFactorGradients(pairs)
        case .population(let t):
            return pairs.map { f, g in
                let product = matmul(f, g, transB: true)
                let delta = product - t.matrix
                let norm = delta.frobeniusNorm
                return (0.5 * norm * norm, matmul(delta, g), matmul(delta, f, transA: true), product)
            }
        }
    }

    /// ||M − M*||_F / ||M*||_F.
    func relativeError(_ m: Matrix) -> Double { (m - truth.matrix).frobeniusNorm / truth.matrix.frobeniusNorm }
}

/// Settings of one gradient-descent run.
struct RunSettings {
    var rank: Int            // k, the number of columns of the factors
    var alpha: Double        // initialization scale
    var eta: Double          // step size
    var iterations: Int
    var recordAt: Set<Int>
}

enum Algorithms {
    /// GD on X Xᵀ from X₀ with iid N(0, α²) entries, for each run (its settings and label), every X₀
    /// drawn from the same generator state. Records ||X Xᵀ − M*||_F / ||M*||_F.
    ///
    /// Several runs on one objective are stepped together: on the sensing loss the gradients of all
    /// runs come from one pass over the operator per step. Each run's arithmetic is exactly that of
    /// running it alone.
    static func symmetricGD(_ objective: Objective, _ runs: [(settings: RunSettings, label: String)],
                            rng start: RandomSource) throws -> [ConvergenceTrace] {
        let n = objective.truth.matrix.rows
        var traces = runs.map { ConvergenceTrace(label: $0.label) }
        var xs: [Matrix] = []
        for (s, _) in runs {
            var rng = start
            //: begin symmetric-init
            let x = rng.normalMatrix(n, s.rank, std: s.alpha)          // X₀ = α · N(0, 1)^{n×k}
            //: end symmetric-init
            xs.append(x)
        }
        guard let last = runs.map(\.settings.iterations).max() else { return [] }
        for t in 0...last {
            let active = runs.indices.filter { t <= runs[$0].settings.iterations }
            let gradients = objective.symmetricGradients(active.map { xs[$0] })
            for (k, j) in active.enumerated() {
                let (s, label) = runs[j]
                //: begin symmetric-step
                let (loss, grad, product) = gradients[k]                  // f, ∇_X f(X Xᵀ) and X Xᵀ at X = xs[j]
                xs[j].addScaled(grad, -s.eta)                             // X ← X − η ∇_X f(X Xᵀ)
                //: end symmetric-step
                guard loss.isFinite else { throw NumericalFailure.nonFinite("loss is \(loss) at iteration \(t) of \(label)") }
                if s.recordAt.contains(t) { traces[j].record(t, objective.relativeError(product)) }
            }
        }
        return traces
    }

    /// One F Gᵀ run of `asymmetricGD`: its settings, its one-step modification, its generator.
    struct AsymmetricRun {
        var settings: RunSettings
        var rebalanceAt: Int? = nil
        var constant: Double = 1
        var rng: RandomSource
        var label: String
    }

    /// GD on F Gᵀ from F₀ = α·N(0,1), G₀ = (α/3)·N(0,1); a run with `rebalanceAt` set gets the one-step
    /// modification (spurious F-columns of norm √(c·σ_r), c = `constant`) once there. Returns each run's
    /// trace and final factors.
    ///
    /// Several F Gᵀ runs on one objective are stepped together: at every step the sensing gradients of
    /// all runs come from one pass over the operator (`SensingProblem.lossesAndGradients`), which is
    /// where the time goes. Each run's arithmetic is exactly that of running it alone.
    static func asymmetricGD(_ objective: Objective, _ runs: [AsymmetricRun], rank r: Int) throws
        -> [(trace: ConvergenceTrace, f: Matrix, g: Matrix)]
    {
        let (n1, n2) = (objective.truth.matrix.rows, objective.truth.matrix.cols)
        var traces = runs.map { ConvergenceTrace(label: $0.label) }
        var fs: [Matrix] = [], gs: [Matrix] = []
        for run in runs {
            var rng = run.rng
            let s = run.settings
            //: begin asymmetric-init
            let f = rng.normalMatrix(n1, s.rank, std: s.alpha)           // F₀ = α · N(0, 1)
            let g = rng.normalMatrix(n2, s.rank, std: s.alpha / 3)       // G₀ = (α/3) · N(0, 1): imbalanced
            //: end asymmetric-init
            fs.append(f); gs.append(g)
        }
        guard let last = runs.map(\.settings.iterations).max() else { return [] }
        for t in 0...last {
            let active = runs.indices.filter { t <= runs[$0].settings.iterations }
            for j in active {
                if let t0 = runs[j].rebalanceAt, t == t0 { (fs[j], gs[j]) = try rebalance(fs[j], gs[j], rank: r, constant: runs[j].constant) }
            }
            let gradients = objective.asymmetricGradients(active.map { (fs[$0], gs[$0]) })
            for (k, j) in active.enumerated() {
                let (loss, gf, gg, product) = gradients[k]
                guard loss.isFinite else { throw NumericalFailure.nonFinite("loss is \(loss) at iteration \(t) of \(runs[j].label)") }
                if runs[j].settings.recordAt.contains(t) { traces[j].record(t, objective.relativeError(product)) }
                fs[j].addScaled(gf, -runs[j].settings.eta)
                gs[j].addScaled(gg, -runs[j].settings.eta)
            }
        }
        return runs.indices.map { (traces[$0], fs[$0], gs[$0]) }
    }

    /*: rebalance
     **The one-step modification.** The slow phase of over-parameterized F Gᵀ is the decay of the
     k − r spurious directions, whose speed is set by the imbalance FᵀF − GᵀG, of order α². One
     step that re-factors the *same* product F Gᵀ so that the spurious directions carry an
     imbalance of order σ_r(M*) removes the α-dependence. The paper's equation (5.1) was not
     available to us (only its abstract and the public reviews were), so this is our
     reconstruction of a step with that property: take the SVD F Gᵀ = U Σ Vᵀ (top k), keep the top
     r directions balanced (F = U Σ^{1/2}, G = V Σ^{1/2}) and give the remaining k − r directions
     F-columns of norm √(c σ_r) and G-columns σ_j/√(c σ_r), with c = 1 in every claim. The product,
     hence the loss, is unchanged by this step.
     */
    static func rebalance(_ f: Matrix, _ g: Matrix, rank r: Int, constant c: Double = 1) throws -> (Matrix, Matrix) {
        let k = f.cols
        //: begin rebalance
        let s = try svd(matmul(f, g, transB: true))                // F Gᵀ = U Σ Vᵀ
        let spuriousNorm = (c * s.singularValues[r - 1]).squareRoot()
        var newF = Matrix(rows: f.rows, cols: k), newG = Matrix(rows: g.rows, cols: k)
        for j in 0..<k {
            let sj = s.singularValues[j]
            let fj = j < r ? sj.squareRoot() : spuriousNorm          // spurious: ||F e_j|| = √(c σ_r)
            let gj = fj > 0 ? sj / fj : 0                            // keeps F Gᵀ = U Σ Vᵀ
            for i in 0..<f.rows { newF[i, j] = s.u[i, j] * fj }
            for i in 0..<g.rows { newG[i, j] = s.v[i, j] * gj }
        }
        //: end rebalance
        return (newF, newG)
    }
}

// MARK: - Fits shared by the experiments

enum Fits {
    static func rateText(_ r: RateFit) -> String {
        guard r.fit != nil else { return "n/a" }
        return Fmt.estimate(r.rate, r.standardError, digits: nil)
    }
}
