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
