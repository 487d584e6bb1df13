import Synchronization

/// The run queue shared by all Ps: jobs enqueued from threads that are not the executor's
/// own, and a full local queue's overflow. A FIFO ring under a mutex, with a lock-free count
/// so that idle Ps can look without locking.
///
/// - Complexity: O(1) amortized per item.
package final class GlobalRunQueue: Sendable {
    private struct Ring: ~Copyable {
        var storage: [UInt] = Array(repeating: 0, count: 1024)
        var head = 0
        var count = 0

        mutating func append(_ item: UInt) {
            if count == storage.count { grow() }
            storage[(head + count) & (storage.count - 1)] = item
            count += 1
        }

        mutating func removeFirst() -> UInt? {
            guard count > 0 else { return nil }
            let item = storage[head]
            head = (head + 1) & (storage.count - 1)
            count -= 1
            return item
        }

        private mutating func grow() {
            var bigger = Array(repeating: UInt(0), count: storage.count * 2)
            for index in 0..<count { bigger[index] = storage[(head + index) & (storage.count - 1)] }
            storage = bigger
            head = 0
        }
    }

    private let ring = Mutex(Ring())
    /// The number of items, updated under the mutex. Relaxed readers only use it as a hint;
    /// the Dekker handshake with parking Ps is done with sequentially consistent fences.
    private let approximateCount = Atomic<Int>(0)

    package init() {}

    /// Takes one item only (a P with local work checking the global queue for fairness).
    package func takeOne() -> UInt? {
        if isEmpty { return nil }
        return ring.withLock { ring -> UInt? in
            let first = ring.removeFirst()
            approximateCount.store(ring.count, ordering: .relaxed)
            return first
        }
    }

    package var isEmpty: Bool { approximateCount.load(ordering: .relaxed) == 0 }
    package var count: Int { approximateCount.load(ordering: .relaxed) }

    package func push(_ item: UInt) {
        ring.withLock { ring in
            ring.append(item)
            approximateCount.store(ring.count, ordering: .relaxed)
        }
    }

    package func push(contentsOf items: UnsafeBufferPointer<UInt>) {
        ring.withLock { ring in
            for item in items { ring.append(item) }
            approximateCount.store(ring.count, ordering: .relaxed)
        }
    }

    /// Takes one item to run now and moves more into `local`, as Go's `globrunqget`: a fair
    /// share (`count / procs + 1`), at most half a local ring. `local` must be the caller's
    /// own queue, and empty (so the share fits without overflowing).
    package func take(procs: Int, into local: LocalRunQueue) -> UInt? {
        if isEmpty { return nil }
        return ring.withLock { ring -> UInt? in
            guard let first = ring.removeFirst() else { return nil }
            let share = min(ring.count, ring.count / max(procs, 1) + 1, Int(LocalRunQueue.capacity / 2))
            for _ in 0..<share {
                guard let item = ring.removeFirst() else { break }
                // The caller is `local`'s owner and found it empty, so at most half a ring
                // is added: this never overflows (which would re-enter this lock).
                local.push(item) { _ in preconditionFailure("a local queue overflowed while refilled from the global queue") }
            }
            approximateCount.store(ring.count, ordering: .relaxed)
            return first
        }
    }
}
