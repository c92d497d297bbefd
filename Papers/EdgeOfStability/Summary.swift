import Foundation
import Numerics
import Notebook

/// What the claims read off one run, against a threshold `edge` on the sharpness (2/η, or (2 + 2β)/η
/// with momentum), all fixed before the run.
struct RunSummary {
    static let file = #filePath

    var eta: Double
    var edge: Double
    var steps: Int
    var initialSharpness: Double
    /// The first measured step at which the sharpness reached the edge (nil: never).
    var crossing: Int?
    /// The sharpness there.
    var sharpnessAtCrossing: Double
    /// The late window: the last third of the run, [⌈2T/3⌉, T].
    var lateStart: Int
    /// The mean sharpness over the measurements in the late window, divided by the edge.
    var lateMeanOverEdge: Double
    /// The same mean divided by 2/η (the plain-GD edge; equal to the above without momentum).
    var lateMeanOverGDEdge: Double
    /// The fraction of steps t in the edge phase [crossing, T) with L(θ_{t+1}) > L(θ_t).
    var increaseFraction: Double
    /// The mean loss over the last quarter of the edge phase over the mean over its first quarter.
    var lateOverEarlyLoss: Double
    /// |S_Lanczos − S_dense| / S_dense at the last step.
    var lanczosError: Double
    /// The largest loss in the edge phase, and the loss at its end, each over the loss at the crossing.
    var spikeOverStart: Double
    var endOverStart: Double
    /// The number of steps in the edge phase.
    var edgePhaseSteps: Int

    init(_ run: Task.Run, edge: Double) {
        eta = run.eta
        self.edge = edge
        steps = run.losses.count - 1
        initialSharpness = run.sharpness.first ?? .nan
        let hit = run.sharpness.firstIndex { $0 >= edge }
        crossing = hit.map { run.sharpSteps[$0] }
        sharpnessAtCrossing = hit.map { run.sharpness[$0] } ?? .nan
        let lateFrom = (2 * steps + 2) / 3
        lateStart = lateFrom
        let late = zip(run.sharpSteps, run.sharpness).filter { $0.0 >= lateFrom }.map(\.1)
        let lateMean = late.isEmpty ? Double.nan : Stats.mean(late)
        lateMeanOverEdge = lateMean / edge
        lateMeanOverGDEdge = lateMean * run.eta / 2
        //: begin loss-windows
        if let c = crossing, run.losses.count - 1 - c >= 40 {
            let phase = Array(run.losses[c...])                           // L(θ_t), t = crossing...T
            let ups = zip(phase.dropFirst(), phase).filter { $0.0 > $0.1 }.count
            increaseFraction = Double(ups) / Double(phase.count - 1)
            let q = phase.count / 4
            lateOverEarlyLoss = Stats.mean(Array(phase.suffix(q))) / Stats.mean(Array(phase.prefix(q)))
        } else {
            increaseFraction = .nan; lateOverEarlyLoss = .nan
        }
        if let c = crossing {
            spikeOverStart = run.losses[c...].max()! / run.losses[c]
            endOverStart = run.losses.last! / run.losses[c]
        } else {
            spikeOverStart = .nan; endOverStart = .nan
        }
        //: end loss-windows
        lanczosError = abs((run.sharpness.last ?? .nan) - run.denseFinal) / abs(run.denseFinal)
        let total = steps
        edgePhaseSteps = crossing.map { total - $0 } ?? 0
    }

    /// Why the late window cannot say anything about the edge, or nil if it can.
    var lateWindowUnobserved: String? {
        guard let c = crossing else { return "the sharpness never reached \(Fmt.g(edge)) in \(steps) steps" }
        return c > lateStart ? "the sharpness reached the edge at step \(c), after the late window began (\(lateStart))" : nil
    }

    /// Why the rise before the edge cannot be measured, or nil if it can.
    var riseUnobserved: String? {
        if initialSharpness >= edge { return "the run starts above the edge (\(Fmt.g(initialSharpness)) ≥ \(Fmt.g(edge)))" }
        return crossing == nil ? "the sharpness never reached \(Fmt.g(edge)) in \(steps) steps" : nil
    }

    /// Why the edge-phase loss cannot be measured, or nil if it can.
    var phaseUnobserved: String? {
        guard let c = crossing else { return "the sharpness never reached \(Fmt.g(edge)) in \(steps) steps" }
        return steps - c < 40 ? "the edge phase lasted \(steps - c) steps (< 40)" : nil
    }
}
