import Foundation
import Numerics

// Exact enumeration of the activation regions of a ReLU MLP that meet an input box.
//
// Inside one activation region every hidden ReLU is fixed active or inactive, so the network is affine
// there, z_L = M x + o. The search goes depth first, neuron by neuron and layer by layer. Inside a node
// of the search every neuron already decided fixes a half-space, so the current cell P is the box cut
// by those half-spaces, and the next layer's pre-activations are affine on P. For the next undecided
// neuron we ask two linear programs, min and max of its pre-activation over P (skipped when given
// pre-activation bounds already make it stable, or when points of P found earlier already take both
// signs). If the maximum is ≤ 0 (resp. the minimum ≥ 0, up to 1e-9) the neuron is fixed inactive
// (active) on P; otherwise both halves have nonempty interior and the search branches on it. Each leaf
// is one region with a full-dimensional intersection with the box (a region thinner than 1e-9 in
// pre-activation can be missed). The cost grows with the number of regions, so this is for small
// networks; a budget of linear programs stops it with an error beyond that.

/// Activation regions of a ReLU MLP over a box; see the comment at the top of ActivationRegions.swift.
public enum ActivationRegions {
    /// One region: on its cell (the box cut by `constraints`, each aᵀx ≤ b) the outputs are `map`·x + `offset`.
    public struct Region {
        public let map: Matrix
        public let offset: [Double]
        public let constraints: [LinearConstraint]
    }

    /// Why an enumeration stopped: over its budget of linear programs, or a cell the solver found empty.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The work an enumeration took.
    public struct Work: Sendable, Equatable {
        public var regions = 0
        public var linearPrograms = 0
        public init() {}
    }

    /// Calls `visit` once per region that meets the box [lower, upper] with nonempty interior.
    /// `preActivationBounds` (optional, any sound bounds of the hidden pre-activations over the box)
    /// fixes the neurons they prove stable without a linear program.
    @discardableResult
    public static func enumerate(_ net: MLP, lower: [Double], upper: [Double], preActivationBounds: [IntervalVector]? = nil,
                                 maxLinearPrograms: Int, visit: (Region) throws -> Void) throws -> Work {
        let d = net.inputSize
        let hidden = net.layerCount - 1
        precondition(hidden >= 1, "ActivationRegions: the network needs a hidden layer")
        precondition(net.activations.dropLast().allSatisfy { $0 == .relu }, "ActivationRegions: hidden activations must be ReLU")
        let tol = 1e-9
        var work = Work()
        let center = zip(lower, upper).map { ($0 + $1) / 2 }

        func optimize(_ c: [Double], _ constraints: [LinearConstraint]) throws -> (Double, [Double]) {
            work.linearPrograms += 1
            if work.linearPrograms > maxLinearPrograms { throw Failure("exact enumeration: more than \(maxLinearPrograms) linear programs (network too large for the exact method)") }
            let lp = LinearProgram(maximize: c, constraints: constraints, lower: lower, upper: upper)
            guard case let .optimal(value, x) = try lp.solve() else {
                throw Failure("exact enumeration: a cell of the box became infeasible or unbounded")
            }
            return (value, x)
        }

        // Visit neuron i of hidden layer k. `zMap`/`zOff`: z_k = zMap·x + zOff on the current cell;
        // `mask`: the decided phases of layer k; `witnesses`: points of the cell.
        func step(_ k: Int, _ i: Int, _ zMap: Matrix, _ zOff: [Double], _ mask: [Double],
                  _ constraints: [LinearConstraint], _ witnesses: [[Double]]) throws {
            let n = net.sizes[k + 1]
            if i == n {
                // Layer k decided: a_{k+1} = D z_k, so z_{k+1} = W_{k+1} D zMap x + (W_{k+1} D zOff + b).
                var dMap = zMap
                var dOff = zOff
                for r in 0..<n { for c in 0..<d { dMap.storage[r * d + c] *= mask[r] }; dOff[r] *= mask[r] }
                let nextMap = matmul(net.weights[k + 1], dMap)
                var nextOff = gemv(net.weights[k + 1], dOff)
                for r in 0..<nextOff.count { nextOff[r] += net.biases[k + 1][r] }
                if k + 1 == hidden {
                    work.regions += 1
                    return try visit(Region(map: nextMap, offset: nextOff, constraints: constraints))
                }
                return try step(k + 1, 0, nextMap, nextOff, [Double](repeating: 0, count: net.sizes[k + 2]), constraints, witnesses)
            }
            var m = mask
            if let b = preActivationBounds {
                if b[k].lower[i] >= 0 { m[i] = 1; return try step(k, i + 1, zMap, zOff, m, constraints, witnesses) }
                if b[k].upper[i] <= 0 { m[i] = 0; return try step(k, i + 1, zMap, zOff, m, constraints, witnesses) }
            }
            let row = zMap.row(i)
            let value: ([Double]) -> Double = { x in zip(row, x).reduce(zOff[i]) { $0 + $1.0 * $1.1 } }
            var pts = witnesses
            var hi = pts.map(value).max() ?? -Double.infinity
            var lo = pts.map(value).min() ?? Double.infinity
            if hi <= tol {
                let (v, x) = try optimize(row, constraints); hi = v + zOff[i]; pts.append(x)
            }
            if lo >= -tol && hi > tol {
                let (v, x) = try optimize(row.map { -$0 }, constraints); lo = -v + zOff[i]; pts.append(x)
            }
            if hi <= tol { m[i] = 0; return try step(k, i + 1, zMap, zOff, m, constraints, pts) }
            if lo >= -tol { m[i] = 1; return try step(k, i + 1, zMap, zOff, m, constraints, pts) }
            // Both sides have interior points: branch, each child keeping the witnesses on its side.
            m[i] = 0
            try step(k, i + 1, zMap, zOff, m, constraints + [LinearConstraint(row, .lessOrEqual, -zOff[i])],
                     pts.filter { value($0) <= 0 })
            m[i] = 1
            try step(k, i + 1, zMap, zOff, m, constraints + [LinearConstraint(row.map { -$0 }, .lessOrEqual, zOff[i])],
                     pts.filter { value($0) >= 0 })
        }
        try step(0, 0, net.weights[0], net.biases[0], [Double](repeating: 0, count: net.sizes[1]), [], [center])
        return work
    }

    /// The exact bounds [min, max] over the box of each row of S·z_L (S: specifications x outputs):
    /// per region, two linear programs per row on its cell; the extremes over regions.
    public static func exactBounds(_ net: MLP, box: IntervalVector, specification s: Matrix,
                                   maxLinearPrograms: Int) throws -> (bounds: IntervalVector, work: Work) {
        precondition(s.cols == net.outputSize, "ActivationRegions: the specification needs one column per output")
        var lo = [Double](repeating: .infinity, count: s.rows), hi = [Double](repeating: -.infinity, count: s.rows)
        var extra = 0
        var work = try enumerate(net, lower: box.lower, upper: box.upper, preActivationBounds: IntervalBoundPropagation.bounds(net, box: box),
                                 maxLinearPrograms: maxLinearPrograms) { region in
            let sm = matmul(s, region.map), so = gemv(s, region.offset)
            for r in 0..<s.rows {
                for sign in [1.0, -1.0] {
                    extra += 1
                    let lp = LinearProgram(maximize: sm.row(r).map { sign * $0 }, constraints: region.constraints, lower: box.lower, upper: box.upper)
                    guard case let .optimal(v, _) = try lp.solve() else {
                        throw Failure("exact bounds: a region's cell became infeasible or unbounded")
                    }
                    if sign > 0 { hi[r] = Swift.max(hi[r], v + so[r]) } else { lo[r] = Swift.min(lo[r], -v + so[r]) }
                }
            }
        }
        work.linearPrograms += extra
        return (IntervalVector(lower: lo, upper: hi), work)
    }
}
