import CSchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Follows every task through the executor and emits its events: `task_create` on first
/// sight, `task_start` before its job runs, and after the job returns `task_end` (it
/// completed) or `task_park` (it suspended); `task_yield` when it re-enqueues itself while
/// running; `task_unpark` when someone else enqueues it.
///
/// Each task has a `TaskNode` whose state is one atomic word. The per-job paths take no
/// lock: the node travels with the job in its scheduler-private word from the enqueue to
/// the P that runs it, and the worker holds it while the job runs, so a start, a yield and
/// the stop of a task that yielded are plain atomic stores and loads on that node. A task
/// may be resumed (enqueued by another thread) before the job in which it suspended has
/// returned: the stop and such a waker race with one compare-and-swap each on the node, and
/// a waker that finds the stop under way waits for its `task_park`, so the events stay in a
/// legal order whichever thread comes first (`TaskNode.State`).
///
/// The table (32 shards of `TaskSlots`, each under a lock) maps task ids to nodes: it is
/// probed when a task is created, when a thread that is not running it wakes it up, and
/// when it ends; and it answers the leak checks' queries.
///
/// - Complexity: per job, no lock for the task's own transitions; one locked probe per
///   creation, wake-up by another thread and end. Memory grows with live tasks (nodes are
///   kept for reuse up to the most tasks alive at once).
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

    typealias Node = UnsafeMutablePointer<TaskNode>

    /// One shard: its part of the id → node map and the nodes it keeps for reuse. Nodes are
    /// held by address (`UInt`): a pointer is not `Sendable`, and the lock's closure may
    /// only keep values that are.
    private struct Shard: ~Copyable {
        /// 64 slots at least (32 shards: 32 KB in all), so that a fan-out in batches of
        /// a thousand tasks does not grow and shrink every shard at every batch.
        var nodes = TaskSlots<UInt>(minimumCapacity: 64)
        /// The free list's head (0: empty).
        var freeNodes: UInt = 0

        /// A node for a new task, from the free list or the allocator.
        mutating func takeNode() -> UInt {
            if let node = Node(bitPattern: freeNodes) {
                freeNodes = UInt(bitPattern: node.pointee.nextFree)
                return UInt(bitPattern: node)
            }
            let node = Node.allocate(capacity: 1)
            node.initialize(to: TaskNode())
            return UInt(bitPattern: node)
        }

        /// The node of `task` and false if the shard has one; else a new runnable node for
        /// it, entered in the map, and true.
        mutating func findOrCreate(
            _ task: UInt64, label: StringID, region: UInt32, parent: UInt64, isAsyncLet: Bool
        ) -> (address: UInt, created: Bool) {
            if let index = nodes.index(of: task) { return (nodes.value(at: index), false) }
            let address = takeNode()
            let node = Node(bitPattern: address)!
            node.pointee.task.store(task, ordering: .relaxed)
            node.pointee.label = label
            node.pointee.region = region
            node.pointee.parent = parent
            node.pointee.createdNanoseconds = schedscope_executor_coarse_monotonic_ns()
            node.pointee.isAsyncLet = isAsyncLet
            node.pointee.isSleeping.store(false, ordering: .relaxed)
            node.pointee.parkedTask.store(0, ordering: .relaxed)
            node.pointee.state.store(TaskNode.word(.runnable), ordering: .relaxed)
            nodes.insert(task, address)
            return (address, true)
        }

        mutating func keep(_ address: UInt) {
            let node = Node(bitPattern: address)!
            node.pointee.nextFree = Node(bitPattern: freeNodes)
            freeNodes = address
        }

        deinit {
            nodes.forEach { _, address in
                let node = Node(bitPattern: address)!
                node.deinitialize(count: 1)
                node.deallocate()
            }
            var free = Node(bitPattern: freeNodes)
            while let node = free {
                free = node.pointee.nextFree
                node.deinitialize(count: 1)
                node.deallocate()
            }
        }
    }

    private static let shardCount = 32

    package let completionMethod: CompletionMethod
    /// The shards, allocated once and never moved: a pointer rather than an array of
    /// objects, so that reaching a task's shard retains and releases nothing.
    private nonisolated(unsafe) let shards: UnsafeMutablePointer<Mutex<Shard>>
    /// Async-let children by parent: their end cannot be observed, but they have ended when
    /// their parent has (structured concurrency), so the parent's end drops them from the
    /// table. (The trace keeps them parked, with a reason that says why.)
    private let asyncLetChildren = Mutex<[UInt64: [UInt64]]>([:])
    /// Whether any async-let child was ever seen (so that task ends skip the map until then).
    private let hasAsyncLetChildren = Atomic<Bool>(false)
    private let nextSyntheticID = Atomic<UInt64>(1 << 62)
    private let nextRegion = Atomic<UInt32>(1)
    private let yieldsResumedInline = Atomic<Int>(0)
    private let suspendedReason: StringID
    private let asyncLetReason: StringID
    private let sleepReason: StringID
    private let labels: JobLabels

    private let events: TaskEventEmitter

    /// Whole-process modes: a parked task of a region is retained, so that `liveTasks`
    /// can tell one that completed out of sight from a leak (`TaskNode.parkedTask`).
    private let checksParkedRegionTasks: Bool
    /// Tasks `liveTasks` found completed out of sight, whose ends a P records between two
    /// jobs (`recordEndsFoundOutOfSight`).
    private let endsFoundOutOfSight = Mutex<[UInt64]>([])
    private let endsFoundCount = Atomic<Int>(0)

    /// - Parameter checksParkedRegionTasks: for the whole-process modes, where a task may
    ///   complete inside an actor's job without its own job returning.
    package init(recordsEvents: Bool = true, checksParkedRegionTasks: Bool = false) {
        events = TaskEventEmitter(enabled: recordsEvents)
        completionMethod = Self.probeRuntimeLayout()
        self.checksParkedRegionTasks = checksParkedRegionTasks && completionMethod == .statusBit
        suspendedReason = Recorder.intern("suspended")
        asyncLetReason = Recorder.intern("async let (completion not observable)")
        sleepReason = Recorder.intern("sleep")
        labels = JobLabels()
        shards = .allocate(capacity: Self.shardCount)
        for index in 0..<Self.shardCount { (shards + index).initialize(to: Mutex(Shard())) }
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
    private func shard(_ task: UInt64) -> UnsafeMutablePointer<Mutex<Shard>> {
        shards + Int(truncatingIfNeeded: (task ^ (task >> 7)) & UInt64(Self.shardCount - 1))
    }

    // MARK: - Labels and regions

    /// The text of a task label, for in-process leak reports.
    package func labelText(_ id: StringID) -> String {
        Recorder.string(for: id) ?? "?"
    }

    /// A new region instance (tasks created inside it, transitively, belong to it).
    package func newRegion() -> UInt32 {
        nextRegion.add(1, ordering: .relaxed).oldValue
    }

    // MARK: - Events

    /// A job is being enqueued by one of the executor's workers. Leaves the task's node in
    /// the job's scheduler-private word for the P that will run it.
    ///
    /// The worker's fields are read here and only its node pointers are passed on: an
    /// optional `Worker` bound further down was a retain and a release per enqueue.
    @inline(__always)
    func jobEnqueued(_ job: UnsafeMutableRawPointer, by worker: Worker) {
        let waker = worker.runningTask
        enqueued(job, waker: waker, recordedWaker: waker != 0 ? waker : worker.runningRecordedJob,
                 running: worker.runningNode, resuming: worker.resumingNode, parkedHere: worker.parkedNodes)
    }

    /// A job is being enqueued by a thread that is not one of the executor's.
    func jobEnqueuedFromOutside(_ job: UnsafeMutableRawPointer) {
        enqueued(job, waker: 0, recordedWaker: 0, running: nil, resuming: nil, parkedHere: nil)
    }

    /// `waker`: the task running on the enqueuing thread (0: none); `recordedWaker`: what
    /// the trace names as the creator or waker — `waker`, or the recorded id of the
    /// non-task job running there (an actor's job), which is the emitting thread's
    /// context in the trace: naming anything else would cost a `context` record before
    /// and after the event (two per actor round trip); `running`: the task's node;
    /// `resuming`: the node a continuation job running there carried; `parkedHere`: that
    /// worker's cache of the nodes it parked last.
    @inline(__always)
    private func enqueued(
        _ job: UnsafeMutableRawPointer, waker: UInt64, recordedWaker: UInt64, running: Node?, resuming: Node?,
        parkedHere: UnsafeMutablePointer<UInt>?
    ) {
        let task = schedscope_job_task_id(job)
        guard task != 0 else {
            // Not a task: recorded when it runs, except a running task's continuation job,
            // which is how `Task.yield()` re-enqueues its task: a yield. The continuation
            // carries the task's node to the thread that will run it and enqueue the task.
            guard JobLabels.isContinuationJob(schedscope_job_flags(job)) else { return }
            var carried: Node?
            if waker != 0, let running {
                taskYielded(running)
                carried = running
            }
            schedscope_set_job_executor_word(job, carried.map { UnsafeMutableRawPointer($0) })
            return
        }
        if let running, running.pointee.taskID == task {
            // The running task enqueued itself (a yield, a hop back to this executor).
            selfEnqueued(running)
            schedscope_set_job_executor_word(job, UnsafeMutableRawPointer(running))
            return
        }
        let node: Node
        if let resuming, resuming.pointee.taskID == task {
            node = resuming
        } else if let parkedHere, let cached = Node(bitPattern: parkedHere[Worker.parkedNodeSlot(task)]),
                  cached.pointee.taskID == task {
            // Parked on this P and woken here (an actor's job resuming the task that
            // called it): no table lookup.
            node = cached
        } else {
            guard let found = existingNode(task, job: job, waker: waker, recordedWaker: recordedWaker, running: running)
            else { return }
            node = found
        }
        schedscope_set_job_executor_word(job, UnsafeMutableRawPointer(node))
        woken(node, by: recordedWaker)
    }

    /// The node of `task`, found in the table; or a new one (`task_create`), in which case
    /// there is nothing more to do for this enqueue (nil).
    private func existingNode(
        _ task: UInt64, job: UnsafeMutableRawPointer, waker: UInt64, recordedWaker: UInt64, running: Node?
    ) -> Node? {
        let pending = PendingSpawn.take()
        // Looked up before taking the task's shard lock (the parent may share the shard);
        // only needed, and only paid for, once a test region exists.
        let inheritedRegion = pending?.region == nil && regionsInUse ? parentRegion(of: waker, running: running) : 0
        let flags = schedscope_job_flags(job)
        let label = pending?.label ?? labels.label(flags: flags)
        let region = pending?.region ?? inheritedRegion
        let isAsyncLet = flags & JobLabels.asyncLetBit != 0
        let (address, created) = shard(task).pointee.withLock { shard in
            shard.findOrCreate(task, label: label, region: region, parent: waker, isAsyncLet: isAsyncLet)
        }
        let node = Node(bitPattern: address)!
        guard created else { return node }
        schedscope_set_job_executor_word(job, UnsafeMutableRawPointer(node))
        if node.pointee.isAsyncLet, waker != 0 {
            asyncLetChildren.withLock { $0[waker, default: []].append(task) }
            hasAsyncLetChildren.store(true, ordering: .relaxed)
        }
        events.taskCreate(TaskID(task), parent: TaskID(recordedWaker), label: node.pointee.label)
        return nil
    }

    /// The running task re-enqueued itself: a yield, unless it was already runnable.
    @inline(__always)
    private func selfEnqueued(_ node: Node) {
        // Only this thread moves a running task that has not suspended: plain load and store.
        switch TaskNode.state(of: node.pointee.state.load(ordering: .relaxed)) {
        case .running, .yielding: break
        default: return
        }
        events.taskYield(TaskID(node.pointee.taskID))
        node.pointee.state.store(TaskNode.word(.runnable), ordering: .releasing)
    }

    /// The running task enqueued a continuation job that will resume it (`Task.yield()`).
    /// Not yet a yield: the continuation may run on another P and resume the task before it
    /// has suspended, and the task then goes on in the same job. The yield is emitted by
    /// whichever comes first of the continuation's enqueue of the task (`woken`) and the
    /// job's return (`stop`).
    @inline(__always)
    private func taskYielded(_ node: Node) {
        let word = node.pointee.state.load(ordering: .relaxed)
        guard TaskNode.state(of: word) == .running else { return }
        node.pointee.state.store(TaskNode.word(.yielding, proc: TaskNode.proc(of: word)), ordering: .releasing)
    }

    /// Another thread (running task `waker`, 0 if none) enqueued the task of `node`.
    private func woken(_ node: Node, by waker: UInt64) {
        let task = TaskID(node.pointee.taskID)
        var waits = 0
        while true {
            let word = node.pointee.state.load(ordering: .acquiring)
            switch TaskNode.state(of: word) {
            case .runnable:
                return
            case .running:
                // Resumed before the job in which it suspended returned: it parked then.
                // The compare-and-swap beats the P's stop, which then does nothing.
                guard node.pointee.state.compareExchange(
                    expected: word, desired: TaskNode.word(.runnable), ordering: .acquiringAndReleasing).exchanged else { continue }
                events.taskPark(task, reason: parkReason(node))
                events.taskUnpark(task, by: TaskID(waker))
                node.pointee.isSleeping.store(false, ordering: .relaxed)
                return
            case .parked:
                guard node.pointee.state.compareExchange(
                    expected: word, desired: TaskNode.word(.runnable), ordering: .acquiringAndReleasing).exchanged else { continue }
                events.taskUnpark(task, by: TaskID(waker))
                node.pointee.isSleeping.store(false, ordering: .relaxed)
                if checksParkedRegionTasks { releaseParkedTask(node) }
                return
            case .yielding:
                // Its continuation resumed it (so it suspended at the yield) before the
                // job returned: the yield is this enqueue's to emit; the stop then does nothing.
                guard node.pointee.state.compareExchange(
                    expected: word, desired: TaskNode.word(.runnable), ordering: .acquiringAndReleasing).exchanged else { continue }
                events.taskYield(task)
                return
            case .yielded:
                // The stop emitted the yield; this is the continuation's enqueue of the task.
                guard node.pointee.state.compareExchange(
                    expected: word, desired: TaskNode.word(.runnable), ordering: .acquiringAndReleasing).exchanged else { continue }
                return
            case .stopping:
                // The P that ran it is emitting its `task_park` (a few instructions, unless
                // its thread lost the core): wait, so that the unpark comes after.
                waits += 1
                if waits < 64 { schedscope_cpu_relax(1) } else { sched_yield() }
            }
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
        let node = schedscope_job_executor_word(job)?.assumingMemoryBound(to: TaskNode.self)
            ?? firstSeenRunning(task, job: job)
        let isAsyncLet = node.pointee.isAsyncLet
        // An async-let task lives in its parent's frame, which may be gone once it
        // completes: its status is never read (and it is not reference counted). Other
        // tasks are retained around the job, because a job that completes its task may
        // drop the task's last reference, and the status is read after it returns.
        let probes = completionMethod == .statusBit && !isAsyncLet
        if probes { schedscope_retain(job) }
        let proc = worker.proc
        // A defence: a parked task's waker releases its retained object (`woken`).
        if checksParkedRegionTasks, node.pointee.parkedTask.load(ordering: .relaxed) != 0 { releaseParkedTask(node) }
        // Runnable until now, and nothing but this P moves a runnable task: a plain store.
        node.pointee.state.store(TaskNode.word(.running, proc: proc), ordering: .releasing)
        events.taskStart(TaskID(task), on: ProcID(rawValue: UInt32(proc)))
        worker.runningTask = task
        worker.runningNode = node
        body()
        worker.runningTask = 0
        worker.runningNode = nil
        if worker.runningTaskEnded {
            // `spawn`'s task ended from inside (`taskEnding`), which took it off the table.
            worker.runningTaskEnded = false
            let address = UInt(bitPattern: node)
            shard(task).pointee.withLock { $0.keep(address) }
        } else {
            stop(node, job: job, proc: proc, probes: probes, parkedHere: worker.parkedNodes)
        }
        if probes { schedscope_release(job) }
    }

    /// The job of the task of `node` returned on P `proc`: it completed or it suspended.
    @inline(__always)
    private func stop(_ node: Node, job: UnsafeMutableRawPointer, proc: Int, probes: Bool, parkedHere: UnsafeMutablePointer<UInt>) {
        // Loses to a waker that resumed the task before this point (it emitted the park or
        // the yield), and to a self-enqueue (the task is runnable, or already running elsewhere).
        let word = node.pointee.state.load(ordering: .relaxed)
        let yielding = word == TaskNode.word(.yielding, proc: proc)
        guard yielding || word == TaskNode.word(.running, proc: proc), node.pointee.state.compareExchange(
            expected: word, desired: TaskNode.word(.stopping, proc: proc), ordering: .acquiring).exchanged else { return }
        let task = node.pointee.taskID
        // Claimed: no waker can resume the task until it is parked, so the status read
        // here is this job's outcome, not that of a later run elsewhere.
        if probes && schedscope_task_status_flags(job) & JobLabels.isCompleteStatus != 0 {
            // Still `yielding`: its continuation resumed it before it suspended, so it never
            // gave up its thread — no yield, and it completed in this job.
            if yielding { yieldsResumedInline.add(1, ordering: .relaxed) }
            events.taskEnd(TaskID(task))
            let address = UInt(bitPattern: node)
            shard(task).pointee.withLock { shard in
                shard.nodes.removeValue(forKey: task)
                shard.keep(address)
            }
            forgetAsyncLetChildren(of: task)
            return
        }
        if yielding {
            // Suspended after enqueuing its continuation, which has not resumed it yet: a
            // yield. (If the continuation had resumed it before it suspended and it went on
            // to suspend elsewhere in this job, that suspension is recorded as this yield:
            // the two cannot be told apart from here.)
            events.taskYield(TaskID(task))
            node.pointee.state.store(TaskNode.word(.yielded), ordering: .releasing)
            return
        }
        events.taskPark(TaskID(task), reason: parkReason(node))
        node.pointee.parkedNanoseconds.store(schedscope_executor_coarse_monotonic_ns(), ordering: .relaxed)
        if checksParkedRegionTasks && probes && node.pointee.region != 0 {
            // Published with `parked` below; the job's own reference is released after this.
            schedscope_retain(job)
            node.pointee.parkedTask.store(UInt(bitPattern: job), ordering: .relaxed)
        }
        node.pointee.state.store(TaskNode.word(.parked), ordering: .releasing)
        parkedHere[Worker.parkedNodeSlot(task)] = UInt(bitPattern: node)
    }

    /// A task job that came with no node (tracking cannot miss an enqueue of this
    /// executor, so this is a defence): its node from the table, or a new one.
    @inline(never)
    private func firstSeenRunning(_ task: UInt64, job: UnsafeMutableRawPointer) -> Node {
        let flags = schedscope_job_flags(job)
        let label = labels.label(flags: flags)
        let isAsyncLet = flags & JobLabels.asyncLetBit != 0
        let (address, created) = shard(task).pointee.withLock { shard in
            shard.findOrCreate(task, label: label, region: 0, parent: 0, isAsyncLet: isAsyncLet)
        }
        let node = Node(bitPattern: address)!
        if created { events.taskCreate(TaskID(task), parent: .none, label: node.pointee.label) }
        return node
    }

    /// A job that is no task (an actor's process job, a continuation job): a runtime task
    /// of its own, created, started and ended around the job. A continuation job only
    /// re-enqueues its task (recorded as that task's yield) and is not recorded itself.
    @inline(__always)
    private func runNonTask(_ job: UnsafeMutableRawPointer, on worker: Worker, body: () -> Void) {
        let flags = schedscope_job_flags(job)
        if JobLabels.isContinuationJob(flags) {
            // The node its enqueue left here (nil if it came from elsewhere): the task it
            // resumes is found without the table.
            worker.resumingNode = schedscope_job_executor_word(job)?.assumingMemoryBound(to: TaskNode.self)
            body()
            worker.resumingNode = nil
            return
        }
        let id = TaskID(nextSyntheticID.add(1, ordering: .relaxed).oldValue)
        events.taskCreate(id, parent: .none, label: labels.label(flags: flags), isRuntime: true)
        events.taskStart(id, on: ProcID(rawValue: UInt32(worker.proc)))
        worker.runningRecordedJob = id.rawValue
        body()
        worker.runningRecordedJob = 0
        events.taskEnd(id)
    }

    /// The task running on `worker` ends now: `spawn`'s exact end, from inside the task.
    /// Off the table at once (whoever awaits the task may look before its job returns);
    /// the node is kept for reuse when the job returns.
    func taskEnding(on worker: Worker) {
        let task = worker.runningTask
        guard task != 0, !worker.runningTaskEnded else { return }
        let removed = shard(task).pointee.withLock { $0.nodes.removeValue(forKey: task) }
        guard removed else { return }
        worker.runningTaskEnded = true
        events.taskEnd(TaskID(task))
        forgetAsyncLetChildren(of: task)
    }

    /// `parent` ended: its async-let children have too (outside any shard lock: a child may
    /// share the parent's shard).
    private func forgetAsyncLetChildren(of parent: UInt64) {
        guard hasAsyncLetChildren.load(ordering: .relaxed),
              let children = asyncLetChildren.withLock({ $0.removeValue(forKey: parent) }) else { return }
        for child in children {
            shard(child).pointee.withLock { shard in
                guard let index = shard.nodes.index(of: child) else { return }
                let address = shard.nodes.value(at: index)
                guard TaskNode.state(of: Node(bitPattern: address)!.pointee.state.load(ordering: .acquiring)) == .parked else { return }
                shard.nodes.remove(at: index)
                shard.keep(address)
            }
        }
    }

    private var regionsInUse: Bool { nextRegion.load(ordering: .relaxed) > 1 }

    private func parentRegion(of parent: UInt64, running: Node?) -> UInt32 {
        guard parent != 0 else { return 0 }
        if let running, running.pointee.taskID == parent { return running.pointee.region }
        return shard(parent).pointee.withLock { shard in
            shard.nodes.index(of: parent).map { Node(bitPattern: shard.nodes.value(at: $0))!.pointee.region } ?? 0
        }
    }

    // MARK: - Queries (leak checks)

    /// Why the task of `node` parks: it is an async-let child, it went to sleep (the
    /// executor's timers have its wake-up; the mark stays until it is woken, for leak
    /// reports), or it is suspended.
    @inline(__always)
    private func parkReason(_ node: Node) -> StringID {
        if node.pointee.isAsyncLet { return asyncLetReason }
        return node.pointee.isSleeping.load(ordering: .relaxed) ? sleepReason : suspendedReason
    }

    /// The task running on `worker` hands a sleep's wake-up to the timers: its next park
    /// is a sleep.
    func taskSleeping(on worker: Worker) {
        worker.runningNode?.pointee.isSleeping.store(true, ordering: .relaxed)
    }

    /// Whether the parked task of `node` has in fact completed (whole-process modes: inside
    /// an actor's job, where the runtime ran it on in place). If so, its retained object is
    /// released and the caller takes the node off the table and queues its end for a P to
    /// record (`recordEndsFoundOutOfSight`). Called with the node's shard lock held.
    private func completedOutOfSight(_ node: Node) -> Bool {
        let word = node.pointee.state.load(ordering: .acquiring)
        guard TaskNode.state(of: word) == .parked, node.pointee.parkedTask.load(ordering: .relaxed) != 0,
              node.pointee.state.compareExchange(
                expected: word, desired: TaskNode.word(.stopping), ordering: .acquiringAndReleasing).exchanged
        else { return false }
        // Claimed: a waker waits until the state is stored again (none comes for a task
        // that completed).
        let object = node.pointee.parkedTask.load(ordering: .relaxed)
        guard let task = UnsafeMutableRawPointer(bitPattern: object),
              schedscope_task_status_flags(task) & JobLabels.isCompleteStatus != 0 else {
            node.pointee.state.store(word, ordering: .releasing)
            return false
        }
        node.pointee.parkedTask.store(0, ordering: .relaxed)
        schedscope_release(task)
        return true
    }

    /// Whether ends found out of sight wait to be recorded (a relaxed load per job).
    @inline(__always)
    var hasEndsFoundOutOfSight: Bool { endsFoundCount.load(ordering: .relaxed) != 0 }

    /// Ends found out of sight and not yet recorded: a leak check waits for none before it
    /// ends its region, so that the trace's verdict is the check's.
    package var pendingEndsFoundOutOfSight: Int { endsFoundCount.load(ordering: .acquiring) }

    /// Records the ends `liveTasks` found, on `worker`'s P between two jobs: each task is
    /// woken by no task, started and ended now (it ran on, and ended, inside an actor's job
    /// at some earlier time the trace cannot tell).
    func recordEndsFoundOutOfSight(on worker: Worker) {
        let tasks = endsFoundOutOfSight.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        guard !tasks.isEmpty else { return }
        let proc = ProcID(rawValue: UInt32(worker.proc))
        for task in tasks {
            events.taskUnpark(TaskID(task), by: .none)
            events.taskStart(TaskID(task), on: proc)
            events.taskEnd(TaskID(task))
        }
        endsFoundCount.subtract(tasks.count, ordering: .releasing)
    }

    /// Releases the retained object of a node that left `parked` (`TaskNode.parkedTask`).
    @inline(__always)
    private func releaseParkedTask(_ node: Node) {
        let object = node.pointee.parkedTask.exchange(0, ordering: .acquiringAndReleasing)
        if let task = UnsafeMutableRawPointer(bitPattern: object) { schedscope_release(task) }
    }

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
        var labelID: StringID
    }

    /// The tasks of region `region` that have not ended, oldest first.
    package func liveTasks(inRegion region: UInt32) -> [LiveTask] {
        // Creation and park times are the coarse clock's (one timer tick of precision, a
        // few nanoseconds to read on the per-task paths); `now` too, so that none is later.
        let now = schedscope_executor_coarse_monotonic_ns()
        var found: [(created: UInt64, task: LiveTask)] = []
        for index in 0..<Self.shardCount {
            shards[index].withLock { shard in
                // Nodes in the table are not reused while its lock is held.
                var completed: [(task: UInt64, address: UInt)] = []
                shard.nodes.forEach { task, address in
                    let node = Node(bitPattern: address)!
                    guard node.pointee.region == region else { return }
                    if checksParkedRegionTasks && completedOutOfSight(node) {
                        completed.append((task, address))
                        return
                    }
                    let state: State = switch TaskNode.state(of: node.pointee.state.load(ordering: .acquiring)) {
                    case .runnable, .yielded: .runnable
                    case .running, .stopping, .yielding: .running
                    case .parked: .parked
                    }
                    let created = node.pointee.createdNanoseconds
                    let parked = state == .parked ? now &- node.pointee.parkedNanoseconds.load(ordering: .relaxed) : 0
                    found.append((created, LiveTask(
                        task: task, label: "", state: state, ageNanoseconds: now &- created,
                        parkedNanoseconds: parked,
                        reason: state == .parked ? (node.pointee.isSleeping.load(ordering: .relaxed) ? "sleep" : "suspended") : "\(state)",
                        isAsyncLet: node.pointee.isAsyncLet, labelID: node.pointee.label)))
                }
                for (task, address) in completed {
                    shard.nodes.removeValue(forKey: task)
                    shard.keep(address)
                }
                if !completed.isEmpty {
                    endsFoundOutOfSight.withLock { $0.append(contentsOf: completed.map(\.task)) }
                    endsFoundCount.add(completed.count, ordering: .releasing)
                }
            }
        }
        // Oldest first; within a tick, by id (the runtime numbers tasks as it creates them).
        found.sort { ($0.created, $0.task.task) < ($1.created, $1.task.task) }
        return found.map { entry in
            var task = entry.task
            task.label = labelText(task.labelID)
            return task
        }
    }

    /// `Task.yield()` calls that recorded no `task_yield` because the continuation resumed
    /// the task before it suspended, and the task then completed in the same job (the
    /// tests add them to the trace's yields to account for every call).
    package var yieldsWithoutSuspension: Int { yieldsResumedInline.load(ordering: .relaxed) }

    /// How many tasks the table holds.
    package var liveCount: Int { (0..<Self.shardCount).reduce(0) { sum, index in sum + shards[index].withLock { $0.nodes.count } } }
}
