import SchedscopeModel

/// An analysis that follows tasks through a `TaskLifecycle`: it sees each event with the
/// subject task's record as it was *before* the event (identity fields of a
/// `task_create` already filled in), and may update the fields it owns.
///
/// A generic constraint, not an existential: every observer call is specialized and
/// inlined into the per-event loop.
package protocol TaskLifecycleObserver {
    /// - Parameters:
    ///   - task: the subject task's record for task events and for region events begun or
    ///     ended by a task; nil for other events and for task 0.
    ///   - lifecycle: the tracker, for other tasks' records, regions and loss.
    mutating func observe(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>?, _ lifecycle: TaskLifecycle)
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

    /// Applies `event`, showing it to `observer` first.
    @inline(__always)
    package func consume<Observer: TaskLifecycleObserver>(_ event: Event, _ observer: inout Observer) {
        let now = event.timestamp
        if now > last { last = now }
        switch event.kind {
        case .taskCreate, .taskStart, .taskYield, .taskPreempt, .taskPark, .taskUnpark, .taskEnd:
            let id = event.task.rawValue
            guard id != 0 else {
                observer.observe(event, nil, self)
                return
            }
            var inserted = false
            let record = tasks.findOrInsert(id, inserted: &inserted)
            if event.kind == .taskCreate { prepareCreate(record, event) }
            observer.observe(event, record, self)
            apply(event, record, id)
        case .regionBegin, .regionEnd:
            var record: UnsafeMutablePointer<TaskRecord>?
            if event.task.isSome {
                var inserted = false
                record = tasks.findOrInsert(event.task.rawValue, inserted: &inserted)
            }
            if event.kind == .regionBegin {
                observer.observe(event, record, self)
                beginRegion(event, record)
            } else {
                let (found, inner) = findRegion(event, record)
                endingRegion = found
                observer.observe(event, record, self)
                endingRegion = 0
                if found != 0 { endRegion(found, inner: inner, record) }
            }
        case .lost:
            lastLost = now
            lostEvents &+= event.lostCount
            observer.observe(event, nil, self)
        default:
            observer.observe(event, nil, self)
        }
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

    /// The phase change an event makes (docs/ANALYSES.md, "Task phases").
    @inline(__always)
    private func apply(_ event: Event, _ record: UnsafeMutablePointer<TaskRecord>, _ id: UInt64) {
        let now = event.timestamp
        switch event.kind {
        case .taskCreate:
            record.pointee.phase = .runnable
            record.pointee.since = now
            record.pointee.cause = .taskCreate
        case .taskStart:
            record.pointee.phase = .running
            record.pointee.since = now
            record.pointee.proc = event.proc
        case .taskYield, .taskPreempt:
            record.pointee.phase = .runnable
            record.pointee.since = now
            record.pointee.cause = event.kind
        case .taskPark:
            record.pointee.phase = .parked
            record.pointee.since = now
            record.pointee.reason = event.reason
        case .taskUnpark:
            // Waking a running or already runnable task changes nothing (the validator
            // reports it); a parked or unknown task becomes runnable.
            if record.pointee.phase == .parked || record.pointee.phase == .unknown {
                record.pointee.phase = .runnable
                record.pointee.since = now
                record.pointee.cause = .taskUnpark
            }
        case .taskEnd:
            tasks.remove(id)
        default:
            break
        }
    }

    /// Whether the task's phase after `event` is runnable (for observers that count
    /// runnable tasks; mirrors `apply`).
    @inline(__always)
    public static func isRunnable(after event: Event, from phase: TaskPhase) -> Bool {
        switch event.kind {
        case .taskCreate, .taskYield, .taskPreempt: true
        case .taskUnpark: phase != .running
        case .taskStart, .taskPark, .taskEnd: false
        default: phase == .runnable
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

    /// The innermost open region of the event's task (or the process-wide chain) with the
    /// event's name, and the instance just inside it on the chain (0 if it is innermost).
    private func findRegion(_ event: Event, _ record: UnsafeMutablePointer<TaskRecord>?) -> (UInt32, UInt32) {
        var current = record?.pointee.region ?? globalRegion
        var inner: UInt32 = 0
        var depth = 0
        while current != 0, depth < Self.maxRegionDepth, let instance = regions[UInt64(current)],
              instance.task == event.task {
            if instance.name == event.regionName { return (current, inner) }
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
