import Foundation

// Optimization over the probability simplex Δₙ = {w ∈ ℝⁿ : w ≥ 0, Σ wᵢ = 1}: the exact Euclidean
// projection and a pairwise Frank–Wolfe solver for convex quadratics (kernel balancing weights, as
// in CBIPM), stopped on the Frank–Wolfe gap, a certificate that bounds f(w) − min f.

/// The probability simplex.
public enum Simplex {
    /// The Euclidean projection argmin_{w ∈ Δₙ} ||w − v||₂, by sorting (Held, Wolfe & Crowder 1974;
    /// Duchi et al. 2008): wᵢ = max(vᵢ − τ, 0) with τ chosen so that the result sums to one.
    public static func project(_ v: [Double]) -> [Double] {
        precondition(!v.isEmpty, "Simplex.project: empty vector")
        let u = v.sorted(by: >)
        var cumulative = 0.0, tau = 0.0
        for (k, uk) in u.enumerated() {
            cumulative += uk
            let t = (cumulative - 1) / Double(k + 1)
            if uk - t > 0 { tau = t } else { break }
        }
        return v.map { Swift.max($0 - tau, 0) }
    }

    /// The uniform point (1/n, …, 1/n).
    public static func uniform(_ n: Int) -> [Double] { [Double](repeating: 1 / Double(n), count: n) }

    /// The Frank–Wolfe gap gᵀw − minᵢ gᵢ of a point w with gradient g: for convex f it bounds
    /// f(w) − min_{Δ} f from above, and it is zero exactly at a minimizer.
    public static func frankWolfeGap(point w: [Double], gradient g: [Double]) -> Double {
        Vector.dot(g, w) - (g.min() ?? 0)
    }

    /// Q·w for a symmetric Q, as Σⱼ wⱼ Qⱼ (row axpys, skipping zero weights), on the calling thread:
    /// the solvers run inside a parallel loop over data sets, so their products stay serial.
    public static func symmetricProduct(_ q: Matrix, _ w: [Double]) -> [Double] {
        let n = w.count
        var y = [Double](repeating: 0, count: n)
        q.storage.withUnsafeBufferPointer { qp in
            y.withUnsafeMutableBufferPointer { yp in
                let Q = qp.baseAddress!, Y = yp.baseAddress!
                for j in 0..<n where w[j] != 0 {
                    let a = w[j], row = Q + j * n
                    for i in 0..<n { Y[i] += a * row[i] }
                }
            }
        }
        return y
    }
}

/// Minimizes the convex quadratic f(w) = wᵀQw − 2bᵀw over the simplex (Q symmetric positive
/// semi-definite), for example the squared MMD between reweighted and target samples, by the
/// pairwise Frank–Wolfe method (Lacoste-Julien & Jaggi 2015): each step moves mass from the
/// support point with the largest gradient to the point with the smallest, with the exact line
/// search of a quadratic, and keeps Qw − b up to date by two rows of Q, so a step costs O(n). It
/// stops when the Frank–Wolfe gap gᵀw − minᵢ gᵢ, which certifies f(w) − min f ≤ gap, is at most
/// `tolerance`.
public struct SimplexQuadratic: Sendable {
    public let quadratic: Matrix
    public let linear: [Double]

    public init(quadratic: Matrix, linear: [Double]) {
        precondition(quadratic.isSquare && quadratic.rows == linear.count, "SimplexQuadratic: Q must be n x n and b of length n")
        self.quadratic = quadratic
        self.linear = linear
    }

    /// The outcome of a solve.
    public struct Solution: Sendable {
        public let weights: [Double]
        /// f(weights) = wᵀQw − 2bᵀw.
        public let value: Double
        /// The Frank–Wolfe gap at `weights` (an upper bound on the suboptimality).
        public let gap: Double
        public let iterations: Int
        public let converged: Bool
    }

    public func value(_ w: [Double]) -> Double {
        Vector.dot(w, Simplex.symmetricProduct(quadratic, w)) - 2 * Vector.dot(linear, w)
    }

    /// ∇f(w) = 2(Qw − b).
    public func gradient(_ w: [Double]) -> [Double] {
        zip(Simplex.symmetricProduct(quadratic, w), linear).map { 2 * ($0 - $1) }
    }

    /// Pairwise Frank–Wolfe from `start` (default: the uniform weights) until the Frank–Wolfe gap is
    /// at most `tolerance` or `maxIterations` steps were taken (then `converged` is false).
    public func solve(start: [Double]? = nil, tolerance: Double, maxIterations: Int = 1_000_000) throws -> Solution {
        if quadratic.hasNonFinite || linear.contains(where: { !$0.isFinite }) {
            throw LinearAlgebraError.nonFiniteInput(routine: "SimplexQuadratic")
        }
        let n = linear.count
        var w = Simplex.project(start ?? Simplex.uniform(n))
        var gap = Double.infinity, iteration = 0
        // d = Qw − b, half the gradient; recomputed now and then so that rounding does not drift.
        var d = [Double](repeating: 0, count: n)
        func refresh() { d = zip(Simplex.symmetricProduct(quadratic, w), linear).map { $0 - $1 } }
        refresh()
        // The gap needs dᵀw, whose four-lane sum is a chain of n/4 dependent additions. Most steps
        // only need to know that the gap is above the tolerance, so dᵀw is carried along instead
        // (`GapCertificate`: O(1) per step, with a rigorous bound on its distance from the exact
        // sum), and the four-lane sum is formed only when that bound cannot settle the stopping
        // test. The steps, the stopping step and every bit of the result are those of forming the
        // sum at every step.
        let qMax = quadratic.maxAbs
        var certificate = GapCertificate(n: n, qMax: qMax, weightSum: w.reduce(0, +))
        try quadratic.storage.withUnsafeBufferPointer { qp in
            let Q = qp.baseAddress!
            var scan = FrankWolfeScan.extremes(d, w)
            var exact = true
            certificate.refresh(dot: scan.dot, dMax: Vector.normInf(d))
            while true {
                let (low, high, s, v) = (scan.low, scan.high, scan.lowIndex, scan.highIndex)
                if !exact && !certificate.gapExceeds(tolerance, low: low) {
                    // The bound cannot decide: form the four-lane sum (the bits of the fused scan).
                    scan = d.withUnsafeBufferPointer { dp in
                        w.withUnsafeBufferPointer { wp in
                            FrankWolfeScan.pass(UnsafeMutablePointer(mutating: dp.baseAddress!), wp.baseAddress!, n, update: nil)
                        }
                    }
                    exact = true
                    certificate.reset(dot: scan.dot, dMax: certificate.dMax)
                }
                if exact {
                    gap = 2 * (scan.dot - low)
                    if !gap.isFinite { throw LinearAlgebraError.nonFiniteInput(routine: "SimplexQuadratic (iterate)") }
                    if gap <= tolerance { break }
                }
                if iteration == maxIterations || v < 0 || v == s { break }
                iteration += 1
                // Move γ from v to s: f changes by 2γ(d_s − d_v) + γ²(Q_ss + Q_vv − 2Q_sv).
                let curvature = Q[s * n + s] + Q[v * n + v] - 2 * Q[s * n + v]
                let maxStep = w[v]
                let gamma = curvature > 0 ? Swift.min((high - low) / curvature, maxStep) : maxStep
                let before = (ds: d[s], dv: d[v], ws: w[s], wv: w[v])
                w[s] += gamma
                if gamma == maxStep { w[v] = 0 } else { w[v] -= gamma }
                if iteration % 5000 == 0 {
                    refresh()
                    scan = FrankWolfeScan.extremes(d, w)
                    exact = true
                    certificate.refresh(dot: scan.dot, dMax: Vector.normInf(d))
                } else {
                    // d += γ(Q_s − Q_v) and the next step's extremes, in one pass.
                    let (extremes, top, finite) = d.withUnsafeMutableBufferPointer { dp in
                        w.withUnsafeBufferPointer { wp in
                            FrankWolfeScan.updateExtremes(dp.baseAddress!, wp.baseAddress!, n,
                                                          update: (Q + s * n, Q + v * n, gamma))
                        }
                    }
                    scan = extremes
                    exact = false
                    certificate.step(gamma: gamma, before: before, after: (ds: d[s], dv: d[v], ws: w[s], wv: w[v]),
                                     linear: (linear[s], linear[v]),
                                     dMax: finite ? Swift.max(abs(extremes.low), abs(top)) : .infinity)
                }
            }
        }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }   // remove the rounding drift of Σw = 1
        gap = Simplex.frankWolfeGap(point: w, gradient: gradient(w))
        return Solution(weights: w, value: value(w), gap: gap, iterations: iteration, converged: gap <= tolerance)
    }
}

/// dᵀw carried from step to step of the pairwise Frank–Wolfe method, with a bound on its distance
/// from the exact sum, so that most steps can prove the gap 2(dᵀw − min d) above the tolerance
/// without forming the sum. With T = Σ dᵢwᵢ (exact real arithmetic on the stored d and w):
///
/// - a step moves γ from v to s and adds γ(Q_s − Q_v) to d, so
///   T' − T = γ((Qw)_s − (Qw)_v) + Σ ρᵢwᵢ + d'_s(w'_s − w_s) + d'_v(w'_v − w_v),
///   where ρᵢ is the rounding of the update of dᵢ (|ρᵢ| ≤ 3u γ|Q_si − Q_vi| + u|dᵢ|) and
///   (Qw)_s = d_s + b_s up to the drift of d from Qw − b, bounded by `drift`;
/// - `drift` grows each step by the update's rounding and by the rounding of w'_s = w_s + γ and
///   w'_v = w_v − γ (d is updated by γ, w by the rounded difference), and is reset on a refresh
///   to the rounding of Qw − b;
/// - the computed four-lane sum is within (n/4 + 6) u Σ|dᵢwᵢ| of T.
/// Every bound uses ε = 2u and is inflated a little for its own rounding. The bound only decides
/// when the sum is formed; the stopping test itself is always the exact one or a certified one.
struct GapCertificate {
    let n: Int, qMax: Double
    /// An upper bound on Σ wᵢ (it drifts from 1 by rounding).
    var weightSum: Double
    /// The carried dᵀw and a bound on |approximation − T|.
    var approximation = 0.0, error = 0.0
    /// A bound on |dᵢ − ((Qw)ᵢ − bᵢ)| over all i.
    var drift = 0.0
    /// An upper bound on max |dᵢ| over all i, for the current d.
    var dMax = 0.0
    static let eps = Double.ulpOfOne

    init(n: Int, qMax: Double, weightSum: Double) {
        self.n = n
        self.qMax = qMax
        self.weightSum = weightSum * (1 + Double(n + 2) * GapCertificate.eps)
    }

    /// The rounding bound of the computed four-lane sum against T.
    var sumBound: Double { (Double(n) / 4 + 6) * GapCertificate.eps * dMax * weightSum * 1.01 }

    /// After the sum was formed exactly (d unchanged).
    mutating func reset(dot: Double, dMax: Double) {
        self.dMax = dMax
        approximation = dot
        error = sumBound
    }

    /// After a step whose d was recomputed as Qw − b, and the sum formed.
    mutating func refresh(dot: Double, dMax: Double) {
        weightSum *= 1 + 4 * GapCertificate.eps      // the step's update of w
        drift = (Double(n + 2) * GapCertificate.eps * qMax * weightSum + GapCertificate.eps * dMax) * 1.01
        reset(dot: dot, dMax: dMax)
    }

    /// Carries the sum across one step (`before` and `after` hold d_s, d_v, w_s, w_v around it).
    mutating func step(gamma: Double, before: (ds: Double, dv: Double, ws: Double, wv: Double),
                       after: (ds: Double, dv: Double, ws: Double, wv: Double),
                       linear: (Double, Double), dMax newDMax: Double) {
        let eps = GapCertificate.eps
        let moved = gamma * ((before.ds + linear.0) - (before.dv + linear.1))
        let changeS = after.ds * (after.ws - before.ws), changeV = after.dv * (after.wv - before.wv)
        let next = approximation + moved + changeS + changeV
        let updateRounding = 3 * eps * gamma * 2 * qMax + eps * dMax
        let evaluation = 8 * eps * (abs(approximation) + gamma * (abs(before.ds) + abs(linear.0) + abs(before.dv) + abs(linear.1))
                                    + abs(after.ds) * (after.ws + before.ws) + abs(after.dv) * (after.wv + before.wv))
        error = (error + 2 * gamma * drift + weightSum * updateRounding + evaluation) * (1 + 8 * eps)
        drift = (drift + updateRounding + qMax * eps * (after.ws + after.wv)) * (1 + 8 * eps)
        weightSum *= 1 + 4 * eps
        approximation = next
        dMax = newDMax
    }

    /// Whether the gap 2(S − low) that the four-lane sum S would give is certainly above `tolerance`.
    func gapExceeds(_ tolerance: Double, low: Double) -> Bool {
        guard approximation.isFinite, error.isFinite, dMax < 1e300, low.isFinite else { return false }
        let margin = error + sumBound
        // A lower bound on S − low: `slack` covers the rounding of this very expression.
        let slack = 4 * GapCertificate.eps * (abs(approximation) + abs(low) + margin)
        let halfGapBelow = ((approximation - low) - margin) - slack
        return halfGapBelow > 0 && 2 * halfGapBelow * (1 - 4 * GapCertificate.eps) > tolerance
    }
}

/// The scan of one Frank–Wolfe step, optionally fused with the update of d that precedes it: four
/// SIMD lanes, lane k taking the indices i ≡ k (mod 4) (the last n mod 4 go to lane 0), each keeping
/// its minimum and maximum with their first index and its own partial sum of dᵢwᵢ; the lanes are
/// merged as (0 + 1) + (2 + 3). The fused pass gives the same bits as the update followed by the scan.
public enum FrankWolfeScan {
    public struct Extremes {
        /// minᵢ dᵢ and its first index.
        public var low: Double, lowIndex: Int
        /// max of dᵢ over wᵢ > 0 (−∞ if none) and its first index (−1 if none).
        public var high: Double, highIndex: Int
        /// Σ dᵢwᵢ (NaN if d has a NaN).
        public var dot: Double
    }

    private struct Lane {
        var low = Double.infinity, lowIndex = Int.max
        var high = -Double.infinity, highIndex = Int.max
        var dot = 0.0

        @inline(__always) mutating func take(_ d: Double, _ w: Double, _ i: Int) {
            if d < low { low = d; lowIndex = i }
            if w > 0 && d > high { high = d; highIndex = i }
            dot += d * w
        }

        /// Merges two lanes; ties go to the smaller index, so the result is the first extreme.
        static func merge(_ a: Lane, _ b: Lane) -> Lane {
            var m = a
            if b.low < a.low || (b.low == a.low && b.lowIndex < a.lowIndex) { m.low = b.low; m.lowIndex = b.lowIndex }
            if b.high > a.high || (b.high == a.high && b.highIndex < a.highIndex) { m.high = b.high; m.highIndex = b.highIndex }
            m.dot = a.dot + b.dot
            return m
        }
    }

    /// dᵢ += γ(aᵢ − bᵢ) in place, then the extremes of d (as in `pass`, without the sum), the
    /// largest dᵢ over all i, and whether every dᵢ is finite. Eight lanes; the extremes with their
    /// first indices do not depend on the lanes.
    public static func updateExtremes(_ D: UnsafeMutablePointer<Double>, _ W: UnsafePointer<Double>, _ n: Int,
                                      update: (UnsafePointer<Double>, UnsafePointer<Double>, Double))
        -> (extremes: Extremes, top: Double, finite: Bool) {
        typealias V = SIMD8<Double>
        let (a, b, gamma) = update
        var low = V(repeating: .infinity), high = V(repeating: -.infinity), top = V(repeating: -.infinity)
        var lowIndex = SIMD8<Int64>(repeating: .max), highIndex = SIMD8<Int64>(repeating: .max)
        var nonFinite = SIMD8<Int64>()
        var index = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7)
        let g = V(repeating: gamma), unsupported = V(repeating: -.infinity), infinity = V(repeating: .infinity)
        var i = 0
        while i + 8 <= n {
            var d = UnsafeRawPointer(D + i).loadUnaligned(as: V.self)
            let ra = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
            let rb = UnsafeRawPointer(b + i).loadUnaligned(as: V.self)
            d += g * (ra - rb)
            UnsafeMutableRawPointer(D + i).storeBytes(of: d, as: V.self)
            let w = UnsafeRawPointer(W + i).loadUnaligned(as: V.self)
            let lower = d .< low
            lowIndex.replace(with: index, where: lower)
            low.replace(with: d, where: lower)
            let support = unsupported.replacing(with: d, where: w .> V())
            let higher = support .> high
            highIndex.replace(with: index, where: higher)
            high.replace(with: support, where: higher)
            top.replace(with: d, where: d .> top)
            nonFinite.replace(with: 1, where: .!((d .< infinity) .& (d .> -infinity)))
            index &+= 8
            i += 8
        }
        var l = Double.infinity, li = Int.max, h = -Double.infinity, hi = Int.max, t = -Double.infinity
        var finite = nonFinite.wrappedSum() == 0
        for k in 0..<8 {
            if low[k] < l || (low[k] == l && Int(lowIndex[k]) < li) { l = low[k]; li = Int(lowIndex[k]) }
            if high[k] > h || (high[k] == h && Int(highIndex[k]) < hi) { h = high[k]; hi = Int(highIndex[k]) }
            t = Swift.max(t, top[k])
        }
        while i < n {
            D[i] += gamma * (a[i] - b[i])
            let d = D[i]
            if d < l { l = d; li = i }
            if W[i] > 0 && d > h { h = d; hi = i }
            if d > t { t = d }
            if !d.isFinite { finite = false }
            i += 1
        }
        return (Extremes(low: l, lowIndex: li == .max ? -1 : li, high: h, highIndex: hi == .max ? -1 : hi, dot: .nan),
                t, finite)
    }

    public static func extremes(_ d: [Double], _ w: [Double]) -> Extremes {
        var d = d
        let n = d.count
        return d.withUnsafeMutableBufferPointer { dp in
            w.withUnsafeBufferPointer { wp in pass(dp.baseAddress!, wp.baseAddress!, n, update: nil) }
        }
    }

    /// If `update` = (a, b, γ), first dᵢ += γ(aᵢ − bᵢ) in place; then the scan of d.
    @inline(__always)
    public static func pass(_ D: UnsafeMutablePointer<Double>, _ W: UnsafePointer<Double>, _ n: Int,
                     update: (UnsafePointer<Double>, UnsafePointer<Double>, Double)?) -> Extremes {
        typealias V = SIMD4<Double>
        var low = V(repeating: .infinity), high = V(repeating: -.infinity), dot = V()
        var lowIndex = SIMD4<Int64>(repeating: .max), highIndex = SIMD4<Int64>(repeating: .max)
        var index = SIMD4<Int64>(0, 1, 2, 3)
        let unsupported = V(repeating: -.infinity)
        var i = 0
        while i + 4 <= n {
            var d = UnsafeRawPointer(D + i).loadUnaligned(as: V.self)
            if let (a, b, gamma) = update {
                let ra = UnsafeRawPointer(a + i).loadUnaligned(as: V.self)
                let rb = UnsafeRawPointer(b + i).loadUnaligned(as: V.self)
                d += V(repeating: gamma) * (ra - rb)
                UnsafeMutableRawPointer(D + i).storeBytes(of: d, as: V.self)
            }
            let w = UnsafeRawPointer(W + i).loadUnaligned(as: V.self)
            // Each running extreme is a select against its own old value (a min or max instruction),
            // and the masks for the indices come from the old values, off that chain: the loop then
            // waits only on the dot's additions (twice as fast as a compare-and-blend chain).
            let lower = d .< low
            lowIndex.replace(with: index, where: lower)
            low.replace(with: d, where: lower)
            let support = unsupported.replacing(with: d, where: w .> V())   // −∞ where wᵢ = 0
            let higher = support .> high
            highIndex.replace(with: index, where: higher)
            high.replace(with: support, where: higher)
            dot += d * w
            index &+= 4
            i += 4
        }
        var lanes = (0..<4).map { k in
            Lane(low: low[k], lowIndex: Int(lowIndex[k]), high: high[k], highIndex: Int(highIndex[k]), dot: dot[k])
        }
        while i < n {
            if let (a, b, gamma) = update { D[i] += gamma * (a[i] - b[i]) }
            lanes[0].take(D[i], W[i], i)
            i += 1
        }
        let lane = Lane.merge(Lane.merge(lanes[0], lanes[1]), Lane.merge(lanes[2], lanes[3]))
        return Extremes(low: lane.low, lowIndex: lane.lowIndex == Int.max ? -1 : lane.lowIndex,
                        high: lane.high, highIndex: lane.highIndex == Int.max ? -1 : lane.highIndex, dot: lane.dot)
    }
}
