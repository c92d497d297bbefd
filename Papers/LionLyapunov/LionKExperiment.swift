import Foundation
import Numerics
import Learning
import Notebook

// MARK: - Experiment 4: Lion-K solves min f(x) + (1/λ)K*(λx)

/// One Lion-K optimizer scored on its own predicted problem, on both problems.
struct LionKResult {
    var potential: String
    /// (F_K(x_T) − F_K*)/(F_K(0) − F_K*) on the quadratic and on the digits (+∞: infeasible).
    var gaps: [Double]
    /// Why a reference solve of this K did not converge (nil: all converged).
    var referenceUnconverged: String?
}

/// What Claim 4 is decided on (the four K other than ||·||₁).
struct LionKEvidence {
    var results: [LionKResult]
}

extension Lab {
    func lionK(_ m: MainRuns) throws {
        let c = config
        report.section("Experiment 4: Lion-K solves min f(x) + (1/λ)K*(λx)")
        /*: lionk
         **Lion-K.** Replacing sign(·) = ∇||·||₁ by ∇K for a convex K changes the problem: the fixed points
         of Lion-K are where −∇f(x) ∈ ∂[(1/λ)K*(λ·)](x), i.e. the stationary points of f(x) + (1/λ)K*(λx).
         Besides K = ||·||₁ (Lion) we take four K whose conjugates are easy to write down (all in
         `ConvexPotential`, shared library):

         - K = ||·||₂: ∇K = v/||v||₂ (normalized momentum), K* = indicator of the unit ℓ₂ ball, so the problem
           is min f s.t. ||x||₂ ≤ 1/λ;
         - K = ½||·||₂²: ∇K = v (plain momentum SGD with decoupled weight decay), K* = ½||·||², so
           min f + (λ/2)||x||²: weight decay is then just ℓ₂ regularization;
         - K = Σ huber(vᵢ): ∇K = clip(v, −1, 1), K* = ½||y||² on the unit ∞-ball, so
           min f + (λ/2)||x||² s.t. ||x||_∞ ≤ 1/λ;
         - K = ||·||₁ + ½||·||₂²: ∇K = sign(v) + v, K*(y) = ½Σ(|yᵢ| − 1)₊², so the soft box
           min f + (λ/2)Σ(|xᵢ| − 1/λ)₊².

         Every run uses the same ε, λ and schedule as Lion, from x₀ = 0; each is scored against the reference
         solution of *every* problem, so the table shows which problem each optimizer actually solves, not
         only that it solves its own (two problems can share a solution; an off-diagonal entry near zero shows where).
         */
        report.literate("lionk")
        let ks: [ConvexPotential] = [.l1, .l2, .halfSquaredL2, .huber, .l1PlusHalfSquaredL2]
        var gaps = [[Double]](repeating: [Double](repeating: .nan, count: 2), count: ks.count)
        var unconverged = [String?](repeating: nil, count: ks.count)
        var tables: [[[String]]] = [[], []]
        for (p, obj) in [quadratic, digits].enumerated() {
            let zero = [Double](repeating: 0, count: obj.dimension)
            let references = try Threads.map(ks.count) { j -> ProximalGradient.Result in
                if j == 0 { return p == 0 ? quadraticReference : digitsReference }
                return try Algorithms.reference(obj, ks[j], lambda: c.lambda, maxIterations: c.referenceIterations,
                                                tolerance: p == 0 ? Lab.quadraticTolerance : Lab.digitsTolerance,
                                                warmStart: p == 1 ? digitsReference.x : nil)   // the digits solves start at the box solution
            }
            let refs = (0..<ks.count).map { j in
                (F: Algorithms.composite(obj, ks[j], lambda: c.lambda, at: references[j].x), F0: Algorithms.composite(obj, ks[j], lambda: c.lambda, at: zero))
            }
            for j in 0..<ks.count where unconverged[j] == nil { unconverged[j] = Lab.unconverged(references[j], "\(ks[j].problem) on \(obj.name)") }
            let finals = try Threads.map(ks.count) { i -> [Double] in
                i == 0 ? try Algorithms.run(obj, optimizer: lion(epsilon), from: zero, schedule: schedule(epsilon), lyapunov: false, label: ks[i].name).final
                    : try Algorithms.run(obj, optimizer: LionK(potential: ks[i], learningRate: epsilon, beta1: c.beta1, beta2: c.beta2, weightDecay: c.lambda),
                                         from: zero, schedule: schedule(epsilon), lyapunov: false, label: ks[i].name).final
            }
            for (i, k) in ks.enumerated() {
                var row = [k.name]
                for j in 0..<ks.count {
                    let gap = (Algorithms.composite(obj, ks[j], lambda: c.lambda, at: finals[i]) - refs[j].F) / (refs[j].F0 - refs[j].F)
                    row.append(gap.isFinite ? Fmt.sci(gap) : "∞ (infeasible)")
                    if i == j { gaps[i][p] = gap }
                }
                tables[p].append(row + [Fmt.g(Vector.normInf(finals[i]) * c.lambda, 4), Fmt.g(Vector.norm(finals[i]) * c.lambda, 4)])
            }
        }
        let e = LionKEvidence(results: (1..<ks.count).map { LionKResult(potential: ks[$0].name, gaps: gaps[$0], referenceUnconverged: unconverged[$0]) })
        /*: claim4
         **Claim 4 (Lion-K).** Criterion fixed before the run: for each of the four other K, on both problems,
         the final point's relative gap in its predicted objective F_K(x) = f(x) + (1/λ)K*(λx),
         (F_K(x_T) − F_K*)/(F_K(0) − F_K*), is within 1e-3 of zero in absolute value (a point below the
         optimum would be solving another problem), and every final point is feasible for its own problem.
         */
        report.literate("claim4")
        report.claim(Lab.claim4(e))
        let header = ["optimizer ↓ / scored on →"] + ks.map { "F for \($0.name)" } + ["λ||x_T||_∞", "λ||x_T||₂"]
        report.table(header, tables[0], caption: "Quadratic (d = \(quadratic.dimension)): relative gap (F(x_T) − F*)/(F(0) − F*) of each optimizer's final point in each problem. The diagonal is the paper's prediction.")
        report.table(header, tables[1], caption: "Digits softmax regression (\(digits.dimension) weights): the same.")
        report.prose(ks.map { "- \($0.name): predicted problem \($0.problem)." }.joined(separator: "\n"))
    }

    static func claim4(_ e: LionKEvidence) -> Claim {
        let infeasible = e.results.flatMap { r in r.gaps.filter { $0.isInfinite } }.count
        var checks = e.results.map { r -> Check in
            let worst = r.gaps.map(abs).max() ?? .nan
            let why = r.gaps.contains { $0.isInfinite } ? "a final point is infeasible for the problem of \(r.potential)" : r.referenceUnconverged
            return Check("\(r.potential): worse |gap| of the two problems", measured: worst, .atMost(1e-3), format: "%.3g", notObserved: why)
        }
        checks.append(Check("final points infeasible for their own problem", measured: Double(infeasible), .atMost(0), format: "%.0f"))
        return Claim(
            id: "C4",
            statement: "Lion-K with weight decay λ solves min f(x) + (1/λ)K*(λx): K = ||·||₂ gives the ℓ₂ ball ||x||₂ ≤ 1/λ, other K give penalties or mixtures.",
            checks: checks,
            failsIf: "for some K, on either problem, Lion-K's end point misses its predicted objective's optimum by more than 1e-3 of F_K(0) − F_K*, or lies outside that problem's domain",
            note: "Four K of our choosing besides ||·||₁, one quadratic and one digits subset, the same ε, λ and schedule as the main runs.")
    }
}
