import XCTest
@testable import Numerics

// Statistical checks use fixed seeds, so each is a deterministic pass/fail; the bounds are
// 5 standard errors (a correct generator fails one with probability ~6e-7 per seed), and each
// standard error is derived from the moments of the target distribution, stated inline.

final class RandomTests: XCTestCase {
    func testPinnedOutputsMatchIndependentReference() {
        // Values printed by an independent Python implementation of the published algorithms
        // (SplitMix64 seeding, xoshiro256**, the 2¹²⁸ jump polynomial); the script lives outside
        // the repository. Its SplitMix64(0) first output is 0xE220A8397B1DCDAF, the published value.
        let expected: [UInt64: [UInt64]] = [
            0: [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C, 0xBBA5_AD4A_1F84_2E59],
            42: [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1, 0xFDE6_DC7F_E2EC_5E64],
            12345: [0xBE6A_3637_4160_D49B, 0x214A_AA06_37A6_88C6, 0xF69D_16DE_9954_D388],
        ]
        for (seed, values) in expected {
            var g = RandomSource(seed: seed)
            XCTAssertEqual(g.seed, seed)
            for (i, v) in values.enumerated() { XCTAssertEqual(g.next(), v, "seed \(seed), output \(i)") }
        }
        // One jump = stream 0; two jumps = stream 1.
        var s0 = RandomSource.stream(seed: 0, 0)
        XCTAssertEqual([s0.next(), s0.next(), s0.next()], [0x3762_15ED_C846_D62C, 0x57C0_611D_E835_0CA7, 0xBC46_A351_5AFE_E385])
        var s1 = RandomSource(seed: 0).stream(1)
        XCTAssertEqual([s1.next(), s1.next(), s1.next()], [0xA727_91F6_0C82_5A41, 0x9236_7E7E_4EDA_A982, 0x144D_4F8D_4C44_00D4])
        var j = RandomSource(seed: 0)
        j.jump()
        XCTAssertEqual(j.next(), 0x3762_15ED_C846_D62C)
        // uniform() is the top 53 bits times 2⁻⁵³.
        var u = RandomSource(seed: 0)
        XCTAssertEqual([u.uniform(), u.uniform(), u.uniform()], [0.6012629994179048, 0.7477740925472398, 0.10301998939503632])
    }

    func testSameSeedSameSequence() {
        var a = RandomSource(seed: 2024), b = RandomSource(seed: 2024)
        for _ in 0..<1000 { XCTAssertEqual(a.next(), b.next()) }
        // Also through every derived draw (normal keeps a spare value: it must be reproduced too).
        var c = RandomSource(seed: 7), d = RandomSource(seed: 7)
        XCTAssertEqual(c.normalVector(101), d.normalVector(101))
        XCTAssertEqual(c.permutation(50), d.permutation(50))
        XCTAssertEqual(c.normalMatrix(3, 4), d.normalMatrix(3, 4))
        XCTAssertEqual(c.uniformMatrix(3, 4, -1, 1), d.uniformMatrix(3, 4, -1, 1))
        XCTAssertEqual(c.int(below: 1_000_003), d.int(below: 1_000_003))
        XCTAssertEqual(RandomSource(seed: 7).stream(3).seed, 7)      // a stream records its parent seed
        var e = RandomSource(seed: 8), f = RandomSource(seed: 7)
        XCTAssertNotEqual(e.next(), f.next())
    }

    func testStreamsDifferAndAreUncorrelated() {
        // For independent uniforms the sample correlation of N pairs has standard error 1/√N.
        let n = 20_000
        var a = RandomSource.stream(seed: 99, 0), b = RandomSource.stream(seed: 99, 1), p = RandomSource(seed: 99)
        let x = (0..<n).map { _ in a.uniform() }, y = (0..<n).map { _ in b.uniform() }, z = (0..<n).map { _ in p.uniform() }
        XCTAssertNotEqual(Array(x.prefix(8)), Array(y.prefix(8)))
        XCTAssertNotEqual(Array(x.prefix(8)), Array(z.prefix(8)))
        let bound = 5 / Double(n).squareRoot()
        NT.assertBelow(abs(correlation(x, y)), bound, "corr(stream 0, stream 1)")
        NT.assertBelow(abs(correlation(x, z)), bound, "corr(stream 0, parent)")
        // Lag-1 autocorrelation within one stream.
        NT.assertBelow(abs(correlation(Array(x.dropLast()), Array(x.dropFirst()))), bound, "lag-1 autocorrelation")
        // A stream is deterministic.
        var a2 = RandomSource(seed: 99).stream(0)
        XCTAssertEqual(a2.uniform(), x[0])
    }

    func testUniformMoments() {
        // U(0,1): mean 1/2, variance 1/12; Var(U) = 1/12 → SE(mean) = √(1/(12N));
        // Var((U − ½)²) = E(U − ½)⁴ − (1/12)² = 1/80 − 1/144 = 1/180 → SE(var) ≈ √(1/(180N)).
        let n = 100_000
        var g = RandomSource(seed: 1)
        let x = (0..<n).map { _ in g.uniform() }
        XCTAssert(x.allSatisfy { $0 >= 0 && $0 < 1 }, "uniform() in [0, 1)")
        let dn = Double(n)
        NT.assertClose(Stats.mean(x), 0.5, tol: 5 * (1 / (12 * dn)).squareRoot(), "uniform mean")
        NT.assertClose(Stats.variance(x), 1.0 / 12, tol: 5 * (1 / (180 * dn)).squareRoot(), "uniform variance")
        // Ten equal bins: χ² with 9 degrees of freedom (mean 9, sd √18 ≈ 4.2); 40 is p ≈ 5e-6.
        var bins = [Double](repeating: 0, count: 10)
        for v in x { bins[Int(v * 10)] += 1 }
        NT.assertBelow(chiSquare(bins), 40, "uniform χ²(9)")
        let y = (0..<1000).map { _ in g.uniform(-3, 5) }
        XCTAssert(y.allSatisfy { $0 >= -3 && $0 < 5 })
    }

    func testNormalMoments() {
        // N(0,1): E z = 0 (SE 1/√N), E z² = 1 (Var z² = 2), E z³ = 0 (Var z³ = E z⁶ = 15),
        // E z⁴ = 3 (Var z⁴ = E z⁸ − 9 = 105 − 9 = 96). 5-SE bounds for N = 100 000.
        let n = 100_000
        var g = RandomSource(seed: 2)
        let z = (0..<n).map { _ in g.normal() }
        let dn = Double(n)
        func moment(_ k: Double) -> Double { z.reduce(0) { $0 + pow($1, k) } / dn }
        NT.assertClose(moment(1), 0, tol: 5 / dn.squareRoot(), "E z")
        NT.assertClose(moment(2), 1, tol: 5 * (2 / dn).squareRoot(), "E z²")
        NT.assertClose(moment(3), 0, tol: 5 * (15 / dn).squareRoot(), "E z³")
        NT.assertClose(moment(4), 3, tol: 5 * (96 / dn).squareRoot(), "E z⁴ (kurtosis)")
        // P(|z| > 1.96) = 0.05, binomial SE √(0.05·0.95/N).
        let tail = Double(z.filter { abs($0) > 1.959963984540054 }.count) / dn
        NT.assertClose(tail, 0.05, tol: 5 * (0.05 * 0.95 / dn).squareRoot(), "two-sided 5% tail")
        // Scaled draws.
        var h = RandomSource(seed: 3)
        let w = (0..<n).map { _ in h.normal(mean: 10, std: 2) }
        NT.assertClose(Stats.mean(w), 10, tol: 5 * 2 / dn.squareRoot(), "mean of N(10, 4)")
        NT.assertClose(Stats.variance(w), 4, tol: 5 * 4 * (2 / dn).squareRoot(), "variance of N(10, 4)")
        // Consecutive normals (the polar method returns them in pairs) are uncorrelated.
        let odd = stride(from: 0, to: n, by: 2).map { z[$0] }, even = stride(from: 1, to: n, by: 2).map { z[$0] }
        NT.assertBelow(abs(correlation(odd, even)), 5 / Double(n / 2).squareRoot(), "corr of paired normals")
    }

    func testRademacher() {
        // ±1 with probability ½: mean 0 with SE 1/√N.
        let n = 100_000
        var g = RandomSource(seed: 4)
        let r = (0..<n).map { _ in g.rademacher() }
        XCTAssert(r.allSatisfy { $0 == 1 || $0 == -1 })
        NT.assertClose(Stats.mean(r), 0, tol: 5 / Double(n).squareRoot(), "Rademacher mean")
    }

    func testIntBelowIsInRangeAndUniform() {
        var g = RandomSource(seed: 5)
        XCTAssertEqual(g.int(below: 1), 0)
        // 7 values, 70 000 draws: χ²(6), mean 6, sd √12 ≈ 3.5; 35 is p ≈ 4e-6.
        var counts = [Double](repeating: 0, count: 7)
        for _ in 0..<70_000 {
            let k = g.int(below: 7)
            XCTAssert((0..<7).contains(k))
            counts[k] += 1
        }
        NT.assertBelow(chiSquare(counts), 35, "int(below: 7) χ²(6)")
        // A bound of 3·2⁶¹, comparable to 2⁶⁴, where naive modulo reduction is strongly biased:
        // P(k < 2⁶²) is 2⁶²/(3·2⁶¹) = 2/3 for a uniform k but 3/4 for x mod n. SE √((2/9)/N).
        let big = 3 << 61
        var low = 0
        for _ in 0..<30_000 where g.int(below: big) < 1 << 62 { low += 1 }
        NT.assertClose(Double(low) / 30_000, 2.0 / 3, tol: 5 * ((2.0 / 9) / 30_000).squareRoot(), "int(below: 3·2⁶¹)")
    }

    func testPermutationIsUniform() {
        var g = RandomSource(seed: 6)
        XCTAssertEqual(g.permutation(0), [])
        XCTAssertEqual(g.permutation(1), [0])
        for n in [2, 5, 17, 100] { XCTAssertEqual(g.permutation(n).sorted(), Array(0..<n)) }
        // Which element lands first (and last), n = 5, 25 000 trials: each χ²(4), mean 4, sd √8;
        // 30 is p ≈ 5e-6.
        let n = 5, trials = 25_000
        var first = [Double](repeating: 0, count: n), last = [Double](repeating: 0, count: n)
        var all = [[Int]: Double]()
        for _ in 0..<trials {
            let p = g.permutation(n)
            first[p[0]] += 1
            last[p[n - 1]] += 1
            all[p, default: 0] += 1
        }
        NT.assertBelow(chiSquare(first), 30, "first-position χ²(4)")
        NT.assertBelow(chiSquare(last), 30, "last-position χ²(4)")
        // All 120 permutations of 5 with 25 000 trials: χ²(119), mean 119, sd ≈ 15.4; 200 is p ≈ 5e-6.
        XCTAssertEqual(all.count, 120)
        NT.assertBelow(chiSquare(Array(all.values)), 200, "whole-permutation χ²(119)")
    }

    func testOrthonormalColumns() {
        var g = RandomSource(seed: 9)
        for (n, k) in [(5, 5), (20, 3), (1, 1)] {
            let q = g.orthonormalColumns(n, k)
            XCTAssertEqual(q.rows, n); XCTAssertEqual(q.cols, k)
            NT.assertBelow(NT.orthogonalityError(q), 10 * Double(n * k) * NT.eps, "QᵀQ = I for \(n)x\(k)")
        }
        let m = g.normalMatrix(4, 6, std: 3)
        XCTAssertEqual(m.rows, 4); XCTAssertEqual(m.cols, 6)
    }

    // MARK: helpers

    func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let mx = Stats.mean(x), my = Stats.mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<x.count {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Pearson's χ² against equal expected counts.
    func chiSquare(_ counts: [Double]) -> Double {
        let expected = counts.reduce(0, +) / Double(counts.count)
        return counts.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }
    }

    func testFarStreamsEqualRepeatedJumps() {
        // stream(k) composes precomputed powers of the jump for k ≥ 8; it must be the state of
        // k + 1 plain jumps, bit for bit (indices around the switch and around powers of two).
        for seed: UInt64 in [0, 20230523] {
            var walker = RandomSource(seed: seed)
            var expected: [Int: [UInt64]] = [:]
            let wanted: Set = [6, 7, 8, 9, 15, 16, 31, 63, 64, 100, 255, 256, 1000, 1023, 10_007]
            for k in 0...10_007 {
                walker.jump()
                if wanted.contains(k) { var c = walker; expected[k] = (0..<4).map { _ in c.next() } }
            }
            for k in wanted.sorted() {
                var s = RandomSource.stream(seed: seed, k)
                XCTAssertEqual((0..<4).map { _ in s.next() }, expected[k]!, "seed \(seed), stream \(k)")
                XCTAssertEqual(s.seed, seed)
            }
        }
    }

    /// Normal draws in blocks give the values of successive `normal()` calls and leave the same
    /// state (the spare value included), for every count and with a spare left from before.
    func testFilledNormalsAreSuccessiveDraws() {
        for (start, counts) in [(0, [1, 2, 3, 64, 127, 128, 129, 300]), (1, [1, 2, 5, 130])] {
            var a = RandomSource(seed: 23), b = a
            for _ in 0..<start { _ = a.normal(); _ = b.normal() }          // leaves a spare
            for count in counts {
                let expected = (0..<count).map { _ in 1.5 * a.normal() }
                var got = [Double](repeating: .nan, count: count)
                got.withUnsafeMutableBufferPointer { b.fillNormal($0.baseAddress!, count, scale: 1.5) }
                XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "count \(count)")
                XCTAssertEqual(a.normal().bitPattern, b.normal().bitPattern, "state after \(count)")
                XCTAssertEqual(a.uniform().bitPattern, b.uniform().bitPattern, "state after \(count)")
            }
            var c = a, d = a
            let m = c.normalMatrix(7, 9, std: 0.5)
            XCTAssertEqual(m.storage.map(\.bitPattern), (0..<63).map { _ in (0.5 * d.normal()).bitPattern })
        }
    }
}
