import Foundation
import Numerics
import Learning
import Notebook

/// Claim 1: every trained sandwich network is γ-Lipschitz; the exact checks behind it.
enum Guarantee {
    struct Evidence {
        var models: Int               // sandwich models searched
        var worstRatio: Double        // largest (lower bound on the Lipschitz constant) / γ found
        var cayleyResidual: Double    // max ||QᵀQ − I||_max over every trained Cayley layer
        var layerNorm: Double         // max ||2 Aᵀ Ψ D Ψ⁻¹ B||₂ over trained sandwich layers and diagonal D ∈ [0, 1]
        var pullbackError: Double     // relative error of the Cayley pullback against central differences
        var explicitError: Double     // max |explicit MLP − layered forward| / max |output|
    }

    static func claim(_ e: Evidence) -> Claim {
        Claim(
            id: "C1",
            statement: "Every network of sandwich layers with bound γ is γ-Lipschitz in ℓ2, whatever its parameters, with no projection during training (Theorem 3.3).",
            checks: [
                Check("largest ||J(x)||₂/γ or difference quotient/γ found, over \(e.models) trained sandwich networks", measured: e.worstRatio,
                      .atMost(1 + 1e-9), format: "%.9f", notObserved: e.models == 0 ? "no sandwich network trained" : nil),
                Check("Cayley: max |QᵀQ − I| over trained layers", measured: e.cayleyResidual, .atMost(1e-12), format: "%.1e"),
                Check("sandwich layer: max ||2 Aᵀ Ψ D Ψ⁻¹ B||₂ − 1 over layers and diagonal D ∈ [0, 1]", measured: e.layerNorm - 1, .atMost(1e-12), format: "%.1e"),
                Check("Cayley pullback vs central differences, relative", measured: e.pullbackError, .atMost(1e-6), format: "%.1e"),
                Check("merged MLP vs layer-by-layer forward, relative", measured: e.explicitError, .atMost(1e-10), format: "%.1e"),
            ],
            failsIf: "any trained sandwich network has a Jacobian norm or difference quotient above γ·(1 + 1e-9), or a layer, the Cayley transform or its gradient is off",
            note: "The search gives lower bounds on each network's Lipschitz constant; for the one-input toy the largest slope on [−3, 3] is exact.")
    }

    /// Largest lower bound on the Lipschitz constant found for one network.
    /// Largest lower bound on the Lipschitz constant found for one network: by the search alone, and
    /// with the exact piece walk (one-input networks; NaN otherwise).
    static func search(_ net: MLP, starts: Matrix, exactAt points: Matrix, c: LBDN.Config, rng: inout RandomSource) throws -> (search: Double, exact: Double) {
        var best = try Probes.ascent(net, starts: starts, steps: c.ascentSteps, rng: &rng)
        for i in 0..<points.rows { best = max(best, try Probes.jacobianNorm(net, at: points.row(i))) }
        return (best, net.inputSize == 1 ? Probes.walk(net, from: -3, to: 3).slope : .nan)
    }

    /// ||2 Aᵀ Ψ D Ψ⁻¹ B||₂ for D = I, a random 0/1 mask and a random diagonal in [0, 1]; ||B||₂ for the last layer.
    static func layerNorms(_ net: LipschitzNetwork, rng: inout RandomSource) throws -> Double {
        var worst = 0.0
        for l in 0..<net.depth {
            let p = net.layers[l], fout = net.sizes[l + 1], fin = net.sizes[l]
            let q = try CayleyTransform(p.w * (p.alpha / p.w.frobeniusNorm)).output
            let b = q.submatrix(rows: 0..<fout, cols: fout..<(fout + fin))
            if l == net.depth - 1 { worst = max(worst, try singularValues(b).first!); continue }
            let a = q.submatrix(rows: 0..<fout, cols: 0..<fout)
            for trial in 0..<3 {
                let d = (0..<fout).map { _ in trial == 0 ? 1 : (trial == 1 ? (rng.uniform() < 0.5 ? 0 : 1) : rng.uniform()) }
                var inner = b
                for i in 0..<fout { for j in 0..<fin { inner[i, j] *= 2 * d[i] } }     // Ψ D Ψ⁻¹ = D (diagonals commute)
                worst = max(worst, try singularValues(matmul(a, inner, transA: true)).first!)
            }
        }
        return worst
    }

    /*: guarantee
     **Claim 1: the bound holds for every trained network.** For each trained network we search for
     the largest local slope: exact Jacobian norms ||J(x)||₂ at test inputs, then gradient ascent from
     several starts on the difference quotient ||f(x + δ) − f(x)||/||δ|| (the authors'
     `empirical_lipschitz`; for a ReLU network ||J(x)||₂ is piecewise constant, so its own gradient
     is zero almost everywhere and the quotient is what can be climbed), and the exact Jacobian where
     the ascent ends. For the one-input toy the largest slope on [−3, 3] is exact (every linear piece
     is visited). Any value above γ·(1 + 1e-9) is a counterexample to the theorem. Behind it, exact
     checks: the Cayley transform's orthonormality on every trained layer; each sandwich layer's
     Jacobian 2 Aᵀ Ψ D Ψ⁻¹ B (D the ReLU's 0/1 pattern, and any diagonal in [0, 1]) has norm at most
     1; the hand-written pullback of the Cayley transform against central differences; and the
     merged plain-MLP form of each network (on which the search runs) against the layer-by-layer
     forward pass.
     */
    static func run(_ c: LBDN.Config, toy: [Toy.Model], digits: Certified.Trained, options: RunOptions, report: Report) throws {
        report.section("Claim 1: the Lipschitz guarantee")
        report.literate("guarantee")
        report.code("ascent", file: Probes.sourceFile)
        // The search, per model, in parallel (each model its own stream).
        let toyStarts = Matrix(rows: c.ascentStarts, cols: 1, elements: (0..<c.ascentStarts).map { i -> Double in -2 + 4 * (Double(i) + 0.5) / Double(c.ascentStarts) })
        let toyPoints = Matrix(rows: Toy.testGrid.count, cols: 1, elements: Toy.testGrid)
        let digitStarts = digits.testX.rows(0..<c.ascentStarts), digitPoints = digits.testX.rows(0..<min(50, digits.testX.rows))
        let all: [(kind: LayerKind, gamma: Double, set: String, net: MLP, layered: LipschitzNetwork)] =
            toy.map { ($0.kind, $0.gamma, "toy", $0.explicit, $0.net) } + digits.models.map { ($0.kind, $0.gamma, "digits", $0.explicit, $0.net) }
        let found = try Threads.map(all.count) { i -> (search: Double, exact: Double) in
            var rng = RandomSource.stream(seed: options.seed, Int(LBDN.Stream.probes.rawValue) * 1_000 + i)
            let m = all[i]
            return m.set == "toy" ? try search(m.net, starts: toyStarts, exactAt: toyPoints, c: c, rng: &rng)
                                  : try search(m.net, starts: digitStarts, exactAt: digitPoints, c: c, rng: &rng)
        }
        let ratios = all.indices.map { max(found[$0].search, found[$0].exact.isNaN ? 0 : found[$0].exact) / all[$0].gamma }
        var rng = RandomSource.stream(seed: options.seed, LBDN.Stream.checks)
        let sandwich = all.indices.filter { all[$0].kind == .sandwich }
        var residual = 0.0, layerNorm = 0.0, explicitError = 0.0
        for m in all where m.kind != .spectral {
            for p in m.layered.layers { residual = max(residual, try CayleyTransform(p.w * (p.alpha / p.w.frobeniusNorm)).orthonormalityResidual) }
        }
        for i in sandwich { layerNorm = max(layerNorm, try layerNorms(all[i].layered, rng: &rng)) }
        for m in all where m.kind != .spectral {    // its training-time σ estimate differs from the exact σ₁ by design
            let x = m.set == "toy" ? toyPoints : digitPoints
            var vectors = m.layered.sizes.dropLast().map { rng.normalVector($0) }
            let ms = try (0..<m.layered.depth).map { try m.layered.materialize($0, vectors: &vectors, iterations: 0) }
            let layered = m.layered.forward(x, ms).output, merged = m.net.forward(x)
            explicitError = max(explicitError, (layered - merged).maxAbs / max(merged.maxAbs, 1e-300))
        }
        let pull = try pullbackCheck(all[sandwich.first ?? 0].layered, rng: &rng)
        let e = Evidence(models: sandwich.count, worstRatio: sandwich.map { ratios[$0] }.max() ?? .nan, cayleyResidual: residual,
                         layerNorm: layerNorm, pullbackError: pull, explicitError: explicitError)
        report.claim(claim(e))
        var rows: [[String]] = []
        for set in ["toy", "digits"] {
            for k in LayerKind.allCases {
                let idx = all.indices.filter { all[$0].set == set && all[$0].kind == k }
                guard !idx.isEmpty else { continue }
                let r = idx.map { ratios[$0] }
                let share = set == "toy" ? Fmt.pct(idx.map { found[$0].search / found[$0].exact }.min()!) : "—"
                rows.append([set, k.rawValue, "\(r.count)", Fmt.pct(r.min()!), Fmt.pct(Stats.median(r)), Fmt.pct(r.max()!), share])
            }
        }
        report.table(["data", "layers", "networks", "min found/γ", "median", "max", "search alone / exact (worst)"], rows,
                     caption: "Largest Lipschitz lower bound found per trained network, over its bound γ (all families are γ-Lipschitz by construction). The last column compares, on the toy, the ascent and sampled Jacobians with the exact piece walk.")
        let sw = sandwich.map { ratios[$0] }
        report.discussion("""
            Over \(sw.count) trained sandwich networks the largest slope found was \(Fmt.g(sw.max() ?? .nan, 10))·γ: \
            \(sw.filter { $0 > 1 + 1e-9 }.count) counterexamples. The Cayley residual was at most \(Fmt.sci(residual)), and the \
            largest sandwich-layer Jacobian norm \(String(format: "%.13f", layerNorm)).
            """)
    }

    /// ⟨pullback(G), E⟩ against (⟨G, Q(W + hE)⟩ − ⟨G, Q(W − hE)⟩)/2h at a trained layer's scaled W.
    static func pullbackCheck(_ net: LipschitzNetwork, rng: inout RandomSource) throws -> Double {
        let p = net.layers[0]
        let w = p.w * (p.alpha / p.w.frobeniusNorm)
        let g = rng.normalMatrix(w.rows, w.cols), e = rng.normalMatrix(w.rows, w.cols)
        let analytic = try CayleyTransform(w).pullback(g).dot(e)
        let h = 1e-6
        let fd = (try CayleyTransform(w + h * e).output.dot(g) - CayleyTransform(w - h * e).output.dot(g)) / (2 * h)
        return abs(fd - analytic) / max(abs(analytic), 1e-300)
    }
}

