import Foundation
import Numerics
import Learning
import Notebook

/// The two problems, their box-constrained reference solutions, and the report every experiment writes to.
struct Lab {
    let config: LionLyapunov.Config
    let options: RunOptions
    let report: Report
    let quadratic: Objective
    let quadraticMinimizer: [Double]
    let digits: Objective
    let model: SoftmaxRegression
    let digitsImages: Int
    /// Reference solutions of the box problems min f s.t. ||x||_∞ ≤ 1/λ at the main λ, from x = 0.
    let quadraticReference: ProximalGradient.Result
    let digitsReference: ProximalGradient.Result

    static let quadraticTolerance = 1e-9
    static let digitsTolerance = 1e-8

    var radius: Double { config.radius }
    var epsilon: Double { config.epsilon }
    var algorithmsFile: String { Literate.sibling("Algorithms.swift") }
    var zeroQuadratic: [Double] { [Double](repeating: 0, count: quadratic.dimension) }
    var zeroDigits: [Double] { [Double](repeating: 0, count: digits.dimension) }

    init(config c: LionLyapunov.Config, options: RunOptions, report: Report) throws {
        self.config = c; self.options = options; self.report = report
        var rng = RandomSource.stream(seed: options.seed, Int(LionLyapunov.Stream.quadratic.rawValue))
        (quadratic, quadraticMinimizer) = Problems.farQuadratic(dimension: c.quadraticDimension, condition: 10, minimizerScale: 4, rng: &rng)
        let data = try DigitsDataset.load(nearSourceFile: #filePath)
        digitsImages = data.count
        (digits, model) = try Problems.digits(data, n: c.digitsCount)
        quadraticReference = try Algorithms.reference(quadratic, .l1, lambda: c.lambda, maxIterations: c.referenceIterations,
                                                      tolerance: Lab.quadraticTolerance)
        digitsReference = try Algorithms.reference(digits, .l1, lambda: c.lambda, maxIterations: c.referenceIterations,
                                                   tolerance: Lab.digitsTolerance)
    }

    /// A Lion optimizer with the run's β's.
    func lion(_ eps: Double, lambda: Double? = nil) -> Lion {
        Lion(learningRate: eps, beta1: config.beta1, beta2: config.beta2, weightDecay: lambda ?? config.lambda)
    }

    /// A main-run schedule: constant ε, then linear decay to 0.
    func schedule(_ eps: Double) -> StepSchedule {
        StepSchedule(epsilon: eps, steps: config.steps, constantFraction: config.constantFraction)
    }

    func writeSetup() {
        let c = config
        report.section("Setup")
        report.literate("problems", file: Literate.sibling("Problems.swift"))
        let outside = Double(quadraticMinimizer.filter { abs($0) > radius }.count) / Double(quadraticMinimizer.count)
        report.setup([
            Setting("quadratic: dimension d", c.quadraticDimension, "A = Q diag(σ) Qᵀ, σ geometric in [1, 10]; x* = 4·N(0, I)"),
            Setting("quadratic: ||x*||_∞, share of |x*ᵢ| > 1/λ", "\(Fmt.g(Vector.normInf(quadraticMinimizer), 3)), \(Fmt.pct(outside))",
                    "the unconstrained minimizer is far outside the box"),
            Setting("digits: images used", "\(model.sampleCount) of \(digitsImages)", "the first n rows of Data/digits.csv; pixels / 16, plus a bias feature"),
            Setting("digits: parameters", model.parameterCount, "65 features x 10 classes, multinomial (softmax), mean cross-entropy, unregularized"),
            Setting("digits: smoothness bound L", Fmt.g(digits.lipschitz, 4), "λ_max(XᵀX)/(2n)"),
            Setting("weight decay λ (main runs)", c.lambda, "box ||x||_∞ ≤ 1/λ = \(Fmt.g(radius))"),
            Setting("step size ε", epsilon, "ελ = \(Fmt.g(c.rho)); other λ use ε = \(Fmt.g(c.rho))/λ"),
            Setting("β₁, β₂", "\(c.beta1), \(c.beta2)", "Lion's defaults"),
            Setting("steps per main run", c.steps, "constant ε for the first \(Fmt.pct(c.constantFraction, 0)), then linear decay to 0"),
            Setting("Lyapunov runs (C3): step sizes", c.lyapunovDivisors.map { epsilon / $0 }, "constant ε, from x₀ = 0, m₀ = 0"),
            Setting("Lyapunov runs: continuous time t·ε", "\(Fmt.g(c.lyapunovTime)) (quadratic), \(Fmt.g(c.digitsLyapunovTime)) (digits)",
                    "the same at every ε; long enough for H to settle on the quadratic"),
            Setting("λ sweep (C5)", c.lambdas, "digits, from x₀ = 0"),
            Setting("reference solvers", "projected Newton (box and soft-box problems); FISTA with restart, ≤ \(c.referenceIterations) iterations (the others)",
                    "stop at gradient-mapping residual ≤ \(Fmt.g(Lab.quadraticTolerance)) (quadratic) / \(Fmt.g(Lab.digitsTolerance)) (digits)"),
            Setting.seed(options.seed, streams: LionLyapunov.Stream.self),
        ])
        report.section("The update")
        report.literate("update", file: algorithmsFile)
        report.code("lion-step", file: Literate.packageFile("Sources/Learning/Optimizers.swift"))
        report.code("lionk-step", file: Literate.packageFile("Sources/Learning/Optimizers.swift"))
    }

    /// Whether a reference solve reached its tolerance; a check against an unconverged reference is not observed.
    static func unconverged(_ ref: ProximalGradient.Result, _ what: String) -> String? {
        ref.converged ? nil : "the reference solve of \(what) stopped at residual \(Fmt.sci(ref.residual)) above its tolerance"
    }
}
