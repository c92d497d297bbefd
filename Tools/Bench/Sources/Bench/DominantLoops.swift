import Foundation
import Numerics
import Learning

/// Each paper's dominant loop, at the paper's own shape (its full mode), as the papers section of
/// the bench times it. The loop is the routine a profile of the paper's full run on one thread puts
/// first (`PapersSection.profiled`); `share` is that routine's share of the samples (with the
/// routines it is made of, where the profile splits it). Work is counted as stated in `name`.
enum DominantLoops {
    typealias Loop = PapersSection.Loop

    /// The limit that applies to a loop that streams `bytes` once per call from a working set of
    /// `workingSet` bytes: the cache while it fits in a core's L2, the last-level cache up to
    /// 16 MiB, memory above.
    static func stream(bytes: Double, workingSet: Int) -> PapersSection.Kind {
        workingSet <= 256 << 10 ? .cacheStream(bytes: bytes) : workingSet <= 16 << 20 ? .lastLevelStream(bytes: bytes) : .memoryStream(bytes: bytes)
    }

    /// Σ d_l d_{l+1} over an MLP's layers (the weights one sample's forward pass multiplies), and
    /// the sizes as "64-32-10".
    static func weightProducts(_ sizes: [Int]) -> Double { Double(zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }) }
    static func shape(_ sizes: [Int]) -> String { sizes.map(String.init).joined(separator: "-") }

    /// One mini-batch loss and gradient of an MLP (forward and backward: 6·batch·Σ d_l d_{l+1} flops).
    static func mlpGradient(_ target: String, _ sizes: [Int], batch: Int, _ activation: Activation, share: String) -> Loop {
        let flops = 6 * Double(batch) * weightProducts(sizes)
        return Loop(target: target, name: "MLP loss and gradient, \(shape(sizes)) \(activation.rawValue), batch \(batch) (6·batch·Σ d_l d_{l+1} flops)",
                    share: share, kind: .compute(flops: flops)) {
            var rng = RandomSource(seed: 1)
            let net = MLP(sizes: sizes, hidden: activation, rng: &rng)
            let x = rng.normalMatrix(batch, sizes[0], std: 1)
            let loss = Loss.softmaxCrossEntropy(labels: (0..<batch).map { $0 % sizes[sizes.count - 1] })
            return { consume(net.lossAndGradient(x, loss).loss) }
        }
    }

    /// One Hessian-vector product of an MLP (counted as two gradients: 12·N·Σ d_l d_{l+1} flops).
    static func hessianVector(_ target: String, _ sizes: [Int], points: Int, _ activation: Activation, what: String, share: String) -> Loop {
        let flops = 12 * Double(points) * weightProducts(sizes)
        return Loop(target: target, name: "\(what): Hessian-vector products of a \(shape(sizes)) \(activation.rawValue) MLP on \(points) points (12·N·Σ d_l d_{l+1} flops)",
                    share: share, kind: .compute(flops: flops)) {
            var rng = RandomSource(seed: 6)
            let net = MLP(sizes: sizes, hidden: activation, rng: &rng)
            let x = rng.normalMatrix(points, sizes[0], std: 1)
            let loss = sizes.last! == 1 ? Loss.meanSquaredError(targets: rng.normalMatrix(points, 1, std: 1))
                                        : Loss.softmaxCrossEntropy(labels: (0..<points).map { $0 % sizes.last! })
            let v = (0..<net.parameterCount).map { _ in rng.normal() }
            return { consume(net.hessianVectorProduct(x, loss, v)[0]) }
        }
    }

    /// X w and Xᵀ r for an m x n design (4mn flops per pair).
    static func gemvPair(_ target: String, m: Int, n: Int, what: String, share: String) -> Loop {
        Loop(target: target, name: "\(what): X w and Xᵀ r for a \(m) x \(n) X (4mn flops)", share: share,
             kind: .compute(flops: 4 * Double(m * n))) {
            var g = BenchData(seed: 7)
            let x = g.matrix(m, n), w = g.vector(n), r = g.vector(m)
            return { consume(gemv(x, w)[0] + gemv(x, r, transposed: true)[0]) }
        }
    }

    /// A loop the bench cannot run alone (the paper's own code): named, without a rate.
    static func own(_ target: String, _ name: String, share: String) -> Loop {
        Loop(target: target, name: name, share: share, kind: .compute(flops: 0), make: nil)
    }

    /// The sensing operator's fused residual and adjoint for K iterates sharing an m x n operator
    /// (4·m·n·K flops; the operator is streamed once per call).
    static func sensing(_ target: String, m: Int, n: Int, vectors k: Int, share: String) -> Loop {
        let kind: PapersSection.Kind = k == 1 ? stream(bytes: Double(8 * m * n), workingSet: 8 * m * n) : .compute(flops: 4 * Double(m * n * k))
        let counted = k == 1 ? "bytes of A" : "4·m·n·K flops"
        return Loop(target: target, name: "fused residual and adjoint of an \(m) x \(n) sensing operator, K = \(k) (\(counted))",
                    share: share, kind: kind) {
            var g = BenchData(seed: 2)
            let a = g.matrix(m, n), xs = (0..<k).map { _ in g.vector(n) }, b = g.vector(m)
            return { consume(gemvResidualAdjoint(a, xs, minus: b)[0].residual[0]) }
        }
    }

    static func gemmLoop(_ target: String, m: Int, n: Int, k: Int, what: String, share: String) -> Loop {
        Loop(target: target, name: "\(what): \(m) x \(k) by \(k) x \(n) products (2mnk flops)", share: share,
             kind: .compute(flops: 2 * Double(m * n * k))) {
            var g = BenchData(seed: 3)
            let a = g.matrix(m, k), b = g.matrix(k, n)
            var c = Matrix(rows: m, cols: n)
            return { gemm(a, b, into: &c); consume(c.storage[0]) }
        }
    }

    /// Eigenvalues of a symmetric n x n matrix (counted as the tridiagonalization's 4n³/3 flops).
    static func eigenvalues(_ target: String, n: Int, what: String, share: String) -> Loop {
        Loop(target: target, name: "\(what): eigenvalues of a symmetric \(n) x \(n) matrix (4n³/3 flops)", share: share,
             kind: .compute(flops: 4 * Double(n * n * n) / 3)) {
            var g = BenchData(seed: 5)
            let a = g.symmetric(n)
            return { consume((try? symmetricEigenvalues(a))?[0] ?? 0) }
        }
    }

    static let registry: [Loop] = [
        Loop(target: "CBIPM", name: "pairwise Frank–Wolfe on a 1000 x 1000 Gaussian kernel, 3000 steps (bytes: two rows of Q, d read and written, w per step; three products with Q)",
             share: "23% (Frank–Wolfe steps), then the single-precision kernel product 14%", kind: stream(bytes: 8 * (3000 * 5 * 1000 + 3 * 1000 * 1000), workingSet: 8 << 20)) {
            var g = BenchData(seed: 4)
            let n = 1000
            let points = (0..<n).map { _ in g.vector(4) }
            var q = Matrix(rows: n, cols: n)
            for i in 0..<n { for j in 0..<n { q[i, j] = Foundation.exp(-0.5 * zip(points[i], points[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }) } }
            let target = (0..<n).map { i in (0..<n).reduce(0) { $0 + q[i, $1] } / Double(n) * (1 + 0.2 * g.next()) }
            let problem = SimplexQuadratic(quadratic: q, linear: target)
            return { consume((try? problem.solve(tolerance: 0, maxIterations: 3000))?.value ?? 0) }
        },
        mlpGradient("DecoupledWeightDecay", [64, 32, 10], batch: 25, .relu, share: "25% (GEMM), then the AdamW step 15%"),
        mlpGradient("DoG", [64, 64, 10], batch: 32, .relu, share: "24% (GEMM)"),
        hessianVector("EdgeOfStability", [1, 100, 1], points: 20, .tanh, what: "Lanczos for the sharpness", share: "53% (GEMM, Lanczos, Hessian operator), tanh 10%"),
        eigenvalues("HessianSpectrum", n: 1672, what: "the full Hessian's spectrum (P = 1672: 10-32-32-8)", share: "28% (tridiagonalization), then GEMM 38%"),
        gemmLoop("IBPTightness", m: 64, n: 128, k: 128, what: "interval-bound training of 64-128-128-10 networks", share: "24% (GEMM), the interval loss 16%"),
        gemvPair("ImplicitAcceleration", m: 256, n: 10, what: "full-batch ℓp regression", share: "65% (both products)"),
        own("ImportanceWeighting", "the weighted logistic regression's own gradient loop, with exp and log1p", share: "31%, exp and log1p 33%"),
        Loop(target: "LBDN", name: "the Cayley transform of a 64 x 32 parameter and its pullback, once per layer per step (6m³ + 8(n−m)m² flops)",
             share: "the toy's training, which it dominates, is 80% of the run (timings block)", kind: .compute(flops: 6 * 32 * 32 * 32 + 8 * 32 * 32 * 32)) {
            var g = BenchData(seed: 8)
            let w = g.matrix(64, 32), grad = g.matrix(64, 32)
            return { consume((try? CayleyTransform(w))?.pullback(grad).storage[0] ?? 0) }
        },
        sensing("IncrementalLearning", m: 900, n: 900, vectors: 1, share: "64%"),
        hessianVector("InfluenceFunctions", [64, 5, 10], points: 200, .tanh, what: "LiSSA and conjugate gradients", share: "44% (small GEMM), Hessian operator 7%"),
        gemmLoop("LionLyapunov", m: 1000, n: 10, k: 64, what: "softmax regression on 1000 digits", share: "59% (GEMM)"),
        own("LocalLipschitz", "linear bound propagation through the network (the paper's own loops)", share: "22%, then small GEMM 20%"),
        own("MFAC", "M-FAC's recursive inverse-Fisher construction (m rank-one corrections)", share: "23%, its axpys 17%, GEMM 17%"),
        gemmLoop("MuP", m: 16, n: 4096, k: 4096, what: "the width-4096 layers of the dichotomy", share: "GEMM with its packing 56%, of which 16 points were the packing calls removed on 2026-12-07"),
        gemmLoop("ModelCollapse", m: 200, n: 200, k: 400, what: "Gram matrices XᵀX of 400 x 200 designs (S2)", share: "43% (GEMM), then normal draws 25%"),
        mlpGradient("MuonLipschitz", [64, 32, 32, 10], batch: 50, .relu, share: "30% (GEMM), then the SVD 14%"),
        sensing("OverparamSlowsGD", m: 750, n: 2500, vectors: 5, share: "85%"),
        mlpGradient("SAM", [64, 32, 10], batch: 64, .relu, share: "35% (GEMM), backward 7%"),
        sensing("ScaledGDLambda", m: 640, n: 1600, vectors: 1, share: "39%, then the n x n by n x k products 25%"),
        mlpGradient("Sophia", [64, 32, 10], batch: 64, .tanh, share: "tanh (libm tanh and expm1) 41%, GEMM 22%"),
    ]
}
