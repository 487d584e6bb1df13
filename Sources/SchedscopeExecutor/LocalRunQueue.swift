import Synchronization

/// A P's bounded run queue: a 256-slot ring, as Go's `runq`, plus Go's `runnext` slot.
/// Only the owning P pushes and pops at the ends it owns (`tail`); any P may take from
/// `head` (its owner pops, thieves steal half), validated by a compare-and-swap on `head`
/// as in Go's `runqgrab`.
///
/// `next` holds the job its P made runnable last (a message's receiver, an actor hop): the
/// P runs it as soon as its current job returns, on the same thread and with warm caches,
/// so that a chain of hand-offs (actor ping-pong) never crosses threads. Thieves take it
/// only when asked to (after spinning a while), as Go lets them take `runnext` only after
/// its owner had a few microseconds to get to it.
///
/// Elements are nonzero machine words (a job pointer, or a test's job number).
///
/// A full ring sends its older half to the global queue and keeps the new job, so that a
/// P's jobs leave it in the order they came; the owner then hands the rest of the burst
/// over too when its job returns (`handOffBurst`, see `Scheduler.jobReturned`).
///
/// - Complexity: push and pop O(1); steal O(n) for the n items taken.
package final class LocalRunQueue: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `slots` are atomics; `tail` and `overflowed` are
    // stored only by the owning P; every other thread only reads `tail` and CASes `head`.
    package static let capacity: UInt32 = 256

    /// Next slot to take. Acquire on load / release on the CAS: a taker that wins the CAS
    /// has read the slots that the owner published before it.
    private let head = Atomic<UInt32>(0)
    /// Next slot to fill. Release on store by the owner publishes the slot written before it.
    private let tail = Atomic<UInt32>(0)
    private let slots: UnsafeMutablePointer<Atomic<UInt>>
    /// The `runnext` slot (0: empty). Exchanged by the owner, CASed away by a thief.
    private let next = Atomic<UInt>(0)
    /// Owner only: the ring overflowed since the owner last handed its burst over.
    package private(set) var overflowed = false

    package init() {
        slots = .allocate(capacity: Int(Self.capacity))
        for index in 0..<Int(Self.capacity) { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: Int(Self.capacity))
        slots.deallocate()
    }

    /// The number of items in the ring, not counting `next` (a snapshot; exact only for
    /// the owner with no thieves).
    package var count: Int {
        let h = head.load(ordering: .acquiring)
        let t = tail.load(ordering: .acquiring)
        return Int(t &- h)
    }

    /// Whether the ring and `next` are both empty.
    package var isEmpty: Bool { count == 0 && next.load(ordering: .acquiring) == 0 }

    /// Owner only: makes `item` the next to run; a job already there moves to the ring's
    /// tail (overflowing as `push` does).
    package func pushNext(_ item: UInt, overflow: (UnsafeBufferPointer<UInt>) -> Void) {
        precondition(item != 0, "run queue items are nonzero")
        // Acquire/release: the job's memory is published to the owner or thief that takes it.
        let displaced = next.exchange(item, ordering: .acquiringAndReleasing)
        if displaced != 0 { push(displaced, overflow: overflow) }
    }

    /// Thief: takes the victim's `next` job, if any.
    package func stealNext() -> UInt? {
        let item = next.load(ordering: .acquiring)
        guard item != 0, next.compareExchange(expected: item, desired: 0, ordering: .acquiringAndReleasing).exchanged else {
            return nil
        }
        return item
    }

    /// Owner only: appends `item`. When the ring is full, first moves its older half into
    /// `overflow` (in queue order), as Go's `runqputslow` does, and returns true. Unlike Go,
    /// `item` stays in the ring, behind the jobs older than it: the overflow is then exactly
    /// the oldest jobs, and the order in which a burst's jobs were made survives (which the
    /// Swift runtime's task groups need, see `Scheduler.jobReturned`).
    @discardableResult
    package func push(_ item: UInt, overflow: (UnsafeBufferPointer<UInt>) -> Void) -> Bool {
        precondition(item != 0, "run queue items are nonzero")
        var overflowedNow = false
        while true {
            let h = head.load(ordering: .acquiring)
            let t = tail.load(ordering: .relaxed)
            if t &- h < Self.capacity {
                slots[Int(t % Self.capacity)].store(item, ordering: .relaxed)
                tail.store(t &+ 1, ordering: .releasing)
                return overflowedNow
            }
            // On failure a thief took some meanwhile: there is room again.
            if moveHalfToOverflow(head: h, tail: t, overflow: overflow) {
                overflowedNow = true
                overflowed = true
            }
        }
    }

    private func moveHalfToOverflow(head h: UInt32, tail t: UInt32, overflow: (UnsafeBufferPointer<UInt>) -> Void) -> Bool {
        let half = (t &- h) / 2
        return withUnsafeTemporaryAllocation(of: UInt.self, capacity: Int(half)) { batch in
            for index in 0..<Int(half) {
                batch[index] = slots[Int((h &+ UInt32(index)) % Self.capacity)].load(ordering: .relaxed)
            }
            guard head.compareExchange(expected: h, desired: h &+ half, ordering: .acquiringAndReleasing).exchanged else {
                return false
            }
            overflow(UnsafeBufferPointer(batch))
            return true
        }
    }

    /// Owner only: takes every job out, the ring's in queue order then `next` (the newest),
    /// into `body`, and clears `overflowed`. Returns how many were taken.
    @discardableResult
    package func handOffBurst(_ body: (UnsafeBufferPointer<UInt>) -> Void) -> Int {
        overflowed = false
        return withUnsafeTemporaryAllocation(of: UInt.self, capacity: Int(Self.capacity) + 1) { batch in
            var count = 0
            while true {
                let h = head.load(ordering: .acquiring)
                let t = tail.load(ordering: .relaxed)
                count = Int(t &- h)
                for index in 0..<count {
                    batch[index] = slots[Int((h &+ UInt32(index)) % Self.capacity)].load(ordering: .relaxed)
                }
                // A thief that took some meanwhile makes the copy stale: copy again.
                if head.compareExchange(expected: h, desired: t, ordering: .acquiringAndReleasing).exchanged { break }
            }
            if let newest = stealNext() {
                batch[count] = newest
                count += 1
            }
            if count > 0 { body(UnsafeBufferPointer(rebasing: batch[0..<count])) }
            return count
        }
    }

    /// Owner: takes `next`, else the oldest item of the ring.
    package func pop() -> UInt? {
        if next.load(ordering: .relaxed) != 0 {
            let item = next.exchange(0, ordering: .acquiringAndReleasing)
            if item != 0 { return item }
        }
        while true {
            let h = head.load(ordering: .acquiring)
            let t = tail.load(ordering: .acquiring)
            if t == h { return nil }
            let item = slots[Int(h % Self.capacity)].load(ordering: .relaxed)
            if head.compareExchange(expected: h, desired: h &+ 1, ordering: .acquiringAndReleasing).exchanged {
                return item
            }
        }
    }

    /// Thief: moves half (rounded up) of `victim`'s items into this queue, which must be the
    /// thief's own and empty enough, and returns the last one moved for the thief to run now
    /// (so `count - 1` stay queued here), as Go's `runqsteal`. Returns (nil, 0) when the
    /// victim had nothing.
    package func steal(from victim: LocalRunQueue) -> (item: UInt?, count: Int) {
        let t = tail.load(ordering: .relaxed)
        let taken = victim.grabHalf(into: self, at: t)
        if taken == 0 { return (nil, 0) }
        let last = slots[Int((t &+ taken &- 1) % Self.capacity)].load(ordering: .relaxed)
        if taken > 1 {
            let h = head.load(ordering: .acquiring)
            precondition(t &- h &+ taken &- 1 < Self.capacity, "stole into a run queue without room")
            tail.store(t &+ taken &- 1, ordering: .releasing)
        }
        return (last, Int(taken))
    }

    /// Copies half of this queue's items into `thief`'s slots from `start` on and takes them
    /// with one CAS; returns how many.
    private func grabHalf(into thief: LocalRunQueue, at start: UInt32) -> UInt32 {
        while true {
            let h = head.load(ordering: .acquiring)
            let t = tail.load(ordering: .acquiring)
            let available = t &- h
            let n = available &- available / 2
            if n == 0 { return 0 }
            if n > Self.capacity / 2 { continue }  // read h and t inconsistently; retry
            for index in 0..<n {
                let item = slots[Int((h &+ index) % Self.capacity)].load(ordering: .relaxed)
                thief.slots[Int((start &+ index) % Self.capacity)].store(item, ordering: .relaxed)
            }
            if head.compareExchange(expected: h, desired: h &+ n, ordering: .acquiringAndReleasing).exchanged {
                return n
            }
        }
    }
}
