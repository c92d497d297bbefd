import Foundation
import Numerics
import Learning
import Notebook

/*: dynamics
 **The loss and the iteration.** We follow the paper's normalization: the loss of a factor
 X ∈ ℝ^{n×k} is L(X) = (1/4m) Σᵢ (⟨Aᵢ, X Xᵀ⟩ − yᵢ)², whose expectation over the Gaussian Aᵢ is
 the population loss ¼||X Xᵀ − M*||_F². Write R(Z) = (1/m) Σᵢ (yᵢ − ⟨Aᵢ, Z⟩) Aᵢ for the residual
 matrix (M* − Z in the population limit). Then −∇L(X) = R(X Xᵀ) X, and gradient descent with step
 η is X ← X + η R(X Xᵀ) X from X₀ = α·G, G with iid N(0, 1) entries.
 */

/// The loss GD descends: the Gaussian sensing loss, or its population limit.
enum Objective: Sendable {
    case sensing(SensingProblem)
    case population(LowRankTruth)

    var truth: LowRankTruth {
        switch self {
        case .sensing(let p): return p.truth
        case .population(let t): return t
        }
    }

    /// L(Z) = (1/4m)||𝒜(Z) − y||² (or ¼||Z − M*||²_F) and the residual matrix R(Z) = −2∇_Z L(Z).
    func residual(_ z: Matrix) -> (loss: Double, r: Matrix) {
        switch self {
        case .sensing(let p):
            let (f, g) = p.lossAndGradient(z)            // f = (1/2m)||r||², g = (1/m)𝒜*(r)
            return (0.5 * f, -1 * g)
        case .population(let t):
            let d = t.matrix - z
            return (0.25 * d.frobeniusNorm * d.frobeniusNorm, d)
        }
    }

    func loss(_ z: Matrix) -> Double { residual(z).loss }
}

/// What one GD run recorded at every iteration t = 0…T.
struct Trajectory: Sendable {
    var loss: [Double] = []
    /// Eigenvalues of X_tᵀ X_t (the squared singular values of X_t), descending.
    var spectrum: [[Double]] = []
    /// ||X_t X_tᵀ − Z_s||_F / ||Z_s||_F for each target Z_s (s = 1…r*).
    var distance: [[Double]] = []

    var iterations: Int { loss.count - 1 }

    /// The first iteration at which the s-th eigenvalue of X Xᵀ (s from 1) reaches `level` (nil if never).
    func onset(rank s: Int, level: Double) -> Int? {
        spectrum.firstIndex { $0.count >= s && $0[s - 1] >= level }
    }

    /// min over t of the distance to the target `index` (0-based), with its iteration.
    func closest(to index: Int) -> (t: Int, value: Double) {
        var best = (t: 0, value: Double.infinity)
        for (t, d) in distance.enumerated() where d[index] < best.value { best = (t, d[index]) }
        return best
    }
}

enum Dynamics {
    /// GD on L(X) from X₀ = α·G (G ~ N(0,1)^{n×k}) for `iterations` steps, recording every iteration.
    static func run(_ objective: Objective, rank k: Int, alpha: Double, eta: Double, iterations: Int,
                    targets: [Matrix], rng: inout RandomSource, label: String) throws -> Trajectory {
        let n = objective.truth.matrix.rows
        let norms = targets.map(\.frobeniusNorm)
        var trace = Trajectory()
        trace.loss.reserveCapacity(iterations + 1)
        //: begin gd
        var x = rng.normalMatrix(n, k, std: alpha)                    // X₀ = α · N(0, 1)^{n×k}
        for t in 0...iterations {
            let product = matmul(x, x, transB: true)                  // X Xᵀ
            let (loss, r) = objective.residual(product)               // L and R(X Xᵀ)
            //: end gd
            guard loss.isFinite else { throw NumericalFailure.nonFinite("loss is \(loss) at iteration \(t) of \(label)") }
            trace.loss.append(loss)
            trace.spectrum.append(try symmetricEigenvalues(gram(x)).reversed())
            trace.distance.append(zip(targets, norms).map { (product - $0.0).frobeniusNorm / $0.1 })
            if t == iterations { break }
            //: begin gd-step
            x.addScaled(matmul(r, x), eta)                            // X ← X + η R(X Xᵀ) X
            //: end gd-step
        }
        return trace
    }

    /*: plateau
     **The plateau rule (fixed before the runs).** Let L_s be the loss of the best rank-s solution
     Z_s. Iteration t belongs to the *rank-s plateau* when (i) the loss is within a factor 1.5 of
     L_s, |ln(L_t / L_s)| ≤ ln 1.5, and (ii) the (s+1)-th squared singular value of X_t is still
     below a tenth of λ_{s+1}(M*), the value it will reach. The plateau is the longest run of
     consecutive such iterations; it counts when it lasts at least 10 iterations. A run *learns
     incrementally* when it has a rank-s plateau for every s = 1, …, r* − 1, each one after the
     previous, and ends within 10⁻³ (relative Frobenius error) of M*.
     */
    struct PlateauRule: Sendable {
        var factor = 1.5
        var nextFraction = 0.1
        var minLength = 10
        var finalError = 1e-3
    }

    /// The rank-s plateau windows (s = 1…levels.count), nil where none is found.
    static func plateaus(_ tr: Trajectory, levels: [Double], nextEigenvalues: [Double],
                         rule: PlateauRule = PlateauRule()) -> [ClosedRange<Int>?] {
        levels.indices.map { i in
            let s = i + 1
            var best: ClosedRange<Int>? = nil
            var start: Int? = nil
            for t in 0...tr.iterations + 1 {
                let inside = t <= tr.iterations
                    && abs(Foundation.log(tr.loss[t] / levels[i])) <= Foundation.log(rule.factor)
                    && (tr.spectrum[t].count <= s || tr.spectrum[t][s] <= rule.nextFraction * nextEigenvalues[i])
                if inside { if start == nil { start = t } } else if let a = start {
                    if best == nil || t - 1 - a > best!.count - 1 { best = a...(t - 1) }
                    start = nil
                }
            }
            return best.flatMap { $0.count >= rule.minLength ? $0 : nil }
        }
    }

    /// Whether the windows exist and come in order, and the run ends at M* (last distance).
    static func learnsIncrementally(_ windows: [ClosedRange<Int>?], finalError: Double,
                                    rule: PlateauRule = PlateauRule()) -> Bool {
        let found = windows.compactMap { $0 }
        guard found.count == windows.count else { return false }
        for (a, b) in zip(found, found.dropFirst()) where b.lowerBound <= a.upperBound { return false }
        return finalError <= rule.finalError
    }
}
