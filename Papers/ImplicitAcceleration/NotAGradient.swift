import Foundation
import Numerics
import Notebook

/// Experiment 3: the end-to-end update field has a non-zero circulation, so it is no gradient.
enum NotAGradient {
    /// One field's circulation around the circle, at two resolutions, and by Stokes' theorem.
    struct Loop {
        var depth: Int, p: Int
        var circulation: Double        // trapezoid rule, 2M points
        var coarse: Double             // trapezoid rule, M points
        var roundOff: Double           // 64 ε Σ |terms|: a bound on the summation error
        var stokes: Double             // ∬ curl over the disk (Gauss–Legendre in r, trapezoid in θ, central differences)
        var errorEstimate: Double { abs(circulation - coarse) + roundOff }
        var ratio: Double { abs(circulation) / errorEstimate }
    }

    struct Evidence {
        var depth2: Loop, depth3: Loop, gradient: Loop     // ℓ₄; the last is N = 1, a true gradient
    }

    static func claim(_ e: Evidence) -> Claim {
        let stokesGap = max(abs(e.depth2.stokes / e.depth2.circulation - 1), abs(e.depth3.stokes / e.depth3.circulation - 1))
        return Claim(
            id: "C3",
            statement: "For depth N ≥ 2 the end-to-end update is not the gradient of any function: no regularizer reproduces it (Thm 2).",
            checks: [
                Check("|circulation| / error estimate, N = 2", measured: e.depth2.ratio, .greaterThan(100), format: "%.3g"),
                Check("|circulation| / error estimate, N = 3", measured: e.depth3.ratio, .greaterThan(100), format: "%.3g"),
                Check("Stokes' surface integral vs circulation, relative gap", measured: stokesGap, .atMost(1e-5), format: "%.1e"),
                Check("|circulation| / error estimate, N = 1 (a gradient field)", measured: e.gradient.ratio, .atMost(1), format: "%.2g"),
            ],
            failsIf: "for N = 2 or 3 the circulation is not 100x above its quadrature and round-off error, Stokes' theorem disagrees by more than 1e-5, or the N = 1 control (a true gradient) shows a circulation above its error estimate",
            note: "One circle in one random plane through the ℓ₄ optimum of the first synthetic problem of experiment 2.")
    }

    //: begin field
    /// The update direction of depth N at w: F(w) = ||w||^{2−2/N}(∇L + (N−1)(ŵᵀ∇L)ŵ); GD moves by −ηF.
    static func field(_ problem: LpRegression, _ w: [Double], depth: Int) -> [Double] {
        EndToEnd.vectorForm(w, gradient: problem.gradient(w), depth: depth)
    }

    /// ∮ F·dγ on γ(θ) = c + ρ(cos θ u + sin θ v) by the trapezoid rule with m points (and Σ|terms|).
    static func circulation(_ problem: LpRegression, depth: Int, center: [Double], u: [Double], v: [Double], radius: Double,
                            points m: Int) -> (value: Double, absolute: Double)
    {
        var sum = 0.0, absolute = 0.0
        for k in 0..<m {
            let theta = 2 * Double.pi * Double(k) / Double(m)
            let (c, s) = (cos(theta), sin(theta))
            let w = (0..<center.count).map { center[$0] + radius * (c * u[$0] + s * v[$0]) }
            let tangent = (0..<center.count).map { radius * (-s * u[$0] + c * v[$0]) }
            let term = Vector.dot(field(problem, w, depth: depth), tangent) * 2 * Double.pi / Double(m)
            sum += term; absolute += abs(term)
        }
        return (sum, absolute)
    }
    //: end field

    /// Gauss–Legendre nodes and weights on [−1, 1] (Golub–Welsch: the eigenvalues of the Jacobi matrix).
    static func gaussLegendre(_ k: Int) throws -> (nodes: [Double], weights: [Double]) {
        var j = Matrix.zeros(k, k)
        for i in 1..<k { let b = Double(i) / (4 * Double(i * i) - 1).squareRoot(); j[i, i - 1] = b; j[i - 1, i] = b }
        let e = try symmetricEigen(j)
        return (e.values, (0..<k).map { 2 * e.vectors[0, $0] * e.vectors[0, $0] })
    }

    /// ∬_disk (∂_s F_v − ∂_t F_u) ds dt in the plane's coordinates (s, t), polar quadrature.
    static func stokes(_ problem: LpRegression, depth: Int, center: [Double], u: [Double], v: [Double], radius: Double,
                       radial: Int, angular: Int) throws -> Double
    {
        let (nodes, weights) = try gaussLegendre(radial)
        let h = 1e-4 * radius
        func f(_ s: Double, _ t: Double) -> (Double, Double) {
            let w = (0..<center.count).map { center[$0] + s * u[$0] + t * v[$0] }
            let F = field(problem, w, depth: depth)
            return (Vector.dot(F, u), Vector.dot(F, v))
        }
        var total = 0.0
        for (x, wr) in zip(nodes, weights) {
            let r = radius * (x + 1) / 2
            var ring = 0.0
            for k in 0..<angular {
                let theta = 2 * Double.pi * Double(k) / Double(angular)
                let (s, t) = (r * cos(theta), r * sin(theta))
                let dFv = (f(s + h, t).1 - f(s - h, t).1) / (2 * h), dFu = (f(s, t + h).0 - f(s, t - h).0) / (2 * h)
                ring += dFv - dFu
            }
            total += wr * (radius / 2) * r * ring * 2 * Double.pi / Double(angular)
        }
        return total
    }

    /*: loop
     **Claim 3 (not a regularizer).** A vector field is a gradient only if its circulation around
     every closed loop is zero. We take the direction of the depth-N update at one output,
     F(w) = ||w||^{2−2/N}(∇L(w) + (N−1)(ŵᵀ∇L)ŵ), on the ℓ₄ problem of experiment 2, and integrate
     F·dγ around a circle of radius ||w*||/2 centered at the optimum w*, in a random two-dimensional
     plane. The integrand is smooth and periodic, so the trapezoid rule converges fast; we estimate
     its error as the change from M to 2M points plus a bound 64·ε·Σ|terms| on the summation
     round-off. The circulation passes if it is more than 100 times that estimate for N = 2 and
     N = 3. Two independent checks: Stokes' theorem (the same number as the integral of the curl of
     F over the disk, by central differences and a Gauss–Legendre × trapezoid rule, must agree to
     1e-5), and the control N = 1, where F is the gradient itself: its circulation must stay within
     its own error estimate.
     */
    static func run(_ c: ImplicitAcceleration.Config, problems: [LpRegression], optima: [[Double]], seed: UInt64,
                    report: Report) throws -> Evidence
    {
        report.section("Experiment 3: the update is not a gradient")
        report.literate("loop")
        report.code("field")
        var rng = RandomSource.stream(seed: seed, ImplicitAcceleration.Stream.plane)
        let d = problems[0].d
        let a = rng.normalVector(d)
        let u = a.map { $0 / Vector.norm(a) }
        var b = rng.normalVector(d)
        let along = Vector.dot(b, u)
        b = zip(b, u).map { $0 - along * $1 }
        let v = b.map { $0 / Vector.norm(b) }
        var loops: [Loop] = []
        for (pi, problem) in problems.enumerated() {
            let center = optima[pi], radius = Vector.norm(center) / 2
            for depth in [2, 3, 1] {
                let fine = circulation(problem, depth: depth, center: center, u: u, v: v, radius: radius, points: 2 * c.loopPoints)
                let coarse = circulation(problem, depth: depth, center: center, u: u, v: v, radius: radius, points: c.loopPoints)
                let surface = try stokes(problem, depth: depth, center: center, u: u, v: v, radius: radius,
                                         radial: c.stokesRadial, angular: c.stokesAngular)
                loops.append(Loop(depth: depth, p: problem.p, circulation: fine.value, coarse: coarse.value,
                                  roundOff: 64 * Double.ulpOfOne * fine.absolute, stokes: surface))
            }
        }
        func loop(_ p: Int, _ n: Int) -> Loop { loops.first { $0.p == p && $0.depth == n }! }
        let e = Evidence(depth2: loop(4, 2), depth3: loop(4, 3), gradient: loop(4, 1))
        report.claim(claim(e))
        report.table(["loss", "N", "circulation (2M points)", "M points", "error estimate", "|circulation| / error", "Stokes' surface integral"],
                     loops.map { l in ["ℓ\(l.p == 4 ? "₄" : "₂")", "\(l.depth)", Fmt.sci(l.circulation, 6), Fmt.sci(l.coarse, 6),
                                       Fmt.sci(l.errorEstimate), Fmt.sci(l.ratio), Fmt.sci(l.stokes, 6)] },
                     caption: "M = \(c.loopPoints); the circle has radius ||w*||/2 around the optimum w* of each loss. The ℓ₂ rows are shown for comparison and are not part of the checks.")
        let l2 = loops.filter { $0.p == 2 && $0.depth >= 2 }
        report.discussion("""
        **The circulation.** Around the same circle the ℓ₄ field of depth 2 circulates \(Fmt.sci(e.depth2.circulation, 3)) and that of depth 3 \
        \(Fmt.sci(e.depth3.circulation, 3)), \(Fmt.sci(e.depth2.ratio)) and \(Fmt.sci(e.depth3.ratio)) times their error \
        estimates; the gradient field itself (N = 1) circulates \(Fmt.sci(e.gradient.circulation, 2)), \
        \(Fmt.g(e.gradient.ratio, 2)) times its estimate. On the ℓ₂ loss the depth-2 and depth-3 circulations are \
        \(Fmt.list(l2.map(\.circulation)) { Fmt.sci($0, 3) }), \(Fmt.list(l2.map(\.ratio)) { Fmt.sci($0) }) times their \
        estimates. One loop with a non-zero circulation already rules out a potential for the field; the paper's Theorem 2 proves the general statement.
        """)
        return e
    }
}
