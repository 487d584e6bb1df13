#if canImport(Glibc)
import Glibc
#endif

/// Runs `work(0)`, `work(1)`, … `work(count − 1)` on a few threads and hands the outputs to
/// the caller in index order: a segmented read's segments, `diff`'s traces. Each thread
/// takes the next index not started; none starts an index more than `window` past the one
/// the caller waits for, so the outputs waiting to be taken stay few however many there are.
///
/// Unchecked: every stored property is read and written with `lock` held, except what is
/// immutable; an output passes from its worker to the caller under the lock.
package final class OrderedWorkPool<Output>: @unchecked Sendable {
    private let lock = ConditionLock()
    private let count: Int
    private let window: Int
    private let work: @Sendable (Int) -> Output
    private var threads: [pthread_t] = []
    private var nextToStart = 0
    private var wanted = 0
    private var stopped = false
    private var done: [Int: Output] = [:]

    /// Starts up to `threads` threads (no more than `count`). - Returns: nil if none could
    /// start (the system's thread limit): the caller then does the work itself.
    package init?(count: Int, threads: Int, window: Int, work: @escaping @Sendable (Int) -> Output) {
        self.count = count
        self.window = max(1, window)
        self.work = work
        for _ in 0..<min(threads, count) {
            guard let thread = try? startThread({ [self] in runWorker() }).get() else { break }
            self.threads.append(thread)
        }
        if self.threads.isEmpty { return nil }
    }

    /// A worker's loop: the next index not started, until none is left or the caller stopped.
    private func runWorker() {
        while let index = nextIndex() {
            let output = work(index)
            lock.locked {
                done[index] = output
                lock.broadcast()
            }
        }
    }

    private func nextIndex() -> Int? {
        lock.locked {
            while !stopped && nextToStart < count && nextToStart >= wanted + window { lock.wait() }
            guard !stopped && nextToStart < count else { return nil }
            defer { nextToStart += 1 }
            return nextToStart
        }
    }

    /// The caller: the output of `index` (each taken once, in order), waiting for it.
    package func take(_ index: Int) -> Output {
        lock.locked {
            while done[index] == nil { lock.wait() }
            wanted = index + 1
            lock.broadcast()
            return done.removeValue(forKey: index)!
        }
    }

    /// The caller: no more indexes start; then waits for the threads to end. Call once, when
    /// done taking (early, after a failure, is fine).
    package func finish() {
        lock.locked {
            stopped = true
            lock.broadcast()
        }
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }
}
