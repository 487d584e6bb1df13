import CSchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder
import Synchronization

/// A work-stealing P:M:N executor for Swift Concurrency that reports what it does to the
/// process's `Recorder` (docs/EXECUTOR.md).
///
/// Each P has a 256-slot local run queue; there is one global run queue; an idle P steals
/// half of a random victim's queue; each P's thread (M) spins briefly and then parks until
/// new work wakes it. Use it as a task executor preference:
///
/// ```swift
/// let executor = SchedscopeExecutor()
/// await withTaskExecutorPreference(executor) { await work() }
/// Task(executorPreference: executor) { await work() }
/// executor.spawn { await work() }            // children keep the preference; labelled by call site
/// ```
///
/// or for the whole process with `SchedscopeExecutor.installGlobally()` (or, through an
/// experimental SPI that also sees yields and sleeps, `installAsDefaultExecutor()`). The
/// executor runs until `shutdown()`.
public final class SchedscopeExecutor: TaskExecutor, @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored property is a `let` of a Sendable or
    // internally synchronized type, except `workers`, written once in `init` before any
    // thread starts.

    /// How jobs reach the executor and how it runs them.
    public enum Mode: Sendable {
        /// As a `TaskExecutor` preference: jobs run "on" this executor.
        case preference
        /// Through `swift_task_enqueueGlobal_hook`: every default-executor job of the process;
        /// jobs run on the generic executor, as the runtime's own global executor runs them
        /// (running them on a task executor made the runtime enqueue them again).
        case wholeProcess
        /// As the process's default executor, through the `ExecutorFactory` SPI: every job
        /// the runtime's default executor would run, `Task.yield` continuations and
        /// `Task.sleep` wake-ups included; run on the generic executor, as in `wholeProcess`.
        case executorFactory
    }

    public let configuration: ExecutorConfiguration
    public let mode: Mode
    package let scheduler: Scheduler<RecorderEventSink>
    package let idleProcs: IdleProcs
    /// The task table, when task tracking is on.
    package let tracker: TaskTracker?
    /// `tracker`, reached on every enqueue and job without a retain and a release (it lives
    /// as long as this executor, which holds it).
    private let unretainedTracker: Unmanaged<TaskTracker>?
    private var workers: [Worker] = []
    private let stopping = Atomic<Bool>(false)
    /// Jobs enqueued from threads that are not this executor's (the workers count their own).
    private let externalEnqueues = Atomic<Int>(0)

    /// Starts `configuration.procCount` worker threads.
    ///
    /// - Parameter configuration: Ps, thread names, task tracking, steal seed.
    public convenience init(_ configuration: ExecutorConfiguration = ExecutorConfiguration()) {
        self.init(configuration, mode: .preference)
    }

    init(_ configuration: ExecutorConfiguration, mode: Mode) {
        self.configuration = configuration
        self.mode = mode
        scheduler = Scheduler(procCount: configuration.procCount, sink: RecorderEventSink(enabled: configuration.recordsEvents))
        idleProcs = IdleProcs(procCount: configuration.procCount)
        let tracking: Bool = switch configuration.taskTracking {
        case .on: true
        case .off: false
        case .automatic: Recorder.isRecording
        }
        tracker = tracking
            ? TaskTracker(recordsEvents: configuration.recordsEvents, checksParkedRegionTasks: mode != .preference) : nil
        unretainedTracker = tracker.map { Unmanaged.passUnretained($0) }
        workers = (0..<configuration.procCount).map { Worker(proc: $0, executor: self, seed: configuration.stealSeed) }
        tracker?.announceCompletionMethod()
        for worker in workers { worker.startThread() }
    }

    /// The number of Ps.
    public var procCount: Int { configuration.procCount }

    /// Sequentially consistent, like the idle handshake: a P about to park, and a producer
    /// that just pushed, must not both miss a concurrent `shutdown()`.
    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Runs what is queued, then stops the worker threads and waits for them. Jobs enqueued
    /// afterwards go to Swift's global concurrent executor (the platform's default executor
    /// in `executorFactory` mode, where the global one is this executor).
    ///
    /// Called from one of this executor's own jobs (in a whole-process mode the program's
    /// code, even its main task, may run on a P), it cannot wait for the calling P's thread:
    /// that P runs what is left after the calling job returns, then its thread ends.
    public func shutdown() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        while let proc = idleProcs.claimAny() { workers[proc].wake() }
        let caller = callingWorker
        for worker in workers where worker !== caller {
            // A P that parks after the loop above sees `stopping` before it sleeps.
            worker.join()
        }
        caller?.detachThread()
        forwardStrandedJobs()
    }

    /// The worker whose thread calls, if it is one of this executor's.
    private var callingWorker: Worker? { withCallingWorker { $0 } }

    /// `body` of the calling thread's worker, if it is one of this executor's (borrowed:
    /// a worker lives as long as its thread, and this is its thread); nil otherwise.
    @inline(__always)
    private func withCallingWorker<Result>(_ body: (Worker) -> Result) -> Result? {
        guard let pointer = schedscope_current_worker() else { return nil }
        return Unmanaged<Worker>.fromOpaque(pointer)._withUnsafeGuaranteedRef { worker in
            worker.executorID == ObjectIdentifier(self) ? body(worker) : nil
        }
    }

    /// Where jobs go once the workers have stopped: Swift's global concurrent executor, or
    /// the platform's default executor when this executor has replaced the global one
    /// (handing them to the global one would hand them back here).
    private var executorAfterShutdown: any TaskExecutor {
        if mode == .executorFactory, #available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *) {
            return Self.platformDefaultExecutor
        }
        return globalConcurrentExecutor
    }

    /// Hands jobs pushed on the global queue while the workers were exiting to
    /// `executorAfterShutdown`, so that they still run.
    private func forwardStrandedJobs() {
        while let word = scheduler.globalQueue.takeOne() {
            executorAfterShutdown.enqueue(unsafeBitCast(word, to: UnownedJob.self))
        }
    }

    // MARK: - Jobs in

    public func enqueue(_ job: consuming ExecutorJob) {
        enqueue(word: unsafeBitCast(UnownedJob(job), to: UInt.self))
    }

    /// Queues a job given as its address (from `enqueue` or the global hook).
    func enqueue(word: UInt) {
        if let pointer = schedscope_current_worker() {
            // Borrowed, not retained (a retain and a release per enqueue): a worker lives as
            // long as its thread, and this is its thread.
            let fromOwnWorker = Unmanaged<Worker>.fromOpaque(pointer)._withUnsafeGuaranteedRef { worker in
                guard worker.executorID == ObjectIdentifier(self) else { return false }
                enqueue(word, fromWorker: worker)
                return true
            }
            if fromOwnWorker { return }
        }
        enqueueFromOutside(word)
    }

    /// Queues a job readied on one of this executor's workers.
    @inline(__always)
    private func enqueue(_ word: UInt, fromWorker worker: Worker) {
        unretainedTracker?._withUnsafeGuaranteedRef { $0.jobEnqueued(UnsafeMutableRawPointer(bitPattern: word)!, by: worker) }
        if isStopping {
            executorAfterShutdown.enqueue(unsafeBitCast(word, to: UnownedJob.self))
            return
        }
        worker.jobsEnqueued += 1
        // Readied by the running job: it runs next on this P (Go's `runnext`), unless it
        // is a yield — the running task itself re-enqueued (preference mode), or the
        // continuation job `Task.yield()` enqueues to resume it (the default executor gets
        // those) — which goes behind the other work: as `next`, a task yielding in a loop
        // took the slot back at every yield and the P never reached its ring (a one-P
        // default-executor run spun on one task's 3 million yields).
        // Only work left in a ring is worth waking another P for: the next job is this
        // P's as soon as its current job returns.
        let isYield = word == worker.runningJob
            || JobLabels.isContinuationJob(schedscope_job_flags(UnsafeMutableRawPointer(bitPattern: word)!))
        if scheduler.push(word, toProc: worker.proc, asNext: !isYield) { wakeIdleProc() }
    }

    /// Queues a job from a thread that is not one of this executor's workers.
    private func enqueueFromOutside(_ word: UInt) {
        unretainedTracker?._withUnsafeGuaranteedRef { $0.jobEnqueuedFromOutside(UnsafeMutableRawPointer(bitPattern: word)!) }
        if isStopping {
            executorAfterShutdown.enqueue(unsafeBitCast(word, to: UnownedJob.self))
            return
        }
        externalEnqueues.add(1, ordering: .relaxed)
        scheduler.push(word, toProc: nil)
        if isStopping {
            // Raced with `shutdown()`: its final drain may have run before this push.
            forwardStrandedJobs()
            return
        }
        wakeIdleProc()
    }

    /// Jobs enqueued and jobs run so far; equal once `shutdown()` returned, unless a job was
    /// lost or run twice. Exact only after `shutdown()` (the workers' counters are their own).
    package var jobCounts: (enqueued: Int, run: Int) {
        let enqueued = workers.reduce(externalEnqueues.load(ordering: .relaxed)) { $0 + $1.jobsEnqueued }
        return (enqueued, workers.reduce(0) { $0 + $1.jobsRun })
    }

    /// The task running on the calling thread, if it is one of this executor's workers,
    /// is going to sleep: its park is recorded as a sleep.
    func runningTaskSleeps() {
        guard let tracker = unretainedTracker else { return }
        withCallingWorker { worker in tracker._withUnsafeGuaranteedRef { $0.taskSleeping(on: worker) } }
    }

    /// Wakes a parked P if no P is spinning (Go's `wakep`).
    func wakeIdleProc() {
        if let proc = idleProcs.claimOneToWake() { workers[proc].wake() }
    }

    /// The id of the task running on the calling thread, if it is one of this executor's
    /// workers and runs a task (0 otherwise).
    package var currentTaskID: UInt64 { withCallingWorker { $0.runningTask } ?? 0 }

    // MARK: - Jobs out

    func run(_ word: UInt, on worker: Worker) {
        let job = unsafeBitCast(word, to: UnownedJob.self)
        if let unretainedTracker {
            unretainedTracker._withUnsafeGuaranteedRef { tracker in
                tracker.run(UnsafeMutableRawPointer(bitPattern: word)!, on: worker) { runJob(job) }
                // Between jobs, this P is free to record ends that a leak check found.
                if tracker.hasEndsFoundOutOfSight { tracker.recordEndsFoundOutOfSight(on: worker) }
            }
        } else {
            runJob(job)
        }
    }

    @inline(__always)
    private func runJob(_ job: UnownedJob) {
        switch mode {
        case .preference:
            job.runSynchronously(on: asUnownedTaskExecutor())
        case .wholeProcess, .executorFactory:
            job.runSynchronously(on: Self.genericSerialExecutor)
        }
    }

    /// The "generic" executor reference (both words zero): what the runtime's own global
    /// executor runs its jobs on.
    private static var genericSerialExecutor: UnownedSerialExecutor {
        unsafeBitCast((0, 0), to: UnownedSerialExecutor.self)
    }
}
