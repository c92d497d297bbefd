import Foundation
import Numerics
import Notebook

/// Experiment 1: one step of per-layer gradient descent against the paper's end-to-end update.
enum OneStep {
    /// A fitted log-log slope of the one-step discrepancy against η.
    struct Slope {
        var slope: Double, se: Double, points: Int
        var etas: [Double], discrepancies: [Double]
    }

    /// What claim 1 is decided on.
    struct Evidence {
        var matrix: Slope            // balanced matrix network, depth 3
        var scalar2: Slope           // scalar-layer network of experiment 2, depth 2
        var scalar3: Slope           // the same, depth 3
        var unbalanced: Slope        // the matrix network with one layer scaled by 2 and the next by 1/2
        var vectorFormMismatch: Double   // max relative gap between the matrix formula and the vector form
        var initialImbalance: Double     // relative imbalance of the balanced matrix network
    }

    /// "slope ± se" with the standard error in scientific notation (it is often below 1e-3).
    static func text(_ s: Slope) -> String { "\(Fmt.fixed(s.slope, 3)) ± \(Fmt.sci(s.se, 1))" }

    /// Fewer than 3 points above 10³ ε (relative) is no observation.
    static func reason(_ s: Slope) -> String? {
        s.points < 3 ? "only \(s.points) step sizes leave a discrepancy above 10³·ε" : nil
    }

    static func claim(_ e: Evidence) -> Claim {
        func check(_ name: String, _ s: Slope, _ c: Criterion) -> Check {
            Check(name, measured: s.slope, c, format: "%.3f", notObserved: reason(s))
        }
        let band = Criterion.between(1.9, 2.1)
        return Claim(
            id: "C1",
            statement: "With balanced layers, one GD step moves the end-to-end matrix by −η Σⱼ [W_eW_eᵀ]^{(j−1)/N} ∇L(W_e) [W_eᵀW_e]^{(N−j)/N} up to O(η²) (Thm 1; Claim 1 for one output).",
            checks: [
                check("slope of the discrepancy in η, matrix, N = 3", e.matrix, band),
                check("slope, scalar layers, N = 2", e.scalar2, band),
                check("slope, scalar layers, N = 3", e.scalar3, band),
                check("slope, unbalanced control, N = 3", e.unbalanced, .between(0.9, 1.1)),
                Check("vector form vs matrix formula, relative gap", measured: e.vectorFormMismatch, .atMost(1e-10), format: "%.1e",
                      notObserved: e.initialImbalance > 1e-12 ? "the balanced network was not balanced (\(Fmt.sci(e.initialImbalance)))" : nil),
            ],
            failsIf: "a balanced discrepancy slope falls outside [1.9, 2.1], the unbalanced one outside [0.9, 1.1], or Claim 1's vector form differs from Theorem 1's formula by more than 1e-10",
            note: "One random point per network; step sizes 10^-4 … 10^-1.5 in units where the first-order move is η·||W_e||.")
    }

    /*: onestep
     **Claim 1 (the end-to-end update).** Theorem 1 of the paper says: if the layers start balanced,
     W_{j+1}ᵀW_{j+1} = W_jW_jᵀ, then gradient flow on the layers moves the product W_e = W_N⋯W_1
     by −Σⱼ [W_eW_eᵀ]^{(j−1)/N} ∇L(W_e) [W_eᵀW_e]^{(N−j)/N}, and for a single output (W_e = wᵀ) this is
     ||w||^{2−2/N}(∇L + (N−1)·(ŵᵀ∇L)ŵ) (the paper's Claim 1). The paper's statement also carries
     weight decay λ, a factor (1 − ηλN) on W_e; we use λ = 0. For a finite step η the product of
     the updated layers must then match W_e − η·(the formula) up to a remainder O(η²).

     We take one step of gradient descent on every layer, multiply the layers out, and measure the
     relative discrepancy ||W_e' − (W_e − η·formula)||_F / ||W_e||_F over six step sizes, half a decade
     apart. The fitted slope of log discrepancy against log η must lie in [1.9, 2.1] for three balanced
     networks: a depth-3 matrix network (5 inputs, 3 outputs, hidden width 4, an ℓ₄ matrix regression)
     built from the SVD of a random W_e, and the depth-2 and depth-3 scalar-layer networks that
     experiment 2 trains. As a control, the same matrix network with W₁ scaled by 2 and W₂ by ½
     (same product, unbalanced) must show a first-order discrepancy, slope in [0.9, 1.1]. The matrix
     powers go through a symmetric eigendecomposition; at one output the two forms of the update
     must agree to 1e-10.
     */
    static func run(_ c: ImplicitAcceleration.Config, problem: LpRegression, optimum: [Double], seed: UInt64,
                    report: Report) throws -> Evidence
    {
        report.section("Experiment 1: the end-to-end update rule")
        report.literate("onestep")
        report.code("preconditioner", file: Literate.sibling("Model.swift"))
        var rng = RandomSource.stream(seed: seed, ImplicitAcceleration.Stream.oneStep)
        let steps = (0..<6).map { Foundation.pow(10, -4 + 0.5 * Double($0)) }
        let (d, k, h, m) = (5, 3, 4, 20)
        let xs = rng.normalMatrix(d, m), truth = rng.normalMatrix(k, d, std: 1 / Double(d).squareRoot())
        let regression = MatrixL4(x: xs, y: matmul(truth, xs) + rng.normalMatrix(k, m, std: 0.3))
        let we = rng.normalMatrix(k, d, std: 1 / Double(d).squareRoot())
        let balanced = try DeepLinearNetwork(balanced: we, depth: 3, hidden: h, rng: &rng)
        var unbalanced = balanced
        unbalanced.layers[0] = 2 * unbalanced.layers[0]; unbalanced.layers[1] = 0.5 * unbalanced.layers[1]

        //: begin discrepancy
        func matrixSlope(_ net: DeepLinearNetwork) throws -> Slope {
            let w0 = net.endToEnd, g = regression.gradient(w0)
            let move = try EndToEnd.preconditioned(w0, gradient: g, depth: net.layers.count)
            let unit = w0.frobeniusNorm / move.frobeniusNorm          // η in units of ||W_e|| / ||formula||
            let gaps = steps.map { s -> Double in
                var stepped = net
                stepped.step(s * unit, gradient: g)
                return (stepped.endToEnd - (w0 - (s * unit) * move)).frobeniusNorm / w0.frobeniusNorm
            }
            return fit(gaps)
        }
        //: end discrepancy
        func scalarSlope(depth: Int) -> Slope {
            var start = rng.normalVector(problem.d)
            let scale = 0.5 * Vector.norm(optimum) / Vector.norm(start)
            start = zip(start, optimum).map { 0.5 * $1 + scale * $0 }
            let net = ScalarLayerNetwork(balanced: start, depth: depth)
            let g = problem.gradient(net.endToEnd)
            let move = EndToEnd.vectorForm(net.endToEnd, gradient: g, depth: depth)
            let unit = Vector.norm(start) / Vector.norm(move)
            let gaps = steps.map { s -> Double in
                var stepped = net
                stepped.step(s * unit, gradient: g)
                let predicted = zip(start, move).map { $0 - s * unit * $1 }
                return Vector.norm(zip(stepped.endToEnd, predicted).map { $0 - $1 }) / Vector.norm(start)
            }
            return fit(gaps)
        }
        func fit(_ gaps: [Double]) -> Slope {
            let keep = gaps.indices.filter { gaps[$0] > 1e3 * Double.ulpOfOne }
            let f = try? LineFit.logLog(x: keep.map { steps[$0] }, y: keep.map { gaps[$0] })
            return Slope(slope: keep.count >= 3 ? f?.slope ?? .nan : .nan, se: f?.slopeStandardError ?? .nan,
                         points: keep.count, etas: steps, discrepancies: gaps)
        }
        // The two forms at one output: W_e = wᵀ (1 x d), for depths 2 … 4.
        var mismatch = 0.0
        for depth in 2...4 {
            let w = rng.normalVector(problem.d), g = problem.gradient(w)
            let formula = try EndToEnd.preconditioned(Matrix(rows: 1, cols: w.count, elements: w),
                                                      gradient: Matrix(rows: 1, cols: g.count, elements: g), depth: depth)
            let vector = EndToEnd.vectorForm(w, gradient: g, depth: depth)
            mismatch = max(mismatch, Vector.norm(zip(formula.storage, vector).map { $0 - $1 }) / Vector.norm(vector))
        }
        let e = Evidence(matrix: try matrixSlope(balanced), scalar2: scalarSlope(depth: 2), scalar3: scalarSlope(depth: 3),
                         unbalanced: try matrixSlope(unbalanced), vectorFormMismatch: mismatch,
                         initialImbalance: balanced.imbalance / we.frobeniusNorm)
        _ = c
        report.code("discrepancy")
        report.claim(claim(e))
        let named = [("matrix, N = 3", e.matrix, Character("M")), ("scalar layers, N = 2", e.scalar2, Character("2")),
                     ("scalar layers, N = 3", e.scalar3, Character("3")), ("unbalanced, N = 3", e.unbalanced, Character("u"))]
        report.plot(LinePlot(title: "one-step discrepancy ||W_e' − (W_e − η·formula)|| / ||W_e||", xLabel: "η (units of ||W_e||/||formula||)",
                             yLabel: "relative discrepancy", xScale: .log10, yScale: .log10,
                             series: named.map { Series($0.0, x: $0.1.etas, y: $0.1.discrepancies, marker: $0.2, style: .points) }))
        report.table(["network", "fitted slope ± se", "points", "discrepancy at the largest η"],
                     named.map { [$0.0, text($0.1), "\($0.1.points)", Fmt.sci($0.1.discrepancies.last ?? .nan)] },
                     caption: "Least-squares slope of log₁₀(discrepancy) against log₁₀(η) over the six step sizes.")
        let second = [e.matrix, e.scalar2, e.scalar3].allSatisfy { abs($0.slope - 2) <= 0.1 }
        let first = abs(e.unbalanced.slope - 1) <= 0.1
        report.discussion("""
        **The one-step test.** The balanced networks leave a remainder of slope \(text(e.matrix)) (matrix), \
        \(text(e.scalar2)) and \(text(e.scalar3)) (scalar layers)\
        \(second ? ": the formula is the first-order term of the step" : ", not the second-order remainder the theorem predicts"). \
        The unbalanced network with the same product leaves \(text(e.unbalanced))\
        \(first ? ": without balancedness the layers' first-order move differs from the formula, which is why Theorem 1 assumes it" : ""). \
        The balanced factorization was balanced to \(Fmt.sci(e.initialImbalance)) relative, and at one output the matrix \
        formula and the vector form agree to \(Fmt.sci(e.vectorFormMismatch)).
        """)
        return e
    }
}
