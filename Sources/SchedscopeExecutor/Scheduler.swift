/// The scheduling policy shared by the threaded executor and the stepped tests: where a new
/// job goes, and where a P looks for its next one (Go's `runqput` / `findRunnable`).
///
/// It holds no threads and reads no clock: the executor's workers call it from their loops,
/// and a stepped test calls it directly with its own random source, so that every choice
/// replays exactly.
package final class Scheduler<Sink: SchedulerEventSink>: Sendable {
    /// One local run queue per P, indexed by P.
    package let localQueues: [LocalRunQueue]
    /// The same queues, unretained, for the per-job paths (`push`, `nextLocalOrGlobal`):
    /// taking an element of `localQueues` costs a retain and a release; the array keeps
    /// them alive as long as the scheduler.
    private nonisolated(unsafe) let unretainedQueues: UnsafeMutablePointer<Unmanaged<LocalRunQueue>>
    package let globalQueue = GlobalRunQueue()
    package let sink: Sink
    /// Steal orders: for P count n, the strides coprime with n, so that `start + i * stride`
    /// visits every P once from any random start (as Go's `randomOrder`).
    private let coprimeStrides: [Int]

    /// How often a P looks at the global queue before its own (Go uses 61: a prime, so it
    /// does not beat with other periodic behaviour), so that global work is never starved by
    /// a P whose local queue refills itself.
    package static var globalCheckInterval: UInt64 { 61 }

    package init(procCount: Int, sink: Sink) {
        precondition(procCount >= 1, "at least one P")
        localQueues = (0..<procCount).map { _ in LocalRunQueue() }
        unretainedQueues = .allocate(capacity: procCount)
        for (proc, queue) in localQueues.enumerated() { (unretainedQueues + proc).initialize(to: .passUnretained(queue)) }
        self.sink = sink
        coprimeStrides = (1...procCount).filter { Self.gcd($0, procCount) == 1 }
    }

    deinit { unretainedQueues.deallocate() }

    package var procCount: Int { localQueues.count }

    /// Calls `body` with P `proc`'s queue, borrowed (no retain).
    @inline(__always)
    private func withLocalQueue<Result>(_ proc: Int, _ body: (LocalRunQueue) -> Result) -> Result {
        unretainedQueues[proc]._withUnsafeGuaranteedRef(body)
    }

    /// Queues `job`: on P `proc`'s local queue when the caller runs on that P (the job is
    /// likely to share its caches), else on the global queue. With `asNext`, it becomes the
    /// P's next job (Go's `runnext`); a yielding task goes to the tail instead, behind the
    /// P's other work.
    ///
    /// - Returns: whether other Ps could take work now (something in a ring or the global
    ///   queue), i.e. whether waking an idle P can help.
    @discardableResult
    package func push(_ job: UInt, toProc proc: Int?, asNext: Bool = false) -> Bool {
        guard let proc else {
            globalQueue.push(job)
            return true
        }
        return withLocalQueue(proc) { queue in
            if asNext {
                queue.pushNext(job) { overflow in globalQueue.push(contentsOf: overflow) }
            } else {
                queue.push(job) { overflow in globalQueue.push(contentsOf: overflow) }
            }
            return queue.count > 0
        }
    }

    /// Called by P `proc`'s owner after each job returns. When the ring overflowed during
    /// the job (a burst: a loop that spawned more tasks than a ring holds, such as a large
    /// task-group fan-out), the rest of the burst — the ring, then `next` — follows its
    /// older part to the global queue's tail, so that every P takes the burst oldest
    /// first.
    ///
    /// Why: the Swift runtime (6.3) keeps a task group's children in a singly linked list,
    /// oldest first, and removes a finished child by walking it from the head. Children that
    /// finish in the order they were made cost O(1) each; Go's policy here (the P keeps its
    /// newest jobs and runs them, `next` first, before the older ones it overflowed) made
    /// the spawner's P finish its newest children while hundreds of thousands of older ones
    /// waited in the global queue, each removal walking all of them: O(N²) for a fan-out of
    /// N (docs/EXECUTOR.md, "Bursts").
    ///
    /// - Returns: whether jobs were moved (waking an idle P can help).
    @inline(__always)
    package func jobReturned(on proc: Int) -> Bool {
        withLocalQueue(proc) { queue in
            guard queue.overflowed else { return false }
            return queue.handOffBurst { globalQueue.push(contentsOf: $0) } > 0
        }
    }

    /// P `proc`'s next job from its own queue or the global one (no stealing).
    ///
    /// - Parameter tick: the P's count of jobs taken so far (the caller's; incremented here).
    package func nextLocalOrGlobal(for proc: Int, tick: inout UInt64) -> UInt? {
        tick &+= 1
        if tick % Self.globalCheckInterval == 0, let job = globalQueue.takeOne() {
            return job
        }
        return withLocalQueue(proc) { queue in
            if let job = queue.pop() { return job }  // `next` first, then the ring
            // Only the owner pushes to its queue, and it just found it empty.
            return globalQueue.take(procs: procCount, into: queue)
        }
    }

    /// One pass over the other Ps in a random order, stealing half of the first non-empty
    /// ring found; returns a job to run now (the rest are in `proc`'s queue). With
    /// `includingNext`, a P whose ring is empty gives up its `next` job (Go steals
    /// `runnext` only from a P that has had time to run it).
    package func steal<Random: RandomNumberGenerator>(for proc: Int, random: inout Random, includingNext: Bool = false) -> UInt? {
        let count = procCount
        guard count > 1 else { return nil }
        let start = Int(random.next() % UInt64(count))
        let stride = coprimeStrides[Int(random.next() % UInt64(coprimeStrides.count))]
        // The queues are borrowed, not retained: a queue's reference count shares a cache
        // line with its head and tail, and spinning Ps scan every queue.
        return withLocalQueue(proc) { mine in
            for step in 0..<count {
                let victim = (start + step * stride) % count
                if victim == proc { continue }
                let stolen: (job: UInt, taken: Int)? = withLocalQueue(victim) { theirs in
                    if theirs.isEmpty { return nil }
                    let (job, taken) = mine.steal(from: theirs)
                    if let job { return (job, taken) }
                    if includingNext, let job = theirs.stealNext() { return (job, 1) }
                    return nil
                }
                if let stolen {
                    sink.procSteal(thief: proc, victim: victim, count: stolen.taken)
                    return stolen.job
                }
            }
            return nil
        }
    }

    /// Whether any queue holds a job (a snapshot, used before a P parks).
    package var hasQueuedWork: Bool {
        if !globalQueue.isEmpty { return true }
        for proc in 0..<procCount where !withLocalQueue(proc, { $0.isEmpty }) { return true }
        return false
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
