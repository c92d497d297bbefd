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
        try quadratic.storage.withUnsafeBufferPointer { qp in
            let Q = qp.baseAddress!
            var scan = FrankWolfeScan.extremes(d, w)
            while true {
                let (low, high, s, v) = (scan.low, scan.high, scan.lowIndex, scan.highIndex)
                gap = 2 * (scan.dot - low)
                if !gap.isFinite { throw LinearAlgebraError.nonFiniteInput(routine: "SimplexQuadratic (iterate)") }
                if gap <= tolerance || iteration == maxIterations || v < 0 || v == s { break }
                iteration += 1
                // Move γ from v to s: f changes by 2γ(d_s − d_v) + γ²(Q_ss + Q_vv − 2Q_sv).
                let curvature = Q[s * n + s] + Q[v * n + v] - 2 * Q[s * n + v]
                let maxStep = w[v]
                let gamma = curvature > 0 ? Swift.min((high - low) / curvature, maxStep) : maxStep
                w[s] += gamma
                if gamma == maxStep { w[v] = 0 } else { w[v] -= gamma }
                if iteration % 5000 == 0 {
                    refresh()
                    scan = FrankWolfeScan.extremes(d, w)
                } else {
                    // d += γ(Q_s − Q_v) and the next step's scan (min over all dᵢ, max over the
                    // support, dᵀw), in one pass.
                    scan = d.withUnsafeMutableBufferPointer { dp in
                        w.withUnsafeBufferPointer { wp in
                            FrankWolfeScan.pass(dp.baseAddress!, wp.baseAddress!, n,
                                                update: (Q + s * n, Q + v * n, gamma))
                        }
                    }
                }
            }
        }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }   // remove the rounding drift of Σw = 1
        gap = Simplex.frankWolfeGap(point: w, gradient: gradient(w))
        return Solution(weights: w, value: value(w), gap: gap, iterations: iteration, converged: gap <= tolerance)
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
