import SchedscopeModel

/// An analysis that follows tasks through a `TaskLifecycle`. The lifecycle switches on each
/// event's kind once and calls the hook for that kind; a hook sees the subject task's record
/// as it was *before* the event (identity fields of a `task_create` already filled in) and
/// may update the fields it owns. Every hook has an empty default, so an analysis names only
/// the kinds it uses.
///
/// A generic constraint, not an existential: every hook is specialized and inlined into the
/// per-event loop, and the hooks an analysis leaves empty cost nothing there. One switch
/// per event, instead of each analysis testing the kind again, is what the hooks are for.
package protocol TaskLifecycleObserver {
    /// Every event, before its kind's hook (task 0's events, `lost`, `log`… get only this).
    mutating func advance(to now: UInt64)
    /// `task_create`; the record's label, runtime flag, creation time and region are set.
    mutating func taskCreated(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle)
    /// `task_start`.
    mutating func taskStarted(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle)
    /// `task_yield`, `task_preempt`, `task_park` or `task_end` (`event.kind` says which).
    mutating func taskStopped(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle)
    /// `task_unpark`.
    mutating func taskUnparked(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle)
    /// `region_end`, while `lifecycle.endingRegion` names the instance it ends.
    /// - Parameter task: the ending task's record; nil for a process-wide region.
    mutating func regionEnded(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>?, _ lifecycle: TaskLifecycle)
    /// `proc_start`, `proc_stop` or `proc_steal`.
    mutating func procEvent(_ event: Event)
    /// `gc_begin`, `gc_pause_begin` or `gc_pause_end`.
    mutating func gcEvent(_ event: Event)
}

extension TaskLifecycleObserver {
    @inline(__always) package mutating func advance(to now: UInt64) {}
    @inline(__always)
    package mutating func taskCreated(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {}
    @inline(__always)
    package mutating func taskStarted(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {}
    @inline(__always)
    package mutating func taskStopped(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {}
    @inline(__always)
    package mutating func taskUnparked(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {}
    @inline(__always)
    package mutating func regionEnded(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>?, _ lifecycle: TaskLifecycle) {}
    @inline(__always) package mutating func procEvent(_ event: Event) {}
    @inline(__always) package mutating func gcEvent(_ event: Event) {}
}

/// Follows every task through its phases (runnable, running, parked), its label, creation
/// time and runtime flag, and the region it belongs to; one hash probe per task event,
/// shared by every analysis of a pass. Also notes the last timestamp and `lost` events.
///
/// Regions: a task is in the innermost region it began itself and has not ended, else in
/// the region it was created in (the innermost region of its creator at that moment, or
/// the innermost open process-wide region, begun by no task). Regions may overlap: ending
/// one that is not innermost unlinks it and keeps the ones inside.
///
/// - Complexity: O(1) per event (a region end walks the ending task's open regions);
///   memory grows with live tasks and open regions.
public final class TaskLifecycle {
    /// The live tasks' records.
    public let tasks = TaskTable()
    // The stored properties opt out of dynamic exclusivity checks (a thread-local lookup
    // per access, on the per-event path): a lifecycle belongs to one analysis pass on one
    // thread, and no access to it overlaps another.

    /// The latest timestamp seen.
    @exclusivity(unchecked) public private(set) var last: UInt64 = 0
    /// The latest `lost` event's timestamp, if any.
    @exclusivity(unchecked) public private(set) var lastLost: UInt64?
    /// The sum of the counts of `lost` events.
    @exclusivity(unchecked) public private(set) var lostEvents: UInt64 = 0
    /// Tasks created with the runtime flag.
    @exclusivity(unchecked) public private(set) var runtimeTasksCreated: UInt64 = 0
    /// While observers see a `region_end`: the instance it ends (0 if it matches none).
    @exclusivity(unchecked) public private(set) var endingRegion: UInt32 = 0

    struct RegionInstance {
        var name: StringID
        var task: TaskID
        var parent: UInt32
        var parentName: StringID
        var parentHasName: Bool
        var begin: UInt64
    }

    private let regions = IDTable<RegionInstance>(capacity: 16)
    @exclusivity(unchecked) private var nextRegion: UInt32 = 1
    @exclusivity(unchecked) private var globalRegion: UInt32 = 0
    @exclusivity(unchecked) private var globalRegionName = StringID.empty
    @exclusivity(unchecked) private var globalHasRegion = false

    /// Deeper chains of open regions on one task than this are not searched on `region_end`
    /// (a forged trace could otherwise make each end walk far).
    private static let maxRegionDepth = 256

    public init() {}

    /// The name of an open region instance.
    public func regionName(_ instance: UInt32) -> StringID? {
        instance == 0 ? nil : regions[UInt64(instance)]?.name
    }

    /// Notes the time of an event that a filter left out: it moves the trace's end and
    /// changes nothing else.
    @inline(__always)
    public func note(_ timestamp: UInt64) {
        if timestamp > last { last = timestamp }
    }

    /// Applies `event`, showing it to `observer` first: `advance(to:)`, then the hook of the
    /// event's kind, then the phase change (docs/ANALYSES.md, "Task phases").
    @inline(__always)
    package func consume<Observer: TaskLifecycleObserver>(_ event: Event, _ observer: inout Observer) {
        let now = event.timestamp
        if now > last { last = now }
        observer.advance(to: now)
        switch event.kind {
        case .taskStart:
            guard let record = record(event) else { return }
            observer.taskStarted(event, record, self)
            record.pointee.phase = .running
            record.pointee.since = now
            record.pointee.proc = event.proc
        case .taskUnpark:
            guard let record = record(event) else { return }
            observer.taskUnparked(event, record, self)
            // Waking a running or already runnable task changes nothing (the validator
            // reports it); a parked or unknown task becomes runnable.
            if record.pointee.phase == .parked || record.pointee.phase == .unknown {
                record.pointee.phase = .runnable
                record.pointee.since = now
                record.pointee.cause = .taskUnpark
            }
        case .taskPark:
            guard let record = record(event) else { return }
            observer.taskStopped(event, record, self)
            record.pointee.phase = .parked
            record.pointee.since = now
            record.pointee.reason = event.reason
        case .taskCreate:
            guard let record = record(event) else { return }
            prepareCreate(record, event)
            observer.taskCreated(event, record, self)
            record.pointee.phase = .runnable
            record.pointee.since = now
            record.pointee.cause = .taskCreate
        case .taskYield, .taskPreempt:
            guard let record = record(event) else { return }
            observer.taskStopped(event, record, self)
            record.pointee.phase = .runnable
            record.pointee.since = now
            record.pointee.cause = event.kind
        case .taskEnd:
            guard let record = record(event) else { return }
            observer.taskStopped(event, record, self)
            tasks.remove(event.task.rawValue)
        case .regionBegin:
            beginRegion(event, regionOwner(event))
        case .regionEnd:
            let record = regionOwner(event)
            let (found, inner) = findRegion(event.regionName, of: event.task, record)
            endingRegion = found
            observer.regionEnded(event, record, self)
            endingRegion = 0
            if found != 0 { endRegion(found, inner: inner, record) }
        case .procStart, .procStop, .procSteal:
            observer.procEvent(event)
        case .gcBegin, .gcPauseBegin, .gcPauseEnd:
            observer.gcEvent(event)
        case .lost:
            lastLost = now
            lostEvents = lostEvents.addingSaturated(event.lostCount)
        case .gcEnd, .log:
            break
        }
    }

    /// The record of a task event's task (made if new); nil for task 0, which has none.
    @inline(__always)
    private func record(_ event: Event) -> UnsafeMutablePointer<TaskRecord>? {
        let id = event.task.rawValue
        guard id != 0 else { return nil }
        var inserted = false
        return tasks.findOrInsert(id, inserted: &inserted)
    }

    /// The record of the task that begins or ends a region (made if new); nil for a
    /// process-wide region (begun by no task).
    @inline(__always)
    private func regionOwner(_ event: Event) -> UnsafeMutablePointer<TaskRecord>? {
        guard event.task.isSome else { return nil }
        var inserted = false
        return tasks.findOrInsert(event.task.rawValue, inserted: &inserted)
    }

    /// A created task's identity: label, runtime flag, creation time and region. Its phase
    /// is left as it was (unknown for a new task) until observers have seen the event.
    @inline(__always)
    private func prepareCreate(_ record: UnsafeMutablePointer<TaskRecord>, _ event: Event) {
        record.pointee.label = event.label
        record.pointee.isRuntime = event.isRuntimeTask
        if event.isRuntimeTask { runtimeTasksCreated += 1 }
        record.pointee.createdAt = event.timestamp
        record.pointee.judged = false
        record.pointee.preemptions = 0
        if event.parent.isSome, event.parent != event.task, let parent = tasks.find(event.parent.rawValue),
           parent.pointee.hasRegion {
            record.pointee.region = parent.pointee.region
            record.pointee.memberOf = parent.pointee.region
            record.pointee.regionName = parent.pointee.regionName
            record.pointee.hasRegion = true
        } else if globalHasRegion {
            record.pointee.region = globalRegion
            record.pointee.memberOf = globalRegion
            record.pointee.regionName = globalRegionName
            record.pointee.hasRegion = true
        } else {
            record.pointee.region = 0
            record.pointee.memberOf = 0
            record.pointee.hasRegion = false
        }
    }

    // MARK: - Regions

    private func beginRegion(_ event: Event, _ record: UnsafeMutablePointer<TaskRecord>?) {
        let id = nextRegion
        nextRegion &+= 1
        if nextRegion == 0 { nextRegion = 1 }
        let name = event.regionName
        if let record {
            regions[UInt64(id)] = RegionInstance(
                name: name, task: event.task, parent: record.pointee.region, parentName: record.pointee.regionName,
                parentHasName: record.pointee.hasRegion, begin: event.timestamp)
            record.pointee.region = id
            record.pointee.regionName = name
            record.pointee.hasRegion = true
        } else {
            regions[UInt64(id)] = RegionInstance(
                name: name, task: .none, parent: globalRegion, parentName: globalRegionName,
                parentHasName: globalHasRegion, begin: event.timestamp)
            globalRegion = id
            globalRegionName = name
            globalHasRegion = true
        }
    }

    /// The innermost open region of `task` (or of the process-wide chain) named `name`, and
    /// the instance just inside it on the chain (0 if it is innermost).
    private func findRegion(_ name: StringID, of task: TaskID, _ record: UnsafeMutablePointer<TaskRecord>?) -> (UInt32, UInt32) {
        var current = record?.pointee.region ?? globalRegion
        var inner: UInt32 = 0
        var depth = 0
        while current != 0, depth < Self.maxRegionDepth, let instance = regions[UInt64(current)],
              instance.task == task {
            if instance.name == name { return (current, inner) }
            inner = current
            current = instance.parent
            depth += 1
        }
        return (0, 0)
    }

    private func endRegion(_ id: UInt32, inner: UInt32, _ record: UnsafeMutablePointer<TaskRecord>?) {
        guard let instance = regions.remove(UInt64(id)) else { return }
        if inner != 0, var innerInstance = regions[UInt64(inner)] {
            innerInstance.parent = instance.parent
            innerInstance.parentName = instance.parentName
            innerInstance.parentHasName = instance.parentHasName
            regions[UInt64(inner)] = innerInstance
        } else if let record {
            record.pointee.region = instance.parent
            record.pointee.regionName = instance.parentName
            record.pointee.hasRegion = instance.parentHasName
        } else {
            globalRegion = instance.parent
            globalRegionName = instance.parentName
            globalHasRegion = instance.parentHasName
        }
    }
}
