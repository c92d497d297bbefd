import Foundation
import Numerics
import Learning
import Notebook

/*: algorithms
 **The two methods.** Both work on a factor X ∈ ℝ^{n×k} with M = X Xᵀ and the paper's loss
 f(X) = (1/4)||𝒜(X Xᵀ) − y||², where the paper's operator is normalized so that 𝒜*𝒜 ≈ I. Two
 versions of f are used:

 - the **population loss** f(X) = (1/4)||X Xᵀ − M*||_F², the limit of infinitely many measurements,
   whose gradient ∇f(X) = (X Xᵀ − M*) X is exact (no operator, no restricted-isometry error);
 - the **sensing loss** with m Gaussian measurements. Our shared `SensingOperator` stores
   unnormalized Gaussian Aᵢ (E⟨Aᵢ, M⟩² = ||M||_F²), so the paper's operator is Aᵢ/√m and
   f(X) = (1/4m) Σᵢ (⟨Aᵢ, X Xᵀ⟩ − yᵢ)², with gradient ∇f(X) = (1/m) Σᵢ rᵢ Aᵢ X: half of what
   `SensingProblem.symmetricFactorGradient` returns (it differentiates (1/2m)Σ rᵢ²).

 The iterations:

 - **GD**: X ← X − η ∇f(X).
 - **ScaledGD(λ)**: X ← X − η ∇f(X) (XᵀX + λI)⁻¹. The preconditioner divides every direction of
   the column space by its own energy, so strong and weak components of M* move at the same
   relative speed; the damping λ keeps the step bounded where X is still tiny (the random start,
   and the spare directions when k > r*).

 Both start from the same small random factor X₀ = α G with G having iid N(0, 1/n) entries.

 **Numerical stalls.** From a very small start, GD fits the strongest component of M* while the
 weakest is still of order α; its update in the weak direction is then η σ_min times a number far
 below the rounding step of the O(1) entries of X, and X can stop changing at all. Every run
 therefore records the longest stretch of iterations over which X did not move (relative step
 ||X_{t+1} − X_t||_F / ||X_t||_F at most 1e-14, for at least 100 consecutive iterations; a run that
 stays still for 5,000 iterations is stopped there). A quantity
 that depends on such a run is reported as not observed, with the stretch, never as a result.
 */

/// Which iteration to run.
enum Method: Sendable, Equatable {
    case gd(eta: Double)
    case scaledGD(eta: Double, lambda: Double)

    var name: String {
        switch self {
        case .gd: return "GD"
        case .scaledGD: return "ScaledGD(λ)"
        }
    }
}

/// What the iteration minimizes: the population loss or the paper's sensing loss.
enum Objective: Sendable {
    case population(Matrix)          // M*
    case sensing(SensingProblem, noise: Double)

    var truth: Matrix {
        switch self {
        case .population(let m): return m
        case .sensing(let p, _): return p.truth.matrix
        }
    }

    /// ∇f(X) of the paper's f, together with X Xᵀ.
    func gradient(_ x: Matrix) -> (gradient: Matrix, product: Matrix) {
        switch self {
        case .population(let mStar):
            //: begin population-gradient
            let product = matmul(x, x, transB: true)                  // X Xᵀ
            return (matmul(product - mStar, x), product)              // ∇ ¼||XXᵀ − M*||² = (XXᵀ − M*) X
            //: end population-gradient
        case .sensing(let p, _):
            //: begin paper-gradient
            let (_, grad, product) = p.symmetricFactorGradient(x)     // ∇ of (1/2m)Σ rᵢ²
            return (0.5 * grad, product)                              // ∇ of (1/4m)Σ rᵢ² (the paper's f)
            //: end paper-gradient
        }
    }

    /// Whether X Xᵀ fits the noisy measurements to the noise level (mean squared residual ≤ 2σ²):
    /// an iterate that stops moving there has converged, it has not stalled.
    func fitsToNoiseLevel(_ product: Matrix) -> Bool {
        guard case .sensing(let p, let sigma) = self, sigma > 0 else { return false }
        let r = p.residual(product)
        return Vector.dot(r, r) / Double(r.count) <= 2 * sigma * sigma
    }
}

/// One recorded run: the relative error at every iteration, and where X stopped changing.
struct Path: Sendable {
    var trace: ConvergenceTrace
    /// The longest stretch of at least `Algorithms.stallWindow` iterations over which X did not move.
    var stall: ClosedRange<Int>?
    var budget: Int

    var label: String { trace.label }
    func first(below level: Double) -> Int? { trace.firstIteration(below: level) }

    /// Why an iteration count to `level` is not a measurement of the method, or nil if it is one.
    func unobserved(reaching level: Double) -> String? {
        if let s = stall, first(below: level).map({ $0 > s.lowerBound }) ?? true {
            return "numerical stall: X unchanged in iterations \(s.lowerBound)–\(s.upperBound) of \(label)"
        }
        if first(below: level) == nil { return "\(label) did not reach \(Fmt.sci(level, 0)) in \(budget) iterations" }
        return nil
    }
}

enum Algorithms {
    /// A step smaller than this, relative to ||X||_F, is taken as no motion (about 45 ulps).
    static let stallStep = 1e-14
    /// Consecutive motionless iterations that make a stall.
    static let stallWindow = 100
    /// Motionless iterations after which a run is stopped (reported as stalled up to there).
    static let stallLimit = 5_000

    /// X₀ = α G, G with iid N(0, 1/n) entries.
    static func initialFactor(n: Int, k: Int, alpha: Double, rng: inout RandomSource) -> Matrix {
        //: begin init
        rng.normalMatrix(n, k, std: alpha / Double(n).squareRoot())   // X₀ = α G, Gᵢⱼ ~ N(0, 1/n)
        //: end init
    }

    /// One ScaledGD(λ) step: X − η ∇f(X) (XᵀX + λI)⁻¹.
    static func scaledStep(_ x: Matrix, gradient g: Matrix, eta: Double, lambda: Double) throws -> Matrix {
        //: begin scaled-step
        var gram = matmul(x, x, transA: true)                        // XᵀX  (k x k)
        for i in 0..<gram.rows { gram[i, i] += lambda }               // XᵀX + λI, SPD for λ > 0
        let direction = try CholeskyFactorization(gram).solve(g.transposed).transposed   // ∇f (XᵀX + λI)⁻¹
        var next = x
        next.addScaled(direction, -eta)                               // X ← X − η ∇f (XᵀX + λI)⁻¹
        //: end scaled-step
        return next
    }

    /// Runs `method` from X₀ for at most `iterations` steps, recording ||X_t X_tᵀ − M*||_F / ||M*||_F
    /// at every t, stopping once it is ≤ `stopBelow`, or when X is a floating-point fixed point.
    static func run(_ f: Objective, _ method: Method, initial x0: Matrix, iterations: Int,
                    stopBelow: Double = 0, label: String) throws -> Path {
        var trace = ConvergenceTrace(label: label)
        let norm = f.truth.frobeniusNorm
        var x = x0
        var still = 0, longest: ClosedRange<Int>? = nil
        for t in 0...iterations {
            let (grad, product) = f.gradient(x)
            let err = (product - f.truth).frobeniusNorm / norm
            guard err.isFinite else { throw NumericalFailure.nonFinite("error \(err) at iteration \(t) of \(label)") }
            trace.record(t, err)
            if err <= stopBelow || t == iterations { break }
            var next: Matrix
            switch method {
            case .gd(let eta):
                next = x
                //: begin gd-step
                next.addScaled(grad, -eta)                                // X ← X − η ∇f(X)
                //: end gd-step
            case .scaledGD(let eta, let lambda):
                do { next = try scaledStep(x, gradient: grad, eta: eta, lambda: lambda) } catch {
                    throw NumericalFailure.failed("\(label), iteration \(t): \(error)")
                }
            }
            let step = (next - x).frobeniusNorm
            if step <= stallStep * x.frobeniusNorm, f.fitsToNoiseLevel(product) {   // converged to the noisy minimizer
                for s in (t + 1)...iterations { trace.record(s, err) }
                break
            }
            still = step <= stallStep * x.frobeniusNorm ? still + 1 : 0
            if still >= stallWindow, (longest?.count ?? 0) < still { longest = (t + 1 - still)...(t + 1) }
            if still >= stallLimit { break }   // no count can be read from the rest of this run
            if step == 0 {   // a fixed point of the rounded map: every later iterate is this one
                longest = (t + 1 - still)...iterations
                for s in (t + 1)...iterations { trace.record(s, err) }
                break
            }
            x = next
        }
        return Path(trace: trace, stall: longest, budget: iterations)
    }
}
