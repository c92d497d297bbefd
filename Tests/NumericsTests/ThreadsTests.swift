import XCTest
import Dispatch
@testable import Numerics

/// The worker pool behind `Threads.forEach`: every chunk runs exactly once, whatever the thread
/// count, the nesting, the pinning, or how many callers there are at once.
final class ThreadsTests: XCTestCase {
    /// Runs forEach and counts, per chunk, how often its body ran.
    private func counts(_ chunks: Int, pinned: Bool = false, body: ((Int) -> Void)? = nil) -> [Int] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(chunks, 1))
        hits.initialize(repeating: 0, count: max(chunks, 1))
        defer { hits.deallocate() }
        let box = UncheckedBox(hits)
        Threads.forEach(chunks, pinned: pinned) { c in
            box.value[c] += 1          // each chunk index is touched by one thread only
            body?(c)
        }
        return Array(UnsafeBufferPointer(start: hits, count: chunks))
    }

    func testMapReturnsResultsInIndexOrderAndRethrowsTheFirstError() throws {
        struct Boom: Error, Equatable { let i: Int }
        let saved = Threads.count
        defer { Threads.count = saved }
        for n in 1...3 {
            Threads.count = n
            XCTAssertEqual(try Threads.map(37) { $0 * $0 }, (0..<37).map { $0 * $0 })
            XCTAssertEqual(try Threads.map(0) { $0 }, [])
            XCTAssertThrowsError(try Threads.map(10) { i -> Int in if i == 3 || i == 7 { throw Boom(i: i) }; return i }) {
                XCTAssertEqual($0 as? Boom, Boom(i: 3), "the smallest failing index wins, whatever the thread count")
            }
        }
    }

    func testEveryChunkRunsOnceForAnyThreadCount() {
        let saved = Threads.count
        defer { Threads.count = saved }
        for t in [1, 2, 3, 5] {
            Threads.count = t
            for chunks in [0, 1, 2, 3, 7, 64, 1000] {
                for pinned in [false, true] {
                    XCTAssertEqual(counts(chunks, pinned: pinned), [Int](repeating: 1, count: chunks),
                                   "threads \(t), chunks \(chunks), pinned \(pinned)")
                }
            }
        }
    }

    /// Many short regions in a row, with more threads than chunks and short pauses so that
    /// workers arrive late, spin or sleep. This once crashed ("closure argument was escaped in
    /// withoutActuallyEscaping block"): a pinned worker with no chunk of its own let go of the
    /// mutex while holding the body of a region that had already ended.
    func testManyShortRegionsWithLateWorkers() {
        let saved = Threads.count
        defer { Threads.count = saved }
        for t in [2, 3, 5] {
            Threads.count = t
            for i in 0..<8000 {
                let chunks = [2, 3, 5, 8][i % 4]
                XCTAssertEqual(counts(chunks, pinned: (i / 4) % 2 == 0), [Int](repeating: 1, count: chunks))
                if i % 7 == 0 { usleep(useconds_t(i % 300)) }
            }
        }
    }

    /// A pinned region whose worker is held up (here: its first chunk sleeps, standing in for a core
    /// that is busy with another process) does not wait for the worker's other chunks: the caller
    /// takes every chunk that has not been started, so the region ends about when the slow chunk
    /// does, not after the worker has also run its remaining chunks one by one.
    func testLatePinnedWorkerHasItsUnstartedChunksTaken() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        let chunks = 16, slow = 0.05
        let ranOn = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
        ranOn.initialize(repeating: -1, count: chunks)
        defer { ranOn.deallocate() }
        let box = UncheckedBox(ranOn)
        let callerThread = pthread_self()
        let start = DispatchTime.now().uptimeNanoseconds
        let hits = counts(chunks, pinned: true) { c in
            let onCaller = pthread_equal(pthread_self(), callerThread) != 0
            box.value[c] = onCaller ? 0 : 1
            // The worker's first chunk is slow; every chunk the worker runs afterwards is slow too.
            if !onCaller { Thread.sleep(forTimeInterval: slow) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        XCTAssertEqual(hits, [Int](repeating: 1, count: chunks))
        let byWorker = (0..<chunks).filter { ranOn[$0] == 1 }.count
        XCTAssertLessThanOrEqual(byWorker, 2, "the caller takes the late worker's unstarted chunks")
        XCTAssertLessThan(seconds, Double(chunks / 2) * slow, "the region did not wait for the worker's chunks one by one")
    }

    func testNestedCallsRunInline() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 16)
        inner.initialize(repeating: 0, count: 8 * 16)
        defer { inner.deallocate() }
        let box = UncheckedBox(inner)
        let outer = counts(8) { c in
            Threads.forEach(16) { d in box.value[c * 16 + d] += 1 }
        }
        XCTAssertEqual(outer, [Int](repeating: 1, count: 8))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: inner, count: 8 * 16)), [Int](repeating: 1, count: 8 * 16))
    }

    func testConcurrentCallersEachGetAllTheirChunks() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        let callers = 4, chunks = 200
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: callers * chunks)
        hits.initialize(repeating: 0, count: callers * chunks)
        defer { hits.deallocate() }
        let box = UncheckedBox(hits)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for _ in 0..<20 {
                Threads.forEach(chunks) { c in
                    var s = 0.0
                    for i in 0..<200 { s += Double(i).squareRoot() }
                    if s > 0 { box.value[caller * chunks + c] += 1 }
                }
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: hits, count: callers * chunks)),
                       [Int](repeating: 20, count: callers * chunks))
    }

    /// A body's writes are visible to the caller when forEach returns (the pool's mutex publishes
    /// them), also right after a worker had time to fall asleep.
    func testWritesArePublishedAfterIdlePeriods() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        for pause in [0, 1_000, 300_000] {           // microseconds: hot, spinning, asleep
            usleep(useconds_t(pause))
            var out = [Double](repeating: 0, count: 4096)
            out.withUnsafeMutableBufferPointer { op in
                let p = SharedPointer(op.baseAddress!)
                Threads.forEach(4) { c in for i in (c * 1024)..<((c + 1) * 1024) { p.base[i] = Double(i) } }
            }
            XCTAssertEqual(out, (0..<4096).map(Double.init), "after a pause of \(pause) µs")
        }
    }
}
