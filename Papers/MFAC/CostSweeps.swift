import Foundation
import Numerics
import Notebook

/// One routine measured over a grid of sizes (one of d and m varied): the multiply-adds its loops
/// count as they run, and its wall-clock time (for the timings block only).
struct CostSweep {
    enum Axis { case d, m }
    var name: String
    /// The paper's exponent in the varied size.
    var theory: Double
    /// The fixed size, and which term dominates there.
    var regime: String
    var axis: Axis
    var sizes: [(d: Int, m: Int)]
    /// Prepares the routine at (d, m) on random data and returns the measured part, which adds the
    /// multiply-adds it executes to its argument (it is run once counted, then again for timing).
    var prepare: (_ d: Int, _ m: Int, _ rng: inout RandomSource) throws -> (inout MFACCost) throws -> Void

    /// Counts and times the routine at every size, then fits log(count) and log(time) against log(size).
    func measure(rng: inout RandomSource, timed: Bool = true) throws -> CostFit {
        var counts: [Double] = [], seconds: [Double] = []
        for (d, m) in sizes {
            let body = try prepare(d, m, &rng)
            var cost = MFACCost()
            try body(&cost)
            counts.append(Double(cost.multiplyAdds))
            guard timed else { seconds.append(.nan); continue }
            let reps = Swift.min(1000, Swift.max(1, Int(2e7 / Swift.max(Double(cost.multiplyAdds), 1))))
            var times: [Double] = []
            for _ in 0..<3 {
                let t0 = Progress.elapsed
                for _ in 0..<reps { var c = MFACCost(); try body(&c) }
                times.append((Progress.elapsed - t0) / Double(reps))
            }
            seconds.append(Stats.median(times))
        }
        let xs = sizes.map { Double(axis == .d ? $0.d : $0.m) }
        return CostFit(name: name, theory: theory, regime: regime, sizes: xs, counts: counts, seconds: seconds,
                       counted: try? LineFit.logLog(x: xs, y: counts),
                       wall: timed ? try? LineFit.logLog(x: xs, y: seconds) : nil)
    }
}

/// The measured sweep of one routine.
struct CostFit {
    var name: String
    var theory: Double
    var regime: String
    var sizes: [Double]
    var counts: [Double]
    var seconds: [Double]
    var counted: LineFit?
    var wall: LineFit?
}

extension Experiments {
    /// The nine sweeps of claim 2, one per (routine, varied size).
    func costSweeps() -> [CostSweep] {
        let c = config
        let inM = c.costMGrid.map { (d: c.costFixedD, m: $0) }, inD = c.costDGrid.map { (d: $0, m: c.costFixedM) }
        let precompute: (Int, Int, inout RandomSource) throws -> (inout MFACCost) throws -> Void = { d, m, rng in
            let g = rng.normalMatrix(m, d)
            return { cost in cost.multiplyAdds += try StaticMFAC(gradients: g, damping: 1).precomputationCost.multiplyAdds }
        }
        let staticIHVP: (Int, Int, inout RandomSource) throws -> (inout MFACCost) throws -> Void = { d, m, rng in
            let s = try StaticMFAC(gradients: rng.normalMatrix(m, d), damping: 1)
            let x = rng.normalVector(d)
            return { cost in _ = s.inverseTimes(x, cost: &cost) }
        }
        let element: (Int, Int, inout RandomSource) throws -> (inout MFACCost) throws -> Void = { d, m, rng in
            let s = try StaticMFAC(gradients: rng.normalMatrix(m, d), damping: 1)
            return { cost in _ = s.inverseElement(1, 2, cost: &cost) }
        }
        // Neither dynamic routine's loops depend on the window's contents, so one gradient in an
        // otherwise empty window is enough.
        let dynamicIHVP: (Int, Int, inout RandomSource) throws -> (inout MFACCost) throws -> Void = { d, m, rng in
            var w = DynamicMFAC(dimension: d, windowSize: m, damping: 1)
            try w.add(rng.normalVector(d))
            let x = rng.normalVector(d), window = w
            return { cost in _ = window.inverseTimes(x, cost: &cost) }
        }
        let dynamicUpdate: (Int, Int, inout RandomSource) throws -> (inout MFACCost) throws -> Void = { d, m, rng in
            let w = DynamicMFAC(dimension: d, windowSize: m, damping: 1)
            let g = rng.normalVector(d)
            return { cost in var copy = w; try copy.add(g, cost: &cost) }
        }
        let updateInD = c.costDGrid.map { (d: $0, m: c.dynamicUpdateFixedM) }
        let updateInM = c.dynamicUpdateMGrid.map { (d: c.dynamicUpdateD, m: $0) }
        return [
            CostSweep(name: "static precomputation, in m", theory: 2, regime: "d = \(c.costFixedD)", axis: .m, sizes: inM, prepare: precompute),
            CostSweep(name: "static precomputation, in d", theory: 1, regime: "m = \(c.costFixedM)", axis: .d, sizes: inD, prepare: precompute),
            CostSweep(name: "static IHVP, in m", theory: 1, regime: "d = \(c.costFixedD)", axis: .m, sizes: inM, prepare: staticIHVP),
            CostSweep(name: "static IHVP, in d", theory: 1, regime: "m = \(c.costFixedM)", axis: .d, sizes: inD, prepare: staticIHVP),
            CostSweep(name: "element of F⁻¹, in m", theory: 1, regime: "d = \(c.costFixedD)", axis: .m, sizes: inM, prepare: element),
            CostSweep(name: "dynamic IHVP, in m", theory: 1, regime: "d = \(c.costFixedD) (d m ≫ m²)", axis: .m, sizes: inM, prepare: dynamicIHVP),
            CostSweep(name: "dynamic IHVP, in d", theory: 1, regime: "m = \(c.costFixedM)", axis: .d, sizes: inD, prepare: dynamicIHVP),
            CostSweep(name: "dynamic update, in d", theory: 1, regime: "m = \(c.dynamicUpdateFixedM) (d m ≫ m³)", axis: .d, sizes: updateInD, prepare: dynamicUpdate),
            CostSweep(name: "dynamic update, in m", theory: 3, regime: "d = \(c.dynamicUpdateD) (m³ ≫ d m)", axis: .m, sizes: updateInM, prepare: dynamicUpdate),
        ]
    }
}
