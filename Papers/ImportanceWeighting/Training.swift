import Foundation
import Numerics
import Notebook

/// Separable 2-D data and class-weighted logistic regression trained by full-batch gradient descent.
enum WeightedLogistic {
    /// One data set: training and test points with a constant feature appended (z = (x₁, x₂, 1)).
    struct DataSet {
        var train: [Double], labels: [Double], test: [Double]
        static let d = 3
    }

    /// Two unit-variance Gaussian classes at o ± m·u (u a random direction, o a random offset); training
    /// points closer than γ to the line uᵀ(x − o) = 0 on their own side, or on the wrong side, are redrawn,
    /// so the training set is separable with a gap of 2γ. Test points are drawn without that filter.
    static func makeData(perClass: Int, testPoints: Int, rng: inout RandomSource,
                         separation m: Double = 1.5, gap gamma: Double = 0.3) -> DataSet {
        let theta = rng.uniform(0, 2 * Double.pi)
        let u = (Foundation.cos(theta), Foundation.sin(theta)), o = (0.5 * rng.normal(), 0.5 * rng.normal())
        func point(_ label: Double) -> (Double, Double) {
            (o.0 + label * m * u.0 + rng.normal(), o.1 + label * m * u.1 + rng.normal())
        }
        var train: [Double] = [], labels: [Double] = []
        for label in [1.0, -1.0] {
            var kept = 0
            while kept < perClass {
                let p = point(label)
                guard label * ((p.0 - o.0) * u.0 + (p.1 - o.1) * u.1) >= gamma else { continue }
                train += [p.0, p.1, 1]; labels.append(label); kept += 1
            }
        }
        var test: [Double] = []
        for i in 0..<testPoints { let p = point(i % 2 == 0 ? 1 : -1); test += [p.0, p.1, 1] }
        return DataSet(train: train, labels: labels, test: test)
    }

    /// A recorded GD run: at each recorded t, the fraction of test points with wᵀz > 0 (the up-weighted
    /// class) and the angle between w and the SVM direction.
    struct Trace {
        var t: [Int] = [], positive: [Double] = [], angle: [Double] = []
        var finalGradientNorm = Double.nan
        func value(_ ys: [Double], at time: Int) -> Double { t.firstIndex(of: time).map { ys[$0] } ?? .nan }
    }

    /// Angle between a and b in radians, computed as atan2(|a_⊥|, a·b̂) so that small angles keep their digits.
    static func angle(_ a: [Double], _ b: [Double]) -> Double {
        let bb = b.reduce(0) { $0 + $1 * $1 }
        let ab = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let perp = zip(a, b).reduce(0) { $0 + ($1.0 - ab / bb * $1.1) * ($1.0 - ab / bb * $1.1) }.squareRoot()
        return Foundation.atan2(perp, ab / bb.squareRoot())
    }

    /// GD from w = 0 on L(w) = Σ cᵢ ln(1 + exp(−yᵢ wᵀzᵢ)) / Σ cᵢ + (λ/2)||w||², cᵢ = κ on the positive
    /// class and 1 on the negative one; step 1/L with L = max||zᵢ||²/4 + λ.
    static func train(_ data: DataSet, classWeight kappa: Double, ridge lambda: Double, iterations T: Int,
                      record: [Int], svm: [Double], label: String) throws -> Trace {
        let d = DataSet.d, n = data.labels.count
        let c = data.labels.map { $0 > 0 ? kappa : 1.0 }
        let total = c.reduce(0, +)
        let cy = zip(c, data.labels).map { $0.0 * $0.1 / total }      // cᵢ yᵢ / Σc
        let maxSq = (0..<n).map { i in (0..<d).reduce(0) { $0 + data.train[i * d + $1] * data.train[i * d + $1] } }.max()!
        let eta = 1 / (maxSq / 4 + lambda)
        var w = [Double](repeating: 0, count: d), g = [Double](repeating: 0, count: d)
        var trace = Trace()
        var next = 0
        func gradient() {
            for j in 0..<d { g[j] = lambda * w[j] }
            data.train.withUnsafeBufferPointer { z in
                for i in 0..<n {
                    let zi = z.baseAddress! + i * d
                    //: begin gd-gradient
                    let margin = data.labels[i] * (w[0] * zi[0] + w[1] * zi[1] + w[2] * zi[2])
                    let s = cy[i] / (1 + Foundation.exp(margin))               // cᵢyᵢσ(−yᵢwᵀzᵢ)/Σc
                    g[0] -= s * zi[0]; g[1] -= s * zi[1]; g[2] -= s * zi[2]   // ∇ of cᵢ ln(1 + e^{−margin})
                    //: end gd-gradient
                }
            }
        }
        for t in 1...T {
            gradient()
            for j in 0..<d { w[j] -= eta * g[j] }
            if next < record.count && record[next] == t {
                next += 1
                guard w.allSatisfy(\.isFinite) else { throw NumericalFailure.nonFinite("weights at iteration \(t) of \(label)") }
                var positive = 0
                for k in 0..<(data.test.count / d) where w[0] * data.test[k * d] + w[1] * data.test[k * d + 1] + w[2] * data.test[k * d + 2] > 0 {
                    positive += 1
                }
                trace.t.append(t)
                trace.positive.append(Double(positive) / Double(data.test.count / d))
                trace.angle.append(angle(w, svm))
            }
        }
        gradient()
        trace.finalGradientNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return trace
    }

    /// Weaves the gradient's key lines into the report.
    static func showCode(_ report: Report) { report.code("gd-gradient") }

    /// About 12 points per decade from 1 to T, plus the named times.
    static func recordTimes(upTo T: Int, including extra: [Int]) -> [Int] {
        let decades = Foundation.log10(Double(T))
        let grid = (0...Int((12 * decades).rounded())).map { Int(Foundation.pow(10, Double($0) / 12).rounded()) }
        return Array(Set(grid + extra).filter { $0 >= 1 && $0 <= T }).sorted()
    }
}
