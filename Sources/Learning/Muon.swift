import Foundation
import Numerics

// Muon and spectral weight constraints on matrix parameters.
//
// Steepest descent under the spectral norm moves a weight matrix along the semi-orthogonal factor
// U Vᵀ of its gradient G = U Σ Vᵀ (Bernstein & Newhouse, "Old Optimizer, New Norm", 2024). Muon
// (Jordan et al. 2024) applies that map to a momentum of the gradient, computing U Vᵀ approximately
// by a Newton–Schulz iteration: odd matrix polynomials that act on each singular value separately.
// The constraints below (Newhouse et al., "Training Transformers with Enforced Lipschitz
// Constants", 2025) keep the spectral norm of a weight matrix under a chosen bound after each step,
// so that the product of the layers' norms certifies a Lipschitz bound of the network.

/// One step of an odd matrix polynomial X ← a X + b X XᵀX + c X (XᵀX)², which maps each singular
/// value σ of X to a σ + b σ³ + c σ⁵ and leaves the singular vectors unchanged.
public struct OddPolynomialStep: Sendable, Equatable {
    public var a: Double, b: Double, c: Double
    public init(_ a: Double, _ b: Double, _ c: Double) { self.a = a; self.b = b; self.c = c }
    /// The map on one singular value.
    @inline(__always) public func callAsFunction(_ s: Double) -> Double { let s2 = s * s; return s * (a + s2 * (b + c * s2)) }
}

/// Newton–Schulz orthogonalization: X₀ = G / ||G||_F (every singular value in (0, 1]), then a fixed
/// sequence of odd polynomial steps that push the singular values toward 1. The result is
/// U p(Σ/||G||_F) Vᵀ with p the composition of the steps; it approaches U Vᵀ only as far as p(σ)
/// approaches 1 on the singular values present.
public struct NewtonSchulz: Sendable, Equatable {
    public var steps: [OddPolynomialStep]
    public init(steps: [OddPolynomialStep]) { self.steps = steps }

    /// The public Muon quintic: (3.4445, −4.7750, 2.0315) five times (Jordan et al. 2024). Chosen for a
    /// steep slope at zero, it leaves singular values spread over roughly [0.7, 1.2], not at 1.
    public static let muonQuintic = NewtonSchulz(steps: Array(repeating: OddPolynomialStep(3.4445, -4.7750, 2.0315), count: 5))

    /// The six steps of `orthogonalize` in the code of Newhouse et al. 2025 (modula/atom.py of
    /// phess2/lipschitz-transformers), coefficients in units of 1/1024.
    public static let lipschitzTransformers: NewtonSchulz = {
        let units: [(Double, Double, Double)] = [
            (3955, -8306, 5008), (3735, -6681, 3463), (3799, -6499, 3211),
            (4019, -6385, 2906), (2677, -3029, 1162), (2172, -1833, 682),
        ]
        return NewtonSchulz(steps: units.map { OddPolynomialStep($0.0 / 1024, $0.1 / 1024, $0.2 / 1024) })
    }()

    /// The classical cubic Newton–Schulz step (3/2, −1/2, 0), repeated: it converges to exactly 1 on
    /// (0, √3) but slowly for small singular values.
    public static func cubic(iterations: Int) -> NewtonSchulz {
        NewtonSchulz(steps: Array(repeating: OddPolynomialStep(1.5, -0.5, 0), count: iterations))
    }

    /// The composite polynomial on one singular value of G / ||G||_F, after each step (count = steps).
    public func trajectory(_ s: Double) -> [Double] {
        var x = s
        return steps.map { x = $0(x); return x }
    }

    /// Orthogonalizes `g` approximately. `observe(k, X_k)` sees the iterate after step k (1-based).
    /// The Gram matrix is formed on the smaller side (XᵀX for a tall X, X Xᵀ for a wide one).
    /// A zero matrix is returned unchanged.
    public func orthogonalize(_ g: Matrix, observe: ((Int, Matrix) -> Void)? = nil) -> Matrix {
        let norm = g.frobeniusNorm
        guard norm > 0 else { return g }
        var x = g / norm
        let tall = g.rows >= g.cols
        for (k, s) in steps.enumerated() {
            let gramian = tall ? matmul(x, x, transA: true) : matmul(x, x, transB: true)
            var poly = s.c * matmul(gramian, gramian)
            poly.addScaled(gramian, s.b)
            for i in 0..<poly.rows { poly.storage[i * poly.cols + i] += s.a }
            x = tall ? matmul(x, poly) : matmul(poly, x)
            observe?(k + 1, x)
        }
        return x
    }
}

/// Exact spectral maps through the SVD.
public enum Spectral {
    /// The semi-orthogonal polar factor U Vᵀ of G = U Σ Vᵀ (thin SVD): the steepest-descent direction
    /// of the spectral norm, argmax of ⟨G, D⟩ over ||D||₂ ≤ 1. Zero singular values are kept as zero.
    public static func polarFactor(_ g: Matrix) throws -> Matrix {
        let f = try SVD(g)
        let tol = Double(Swift.max(g.rows, g.cols)) * Double.ulpOfOne * (f.singularValues.first ?? 0)
        return reassemble(f, f.singularValues.map { $0 > tol ? 1 : 0 })
    }

    /// U diag(d) Vᵀ from a thin SVD.
    public static func reassemble(_ f: SVD, _ d: [Double]) -> Matrix {
        var ud = f.u
        let p = d.count
        for i in 0..<ud.rows { for j in 0..<p { ud.storage[i * p + j] *= d[j] } }
        return matmul(ud, f.v, transB: true)
    }

    /// The largest singular value σ₁ (exact, from the singular values).
    public static func norm(_ w: Matrix) throws -> Double { try singularValues(w).first ?? 0 }
}

/// Spectral weight constraints: maps applied to a weight matrix after each optimizer step so that
/// its spectral norm stays at or under `maxNorm` (the bound w_max of Newhouse et al. 2025).
public enum SpectralConstraint: Sendable, Equatable {
    /// No projection (weight decay, if any, lives in the optimizer).
    case none
    /// Spectral normalization: W / max(1, σ₁ / w_max). Shrinks every singular value by one factor.
    case normalize(maxNorm: Double)
    /// Hard cap: clips every singular value at w_max, U min(Σ, w_max) Vᵀ, exactly through the SVD (the
    /// map the authors approximate by an odd polynomial, `hardCapPolynomial`).
    case hardCap(maxNorm: Double)
    /// Spectral hammer: sets σ₁ to w_max by a rank-one correction, W + (w_max − σ₁) u₁ v₁ᵀ; the other
    /// singular values are left alone (so it caps only when σ₂ ≤ w_max).
    case hammer(maxNorm: Double)
    /// Soft cap: the two-step polynomial W ← W − α W WᵀW, then W ← W + α W WᵀW, with α from
    /// `softCapStrength(maxNorm:reach:)` for the largest singular value the last step can have reached.
    case softCap(maxNorm: Double)

    /// Applies the constraint. `reach` (soft cap only) bounds σ₁ of `w`, e.g. w_max·(1 − decay) plus
    /// the spectral norm of the step just taken; the soft cap maps [0, reach] into [0, w_max].
    public func apply(_ w: Matrix, reach: Double = .nan) throws -> Matrix {
        switch self {
        case .none: return w
        case .normalize(let m):
            let s = try Spectral.norm(w)
            return s > m ? w * (m / s) : w
        case .hardCap(let m):
            let f = try SVD(w)
            guard (f.singularValues.first ?? 0) > m else { return w }
            return Spectral.reassemble(f, f.singularValues.map { Swift.min($0, m) })
        case .hammer(let m):
            let f = try SVD(w)
            guard let s1 = f.singularValues.first else { return w }
            var out = w
            let u = f.u.column(0), v = f.v.column(0)
            for i in 0..<w.rows { for j in 0..<w.cols { out.storage[i * w.cols + j] += (m - s1) * u[i] * v[j] } }
            return out
        case .softCap(let m):
            precondition(reach.isFinite, "SpectralConstraint.softCap: pass the reach of the last step")
            let alpha = Self.softCapStrength(maxNorm: m, reach: reach)
            return alpha > 0 ? Self.softCap(w, alpha: alpha) : w
        }
    }

    /// The soft cap's two steps with strength α: σ ↦ g = σ − α σ³, then g ↦ g + α g³.
    public static func softCap(_ w: Matrix, alpha: Double) -> Matrix {
        var x = w
        for sign in [-1.0, 1.0] {
            let tall = x.rows >= x.cols
            let gramian = tall ? matmul(x, x, transA: true) : matmul(x, x, transB: true)
            let cube = tall ? matmul(x, gramian) : matmul(gramian, x)
            x.addScaled(cube, sign * alpha)
        }
        return x
    }

    /// The soft cap's map on one singular value.
    public static func softCapValue(_ s: Double, alpha: Double) -> Double {
        let g = s - alpha * s * s * s
        return g + alpha * g * g * g
    }

    /// The strength α at which the soft cap maps `reach` = k exactly to `maxNorm` = w (the coupling of
    /// Newhouse et al. 2025): with β = α k², f(k) = k (1 − 3β² + 3β³ − β⁴), decreasing in β on [0, 1],
    /// so β solves 1 − 3β² + 3β³ − β⁴ = w / k by bisection. Zero when k ≤ w (nothing to cap). The map is
    /// increasing on [0, k] (so it sends all of [0, k] into [0, w]) when w / k ≥ 0.77, i.e. β ≤ 0.33.
    public static func softCapStrength(maxNorm w: Double, reach k: Double) -> Double {
        guard k > w, w > 0 else { return 0 }
        let target = w / k
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            let b2 = mid * mid
            let h = 1 - 3 * b2 + 3 * b2 * mid - b2 * b2
            if h > target { lo = mid } else { hi = mid }
            if hi - lo <= 1e-16 { break }
        }
        return 0.5 * (lo + hi) / (k * k)
    }

    /// The authors' four-step odd polynomial approximation of min(1, σ) on the singular values (the
    /// "hard cap" of modula/atom.py in phess2/lipschitz-transformers), for a bound of 1.
    public static let hardCapPolynomial: [OddPolynomialStep] = [
        OddPolynomialStep(0.805032, 0.206361, -0.019763), OddPolynomialStep(0.649867, 0.162935, -0.011150),
        OddPolynomialStep(1.810259, -0.200265, 0.008251), OddPolynomialStep(1.004384, -0.183490, 0.014413),
    ]
}

/// Muon for one weight matrix (Jordan et al. 2024, in the form of Newhouse et al. 2025):
///
///     M ← β M + (1 − β) G                       (momentum; M₀ = 0)
///     W ← (1 − η λ) W − η √(fan-out / fan-in) · NS(M)
///
/// with NS a Newton–Schulz orthogonalization, so the step has spectral norm ≈ η √(fan-out/fan-in).
/// `step` returns the update it subtracted (before scaling by η), for callers that need its norm.
public struct Muon: Sendable {
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var newtonSchulz: NewtonSchulz
    public private(set) var buffer: Matrix?

    public init(learningRate: Double, momentum: Double = 0.95, weightDecay: Double = 0,
                newtonSchulz: NewtonSchulz = .lipschitzTransformers) {
        self.learningRate = learningRate; self.momentum = momentum; self.weightDecay = weightDecay
        self.newtonSchulz = newtonSchulz
    }

    @discardableResult
    public mutating func step(_ w: inout Matrix, gradient g: Matrix) -> Matrix {
        precondition(w.rows == g.rows && w.cols == g.cols, "Muon: weight and gradient differ in shape")
        var m = buffer ?? Matrix(rows: g.rows, cols: g.cols)
        m *= momentum
        m.addScaled(g, 1 - momentum)
        buffer = m
        let update = newtonSchulz.orthogonalize(m) * (Double(w.rows) / Double(w.cols)).squareRoot()
        if weightDecay != 0 { w *= (1 - learningRate * weightDecay) }
        w.addScaled(update, -learningRate)
        return update
    }

    public mutating func reset() { buffer = nil }
}
