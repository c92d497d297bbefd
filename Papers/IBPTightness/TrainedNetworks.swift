import Foundation
import Numerics
import Learning
import Notebook

/// Experiments 2 and 3 (claims 2 and 3): trained networks — tightness and certified accuracy.
enum TrainedNetworks {
    /// One trained network evaluated at every test ε.
    struct Trained { var method: Method; var width: Int; var trainEpsilon: Double; var seed: Int
        var clean: Double; var tightness: [Double]; var certified: [Double]; var pgd: [Double]; var initialTightness: [Double] }

    struct Evidence {
        var ibpOverPGD: Double, ibpOverStandard: Double     // min over (ε, width) of the ratio of mean τ
        var seedWins: Int, seedCases: Int                   // τ_IBP > τ_PGD and τ_standard, seed by seed
        var tightnessWidthT: [Double]                       // per ε: slope of ln τ_IBP on ln width / se
        var certifiedWidthT: [Double]                       // per ε: slope of certified accuracy on ln width / se
        var widths: Int
        var discordantPairs: Int
    }

    static func claim2(_ e: Evidence, epsilons: [Double]) -> Claim {
        let few = e.widths >= 3 ? nil : "fit over \(e.widths) widths"
        return Claim(id: "C2",
            statement: "IBP training makes networks much tighter than PGD or standard training, and under IBP training tightness grows with width (Sections 3.3 and 5).",
            checks: [
                Check("min over (ε, width) of τ_IBP / τ_PGD", measured: e.ibpOverPGD, .atLeast(5), format: "%.3g"),
                Check("min over (ε, width) of τ_IBP / τ_standard", measured: e.ibpOverStandard, .atLeast(5), format: "%.3g"),
                Check("seeds with τ_IBP above both (share)", measured: Double(e.seedWins) / Double(max(e.seedCases, 1)), .atLeast(1), format: "%.3f"),
            ] + zip(epsilons, e.tightnessWidthT).map { eps, t in
                Check("IBP, ε = \(Fmt.g(eps)): slope of ln τ on ln width, in se", measured: t, .atLeast(2), format: "%.2f", notObserved: few)
            },
            failsIf: "IBP-trained networks are less than 5x tighter than PGD- or standard-trained ones at some width and ε, lose to either on some seed, or their tightness does not rise with width by 2 standard errors.")
    }

    static func claim3(_ e: Evidence, epsilons: [Double]) -> Claim {
        let few = e.widths >= 3 ? nil : "fit over \(e.widths) widths"
        return Claim(id: "C3",
            statement: "Wider IBP-trained networks reach higher certified accuracy, while tightness alone is neither necessary nor sufficient for certified robustness (Section 5).",
            checks: zip(epsilons, e.certifiedWidthT).map { eps, t in
                Check("IBP, ε = \(Fmt.g(eps)): slope of certified accuracy on ln width, in se", measured: t, .atLeast(2), format: "%.2f", notObserved: few)
            } + [
                Check("discordant pairs (tighter but certifies less, 2 se both ways)", measured: Double(e.discordantPairs), .atLeast(1), format: "%.0f")
            ],
            failsIf: "The certified accuracy of IBP-trained networks does not rise with width by 2 standard errors at some ε, or no two configurations are ordered oppositely by tightness and certified accuracy (each difference beyond 2 se).")
    }

    /*: trained
     **Setup.** The 8x8 digits (pixels/16 ∈ [0, 1]), a fixed random split into training and test
     images, and ReLU MLPs 64 → n → n → 10 for several widths n, trained by the three methods
     below at each training ε (standard training once, since it does not depend on ε). Every
     network is evaluated on the test images at every ε: clean accuracy, accuracy under a PGD attack
     (steps as in training, more of them), **IBP-certified accuracy** (all elided margin lower
     bounds over the clipped box positive) and the mean local tightness (Definition above). Each
     configuration is trained from several seeds inside the run; tables show mean ± se over seeds.

     **Criteria (fixed before the run).** Claim 2: at every (ε, width) the mean tightness of the
     IBP-trained networks is at least 5 times that of the PGD- and of the standard-trained ones (the
     paper's gaps are one to two orders of magnitude), IBP is tighter than both on every seed, and
     for each ε the least-squares slope of ln τ_IBP on ln n (all seeds) is at least 2 standard
     errors above 0. Claim 3: for each ε the slope of the IBP-certified accuracy on ln n is at least
     2 standard errors above 0; and some pair of configurations (method, width, training ε),
     evaluated at the same ε, is ordered oppositely by tightness and by certified accuracy with both
     differences beyond 2 standard errors — a network that is tighter but certifies less.
     */
    static func run(_ c: IBPTightness.Config, seed: UInt64, data: DigitsSplit, report: Report) throws -> Evidence {
        report.section("Experiments 2 and 3: trained networks")
        report.literate("trained")
        report.literate("ibp-loss", file: Literate.sibling("CertifiedTraining.swift"))
        report.code("ibp-forward", file: Literate.sibling("CertifiedTraining.swift"))
        report.literate("pgd", file: Literate.sibling("CertifiedTraining.swift"))
        report.literate("schedule", file: Literate.sibling("CertifiedTraining.swift"))
        var jobs: [(Method, Int, Double, Int)] = []
        for w in c.widths { for s in 0..<c.seeds {
            jobs.append((.standard, w, 0, s))
            for e in c.epsilons { jobs.append((.pgd, w, e, s)); jobs.append((.ibp, w, e, s)) }
        } }
        let test = data.testX.rows(Array(0..<c.evalPoints)), labels = Array(data.testLabels[0..<c.evalPoints])
        let nets = try report.phase("training: \(jobs.count) networks (dominant loop: IBP and PGD mini-batch passes, 64 x n by n x n GEMMs)") {
            try Threads.map(jobs.count) { j -> Trained in
                let (m, w, e, s) = jobs[j]
                let rng = RandomSource.stream(seed: seed, Int(IBPTightness.Stream.training.rawValue) * 10_000 + j)
                var r0 = rng                                       // the same first draws as the training run's initialization
                let initial = MLP(sizes: [data.trainX.cols, w, w, 10], hidden: .relu, initialization: .he, rng: &r0)
                let net = try CertifiedTraining.train(m, hidden: [w, w], epsilon: e, config: c, data: data, rng: rng)
                var attack = RandomSource.stream(seed: seed, Int(IBPTightness.Stream.attack.rawValue) * 10_000 + j)
                let clean = Loss.softmaxCrossEntropy(labels: labels).accuracy(net.forward(test))
                return Trained(method: m, width: w, trainEpsilon: e, seed: s, clean: clean,
                               tightness: c.epsilons.map { Tightness.mean(net, x: test, labels: labels, epsilon: $0) },
                               certified: c.epsilons.map { Tightness.certifiedAccuracy(net, x: test, labels: labels, epsilon: $0) },
                               pgd: c.epsilons.map { Loss.softmaxCrossEntropy(labels: labels).accuracy(
                                   net.forward(CertifiedTraining.pgd(net, x: test, labels: labels, epsilon: $0, steps: c.evalPGDSteps, rng: &attack))) },
                               initialTightness: c.epsilons.map { Tightness.mean(initial, x: test, labels: labels, epsilon: $0) })
            }
        }
        return try analyse(nets, c, report: report)
    }
}
