import CSchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder
import Synchronization

/// Follows every task through the executor and emits its events: `task_create` on first
/// sight, `task_start` before its job runs, and after the job returns `task_end` (it
/// completed) or `task_park` (it suspended); `task_yield` when it re-enqueues itself while
/// running; `task_unpark` when someone else enqueues it.
///
/// A task's transitions are made, and their events emitted, under its shard's lock: a task
/// may be resumed (enqueued by another thread) before the job in which it suspended has
/// returned, and the lock keeps its events in a legal order whichever thread comes first.
///
/// - Complexity: one hash probe (`TaskSlots`) under a lock per enqueue, start and stop;
///   memory grows with live tasks.
package final class TaskTracker: Sendable {
    /// How the end of a task not spawned through `spawn` is told from a suspension.
    package enum CompletionMethod: Sendable, Equatable {
        /// The IsComplete bit of the task's status flags, read after its job returns (the
        /// runtime's layout version and task size matched the ones this reader knows).
        case statusBit
        /// Only `spawn`'s tasks end exactly; other tasks park at the end of every job.
        case spawnAPIOnly
    }

    package enum State: UInt8, Sendable { case runnable, running, parked }

    package struct TrackedTask: Sendable {
        var state: State
        var proc: Int32
        var label: StringID
        var region: UInt32
        var parent: UInt64
        var createdNanoseconds: UInt64
        var parkedNanoseconds: UInt64
        var isAsyncLet: Bool
    }

    private typealias Shard = Mutex<TaskSlots<TrackedTask>>
    private static let shardCount = 32

    package let completionMethod: CompletionMethod
    /// The shards, allocated once and never moved: a pointer rather than an array of
    /// objects, so that reaching a task's shard retains and releases nothing (with an array
    /// of shard objects, each of the three probes per job paid a retain and a release).
    private nonisolated(unsafe) let shards: UnsafeMutablePointer<Shard>
    private let labelTexts = Mutex<[UInt32: String]>([:])
    /// Async-let children by parent: their end cannot be observed, but they have ended when
    /// their parent has (structured concurrency), so the parent's end drops them from the
    /// table. (The trace keeps them parked, with a reason that says why.)
    private let asyncLetChildren = Mutex<[UInt64: [UInt64]]>([:])
    /// Whether any async-let child was ever seen (so that task ends skip the map until then).
    private let hasAsyncLetChildren = Atomic<Bool>(false)
    private let regionNames = Mutex<[UInt32: String]>([:])
    private let nextSyntheticID = Atomic<UInt64>(1 << 62)
    private let nextRegion = Atomic<UInt32>(1)
    private let suspendedReason: StringID
    private let asyncLetReason: StringID
    private let labels: JobLabels

    private let events: TaskEventEmitter

    package init(recordsEvents: Bool = true) {
        events = TaskEventEmitter(enabled: recordsEvents)
        completionMethod = Self.probeRuntimeLayout()
        suspendedReason = Recorder.intern("suspended")
        asyncLetReason = Recorder.intern("async let (completion not observable)")
        labels = JobLabels()
        shards = .allocate(capacity: Self.shardCount)
        for index in 0..<Self.shardCount { (shards + index).initialize(to: Shard(TaskSlots())) }
    }

    deinit {
        shards.deinitialize(count: Self.shardCount)
        shards.deallocate()
    }

    /// The layout this status reader was written for (Swift 6.3, 64-bit): debug layout
    /// version 1, AsyncTask of 208 bytes, status flags at byte 96.
    private static func probeRuntimeLayout() -> CompletionMethod {
        #if arch(x86_64) || arch(arm64)
        if schedscope_runtime_layout_version() == 1 && schedscope_runtime_async_task_size() == 208 {
            return .statusBit
        }
        #endif
        return .spawnAPIOnly
    }

    /// Says in the trace which completion method is in use (a `log` event).
    package func announceCompletionMethod() {
        let message = switch completionMethod {
        case .statusBit: "completion: spawn API exact; other tasks by the runtime's IsComplete status bit (layout version 1)"
        case .spawnAPIOnly: "completion: spawn API only (runtime layout unknown: other tasks park at every job end)"
        }
        events.log(Recorder.intern(message), category: Recorder.intern("schedscope.executor"))
    }

    /// The shard of `task`'s entry.
    @inline(__always)
    private func shard(_ task: UInt64) -> UnsafeMutablePointer<Shard> {
        shards + Int(truncatingIfNeeded: (task ^ (task >> 7)) & UInt64(Self.shardCount - 1))
    }

    // MARK: - Labels and regions

    /// Interns `text` as a label and remembers its text for in-process leak reports.
    package func internLabel(_ text: String) -> StringID {
        let id = Recorder.intern(text)
        labelTexts.withLock { $0[id.rawValue] = text }
        return id
    }

    package func labelText(_ id: StringID) -> String {
        labelTexts.withLock { $0[id.rawValue] } ?? labels.text(id) ?? "?"
    }

    /// A new region instance (tasks created inside it, transitively, belong to it).
    package func newRegion(named name: String) -> UInt32 {
        let region = nextRegion.add(1, ordering: .relaxed).oldValue
        regionNames.withLock { $0[region] = name }
        return region
    }

    // MARK: - Events

    /// A job is being enqueued by a thread running task `waker` (0: no task, or not one of
    /// the executor's threads).
    func jobEnqueued(_ job: UnsafeMutableRawPointer, waker: UInt64) {
        let task = schedscope_job_task_id(job)
        guard task != 0 else {
            // Not a task: recorded when it runs, except a running task's continuation job,
            // which is how `Task.yield()` re-enqueues its task: a yield.
            if waker != 0, JobLabels.isContinuationJob(schedscope_job_flags(job)) { taskYielded(waker) }
            return
        }
        let pending = PendingSpawn.take()
        // Looked up before taking the task's shard lock (the parent may share the shard);
        // only needed, and only paid for, once a test region exists.
        let inheritedRegion = pending?.region == nil && regionsInUse ? parentRegion(of: waker) : 0
        shard(task).pointee.withLock { tasks in
            guard let index = tasks.index(of: task) else {
                let flags = schedscope_job_flags(job)
                let label = pending?.label ?? labels.label(flags: flags)
                let region = pending?.region ?? inheritedRegion
                let isAsyncLet = flags & JobLabels.asyncLetBit != 0
                if isAsyncLet, waker != 0 {
                    asyncLetChildren.withLock { $0[waker, default: []].append(task) }
                    hasAsyncLetChildren.store(true, ordering: .relaxed)
                }
                events.taskCreate(TaskID(task), parent: TaskID(waker), label: label)
                tasks.insert(task, TrackedTask(
                    state: .runnable, proc: -1, label: label, region: region, parent: waker,
                    createdNanoseconds: schedscope_executor_monotonic_ns(), parkedNanoseconds: 0, isAsyncLet: isAsyncLet))
                return
            }
            switch tasks.value(at: index).state {
            case .runnable:
                return
            case .running where waker == task:
                events.taskYield(TaskID(task))
            case .running:
                // Resumed before the job in which it suspended returned: it parked then.
                events.taskPark(TaskID(task), reason: suspendedReason)
                events.taskUnpark(TaskID(task), by: TaskID(waker))
            case .parked:
                events.taskUnpark(TaskID(task), by: TaskID(waker))
            }
            tasks.update(at: index) { $0.state = .runnable }
        }
    }

    /// Runs `body` (the job) with the events around it.
    ///
    /// Inlined into its one caller, so that `body`, which captures the executor, needs no
    /// context (a retain and a release of the executor per job otherwise).
    @inline(__always)
    func run(_ job: UnsafeMutableRawPointer, on worker: Worker, body: () -> Void) {
        let task = schedscope_job_task_id(job)
        guard task != 0 else {
            runNonTask(job, on: worker, body: body)
            return
        }
        let flags = schedscope_job_flags(job)
        let isAsyncLet = flags & JobLabels.asyncLetBit != 0
        // An async-let task lives in its parent's frame, which may be gone once it
        // completes: its status is never read (and it is not reference counted).
        let probes = completionMethod == .statusBit && !isAsyncLet
        if probes { schedscope_retain(job) }
        let proc = Int32(worker.proc)
        shard(task).pointee.withLock { tasks in
            if let index = tasks.index(of: task) {
                tasks.update(at: index) {
                    $0.state = .running
                    $0.proc = proc
                }
            } else {
                // First seen running (tracking started after it was enqueued).
                let label = labels.label(flags: flags)
                events.taskCreate(TaskID(task), parent: .none, label: label)
                tasks.insert(task, TrackedTask(
                    state: .running, proc: proc, label: label, region: 0, parent: 0,
                    createdNanoseconds: schedscope_executor_monotonic_ns(), parkedNanoseconds: 0, isAsyncLet: isAsyncLet))
            }
            events.taskStart(TaskID(task), on: ProcID(rawValue: UInt32(proc)))
        }
        worker.runningTask = task
        body()
        worker.runningTask = 0
        let ended = shard(task).pointee.withLock { tasks -> Bool in
            guard let index = tasks.index(of: task) else { return false }
            let entry = tasks.value(at: index)
            guard entry.state == .running, entry.proc == proc else { return false }
            if probes && schedscope_task_status_flags(job) & JobLabels.isCompleteStatus != 0 {
                events.taskEnd(TaskID(task))
                tasks.remove(at: index)
                return true
            }
            events.taskPark(TaskID(task), reason: isAsyncLet ? asyncLetReason : suspendedReason)
            let now = schedscope_executor_monotonic_ns()
            tasks.update(at: index) {
                $0.state = .parked
                $0.parkedNanoseconds = now
            }
            return false
        }
        if probes { schedscope_release(job) }
        if ended { forgetAsyncLetChildren(of: task) }
    }

    /// The running task `task` yielded (its continuation job was enqueued): it stays
    /// runnable, and the continuation's enqueue of it is no wake-up.
    private func taskYielded(_ task: UInt64) {
        shard(task).pointee.withLock { tasks in
            guard let index = tasks.index(of: task), tasks.value(at: index).state == .running else { return }
            events.taskYield(TaskID(task))
            tasks.update(at: index) { $0.state = .runnable }
        }
    }

    /// A job that is no task (an actor's process job, a continuation job): a runtime task
    /// of its own, created, started and ended around the job. A continuation job only
    /// re-enqueues its task (recorded as that task's yield) and is not recorded itself.
    @inline(__always)
    private func runNonTask(_ job: UnsafeMutableRawPointer, on worker: Worker, body: () -> Void) {
        let flags = schedscope_job_flags(job)
        if JobLabels.isContinuationJob(flags) {
            body()
            return
        }
        let id = TaskID(nextSyntheticID.add(1, ordering: .relaxed).oldValue)
        events.taskCreate(id, parent: .none, label: labels.label(flags: flags), isRuntime: true)
        events.taskStart(id, on: ProcID(rawValue: UInt32(worker.proc)))
        body()
        events.taskEnd(id)
    }

    /// The task running on `worker` ends now: `spawn`'s exact end, from inside the task.
    func taskEnding(on worker: Worker) {
        let task = worker.runningTask
        guard task != 0 else { return }
        shard(task).pointee.withLock { tasks in
            if tasks.removeValue(forKey: task) { events.taskEnd(TaskID(task)) }
        }
        forgetAsyncLetChildren(of: task)
    }

    /// `parent` ended: its async-let children have too (outside any shard lock: a child may
    /// share the parent's shard).
    private func forgetAsyncLetChildren(of parent: UInt64) {
        guard hasAsyncLetChildren.load(ordering: .relaxed),
              let children = asyncLetChildren.withLock({ $0.removeValue(forKey: parent) }) else { return }
        for child in children {
            shard(child).pointee.withLock { tasks in
                if let index = tasks.index(of: child), tasks.value(at: index).state == .parked { tasks.remove(at: index) }
            }
        }
    }

    private var regionsInUse: Bool { nextRegion.load(ordering: .relaxed) > 1 }

    private func parentRegion(of parent: UInt64) -> UInt32 {
        guard parent != 0 else { return 0 }
        return shard(parent).pointee.withLock { tasks in tasks.index(of: parent).map { tasks.value(at: $0).region } ?? 0 }
    }

    // MARK: - Queries (leak checks)

    /// A task of a region that has not ended.
    package struct LiveTask: Sendable {
        package var task: UInt64
        package var label: String
        package var state: State
        /// Since creation.
        package var ageNanoseconds: UInt64
        /// Since its last park (0 unless parked).
        package var parkedNanoseconds: UInt64
        package var reason: String
        /// An async-let child: it cannot outlive its parent, whose leak is the one to report.
        package var isAsyncLet: Bool
    }

    /// The tasks of region `region` that have not ended, oldest first.
    package func liveTasks(inRegion region: UInt32) -> [LiveTask] {
        let now = schedscope_executor_monotonic_ns()
        var found: [(UInt64, TrackedTask)] = []
        for index in 0..<Self.shardCount {
            shards[index].withLock { tasks in
                tasks.forEach { task, entry in if entry.region == region { found.append((task, entry)) } }
            }
        }
        found.sort { $0.1.createdNanoseconds < $1.1.createdNanoseconds }
        return found.map { task, entry in
            LiveTask(
                task: task, label: labelText(entry.label), state: entry.state,
                ageNanoseconds: now &- entry.createdNanoseconds,
                parkedNanoseconds: entry.state == .parked ? now &- entry.parkedNanoseconds : 0,
                reason: entry.state == .parked ? "suspended" : "\(entry.state)", isAsyncLet: entry.isAsyncLet)
        }
    }

    /// How many tasks the table holds.
    package var liveCount: Int { (0..<Self.shardCount).reduce(0) { sum, index in sum + shards[index].withLock { $0.count } } }
}
