import XCTest
import Foundation
@testable import Numerics

/// exp eight at a time (Sources/Numerics/Exponential.swift): its table against the identity
/// 2^(j/128) · 2^(1/128) = 2^((j+1)/128) in double-double arithmetic, closed forms, and, where the
/// C library is glibc on a CPU with FMA, the library's own bits.
final class ExponentialTests: XCTestCase {
    /// H_j (1 + t_j) as an unevaluated sum hi + lo (|lo| ≤ ulp(hi)).
    private func entry(_ j: Int) -> (hi: Double, lo: Double) {
        let t = Double(bitPattern: Exponential.table[2 * j])
        let h = Double(bitPattern: Exponential.table[2 * j + 1] &+ (UInt64(j) << 45))
        return (h, h * t)
    }

    func testTableIsTwoToTheJOver128() {
        // H_j is the double nearest 2^(j/128): |t_j| ≤ half an ulp of 1, and H_0 = 1, t_0 = 0.
        XCTAssertEqual(entry(0).hi, 1)
        XCTAssertEqual(entry(0).lo, 0)
        for j in 0..<128 {
            let t = Double(bitPattern: Exponential.table[2 * j])
            XCTAssertLessThanOrEqual(abs(t), 0x1p-53, "j = \(j)")
            XCTAssertEqual(entry(j).hi, Foundation.exp2(Double(j) / 128), accuracy: 0x1p-52, "j = \(j)")
        }
        // Consecutive entries differ by the factor 2^(1/128), to double-double accuracy (about 1e-32):
        // a t_j off by ten of its ulps (1e-31), or holding the absolute instead of the relative
        // error (1e-18), fails. The last bit is left to the comparison with the C library below.
        let step = entry(1)
        for j in 0..<128 {
            let a = entry(j)
            let next = j == 127 ? (2.0, 0.0) : entry(j + 1)
            // (a.hi + a.lo)(step.hi + step.lo) − next, with the leading product split exactly.
            let p = a.hi * step.hi
            let pError = (-p).addingProduct(a.hi, step.hi)   // a.hi · step.hi − p, exactly
            let rest = pError + a.hi * step.lo + a.lo * step.hi
            let difference = (p - next.0) + (rest - next.1)
            XCTAssertLessThan(abs(difference), 1e-31, "j = \(j)")
        }
    }

    private let ln2 = Foundation.log(2.0)

    func testClosedForms() {
        XCTAssertEqual(Exponential.exp(0), 1)
        XCTAssertEqual(Exponential.exp(1), 0x1.5bf0a8b145769p1)          // e, correctly rounded
        XCTAssertEqual(Exponential.exp(-1), 0x1.78b56362cef38p-2)        // 1/e, correctly rounded
        for k in -60...60 {
            // exp(k ln 2) = 2^k, up to the rounding of the argument (ln 2 and k·ln 2 are rounded,
            // and a relative error δ of the argument's value moves the result by δ) and an ulp.
            let x = Double(k) * ln2, expected = Foundation.pow(2.0, Double(k))
            let argumentError = x.ulp / 2 + Double(abs(k)) * ln2.ulp / 2
            XCTAssertEqual(Exponential.exp(x), expected, accuracy: expected * (argumentError + 2 * .ulpOfOne), "k = \(k)")
        }
        XCTAssertEqual(Exponential.exp([]), [])
        XCTAssertTrue(Exponential.exp(.nan).isNaN)
        XCTAssertEqual(Exponential.exp(.infinity), .infinity)
        XCTAssertEqual(Exponential.exp(-.infinity), 0)
        XCTAssertEqual(Exponential.exp(1000), .infinity)
        XCTAssertEqual(Exponential.exp(-1000), 0)
        XCTAssertEqual(Exponential.exp(1e-300), 1)
        // exp(x) exp(−x) = 1 and monotonicity on a grid through the method's ranges.
        var previous = 0.0
        for i in 0...4000 {
            let x = -700 + Double(i) * 0.35
            let y = Exponential.exp(x)
            XCTAssertGreaterThan(y, previous, "x = \(x)")
            previous = y
            XCTAssertEqual(y * Exponential.exp(-x), 1, accuracy: 4e-16, "x = \(x)")
        }
    }

    func testArrayFormsAreTheScalarBitsAtEveryLength() {
        var rng = RandomSource(seed: 3)
        for n in [1, 7, 8, 9, 16, 17, 100] {
            let x = (0..<n).map { _ in (rng.uniform() - 0.5) * 60 }
            let scaled = Exponential.exp(x, times: -0.3), shifted = Exponential.exp(x, minus: 2.5)
            for i in 0..<n {
                XCTAssertEqual(scaled[i].bitPattern, Exponential.exp(-0.3 * x[i]).bitPattern)
                XCTAssertEqual(shifted[i].bitPattern, Exponential.exp(x[i] - 2.5).bitPattern)
            }
        }
    }

    func testTheCLibrarysBitsWhereItIsGlibcWithFMA() throws {
        #if os(Linux) && arch(x86_64)
        guard CPUFeatures.flags.contains("fma") else { throw XCTSkip("glibc's exp without FMA rounds differently") }
        var rng = RandomSource(seed: 7)
        var x: [Double] = [0, -0.0, 1, -1, 0x1p-54, -0x1p-54, 0x1p-55, 0x1.fffffffffffffp-55, 511.99, -511.99,
                           512, -512, 709.78, 709.79, -708.39, -708.4, -745.1, -745.2, 1e-310, -1e-310,
                           .infinity, -.infinity, .nan, ln2, -ln2, 0.5 * ln2 / 128]
        for scale in [1e-8, 1e-3, 0.1, 1, 10, 100, 1400] {
            x += (0..<40_000).map { _ in (rng.uniform() - 0.5) * scale }
        }
        let ours = Exponential.exp(x)
        var mismatches = 0
        for (xi, yi) in zip(x, ours) {
            let reference = Foundation.exp(xi)
            if reference.bitPattern != yi.bitPattern && !(reference.isNaN && yi.isNaN) {
                mismatches += 1
                if mismatches <= 5 { XCTFail("exp(\(xi)): C library \(reference), ours \(yi)") }
            }
        }
        XCTAssertEqual(mismatches, 0, "of \(x.count) arguments")
        #else
        throw XCTSkip("the bit-for-bit comparison applies to glibc on x86-64")
        #endif
    }
}
