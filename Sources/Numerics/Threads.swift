import Foundation
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads the kernel may use, and a helper that runs work in fixed chunks.
///
/// Results never depend on the thread count: work is split into chunks whose boundaries depend
/// only on the problem size, each chunk is computed by one thread in a fixed order, and reductions
/// combine the chunks' partial results in chunk order.
public enum Threads {
    nonisolated(unsafe) private static var _count: Int = {
        if let s = ProcessInfo.processInfo.environment["REPRISE_THREADS"], let n = Int(s), n > 0 { return n }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The number of worker threads (default: the active processor count, or `REPRISE_THREADS`).
    public static var count: Int {
        get { _count }
        set { _count = Swift.max(1, newValue) }
    }

    /// True while a parallel region runs (a call to `forEach` or `map` from any thread): a kernel
    /// routine called now would run serially, so a caller may pick a serial algorithm instead.
    public static var isBusy: Bool { count > 1 && WorkerPool.shared.isActive }

    /// `body(i)` for i in 0..<count on the worker pool; results come back in index order, so they do
    /// not depend on the thread count. The error of the smallest failing index is rethrown.
    public static func map<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        var errors = [Error?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { rp in
            errors.withUnsafeMutableBufferPointer { ep in
                let r = UncheckedBox(rp), e = UncheckedBox(ep)
                forEach(count) { i in
                    do { r.value[i] = try body(i) } catch { e.value[i] = error }
                }
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        return results.map { $0! }
    }

    /// Runs `body(chunk)` for chunk in 0..<chunks, on up to `count` threads (the calling thread
    /// and `count − 1` pool workers). A call made while another is running (from inside a body,
    /// or from a second thread) runs its chunks on the calling thread, in order.
    ///
    /// `pinned`: chunk c runs on thread c mod `count` (the caller is thread 0) whenever that thread
    /// reaches it first, instead of on whichever thread is free first. Use it when consecutive calls
    /// revisit the same data chunk by chunk (batches of rotations on fixed column strips), so that
    /// each chunk's data stays in one core's cache from one call to the next. A thread that is late
    /// (its core busy with another process) has its unstarted chunks taken by the others.
    public static func forEach(_ chunks: Int, pinned: Bool = false, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        if count == 1 || chunks == 1 {
            for c in 0..<chunks { body(c) }
            return
        }
        WorkerPool.shared.run(chunks: chunks, helpers: count - 1, pinned: pinned, body)
    }
}

/// A fixed set of worker threads that take chunks of one parallel region at a time.
///
/// Why not `DispatchQueue.concurrentPerform`: on this 2-core Linux VM it took 20-80 µs to bring
/// a second thread into a region, and for regions of a few hundred microseconds it often did not
/// at all (two chunks of 240 µs took 390 µs on "2 threads"). The kernel's inner loops (a
/// tridiagonalization step, a batch of rotations, a panel update) are regions of 10-500 µs, so
/// the workers here spin for a short while after each region, waiting for the next one, and only
/// then sleep on a condition variable. All shared state is read and written under one mutex; a
/// chunk's own writes are published by the unlock that follows it.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long an idle worker polls for the next region before it sleeps (nanoseconds).
    static let spinNanoseconds: UInt64 = 200_000

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>     // idle workers sleep here
    private let done: UnsafeMutablePointer<pthread_cond_t>     // the caller waits here for the last chunk

    // Guarded by `mutex`.
    private var generation = 0
    private var body: ((Int) -> Void)? = nil
    private var next = 0, chunks = 0, unfinished = 0
    private var helpers = 0
    private var pinned = false
    private var claimed: [Bool] = []        // pinned regions: chunk c has been started
    private var active = false
    private var sleepers = 0
    private var callerWaiting = false
    private var workers = 0

    private init() {
        mutex = .allocate(capacity: 1); pthread_mutex_init(mutex, nil)
        wake = .allocate(capacity: 1); pthread_cond_init(wake, nil)
        done = .allocate(capacity: 1); pthread_cond_init(done, nil)
    }

    @inline(__always) private func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) private func unlock() { pthread_mutex_unlock(mutex) }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A short pause between polls, so that polling does not hammer the mutex, and a yield of the
    /// core: when another process holds one of the cores, a polling thread must not keep the
    /// thread it waits for from running.
    @inline(never) private static func pause() {
        var x = 0
        for i in 0..<64 { x &+= i }
        if x == 1 { print("") }
        sched_yield()
    }

    var isActive: Bool { lock(); defer { unlock() }; return active }

    func run(chunks n: Int, helpers wanted: Int, pinned: Bool, _ body: (Int) -> Void) {
        lock()
        if active {                         // nested or concurrent call: run here, in order
            unlock()
            for c in 0..<n { body(c) }
            return
        }
        active = true
        while workers < wanted {            // start missing workers (they begin by polling)
            let id = workers, seen = generation
            workers += 1
            let thread = Thread { [unowned self] in self.workerLoop(id: id, seen: seen) }
            thread.stackSize = 8 << 20
            thread.start()
        }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            next = 0; chunks = n; unfinished = n; helpers = wanted; self.pinned = pinned
            if pinned {
                if claimed.count < n { claimed = [Bool](repeating: false, count: n) }
                else { for c in 0..<n { claimed[c] = false } }
            }
            generation &+= 1
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            takeChunks(escapable, participant: 0)
            // Wait for chunks still running on workers: poll briefly, then sleep.
            let deadline = WorkerPool.now() + WorkerPool.spinNanoseconds
            while unfinished > 0 && WorkerPool.now() < deadline {
                unlock(); WorkerPool.pause(); lock()
            }
            while unfinished > 0 {
                callerWaiting = true
                pthread_cond_wait(done, mutex)
                callerWaiting = false
            }
            self.body = nil
        }
        active = false
        unlock()
    }

    /// Runs chunks until none is left. Called with the mutex held; returns with it held.
    ///
    /// Pinned regions: a participant first takes its own chunks (c ≡ participant mod stride, in
    /// order), then any chunk no one has started, so a participant that is slow to arrive (its core
    /// is busy with another process) delays the region by at most the chunk it is running, never
    /// by the chunks it has not begun. Which thread runs a chunk never changes what the chunk
    /// computes, so results stay the same bit for bit.
    private func takeChunks(_ body: (Int) -> Void, participant: Int) {
        if pinned {
            let stride = helpers + 1
            var c = participant
            while true {
                while c < chunks && claimed[c] { c += stride }
                if c >= chunks { break }
                claimed[c] = true
                unlock()
                body(c)
                lock()
                finish()
                c += stride
            }
            // Chunks of participants that have not reached them yet. A participant that finds
            // nothing left returns without letting go of the mutex (the region may already be
            // over, and the caller then checks that no reference to its body is left).
            while let c = nextUnclaimed() {
                claimed[c] = true
                unlock()
                body(c)
                lock()
                finish()
            }
            return
        }
        while next < chunks {
            let c = next
            next += 1
            unlock()
            body(c)
            lock()
            finish()
        }
    }

    /// One chunk done (mutex held): wake the caller if it was the last.
    @inline(__always) private func finish() {
        unfinished -= 1
        if unfinished == 0 && callerWaiting { pthread_cond_signal(done) }
    }

    /// The first pinned chunk no one has started, from `next` on (mutex held).
    private func nextUnclaimed() -> Int? {
        while next < chunks && claimed[next] { next += 1 }
        return next < chunks ? next : nil
    }

    /// `seen`: the last region the worker need not take part in (the one before it was started).
    private func workerLoop(id: Int, seen start: Int) {
        var seen = start
        lock()
        while true {
            if generation == seen {
                unlock()
                let deadline = WorkerPool.now() + WorkerPool.spinNanoseconds
                var found = false
                while !found && WorkerPool.now() < deadline {
                    WorkerPool.pause()
                    lock()
                    if generation != seen { found = true } else { unlock() }
                }
                if !found {
                    lock()
                    while generation == seen {
                        sleepers += 1
                        pthread_cond_wait(wake, mutex)
                        sleepers -= 1
                    }
                }
            }
            seen = generation
            if id < helpers, let body = body { takeChunks(body, participant: id + 1) }
        }
    }
}

/// Lets a non-Sendable value cross into a parallel region; callers guarantee disjoint writes.
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// A raw pointer that may be shared between threads writing disjoint parts of it.
public struct SharedPointer: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Double>
    public init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}

extension Threads {
    /// `first()` and `second()` side by side on two pinned threads (the halves of a divide and
    /// conquer), or one after the other when `parallel` is false; the first error either throws
    /// is rethrown. The results do not depend on which way they ran.
    static func pair<A, B>(parallel: Bool, _ first: () throws -> A, _ second: () throws -> B) throws -> (A, B) {
        if !parallel { return (try first(), try second()) }
        let box = PairResults<A, B>()
        withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second in
                Threads.forEach(2, pinned: true) { half in
                    if half == 0 { box.first = Result { try first() } } else { box.second = Result { try second() } }
                }
            }
        }
        return (try box.first!.get(), try box.second!.get())
    }
}

/// The two results of `Threads.pair`, each written by one thread.
private final class PairResults<A, B>: @unchecked Sendable {
    var first: Result<A, Error>? = nil, second: Result<B, Error>? = nil
}
