import Foundation

/// Wall-clock seconds from a monotonic clock.
@inline(__always) func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The median time of one call of `body`: one warm-up call, then `reps` repetitions, each running
/// `body` enough times (`inner`) to last at least `minTime` seconds and recording the mean.
/// (Same protocol as Tools/Bench/bench_numpy.py.)
func medianTime(reps: Int, minTime: Double, _ body: () -> Void) -> (median: Double, inner: Int) {
    let t0 = now()
    body()
    let once = Swift.max(now() - t0, 1e-7)
    let inner = once < minTime ? Swift.max(1, Swift.min(10_000, Int(minTime / once) + 1)) : 1
    var times: [Double] = []
    for _ in 0..<reps {
        let s = now()
        for _ in 0..<inner { body() }
        times.append((now() - s) / Double(inner))
    }
    times.sort()
    let mid = times.count / 2
    let median = times.count % 2 == 1 ? times[mid] : 0.5 * (times[mid - 1] + times[mid])
    return (median, inner)
}

/// Double-precision GFLOP/s of one core on independent `SIMD8<Double>` fused multiply-adds (twelve
/// accumulator chains, enough to cover the FMA latency): the ceiling the kernel's own vector type can
/// reach on this core. The best of five runs of about 50 ms.
func peakGFLOPS() -> Double {
    typealias V = SIMD8<Double>
    let b = V(repeating: 0.999_999_9), c = V(repeating: 1e-9)
    var best = 0.0
    for _ in 0..<5 {
        var a0 = V(repeating: 1), a1 = V(repeating: 2), a2 = V(repeating: 3), a3 = V(repeating: 4)
        var a4 = V(repeating: 5), a5 = V(repeating: 6), a6 = V(repeating: 7), a7 = V(repeating: 8)
        var a8 = V(repeating: 9), a9 = V(repeating: 10), a10 = V(repeating: 11), a11 = V(repeating: 12)
        let iterations = 400_000
        let t0 = now()
        for _ in 0..<iterations {
            a0.addProduct(a0, b); a1.addProduct(a1, b); a2.addProduct(a2, b); a3.addProduct(a3, b)
            a4.addProduct(a4, b); a5.addProduct(a5, b); a6.addProduct(a6, b); a7.addProduct(a7, b)
            a8.addProduct(a8, b); a9.addProduct(a9, b); a10.addProduct(a10, b); a11.addProduct(a11, b)
        }
        let t = now() - t0
        let sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + c
        consume(sum.sum())
        best = Swift.max(best, Double(iterations) * 12 * 8 * 2 / t / 1e9)
    }
    return best
}
