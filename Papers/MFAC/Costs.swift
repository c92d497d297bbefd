import Foundation
import Numerics
import Learning
import Notebook

extension Experiments {
    /// What claim 2 is decided on: for each routine, its paper exponent and the slope fitted to the
    /// counted multiply-adds (nil if the fit failed), over how many sizes.
    struct CostEvidence {
        struct Exponent { var name: String; var theory: Double; var counted: Double?; var points: Int }
        var exponents: [Exponent]

        init(_ fits: [CostFit]) {
            exponents = fits.map { Exponent(name: $0.name, theory: $0.theory, counted: $0.counted?.slope, points: $0.sizes.count) }
        }
    }

    static func claim2(_ e: CostEvidence) -> Claim {
        Claim(
            id: "C2",
            statement: "Static: O(d m²) precomputation, O(d m) per IHVP, O(m) per element of F⁻¹; dynamic: O(d m + m²) per IHVP, O(d m + m³) per window update (abstract).",
            checks: e.exponents.map { x in
                let name = "\(x.name): exponent of counted multiply-adds (paper \(Fmt.g(x.theory)))"
                if x.points < 3 { return Check.notObserved(name, .withinAbs(target: x.theory, tolerance: 0.25), because: "a fit over \(x.points) sizes") }
                return Check(name, measured: x.counted ?? .nan, .withinAbs(target: x.theory, tolerance: 0.25), format: "%.3f")
            },
            failsIf: "a routine's counted work grew with another power of d or m than the paper's, e.g. an IHVP with a hidden O(d m²) loop (fitted exponent in m near 2, not 1)")
    }

    func costs() throws {
        let c = config
        report.section("Claim 2: costs")
        /*: costs-method
         **Method.** Each routine runs on synthetic gradients over a grid of sizes, one of d and m varied
         at a time, and its loops count the multiply-adds they execute. The exponent is the
         least-squares slope of log(count) against log(size) over the whole grid. Where the paper's cost
         has two terms (d m + m² for a dynamic IHVP, d m + m³ for an update), each exponent is fitted in
         a regime where one term dominates, named in the table. The counts include the lower-order terms
         (an IHVP also scales x by 1/λ, d more multiply-adds), so a slope is slightly off its exponent
         over a finite grid.
         */
        report.literate("costs-method")
        /*: claim2
         **Claim 2 (costs).** Every fitted exponent of the counted multiply-adds must lie close to the
         paper's: static precomputation 2 in m and 1 in d; static IHVP 1 in m and 1 in d; one element of
         F⁻¹ 1 in m; dynamic IHVP 1 in m and 1 in d; dynamic update 1 in d and 3 in m. The tolerance
         leaves room for the lower-order terms over these grids, and is well short of one power of a
         size, the smallest error a wrong complexity would show.
         */
        report.literate("claim2")
        var rng = stream(.costSweeps)
        let fits = try costSweeps().map { sweep -> CostFit in
            Progress.log("claim 2: \(sweep.name)")
            return try sweep.measure(rng: &rng)
        }
        report.claim(Experiments.claim2(CostEvidence(fits)))

        report.table(["routine", "regime", "paper's exponent", "fitted exponent (counted)", "R²"],
                     fits.map { [$0.name, $0.regime, Fmt.g($0.theory), $0.counted.map { Fmt.fixed($0.slope, 3) } ?? "n/a",
                                 $0.counted.map { Fmt.fixed($0.rSquared, 4) } ?? "n/a"] },
                     caption: "Exponents of the counted multiply-adds. The wall-clock exponents of the same runs are in the timings block.")
        let byName = Dictionary(uniqueKeysWithValues: fits.map { ($0.name, $0) })
        func series(_ label: String, _ name: String) -> Series { Series(label, x: byName[name]!.sizes, y: byName[name]!.counts) }
        report.plot(LinePlot(
            title: "counted multiply-adds against m (d = \(c.costFixedD))",
            xLabel: "m (log)", yLabel: "multiply-adds (log)", xScale: .log10, yScale: .log10,
            series: [series("static precomputation", "static precomputation, in m"), series("static IHVP", "static IHVP, in m"),
                     series("dynamic IHVP", "dynamic IHVP, in m"), series("element of F⁻¹", "element of F⁻¹, in m")]))
        report.plot(LinePlot(
            title: "counted multiply-adds against d (m = \(c.costFixedM); dynamic update at m = \(c.dynamicUpdateFixedM))",
            xLabel: "d (log)", yLabel: "multiply-adds (log)", xScale: .log10, yScale: .log10,
            series: [series("static precomputation", "static precomputation, in d"), series("static IHVP", "static IHVP, in d"),
                     series("dynamic update", "dynamic update, in d"), series("dynamic IHVP", "dynamic IHVP, in d")]))

        /*: costs-dense
         **Against the dense route.** Forming F costs d²m/2 multiply-adds (its lower triangle), the
         Cholesky factorization d³/6 and each further solve d²; these are the standard operation counts,
         not measured ones. M-FAC's are the counted ones. The ratio is how many times more work the dense
         route does; it grows with d/m, since the two routes cost the same order only when m approaches
         d, where the Fisher is no longer low-rank.
         */
        report.literate("costs-dense")
        let pre = byName["static precomputation, in d"]!, ihvp = byName["static IHVP, in d"]!
        report.table(["d", "m", "M-FAC: precompute + 1 IHVP (counted)", "dense: form + factor + 1 solve", "dense / M-FAC (setup)", "dense / M-FAC (each further IHVP)"],
                     pre.sizes.indices.map { i in
                         let d = Int(pre.sizes[i]), m = c.costFixedM
                         let dense = DenseFisher.setupCount(d: d, m: m) + DenseFisher.solveCount(d: d)
                         return ["\(d)", "\(m)", Fmt.sci(pre.counts[i] + ihvp.counts[i], 2), Fmt.sci(dense, 2),
                                 Fmt.g(dense / (pre.counts[i] + ihvp.counts[i]), 3), Fmt.g(DenseFisher.solveCount(d: d) / ihvp.counts[i], 3)]
                     },
                     caption: "Multiply-adds: M-FAC counted in its loops, dense by the standard formulas.")

        // Wall clock, for the timings block only.
        for f in fits {
            report.wallClock("claim 2: \(f.name), \(f.regime)",
                             "exponent \(f.wall.map { Fmt.fixed($0.slope, 2) } ?? "n/a") (counted \(f.counted.map { Fmt.fixed($0.slope, 2) } ?? "n/a"), paper \(Fmt.g(f.theory))); largest size \(Fmt.sci(f.seconds.last ?? .nan, 2)) s")
        }
        for d in c.denseDGrid {
            let m = c.costFixedM
            let g = rng.normalMatrix(m, d), x = rng.normalVector(d)
            let t0 = Progress.elapsed
            _ = try DenseFisher(gradients: g, damping: 1).solve(x)
            let tDense = Progress.elapsed - t0
            let t1 = Progress.elapsed
            _ = try StaticMFAC(gradients: g, damping: 1).inverseTimes(x)
            let tMfac = Progress.elapsed - t1
            report.wallClock("claim 2: dense setup + 1 solve against M-FAC precompute + 1 IHVP, d = \(d), m = \(m)",
                             "\(Fmt.sci(tDense, 2)) s against \(Fmt.sci(tMfac, 2)) s (\(Fmt.g(tDense / tMfac, 3))x less)")
        }
        report.discussion("""
        **Cost measure.** Claim 2 is decided on counted multiply-adds, which are exact and \
        machine-independent; they check that the implementation has the stated complexity, not how fast \
        a machine runs it. The counts come from the loops as they execute, so an extra loop would show \
        in them (the test suite checks that an IHVP with a hidden O(d m²) loop fails the claim). The \
        wall-clock exponents of the same sweeps are in the timings block; on a shared 2-core machine they \
        are noisy, and small sizes are dominated by fixed overheads, so they are reported, not judged.
        """)
    }
}
