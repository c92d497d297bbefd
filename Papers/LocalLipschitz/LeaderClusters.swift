import Foundation
import Numerics

/// The random "k leaders" classification data of LipMIP (Jordan & Dimakis, 2020), also used for the
/// synthetic experiments of Shi et al. (2022):
///
///  1. draw n points uniformly in the cube [0, 1]^d;
///  2. pick k of them at random as leaders and give each leader a uniformly random class in 0..<c;
///  3. label every point with the class of its nearest leader (Euclidean distance).
///
/// The labels are a Voronoi partition of the cube with k cells, so a network must carve many linear
/// regions to fit them.
public enum LeaderClusters {
    /// n points and their labels; rows of `x` are the points.
    public static func generate(points n: Int, leaders k: Int, dimension d: Int, classes c: Int,
                                rng: inout RandomSource) -> (x: Matrix, labels: [Int]) {
        precondition(n >= k && k >= 1 && d >= 1 && c >= 1, "LeaderClusters: need n ≥ k ≥ 1, d ≥ 1, c ≥ 1")
        let x = rng.uniformMatrix(n, d, 0, 1)
        let leaders = Array(rng.permutation(n).prefix(k))
        let leaderClass = (0..<k).map { _ in rng.int(below: c) }
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            var best = Double.infinity, cls = 0
            for (j, p) in leaders.enumerated() {
                var s = 0.0
                for t in 0..<d { let diff = x.storage[i * d + t] - x.storage[p * d + t]; s += diff * diff }
                if s < best { best = s; cls = leaderClass[j] }
            }
            labels[i] = cls
        }
        return (x, labels)
    }
}
