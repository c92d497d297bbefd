import Foundation
import Numerics
import Learning
import Notebook

extension Lipschitz {
    // MARK: - Exact value by enumerating activation regions

    /*: exact
     **Exact value (tiny networks).** Enumerate the activation regions that meet the box, depth first,
     neuron by neuron and layer by layer. Inside a node of the search every neuron already decided
     fixes a half-space, so the current cell P is the box cut by those half-spaces and the next
     layer's pre-activations are affine on P. For the next undecided neuron we ask two linear
     programs, min and max of its pre-activation over P (skipped when the forward bounds already
     make it stable, or when points of P found earlier already take both signs). If the maximum is
     ≤ 0 (resp. the minimum ≥ 0, up to 1e-9) the neuron is fixed inactive (active) on P; otherwise
     both halves have nonempty interior and the search branches on it. Each leaf is one region with a
     full-dimensional intersection with the box, and its Jacobian W_H D_{H−1} W_{H−1} ⋯ D_0 W_0 is
     constant there; the exact L is the largest row ℓ1 norm over leaves. (A region of width below
     1e-9 in pre-activation could be missed; its gradient is then a limit of its neighbours' only in
     the generic case, so we state the tolerance rather than claim more.)
     */
    static func exact(_ net: MLP, box: InputBox, bounds: PreActivationBounds, counter: inout WorkCounter,
                      maxLinearPrograms: Int) throws -> Double {
        let d = net.inputSize
        let hidden = net.layerCount - 1
        let tol = 1e-9
        var best = 0.0
        var lpCount = 0

        func optimize(_ c: [Double], _ constraints: [LinearConstraint]) throws -> (Double, [Double]) {
            lpCount += 1
            if lpCount > maxLinearPrograms { throw NumericalFailure.failed("exact enumeration: more than \(maxLinearPrograms) linear programs (network too large for the exact method)") }
            let lp = LinearProgram(maximize: c, constraints: constraints, lower: box.lower, upper: box.upper)
            guard case let .optimal(value, x) = try lp.solve() else {
                throw NumericalFailure.failed("exact enumeration: a cell of the box became infeasible or unbounded")
            }
            return (value, x)
        }

        // Visit neuron i of hidden layer k. `zMap`/`zOff`: z_k = zMap·x + zOff on the current cell;
        // `aMap`/`aOff`: the next activations being built; `witnesses`: points of the cell.
        func visit(_ k: Int, _ i: Int, _ zMap: Matrix, _ zOff: [Double], _ mask: [Double],
                   _ constraints: [LinearConstraint], _ witnesses: [[Double]]) throws {
            let n = net.sizes[k + 1]
            if i == n {
                // Layer k decided: a_{k+1} = D z_k, so z_{k+1} = W_{k+1} D zMap x + (W_{k+1} D zOff + b).
                var dMap = zMap
                var dOff = zOff
                for r in 0..<n { for c in 0..<d { dMap.storage[r * d + c] *= mask[r] }; dOff[r] *= mask[r] }
                let nextMap = matmul(net.weights[k + 1], dMap)
                var nextOff = gemv(net.weights[k + 1], dOff)
                if k + 1 == hidden {
                    counter.regions += 1
                    for r in 0..<nextMap.rows { best = Swift.max(best, nextMap.row(r).reduce(0) { $0 + abs($1) }) }
                    return
                }
                for r in 0..<nextOff.count { nextOff[r] += net.biases[k + 1][r] }
                return try visit(k + 1, 0, nextMap, nextOff, [Double](repeating: 0, count: net.sizes[k + 2]), constraints, witnesses)
            }
            var m = mask
            switch bounds.phase(k, i) {
            case .active: m[i] = 1; return try visit(k, i + 1, zMap, zOff, m, constraints, witnesses)
            case .inactive: m[i] = 0; return try visit(k, i + 1, zMap, zOff, m, constraints, witnesses)
            case .unstable: break
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
            if hi <= tol { m[i] = 0; return try visit(k, i + 1, zMap, zOff, m, constraints, pts) }
            if lo >= -tol { m[i] = 1; return try visit(k, i + 1, zMap, zOff, m, constraints, pts) }
            // Both sides have interior points: branch, each child keeping the witnesses on its side.
            m[i] = 0
            try visit(k, i + 1, zMap, zOff, m, constraints + [LinearConstraint(row, .lessOrEqual, -zOff[i])],
                      pts.filter { value($0) <= 0 })
            m[i] = 1
            try visit(k, i + 1, zMap, zOff, m, constraints + [LinearConstraint(row.map { -$0 }, .lessOrEqual, zOff[i])],
                      pts.filter { value($0) >= 0 })
        }
        precondition(hidden >= 1, "exact: the network needs a hidden layer")
        try visit(0, 0, net.weights[0], net.biases[0], [Double](repeating: 0, count: net.sizes[1]), [], [box.center])
        counter.linearPrograms += lpCount
        return best
    }
}
