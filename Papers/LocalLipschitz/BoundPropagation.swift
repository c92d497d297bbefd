import Foundation
import Numerics
import Learning
import Notebook

/// A linear bound v ≤ a·y + b·z + c (or ≥) on the product v = y·σ'(z).
struct Plane {
    var a: Double, b: Double, c: Double
    func value(_ y: Double, _ z: Double) -> Double { a * y + b * z + c }
}

extension Lipschitz {
    // MARK: - Ours: linear bound propagation through the backward graph

    /*: relaxation
     **Linear relaxation of the Clarke-gradient product.** The only nonlinear node of the backward
     graph besides the norm is v = y·σ'(z) with y ∈ [y̲, ȳ] (a backward node) and z ∈ [l, u] (a
     forward pre-activation). Stable neurons make it linear (v = y or v = 0). For an unstable neuron
     (l < 0 < u) write s = σ'(z) ∈ [0, 1]. The step function is bounded by lines through its corner:

         lower:  s ≥ 0   or   s ≥ z/u;          upper:  s ≤ 1   or   s ≤ 1 − z/l,

     (the two extreme tangents of its convex hull on [l, u], valid at z = 0 for every s ∈ [0, 1]), and
     the bilinear product by the McCormick planes,

         y s ≤ ȳ s,   y s ≤ y + y̲ (s − 1),   y s ≥ y̲ s,   y s ≥ y + ȳ (s − 1).

     Substituting into each McCormick plane the bound on s that keeps it valid (an upper bound on s
     where s has a positive coefficient, a lower one otherwise) gives four candidate upper and four
     lower planes in (y, z). When y can take both signs we add the convex combination of the two
     McCormick planes in which s cancels: v ≤ ȳ(y − y̲)/(ȳ − y̲) and v ≥ y̲(ȳ − y)/(ȳ − y̲), the chords of
     max(0, y) and min(0, y) — the tightest planes that ignore z (intervals can only say
     v ∈ [y̲, ȳ], a box). Of the candidates we start from the upper (lower) plane lowest (highest) at the
     center of the box [y̲, ȳ]×[l, u], i.e. the one enclosing the least volume. A z-term is later bounded
     through the forward network together with every other term; the y-terms carry the linear
     dependence between the layers of the backward graph that intervals drop.
     */
    static func productCandidates(y: Interval, z: Interval, phase: NeuronPhase) -> (uppers: [Plane], lowers: [Plane]) {
        switch phase {
        case .active: return ([Plane(a: 1, b: 0, c: 0)], [Plane(a: 1, b: 0, c: 0)])
        case .inactive: return ([Plane(a: 0, b: 0, c: 0)], [Plane(a: 0, b: 0, c: 0)])
        case .unstable: break
        }
        //: begin planes
        let (yl, yu, l, u) = (y.lower, y.upper, z.lower, z.upper)
        // s = σ'(z) ∈ [0, 1]: lower lines (b, c) meaning s ≥ b z + c, upper lines s ≤ b z + c.
        let sLower: [(Double, Double)] = [(0, 0), (1 / u, 0)]
        let sUpper: [(Double, Double)] = [(0, 1), (-1 / l, 1)]
        func sLines(_ coefficient: Double, upperSide: Bool) -> [(Double, Double)] {
            (coefficient >= 0) == upperSide ? sUpper : sLower
        }
        var uppers: [Plane] = [], lowers: [Plane] = []
        for (b, c) in sLines(yu, upperSide: true) { uppers.append(Plane(a: 0, b: yu * b, c: yu * c)) }                // v ≤ ȳ s
        for (b, c) in sLines(yl, upperSide: true) { uppers.append(Plane(a: 1, b: yl * b, c: yl * c - yl)) }           // v ≤ y + y̲(s − 1)
        for (b, c) in sLines(yl, upperSide: false) { lowers.append(Plane(a: 0, b: yl * b, c: yl * c)) }               // v ≥ y̲ s
        for (b, c) in sLines(yu, upperSide: false) { lowers.append(Plane(a: 1, b: yu * b, c: yu * c - yu)) }          // v ≥ y + ȳ(s − 1)
        if yl < 0 && yu > 0 {
            // The convex combinations of the two McCormick planes that cancel s: the chords of
            // max(0, y) and min(0, y) on [y̲, ȳ], the tightest planes that ignore z.
            uppers.append(Plane(a: yu / (yu - yl), b: 0, c: -yu * yl / (yu - yl)))
            lowers.append(Plane(a: -yl / (yu - yl), b: 0, c: yl * yu / (yu - yl)))
        }
        //: end planes
        return (uppers, lowers)
    }

    /// The least-volume choice among the candidates: the upper (lower) plane lowest (highest) at the
    /// center of the box [y̲, ȳ]×[l, u].
    static func productPlanes(y: Interval, z: Interval, phase: NeuronPhase) -> (upper: Plane, lower: Plane) {
        let (uppers, lowers) = productCandidates(y: y, z: z, phase: phase)
        //: begin least-volume
        let (yc, zc) = ((y.lower + y.upper) / 2, (z.lower + z.upper) / 2)
        let upper = uppers.min { $0.value(yc, zc) < $1.value(yc, zc) }!
        let lower = lowers.max { $0.value(yc, zc) < $1.value(yc, zc) }!
        //: end least-volume
        return (upper, lower)
    }

    /// Upper bounds over the box of S·y_k (one per row of S), by linear bound propagation through the
    /// backward graph above y_k and then through the forward network. `planes[m][i]` relax v_m,i.
    static func propagate(_ net: MLP, box: InputBox, bounds: PreActivationBounds, planes: [[(upper: Plane, lower: Plane)]],
                          top yTop: [Double], from k: Int, spec: Matrix, counter: inout WorkCounter) -> [Double] {
        let h = net.layerCount - 1
        let rows = spec.rows
        counter.propagatedRows += rows
        var coefY = spec
        var constant = [Double](repeating: 0, count: rows)
        var zCoefficients = [Matrix?](repeating: nil, count: h)
        //: begin propagate
        for m in (k + 1)...h {
            let onV = matmul(coefY, net.weights[m - 1], transB: true)     // y_{m−1} = W_{m−1}ᵀ v_m
            let n = onV.cols
            var onY = Matrix(rows: rows, cols: n), onZ = Matrix(rows: rows, cols: n)
            for i in 0..<n {
                let (up, lo) = planes[m][i]
                for r in 0..<rows {
                    let lam = onV.storage[r * n + i]
                    let p = lam >= 0 ? up : lo                              // keep the bound valid
                    onY.storage[r * n + i] = lam * p.a
                    onZ.storage[r * n + i] = lam * p.b                      // a term in z_{m−1}
                    constant[r] += lam * p.c
                }
            }
            zCoefficients[m - 1] = onZ
            coefY = onY
        }
        for r in 0..<rows { for i in 0..<yTop.count { constant[r] += coefY.storage[r * yTop.count + i] * yTop[i] } }  // y_H is exact
        return LinearBoundPropagation.upperBound(net, box: box, bounds: bounds, zCoefficients: zCoefficients, constant: constant)
        //: end propagate
    }

    /*: ours
     **Our bound (the paper's method).** Top-down through the backward graph, every intermediate node
     y_k gets bounds by linear bound propagation of ±eᵢ (one row per neuron) — substitute each v by
     its chosen plane, move down W, collect the coefficients of the forward pre-activations, and
     bound those through the forward network by CROWN — intersected with one interval step from
     the node above. The objective ||g||₁ = Σᵢ |gᵢ| is convex, so on [g̲ᵢ, ḡᵢ] it lies below the
     chord through (g̲ᵢ, |g̲ᵢ|) and (ḡᵢ, |ḡᵢ|) (exactly ±gᵢ if the sign is fixed); one more propagation of
     the sum of the chords bounds the whole norm at once, which is where the correlations between the
     coordinates of g are kept. The final value is the smaller of that and Σ max(|g̲ᵢ|, |ḡᵢ|) from the
     node bounds (both are valid). The planes are first chosen by the least-volume rule, then
     optimized bound by bound (below).
     */
    static func linearBound(_ net: MLP, box: InputBox, bounds: PreActivationBounds, classIndex j: Int,
                            optimizationSweeps: Int = 0, optimizeIntermediate: Bool = false,
                            counter: inout WorkCounter) -> (value: Double, y: [IntervalVector]) {
        let h = net.layerCount - 1
        var y = [IntervalVector](repeating: IntervalVector(point: []), count: h + 1)
        var planes = [[(upper: Plane, lower: Plane)]](repeating: [], count: h + 1)
        let yTop = net.weights[h].row(j)
        y[h] = IntervalVector(point: yTop)
        for k in stride(from: h, through: 1, by: -1) {
            planes[k] = (0..<y[k].count).map { i in
                productPlanes(y: y[k][i], z: bounds.layers[k - 1][i], phase: bounds.phase(k - 1, i))
            }
            let n = net.sizes[k - 1]
            let up = propagate(net, box: box, bounds: bounds, planes: planes, top: yTop, from: k - 1, spec: Matrix.identity(n), counter: &counter)
            let lo = propagate(net, box: box, bounds: bounds, planes: planes, top: yTop, from: k - 1, spec: Matrix.identity(n) * -1, counter: &counter)
            var linear = IntervalVector(lower: lo.map { -$0 }, upper: up)
            if optimizeIntermediate && optimizationSweeps > 0 {
                for i in 0..<n {
                    for sign in [1.0, -1.0] {
                        var row = Matrix(rows: 1, cols: n)
                        row.storage[i] = sign
                        let start = sign > 0 ? up[i] : lo[i]
                        let v = optimizedRow(net, box: box, bounds: bounds, planes: planes, y: y, top: yTop, from: k - 1, spec: row,
                                             start: start, sweeps: optimizationSweeps, counter: &counter)
                        if sign > 0 { linear.upper[i] = v } else { linear.lower[i] = -v }
                    }
                }
            }
            y[k - 1] = linear.intersected(with: intervalStep(net, bounds, k, y[k]))
        }
        //: begin norm
        let g = y[0]
        var chord = Matrix(rows: 1, cols: g.count)
        var offset = 0.0
        for i in 0..<g.count {
            let (gl, gu) = (g.lower[i], g.upper[i])
            if gl >= 0 { chord.storage[i] = 1 }                                   // |g| = g
            else if gu <= 0 { chord.storage[i] = -1 }                             // |g| = −g
            else {                                                                // |g| ≤ chord
                let slope = (gu + gl) / (gu - gl)
                chord.storage[i] = slope
                offset += -gl - slope * gl
            }
        }
        var viaChords = propagate(net, box: box, bounds: bounds, planes: planes, top: yTop, from: 0, spec: chord, counter: &counter)[0] + offset
        //: end norm
        if optimizationSweeps > 0 {
            viaChords = optimizedRow(net, box: box, bounds: bounds, planes: planes, y: y, top: yTop, from: 0, spec: chord,
                                     start: viaChords - offset, sweeps: optimizationSweeps, counter: &counter) + offset
        }
        return (Swift.min(viaChords, g.maxL1Norm), y)
    }

    /*: optimize
     **Optimizing the relaxation.** Every candidate plane is a valid bound, so any choice per neuron
     gives a sound result, and the paper's point is to choose by optimizing the final bound rather
     than by a local rule. For one specification row (the norm's chords, or ±eᵢ of an intermediate
     node) we start from the least-volume choice and run coordinate descent: for each unstable
     neuron of the layers above, try each candidate upper and lower plane, and keep a change if the
     row's bound goes down; a sweep over all neurons is repeated until nothing improves (at most a
     fixed number of sweeps). This is a discrete stand-in for the gradient steps of α-CROWN; the
     forward network keeps CROWN's fixed slopes.
     */
    static func optimizedRow(_ net: MLP, box: InputBox, bounds: PreActivationBounds, planes start: [[(upper: Plane, lower: Plane)]],
                             y: [IntervalVector], top yTop: [Double], from k0: Int, spec: Matrix, start value: Double,
                             sweeps: Int, counter: inout WorkCounter) -> Double {
        let h = net.layerCount - 1
        var planes = start, best = value
        //: begin optimize
        for _ in 0..<sweeps {
            var improved = false
            for k in (k0 + 1)...h {
                for i in planes[k].indices where bounds.phase(k - 1, i) == .unstable {
                    let (uppers, lowers) = productCandidates(y: y[k][i], z: bounds.layers[k - 1][i], phase: .unstable)
                    for (side, candidates) in [(0, uppers), (1, lowers)] {
                        for p in candidates {
                            var trial = planes
                            if side == 0 { trial[k][i].upper = p } else { trial[k][i].lower = p }
                            let v = propagate(net, box: box, bounds: bounds, planes: trial, top: yTop, from: k0, spec: spec, counter: &counter)[0]
                            if v < best - 1e-12 * Swift.max(1, abs(best)) { best = v; planes = trial; improved = true }
                        }
                    }
                }
            }
            if !improved { break }
        }
        //: end optimize
        return best
    }
}
