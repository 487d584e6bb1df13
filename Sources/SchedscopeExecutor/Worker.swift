import CSchedscopeExecutor
import SchedscopeModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An M: the OS thread that runs one P's loop. It takes jobs from its P's queue, the global
/// queue, or other Ps (stealing), spins a little when there are none, then parks on a futex
/// until a producer claims and wakes it.
///
/// Ms are bound to Ps one to one: Swift jobs must not block their thread, so there is no
/// system-call hand-off for which Go needs spare Ms.
final class Worker: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `runningTask`, `runningJob`, the tracking nodes and
    // the job counters are read and written only on this worker's own thread (the counters also after
    // `shutdown()` joined it); the wake word is atomic; the rest is `let`.
    let proc: Int
    /// Strong: the worker threads keep their executor alive until `shutdown()` (an
    /// executor the program stops referring to keeps running, as the global one does).
    let executor: SchedscopeExecutor
    /// The executor's identity, compared on each enqueue without retaining it.
    let executorID: ObjectIdentifier
    /// The seed of this P's steal-victim random source.
    private let stealSeed: UInt64
    /// The task whose job runs on this thread now (0: none, or a job that is not a task).
    var runningTask: UInt64 = 0
    /// The tracking node of `runningTask` (task tracking on): its yields, self-enqueues and
    /// stop need no table lookup.
    var runningNode: UnsafeMutablePointer<TaskNode>?
    /// While a continuation job runs: the node of the task it resumes, carried by the job.
    var resumingNode: UnsafeMutablePointer<TaskNode>?
    /// `spawn`'s task running here ended from inside (its node is off the table).
    var runningTaskEnded = false
    /// While a job that is not a task runs (an actor's job): the id it is recorded under
    /// (0 otherwise). Named as the parent or waker of what it creates or wakes, so that the
    /// trace needs no context change around those events (docs/EXECUTOR.md, "Events").
    var runningRecordedJob: UInt64 = 0
    /// The tracking nodes of the last tasks parked on this P, by task id modulo 8 (a node's
    /// address, 0: none): a task woken by the P it parked on (an actor's job resuming its
    /// caller) is found without the table. Owner-only, like the fields above.
    let parkedNodes: UnsafeMutablePointer<UInt>
    static let parkedNodeSlots = 8

    @inline(__always)
    static func parkedNodeSlot(_ task: UInt64) -> Int { Int(truncatingIfNeeded: task) & (parkedNodeSlots - 1) }
    /// The job running on this thread now (0: none): a task that enqueues its own job is
    /// yielding, and goes behind the P's other work instead of into `next`.
    var runningJob: UInt = 0
    /// Jobs this thread enqueued and ran (owner-only counters: the stress tests check that
    /// every job enqueued ran exactly once).
    var jobsEnqueued = 0
    var jobsRun = 0
    /// 1 when a waker has claimed this P and wants it to run; the futex word it sleeps on.
    private let wakeWord: UnsafeMutablePointer<Atomic<UInt32>>
    private var thread: pthread_t = pthread_t()

    /// Spinning time before a P takes another P's `next` job: that P gets the first chance
    /// to run what it just readied (Go waits about 3 µs).
    static let nanosecondsBeforeStealingNext: UInt64 = 5_000
    /// Spin-wait hints between two passes of a spinning P over the queues (Go's
    /// `procyield(30)`): about a microsecond on current x86 cores.
    static let relaxHintsPerRound: UInt32 = 30

    init(proc: Int, executor: SchedscopeExecutor, seed: UInt64) {
        self.proc = proc
        self.executor = executor
        executorID = ObjectIdentifier(executor)
        stealSeed = seed &+ UInt64(proc)
        wakeWord = .allocate(capacity: 1)
        wakeWord.initialize(to: Atomic(0))
        parkedNodes = .allocate(capacity: Self.parkedNodeSlots)
        parkedNodes.initialize(repeating: 0, count: Self.parkedNodeSlots)
    }

    deinit {
        wakeWord.deinitialize(count: 1)
        wakeWord.deallocate()
        parkedNodes.deallocate()
    }

    func startThread() {
        switch SchedscopeModel.startThread({ self.loop() }) {
        case .success(let thread): self.thread = thread
        case .failure(let error): preconditionFailure("pthread_create failed (\(error.errorNumber))")
        }
    }

    func join() {
        pthread_join(thread, nil)
    }

    /// Lets the thread end without a join (`shutdown()` called on this worker's thread).
    func detachThread() {
        pthread_detach(thread)
    }

    /// Claimed by a waker (`IdleProcs`): run again.
    func wake() {
        // Release: the parked thread's acquire load sees everything the waker did before.
        wakeWord.pointee.store(1, ordering: .releasing)
        schedscope_futex_wake_one(UnsafeMutableRawPointer(wakeWord).assumingMemoryBound(to: UInt32.self))
    }

    private func waitUntilWoken() {
        let word = UnsafeMutableRawPointer(wakeWord).assumingMemoryBound(to: UInt32.self)
        while wakeWord.pointee.load(ordering: .acquiring) == 0 {
            schedscope_futex_wait(word, 0)
        }
        wakeWord.pointee.store(0, ordering: .relaxed)
    }

    /// `NAME-P<n>`, with NAME cut so that the whole fits Linux's 15-byte thread names: the
    /// P number is what tells the threads apart (cut whole, the suffix was lost).
    static func threadName(_ name: String, proc: Int) -> String {
        let suffix = "-P\(proc)"
        var base = Substring(name)
        while base.utf8.count + suffix.utf8.count > 15 { base = base.dropLast() }
        return base + suffix
    }

    private func loop() {
        let executor = self.executor
        schedscope_set_current_worker(Unmanaged.passUnretained(self).toOpaque())
        Self.threadName(executor.configuration.name, proc: proc).withCString { schedscope_set_thread_name($0) }
        let scheduler = executor.scheduler
        let idle = executor.idleProcs
        scheduler.sink.procStart(proc)
        // The P's job count and random source are the loop's locals, not properties: an
        // `inout` of a class property is checked for exclusivity at run time at every job.
        var tick: UInt64 = 0
        var random = SplitMix64(seed: stealSeed)
        var spinning = false
        var spinRound = 0
        var spinStart: UInt64 = 0
        let spinNanoseconds = UInt64(executor.configuration.spinMicroseconds) * 1_000
        while true {
            // After a few microseconds of spinning, another P's `next` job has waited long
            // enough for its owner: take it.
            let takesNext = spinning && spinRound > 0
                && schedscope_executor_monotonic_ns() &- spinStart >= Self.nanosecondsBeforeStealingNext
            if let job = scheduler.nextLocalOrGlobal(for: proc, tick: &tick)
                ?? scheduler.steal(for: proc, random: &random, includingNext: takesNext) {
                if spinning {
                    spinning = false
                    // The last spinner found work: there may be more, so bring another P
                    // to look (Go's `resetspinning`); this is how an imbalanced fan-out
                    // spreads over all Ps within a few wake-ups.
                    if idle.stopSpinning() == 0 { executor.wakeIdleProc() }
                }
                jobsRun += 1
                runningJob = job
                executor.run(job, on: self)
                runningJob = 0
                if scheduler.jobReturned(on: proc) { executor.wakeIdleProc() }
                continue
            }
            if executor.isStopping { break }
            if !spinning, idle.startSpinning() {
                spinning = true
                spinRound = 0
            }
            if spinning {
                if spinRound == 0 { spinStart = schedscope_executor_monotonic_ns() }
                spinRound += 1
                if schedscope_executor_monotonic_ns() &- spinStart < spinNanoseconds {
                    // Wait a little between rounds without leaving the core (Go's
                    // procyield). Not sched_yield: on a loaded machine the kernel (EEVDF)
                    // moves a yielding thread's deadline a whole slice back, so the spinner
                    // lost its core for milliseconds, just when the work it was spinning
                    // for arrived (an imbalanced fan-out's second P started its first task
                    // 3–7 ms late at load 3.5). The spin is bounded (`spinMicroseconds`),
                    // so keeping the core that long costs the other threads little.
                    if spinRound > 4 { schedscope_cpu_relax(Self.relaxHintsPerRound) }
                    continue
                }
            }
            if spinning {
                spinning = false
                idle.stopSpinning()
            }
            scheduler.sink.procStop(proc)
            idle.markIdle(proc)
            atomicMemoryFence(ordering: .sequentiallyConsistent)
            if scheduler.hasQueuedWork || executor.isStopping, idle.reclaim(proc) {
                scheduler.sink.procStart(proc)
                continue
            }
            waitUntilWoken()
            scheduler.sink.procStart(proc)
            // The waker counted this P as spinning when it claimed it.
            spinning = true
            spinRound = 0
        }
        if spinning { idle.stopSpinning() }
        scheduler.sink.procStop(proc)
        schedscope_set_current_worker(nil)
    }
}
