@_spi(ExperimentalCustomExecutors) @_spi(ExperimentalScheduling) import _Concurrency
import SchedscopeRecorder

extension SchedscopeExecutor {
    /// Whole-process mode through Swift's experimental `ExecutorFactory` SPI (SE-0471): a
    /// new executor becomes the process's default executor, so that it runs every job the
    /// runtime's default executor would — `Task.yield()` continuations and `Task.sleep`
    /// wake-ups included, which `installGlobally()`'s hook does not see. Main-actor jobs stay
    /// on the main thread.
    ///
    /// Opt-in and experimental: the SPI may change with the toolchain, so this is never the
    /// only way in (`installGlobally()` and task executor preferences need no SPI). Best
    /// called first thing in `main`; called later (SchedscopeTesting does, under a running
    /// test runner), jobs already queued on the runtime's executor run there and their tasks
    /// move over at their next enqueue. Installed once per process (with either mode); later
    /// calls return the same executor. The executor and its timer thread live as long as the
    /// process.
    ///
    /// ```swift
    /// // main.swift
    /// SchedscopeExecutor.installAsDefaultExecutor()
    /// ```
    ///
    /// - Parameter configuration: Ps, names, tracking.
    /// - Returns: the executor now running the process's default-executor jobs.
    @available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
    @discardableResult
    public static func installAsDefaultExecutor(_ configuration: ExecutorConfiguration = ExecutorConfiguration())
        -> SchedscopeExecutor {
        globalInstallation.withLock { _ in
            if let installed = globallyInstalledExecutor { return installed }
            let executor = SchedscopeExecutor(configuration, mode: .executorFactory)
            globallyInstalledExecutor = executor
            DefaultExecutor.installed = DefaultExecutor(executor)
            _createExecutors(factory: SchedscopeExecutorFactory.self)
            return executor
        }
    }

    /// The runtime's own default executor, which the factory replaced.
    @available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
    static var platformDefaultExecutor: any TaskExecutor { PlatformExecutorFactory.defaultExecutor }

    /// Jobs waiting in the timer queue for their deadline (`Task.sleep`), in
    /// `executorFactory` mode; 0 otherwise.
    public var pendingTimers: Int {
        mode == .executorFactory ? DefaultExecutor.installed?.timers.pendingCount ?? 0 : 0
    }
}

/// The factory the runtime asks for its executors: the platform's main executor, and the
/// installed `DefaultExecutor`.
@available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
struct SchedscopeExecutorFactory: ExecutorFactory {
    static var mainExecutor: any MainExecutor { PlatformExecutorFactory.mainExecutor }
    static var defaultExecutor: any TaskExecutor { DefaultExecutor.installed! }
}

/// What the runtime sees as its default executor: jobs go to the `SchedscopeExecutor`,
/// jobs due later (`Task.sleep`) to a timer thread that queues them at their deadline.
///
/// A default executor must also schedule (`SchedulingExecutor`), or the first `Task.sleep`
/// traps. A separate object rather than a conformance of `SchedscopeExecutor`, so that the
/// other modes keep the runtime's own timers.
@available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
final class DefaultExecutor: TaskExecutor, SchedulingExecutor, @unchecked Sendable {
    // Invariant for @unchecked Sendable: both properties are `let`s of thread-safe types.
    /// Written once, under `globalInstallation`, before the runtime reads it.
    nonisolated(unsafe) static var installed: DefaultExecutor?

    let executor: SchedscopeExecutor
    let timers: TimerQueue

    init(_ executor: SchedscopeExecutor) {
        self.executor = executor
        // The job a sleep hands over is the runtime's wake-up job (a task of its own, which
        // resumes the sleeper when it runs): first seen here, it is labelled for what it is.
        let label = Recorder.intern("sleep timer")
        timers = TimerQueue(name: executor.configuration.name + "-timer") { [executor] job in
            let previous = PendingSpawn.set(label: label, region: nil)
            executor.enqueue(word: job)
            PendingSpawn.restore(previous)
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        executor.enqueue(job)
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C) {
        enqueue(job, at: clock.now.advanced(by: delay), tolerance: tolerance, clock: clock)
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        // The standard clocks measure in `Duration`: the wait is turned into a deadline on
        // the timer thread's clock. (A clock whose wait is not its own time, as across a
        // system sleep, may fire a little early; tolerance is not used to batch timers.)
        guard let delay = clock.now.duration(to: instant) as? Duration else {
            // Another clock's units cannot be converted: its timer is the platform's, and
            // the job runs where the platform's executor runs it.
            guard let platform = PlatformExecutorFactory.defaultExecutor as? any SchedulingExecutor else {
                preconditionFailure("a \(C.self) deadline cannot be scheduled: the platform's default executor has no timers")
            }
            platform.enqueue(job, at: instant, tolerance: tolerance, clock: clock)
            return
        }
        let word = unsafeBitCast(UnownedJob(job), to: UInt.self)
        // Called from inside the sleeping task: when it runs on a P, its park is a sleep.
        executor.runningTaskSleeps()
        timers.schedule(word, at: TimerQueue.deadline(after: delay))
    }
}
