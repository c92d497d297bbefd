import Foundation
import Numerics
import Learning
import Notebook

/// The independent check of the bounds: IBP against exact margin bounds from activation-region enumeration.
enum ExactCheck {
    struct Row { var epsilon: Double; var regions: Int; var unstable: Int; var trueTightness: Double; var local: Double; var contained: Bool }
    struct Result { var rows: [Row]; var contained: Int; var stableMaxGap: Double; var stableCases: Int }

    /*: exact
     **Exact check on small networks.** On ReLU networks small enough to enumerate (inputs 4, two
     hidden layers of 8, 3 classes; He-initialized weights, biases N(0, 0.1²)), we compute the exact
     range of every margin over the clipped box by visiting each activation region that meets it and
     solving two linear programs per margin on that region's cell (`ActivationRegions`, the
     enumeration shared with the local-Lipschitz notebook). IBP's elided margin box must contain the
     exact one, and the **true tightness** (exact width / IBP width, mean over margins) must equal the
     local tightness whenever no neuron is unstable on the box (the network is then one affine map
     there, and both ratios are |W̃ D ⋯ W₁| r / |W̃| D ⋯ |W₁| r).
     */
    static func run(_ c: IBPTightness.Config, seed: UInt64) throws -> Result {
        let cases = c.exactEpsilons.flatMap { eps in (0..<c.exactNetworks).map { (eps, $0) } }
        let rows = try Threads.map(cases.count) { i -> Row in
            let (eps, k) = cases[i]
            var rng = RandomSource.stream(seed: seed, Int(IBPTightness.Stream.exact.rawValue) * 1000 + k)
            var net = MLP(sizes: [4, 8, 8, 3], hidden: .relu, initialization: .he, rng: &rng)
            for l in 0..<net.layerCount { net.biases[l] = (0..<net.sizes[l + 1]).map { _ in rng.normal(mean: 0, std: 0.1) } }
            let x = (0..<4).map { _ in rng.uniform(0.1, 0.9) }
            let label = k % 3
            let box = IntervalVector(around: x, radius: eps, clippedTo: 0...1)
            let ibp = IntervalBoundPropagation.marginBounds(net, box: box, label: label)
            let spec = IntervalBoundPropagation.marginSpecification(classes: 3, label: label)
            let (exact, work) = try ActivationRegions.exactBounds(net, box: box, specification: spec, maxLinearPrograms: c.maxLinearPrograms)
            let hidden = IntervalBoundPropagation.bounds(net, box: box).dropLast()
            let unstable = hidden.reduce(0) { acc, b in acc + (0..<b.count).filter { b.lower[$0] < 0 && b.upper[$0] > 0 }.count }
            let contained = (0..<2).allSatisfy { ibp.lower[$0] <= exact.lower[$0] + 1e-9 && exact.upper[$0] <= ibp.upper[$0] + 1e-9 }
            let ratio = Stats.mean((0..<2).map { exact[$0].width / ibp[$0].width })
            return Row(epsilon: eps, regions: work.regions, unstable: unstable, trueTightness: ratio,
                       local: Tightness.local(net, x: x, label: label, radius: box.radius), contained: contained)
        }
        let stable = rows.filter { $0.unstable == 0 }
        return Result(rows: rows, contained: rows.filter(\.contained).count,
                      stableMaxGap: stable.map { abs($0.trueTightness - $0.local) }.max() ?? .nan, stableCases: stable.count)
    }

    static func table(_ r: Result, report: Report) {
        report.literate("exact")
        let eps = Array(Set(r.rows.map(\.epsilon))).sorted()
        report.table(["ε", "networks", "regions (mean)", "unstable neurons (mean)", "IBP ⊇ exact", "true τ = exact/IBP", "local τ"],
                     eps.map { e in
                         let g = r.rows.filter { $0.epsilon == e }
                         return [Fmt.g(e), String(g.count), Fmt.g(Stats.mean(g.map { Double($0.regions) }), 3), Fmt.g(Stats.mean(g.map { Double($0.unstable) }), 3),
                                 "\(g.filter(\.contained).count) of \(g.count)", Fmt.g(Stats.mean(g.map(\.trueTightness)), 4), Fmt.g(Stats.mean(g.map(\.local)), 4)]
                     },
                     caption: "Networks 4-8-8-3 at initialization; exact bounds by region enumeration and linear programs.")
        report.prose("""
            The IBP box contained the exact margin range in \(r.contained) of \(r.rows.count) cases. In the \(r.stableCases) cases without an unstable neuron the true and the local tightness agree to \
            \(r.stableCases > 0 ? Fmt.sci(r.stableMaxGap) : "n/a"); with unstable neurons the local tightness is only an approximation of the true one.
            """)
    }
}

/// The authors' published numbers at initialization (depth), for comparison.
enum Published {
    /// `depth_init_tightness.json` in eth-sri/ibp-propagation-tightness: local (ReLU) and deep-linear tightness
    /// of their CNNs with batch norm at initialization (ε = 10⁻⁶), keyed by the number of layers.
    static let layers = [2, 3, 5, 7, 9, 11, 13]
    static let relu = [0.13830372304916388, 0.02490963209569457, 0.0003439946304541081, 8.51973565090703e-08,
                       1.8635251168852564e-10, 4.851664805148596e-13, 2.052885450878634e-15]
    static let linear = [0.09573061459064479, 0.012240186062455177, 7.868859415175404e-05, 9.894535089927095e-09,
                         1.197887053300263e-11, 1.4133664823624926e-14, 1.6375952892056532e-17]

    static func compare(ours: Double, report: Report) {
        let x = layers.map(Double.init)
        guard let lin = try? LineFit.logLinear(x: x, y: linear), let ratio = try? LineFit.logLinear(x: x, y: zip(relu, linear).map { $0 / $1 }) else { return }
        report.table(["layers", "authors' deep-linear τ", "authors' ReLU local τ", "local / linear"],
                     layers.indices.map { [String(layers[$0]), Fmt.sci(linear[$0], 3), Fmt.sci(relu[$0], 3), Fmt.g(relu[$0] / linear[$0], 3)] },
                     caption: "The authors' depth results at initialization (file depth_init_tightness.json of their repository; CNNs with batch norm, so the absolute values are not comparable with our MLPs).")
        report.prose("""
            **The authors' depth numbers.** Their networks are convolutional with batch norm, whose fan-in differs from layer to layer, so \
            their deep-linear values cannot be set against √(π/(2n)) for one n; they decay exponentially as well, by a fitted factor \
            \(Fmt.g(Foundation.exp(lin.slope), 3)) per layer (R² = \(Fmt.g(lin.rSquared, 4))). The ratio local/linear, which the argument \
            above predicts to grow by √2 per hidden layer whatever the layer's width, grows by a fitted factor \
            \(Fmt.g(Foundation.exp(ratio.slope), 4)) per layer in their numbers and by \(Fmt.g(Foundation.exp(ours), 4)) in ours (√2 ≈ 1.414).
            """)
    }
}
