import Foundation
import Numerics

// First-order optimizers on a flat parameter vector x ∈ ℝᵈ (a model's weights laid end to end).
//
// Conventions used in every update rule below:
//   g      the gradient ∇f(x) passed to `step`,
//   η, ε   the learning rate (`learningRate`; a caller may change it between steps for a schedule),
//   t      the number of steps taken so far, counting the current one (t = 1 on the first step),
//   all vector operations elementwise.
// State vectors (momenta) start at zero and are sized on the first step, so one optimizer value
// serves any parameter count; `reset()` forgets the state.

/// A first-order optimizer: one call of `step` applies one update to `x` given ∇f(x).
public protocol Optimizer {
    /// A short label for tables and legends, e.g. `"Lion"` or `"SGD (μ = 0.9)"`.
    var name: String { get }
    /// The step size η (ε for Lion); may be changed between steps to follow a schedule.
    var learningRate: Double { get set }
    /// Applies one update to `x` in place, given the gradient at `x`.
    mutating func step(_ x: inout [Double], gradient: [Double])
    /// Forgets the optimizer's state (momenta, step count).
    mutating func reset()
}

@inline(__always)
func checkedState(_ state: inout [Double], _ n: Int, _ who: String) {
    if state.isEmpty { state = [Double](repeating: 0, count: n) }
    precondition(state.count == n, "\(who): the parameter count changed from \(state.count) to \(n)")
}

// MARK: - SGD

/// Stochastic gradient descent with heavy-ball (or Nesterov) momentum and coupled L2 weight decay,
/// in the PyTorch convention:
///
///     g̃ = g + w·x                      (w = weightDecay, coupled: it enters the momentum)
///     v ← μ·v + g̃                      (μ = momentum; v₀ = 0)
///     x ← x − η·v                      (heavy ball)
///     x ← x − η·(g̃ + μ·v)              (nesterov = true)
///
/// With μ = 0 and w = 0 this is plain gradient descent x ← x − η g.
public struct SGD: Optimizer {
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var nesterov: Bool
    public private(set) var velocity: [Double] = []

    public init(learningRate: Double, momentum: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1)")
        self.learningRate = learningRate; self.momentum = momentum
        self.weightDecay = weightDecay; self.nesterov = nesterov
    }

    public var name: String { momentum == 0 ? "SGD" : (nesterov ? "SGD (Nesterov μ = \(momentum))" : "SGD (μ = \(momentum))") }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "SGD: x and gradient differ in length")
        checkedState(&velocity, x.count, "SGD")
        let (eta, mu, w) = (learningRate, momentum, weightDecay)
        for i in 0..<x.count {
            let gi = g[i] + w * x[i]
            velocity[i] = mu * velocity[i] + gi
            x[i] -= eta * (nesterov ? gi + mu * velocity[i] : velocity[i])
        }
    }

    public mutating func reset() { velocity = [] }
}

// MARK: - Adam and AdamW

/// The moment estimates Adam and AdamW share:
///
///     m ← β₁·m + (1 − β₁)·g              v ← β₂·v + (1 − β₂)·g²
///     m̂ = m / (1 − β₁ᵗ)                  v̂ = v / (1 − β₂ᵗ)
public struct AdamMoments: Sendable {
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public private(set) var first: [Double] = []
    public private(set) var second: [Double] = []
    public private(set) var stepCount = 0
    private var c1 = 1.0, c2 = 1.0

    public init(beta1: Double, beta2: Double, epsilon: Double) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
    }

    /// Starts step t + 1 for `n` parameters (allocating the state on the first step).
    mutating func beginStep(_ n: Int, _ who: String) {
        checkedState(&first, n, who); checkedState(&second, n, who)
        stepCount += 1
        c1 = 1 - Foundation.pow(beta1, Double(stepCount)); c2 = 1 - Foundation.pow(beta2, Double(stepCount))
    }

    /// Updates coordinate i with gradient g and returns m̂ and the denominator √v̂ + δ.
    @inline(__always)
    mutating func update(_ i: Int, _ g: Double) -> (mHat: Double, denominator: Double) {
        first[i] = beta1 * first[i] + (1 - beta1) * g
        second[i] = beta2 * second[i] + (1 - beta2) * g * g
        return (first[i] / c1, (second[i] / c2).squareRoot() + epsilon)
    }

    public mutating func reset() { first = []; second = []; stepCount = 0 }

    /// One step over every coordinate, eight at a time: g̃ᵢ = `gradient`(xᵢ, gᵢ), the moments updated
    /// with g̃ᵢ as in `update`, then xᵢ ← `apply`(xᵢ, m̂ᵢ, √v̂ᵢ + δ). The SIMD and scalar forms of each
    /// closure must be the same expression: every operation is elementwise, so the bits are those
    /// of the coordinate-by-coordinate loop.
    @inline(__always)
    mutating func sweep(_ x: inout [Double], _ g: [Double],
                        gradient: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>, _ gradient1: (Double, Double) -> Double,
                        apply: (SIMD8<Double>, SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>,
                        _ apply1: (Double, Double, Double) -> Double) {
        typealias V = SIMD8<Double>
        let n = x.count
        let (b1, b2, eps, c1, c2) = (beta1, beta2, epsilon, self.c1, self.c2)
        let (vb1, va1, vb2, va2) = (V(repeating: b1), V(repeating: 1 - b1), V(repeating: b2), V(repeating: 1 - b2))
        let (veps, vc1, vc2) = (V(repeating: eps), V(repeating: c1), V(repeating: c2))
        x.withUnsafeMutableBufferPointer { xp in
            g.withUnsafeBufferPointer { gp in
                first.withUnsafeMutableBufferPointer { mp in
                    second.withUnsafeMutableBufferPointer { vp in
                        guard let X = xp.baseAddress, let G = gp.baseAddress, let M = mp.baseAddress, let S = vp.baseAddress else { return }
                        var i = 0
                        while i + 8 <= n {
                            let xi = UnsafeRawPointer(X + i).loadUnaligned(as: V.self)
                            let gt = gradient(xi, UnsafeRawPointer(G + i).loadUnaligned(as: V.self))
                            let m = vb1 * UnsafeRawPointer(M + i).loadUnaligned(as: V.self) + va1 * gt
                            let v = vb2 * UnsafeRawPointer(S + i).loadUnaligned(as: V.self) + va2 * gt * gt
                            UnsafeMutableRawPointer(M + i).storeBytes(of: m, as: V.self)
                            UnsafeMutableRawPointer(S + i).storeBytes(of: v, as: V.self)
                            let updated = apply(xi, m / vc1, (v / vc2).squareRoot() + veps)
                            UnsafeMutableRawPointer(X + i).storeBytes(of: updated, as: V.self)
                            i += 8
                        }
                        while i < n {
                            let gt = gradient1(X[i], G[i])
                            M[i] = b1 * M[i] + (1 - b1) * gt
                            S[i] = b2 * S[i] + (1 - b2) * gt * gt
                            X[i] = apply1(X[i], M[i] / c1, (S[i] / c2).squareRoot() + eps)
                            i += 1
                        }
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba, 2015) with optional coupled L2 weight decay w: the moments of
/// g̃ = g + w·x, and x ← x − η · m̂ / (√v̂ + δ).
public struct Adam: Optimizer {
    public var learningRate: Double
    public var weightDecay: Double
    public private(set) var moments: AdamMoments

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.learningRate = learningRate; self.weightDecay = weightDecay
        moments = AdamMoments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var name: String { "Adam" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "Adam: x and gradient differ in length")
        moments.beginStep(x.count, "Adam")
        let (w, eta) = (weightDecay, learningRate)
        let (vw, veta) = (SIMD8<Double>(repeating: w), SIMD8<Double>(repeating: eta))
        // g̃ = g + w·x; x ← x − η·m̂/(√v̂ + δ).
        moments.sweep(&x, g, gradient: { x, g in g + vw * x }, { x, g in g + w * x },
                      apply: { x, m, d in x - veta * m / d }, { x, m, d in x - eta * m / d })
    }

    public mutating func reset() { moments.reset() }
}

/// AdamW (Loshchilov & Hutter, 2019): the moments of the raw gradient, with *decoupled* weight
/// decay λ: x ← x − η · ( m̂ / (√v̂ + δ) + λ·x ).
public struct AdamW: Optimizer {
    public var learningRate: Double
    public var weightDecay: Double
    public private(set) var moments: AdamMoments

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.learningRate = learningRate; self.weightDecay = weightDecay
        moments = AdamMoments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var name: String { "AdamW" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "AdamW: x and gradient differ in length")
        moments.beginStep(x.count, "AdamW")
        let (w, eta) = (weightDecay, learningRate)
        let (vw, veta) = (SIMD8<Double>(repeating: w), SIMD8<Double>(repeating: eta))
        // x ← x − η·(m̂/(√v̂ + δ) + λ·x).
        moments.sweep(&x, g, gradient: { _, g in g }, { _, g in g },
                      apply: { x, m, d in x - veta * (m / d + vw * x) }, { x, m, d in x - eta * (m / d + w * x) })
    }

    public mutating func reset() { moments.reset() }
}

// MARK: - Lion and Lion-K

/// Lion, "EvoLved Sign Momentum" (Chen et al., 2023, arXiv 2302.06675, Algorithm 2), with decoupled
/// weight decay λ and step size ε:
///
///     c = β₁·m + (1 − β₁)·g             (the interpolated momentum that sets the direction)
///     x ← x − ε · ( sign(c) + λ·x )
///     m ← β₂·m + (1 − β₂)·g             (the momentum, an EMA of the gradient; m₀ = 0)
///
/// sign(0) = 0. This is Lion-K (below) with K(v) = ||v||₁; it is kept separate because it is the
/// optimizer people use and because it is a little faster.
public struct Lion: Optimizer {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var weightDecay: Double
    /// The momentum m (the EMA of the gradient, in the sign convention of the original Lion paper).
    public var momentum: [Double] = []

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.99, weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.weightDecay = weightDecay
    }

    public var name: String { "Lion" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "Lion: x and gradient differ in length")
        checkedState(&momentum, x.count, "Lion")
        let (eps, lambda, b1, b2) = (learningRate, weightDecay, beta1, beta2)
        for i in 0..<x.count {
            //: begin lion-step
            let c = b1 * momentum[i] + (1 - b1) * g[i]              // c = β₁m + (1 − β₁)g
            let s: Double = c > 0 ? 1 : (c < 0 ? -1 : 0)            // sign(c)
            x[i] -= eps * (s + lambda * x[i])                       // x ← x − ε(sign(c) + λx)
            momentum[i] = b2 * momentum[i] + (1 - b2) * g[i]        // m ← β₂m + (1 − β₂)g
            //: end lion-step
        }
    }

    public mutating func reset() { momentum = [] }
}

/// A closed convex function K: ℝᵈ → ℝ for Lion-K, with its (sub)gradient ∇K and its convex
/// conjugate K*(y) = sup_v ⟨y, v⟩ − K(v) (+∞ outside its domain).
///
/// Every K here is even, K(−v) = K(v), so ∇K is odd; that is what lets Lion-K be written with the
/// usual momentum m = EMA(g) instead of the negated one of Chen, Liu, Liang & Liu (2023).
/// Lion-K with weight decay λ solves min_x f(x) + (1/λ)·K*(λx) (ibid.); the `problem` string says
/// what that is for each K.
public struct ConvexPotential: Sendable {
    public let name: String
    /// K(v).
    public let value: @Sendable ([Double]) -> Double
    /// ∇K(v), a subgradient where K is not differentiable.
    public let gradient: @Sendable ([Double]) -> [Double]
    /// K*(y); `.infinity` outside dom K*.
    public let conjugate: @Sendable ([Double]) -> Double
    /// The problem Lion-K with weight decay λ solves, min f(x) + (1/λ)K*(λx), in words.
    public let problem: String

    public init(name: String, problem: String, value: @escaping @Sendable ([Double]) -> Double,
                gradient: @escaping @Sendable ([Double]) -> [Double], conjugate: @escaping @Sendable ([Double]) -> Double) {
        self.name = name; self.problem = problem; self.value = value; self.gradient = gradient; self.conjugate = conjugate
    }

    /// K(v) = ||v||₁, ∇K = sign(v), K* = indicator of {||y||_∞ ≤ 1}: Lion; solves min f s.t. ||x||_∞ ≤ 1/λ.
    public static let l1 = ConvexPotential(
        name: "K = ||·||₁ (Lion)", problem: "min f(x) s.t. ||x||_∞ ≤ 1/λ",
        value: { Vector.norm1($0) },
        gradient: { $0.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } },
        conjugate: { Vector.normInf($0) <= 1 + 1e-12 ? 0 : .infinity })

    /// K(v) = ||v||₂, ∇K = v/||v||₂ (0 at 0), K* = indicator of {||y||₂ ≤ 1}: solves min f s.t. ||x||₂ ≤ 1/λ.
    public static let l2 = ConvexPotential(
        name: "K = ||·||₂", problem: "min f(x) s.t. ||x||₂ ≤ 1/λ",
        value: { Vector.norm($0) },
        gradient: { v in let n = Vector.norm(v); return n > 0 ? v.map { $0 / n } : v.map { _ in 0 } },
        conjugate: { Vector.norm($0) <= 1 + 1e-12 ? 0 : .infinity })

    /// K(v) = ½||v||₂², ∇K = v, K* = ½||y||²: momentum SGD with decoupled weight decay; solves
    /// min f(x) + (λ/2)||x||².
    public static let halfSquaredL2 = ConvexPotential(
        name: "K = ½||·||₂²", problem: "min f(x) + (λ/2)||x||₂²",
        value: { 0.5 * Vector.dot($0, $0) },
        gradient: { $0 },
        conjugate: { 0.5 * Vector.dot($0, $0) })

    /// K(v) = Σ huber(vᵢ) (huber(v) = v²/2 for |v| ≤ 1, |v| − ½ beyond), ∇K = clip(v, −1, 1),
    /// K*(y) = ½||y||² + indicator of {||y||_∞ ≤ 1}: solves min f(x) + (λ/2)||x||² s.t. ||x||_∞ ≤ 1/λ.
    public static let huber = ConvexPotential(
        name: "K = Σ huber (clipped momentum)", problem: "min f(x) + (λ/2)||x||₂² s.t. ||x||_∞ ≤ 1/λ",
        value: { $0.reduce(0) { s, v in s + (abs(v) <= 1 ? 0.5 * v * v : abs(v) - 0.5) } },
        gradient: { $0.map { Swift.min(1, Swift.max(-1, $0)) } },
        conjugate: { Vector.normInf($0) <= 1 + 1e-12 ? 0.5 * Vector.dot($0, $0) : .infinity })

    /// K(v) = ||v||₁ + ½||v||₂², ∇K = sign(v) + v, K*(y) = ½ Σ (|yᵢ| − 1)₊²: solves the soft-box problem
    /// min f(x) + (λ/2) Σ (|xᵢ| − 1/λ)₊².
    public static let l1PlusHalfSquaredL2 = ConvexPotential(
        name: "K = ||·||₁ + ½||·||₂²", problem: "min f(x) + (λ/2) Σᵢ (|xᵢ| − 1/λ)₊²",
        value: { Vector.norm1($0) + 0.5 * Vector.dot($0, $0) },
        gradient: { $0.map { ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) + $0 } },
        conjugate: { $0.reduce(0) { s, y in let e = Swift.max(0, abs(y) - 1); return s + 0.5 * e * e } })
}

/// Lion-K (Chen, Liu, Liang & Liu, 2023, arXiv 2310.05898): Lion with sign(·) replaced by the
/// (sub)gradient of a convex function K,
///
///     c = β₁·m + (1 − β₁)·g
///     x ← x − ε · ( ∇K(c) + λ·x )
///     m ← β₂·m + (1 − β₂)·g
///
/// (the paper writes it with the negated momentum −m and x ← x + ε(∇K(−c) − λx), the same thing for
/// an even K). With λ > 0 its fixed points are the stationary points of f(x) + (1/λ)·K*(λx).
public struct LionK: Optimizer {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var weightDecay: Double
    public let potential: ConvexPotential
    public var momentum: [Double] = []

    public init(potential: ConvexPotential, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.99, weightDecay: Double = 0) {
        self.potential = potential
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.weightDecay = weightDecay
    }

    public var name: String { "Lion-K, \(potential.name)" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "Lion-K: x and gradient differ in length")
        checkedState(&momentum, x.count, "Lion-K")
        var c = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count { c[i] = beta1 * momentum[i] + (1 - beta1) * g[i] }
        //: begin lionk-step
        let d = potential.gradient(c)                                // ∇K(c) replaces sign(c)
        precondition(d.count == x.count, "Lion-K: ∇K changed the length")
        for i in 0..<x.count {
            x[i] -= learningRate * (d[i] + weightDecay * x[i])      // x ← x − ε(∇K(c) + λx)
            momentum[i] = beta2 * momentum[i] + (1 - beta2) * g[i]
        }
        //: end lionk-step
    }

    public mutating func reset() { momentum = [] }
}

// MARK: - SGDW and AdamW in the form of Loshchilov & Hutter (2019)

/// An optimizer whose steps are scaled by a schedule multiplier η_t on top of its learning rate α,
/// in the form of Loshchilov & Hutter (2019): a schedule (e.g. cosine annealing) sets η_t, and the
/// decoupled weight decay follows η_t but not α.
public protocol ScheduledOptimizer: Optimizer {
    /// The schedule multiplier η_t (1 when no schedule is used).
    var scheduleMultiplier: Double { get set }
}

/// SGD with momentum and decoupled weight decay, SGDW (Loshchilov & Hutter, 2019, arXiv 1711.05101,
/// Algorithm 1), with learning rate α (`learningRate`), schedule multiplier η_t, momentum β₁, decoupled
/// weight decay λ (`weightDecay`) and, for the paper's baseline, a coupled L2 coefficient λ' (`l2`):
///
///     g̃ = g + λ'·x                       (λ' = 0 for SGDW; λ = 0, λ' > 0 is "SGD with L2")
///     m ← β₁·m + η_t·α·g̃                 (m₀ = 0)
///     x ← x − m − η_t·λ·x
///
/// With β₁ = 0, SGDW with λ and SGD with L2 coefficient λ' = λ/α take the same steps (the paper's
/// Proposition 1). The decay is multiplied by η_t, not by α.
public struct SGDW: ScheduledOptimizer {
    public var learningRate: Double
    public var scheduleMultiplier: Double
    public var momentum: Double
    public var weightDecay: Double
    public var l2: Double
    public private(set) var velocity: [Double] = []

    public init(learningRate: Double, momentum: Double = 0.9, weightDecay: Double = 0, l2: Double = 0,
                scheduleMultiplier: Double = 1) {
        precondition(momentum >= 0 && momentum < 1, "SGDW: momentum must be in [0, 1)")
        self.learningRate = learningRate; self.momentum = momentum; self.weightDecay = weightDecay
        self.l2 = l2; self.scheduleMultiplier = scheduleMultiplier
    }

    public var name: String { weightDecay == 0 && l2 > 0 ? "SGD + L2" : "SGDW" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "SGDW: x and gradient differ in length")
        checkedState(&velocity, x.count, "SGDW")
        let (a, decay, b1) = (scheduleMultiplier * learningRate, scheduleMultiplier * weightDecay, momentum)
        for i in 0..<x.count {
            velocity[i] = b1 * velocity[i] + a * (g[i] + l2 * x[i])      // m ← β₁m + η_t α (g + λ'x)
            x[i] = x[i] - velocity[i] - decay * x[i]                     // x ← x − m − η_t λ x
        }
    }

    public mutating func reset() { velocity = [] }
}

/// Adam with decoupled weight decay in the paper's form, AdamW (Loshchilov & Hutter, 2019,
/// Algorithm 2), with learning rate α (`learningRate`), schedule multiplier η_t, decoupled weight
/// decay λ (`weightDecay`) and, for the paper's baseline "Adam with L2", a coupled coefficient λ' (`l2`):
///
///     g̃ = g + λ'·x                       (λ' = 0 for AdamW; λ = 0, λ' > 0 is "Adam + L2")
///     m, v: the moments of g̃ (`AdamMoments`), m̂ and v̂ bias-corrected
///     x ← x − η_t · ( α · m̂ / (√v̂ + δ) + λ·x )
///
/// The decay is multiplied by the schedule η_t but not by α. The type `AdamW` above is the form of
/// common libraries (PyTorch's torch.optim.AdamW), x ← x − η(m̂/(√v̂ + δ) + λx), where the one
/// learning rate η multiplies the decay too: it is this form with α = 1 and η_t = η.
public struct AdamWPaper: ScheduledOptimizer {
    public var learningRate: Double
    public var scheduleMultiplier: Double
    public var weightDecay: Double
    public var l2: Double
    public private(set) var moments: AdamMoments

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, l2: Double = 0, scheduleMultiplier: Double = 1) {
        self.learningRate = learningRate; self.weightDecay = weightDecay; self.l2 = l2
        self.scheduleMultiplier = scheduleMultiplier
        moments = AdamMoments(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var name: String { weightDecay == 0 && l2 > 0 ? "Adam + L2" : "AdamW" }

    public mutating func step(_ x: inout [Double], gradient g: [Double]) {
        precondition(x.count == g.count, "AdamWPaper: x and gradient differ in length")
        moments.beginStep(x.count, "AdamWPaper")
        let (eta, alpha, lambda) = (scheduleMultiplier, learningRate, weightDecay)
        for i in 0..<x.count {
            let (mHat, denominator) = moments.update(i, g[i] + l2 * x[i])
            x[i] -= eta * (alpha * mHat / denominator + lambda * x[i])   // x ← x − η_t(α m̂/(√v̂+δ) + λx)
        }
    }

    public mutating func reset() { moments.reset() }
}
