import Foundation
import Numerics
import Learning
import Notebook

/// One seed's problem: the truth, the two losses, the best rank-s solutions of each, the initial draw.
struct Problem: Sendable {
    var sensing: Objective
    var population: Objective
    /// Z_s for s = 1…r* (Z_{r*} = M*), on the sensing and on the population loss.
    var sensingSolutions: [RankSolution]
    var populationSolutions: [RankSolution]
    /// λ₁(R(0)), λ₂(R(0)), λ₃(R(0)) for the sensing loss: R(0) = (1/m)Σ yᵢAᵢ.
    var initialResidualEigenvalues: [Double]
    var populationInitialEigenvalues: [Double]
    /// The draw G of X₀ = α·G (n x k for every k used; the first k columns are used).
    var initialSeed: RandomSource

    func objective(_ sensing: Bool) -> Objective { sensing ? self.sensing : population }
    func solutions(_ sensing: Bool) -> [RankSolution] { sensing ? sensingSolutions : populationSolutions }
    func initialEigenvalues(_ sensing: Bool) -> [Double] { sensing ? initialResidualEigenvalues : populationInitialEigenvalues }
}

/// The problems of every seed, built once and shared by the experiments.
struct Lab: Sendable {
    var config: IncrementalLearning.Config
    var problems: [Problem]

    init(config c: IncrementalLearning.Config, seed: UInt64) throws {
        config = c
        problems = try Threads.map(c.seeds) { j in
            var rngU = RandomSource.stream(seed: seed, IncrementalLearning.Stream.eigenvectors).stream(j)
            var rngA = RandomSource.stream(seed: seed, IncrementalLearning.Stream.sensingOperator).stream(j)
            let truth = LowRankTruth.symmetric(n: c.n, singularValues: c.spectrum, rng: &rngU)
            let op = SensingOperator(n1: c.n, n2: c.n, m: c.m, symmetric: true, rng: &rngA)
            let sensing = Objective.sensing(SensingProblem(op: op, truth: truth, rng: &rngA))
            let population = Objective.population(truth)
            let zero = Matrix(rows: c.n, cols: c.n)
            func top(_ o: Objective) throws -> [Double] { Array(try symmetricEigenvalues(o.residual(zero).r).reversed().prefix(c.r + 1)) }
            return Problem(sensing: sensing, population: population,
                           sensingSolutions: try (1...c.r).map { try BestRank.solve(sensing, rank: $0) },
                           populationSolutions: try (1...c.r).map { try BestRank.solve(population, rank: $0) },
                           initialResidualEigenvalues: try top(sensing), populationInitialEigenvalues: try top(population),
                           initialSeed: RandomSource.stream(seed: seed, IncrementalLearning.Stream.initialFactor).stream(j))
        }
    }

    /// One GD run of seed j with factor rank k from α.
    func run(seed j: Int, sensing: Bool, rank k: Int, alpha: Double, iterations: Int) throws -> Trajectory {
        var rng = problems[j].initialSeed
        let p = problems[j]
        return try Dynamics.run(p.objective(sensing), rank: k, alpha: alpha, eta: config.eta, iterations: iterations,
                                targets: p.solutions(sensing).map(\.matrix), rng: &rng,
                                label: "\(sensing ? "sensing" : "population") seed \(j), k = \(k), α = \(Fmt.g(alpha))")
    }

    func writeReferences(to report: Report) {
        let c = config
        report.section("The reference points: best rank-s solutions")
        report.literate("best-rank", file: Literate.sibling("BestRank.swift"))
        report.code("svp", file: Literate.sibling("BestRank.swift"))
        var rows: [[String]] = []
        for s in 1...c.r {
            let sol = problems.map { $0.sensingSolutions[s - 1] }
            let pop = problems.map { $0.populationSolutions[s - 1] }
            let gap = zip(sol, pop).map { ($0.matrix - $1.matrix).frobeniusNorm / $1.matrix.frobeniusNorm }
            rows.append(["\(s)", Fmt.list(sol.map(\.loss)) { Fmt.sci($0) }, Fmt.sci(pop[0].loss),
                         Fmt.sci(sol.map(\.stationarity).max() ?? .nan), "\(sol.map(\.iterations).max() ?? 0)",
                         Fmt.g(Stats.mean(gap), 3),
                         s < c.r ? Fmt.list(sol.map { $0.residualEigenvalues[0] }) { Fmt.g($0, 4) } : "—"])
        }
        report.table(["s", "sensing loss L(Z_s), per seed", "population L(Z_s) (seed 0)", "max ||R Z_s||/(||R|| ||Z_s||)",
                      "max SVP steps", "mean ||Z_s − Z_s^pop||/||Z_s^pop||", "λ₁(R(Z_s)), per seed"], rows,
                     caption: "Z_s from projected gradient descent (step τ = 1) on the sensing loss of each seed; the population Z_s is the closed form Σ_{i≤s} λᵢ vᵢ vᵢᵀ. Z_\(c.r) = M* (noiseless), so its loss is zero up to round-off. λ₁(R(Z_s)) is the growth rate of the next direction near Z_s; it is λ_{s+1}(M*) = \(Fmt.list(Array(c.spectrum.dropFirst())) { Fmt.g($0, 4) }) in the population limit.")
    }
}
