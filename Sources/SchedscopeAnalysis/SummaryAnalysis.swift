import SchedscopeFormat
import SchedscopeModel

/// What `schedscope summary` reports.
public struct SummaryReport: Sendable {
    public var info: TraceInfo
    /// Nanoseconds from the trace start (or `--from`) to the last event (or `--to`).
    public var durationNanoseconds: UInt64
    public var firstTimestamp: UInt64?
    public var lastTimestamp: UInt64?
    public var events: UInt64
    /// Every kind, including those with no events.
    public var eventsByKind: [EventKind: UInt64]
    public var procsSeen: Int
    public var threadsSeen: Int
    public var tasksCreated: UInt64
    public var tasksEnded: UInt64
    /// Tasks seen (created or otherwise mentioned as a subject) and not ended.
    public var tasksLiveAtEnd: UInt64
    /// Sum of the counts of `lost` events.
    public var lostEvents: UInt64
    public var read: ReadReport
}

/// Counts events by kind, tasks created/ended/live, procs and threads, and loss.
///
/// The per-event work is a few counters: live tasks are kept in a `TaskTable` (a task's
/// slot found by its id's low bits, where a hash table hashed and probed on every task
/// event), and a thread or P is looked up in its set only when it misses a small
/// direct-mapped cache of the ids seen (in a merged trace the thread changes at nearly
/// every event, and the set's insertion was a third of the summary's per-event work).
///
/// - Complexity: O(1) per event; memory grows with live tasks.
public struct SummaryAnalysis {
    /// Counts by `EventKind.rawValue` (18 kinds), inline: no heap, no copy-on-write check.
    private var byKind = InlineArray<18, UInt64>(repeating: 0)
    private var events: UInt64 = 0
    private var first: UInt64?
    private var last: UInt64 = 0
    /// Tasks seen and not ended (task 0, which a table cannot hold, apart).
    private let liveTasks = TaskTable()
    private var taskZeroLive = false
    /// Whether task 0 was noted live or ended at all (what a later segment's last word on
    /// it needs, `append`).
    private var taskZeroSeen = false
    /// In a segment after the first: every task that ended in it, in order. Appended after
    /// the segments before it, a task they left live is live at the end unless it ended
    /// here — and if it was noted live again after that, it is in `liveTasks` too
    /// (`append`). A plain list, not a set: an append costs less than a hash probe, and
    /// `append` probes the (small) table of earlier live tasks once per entry instead.
    /// Grows with the segment's ended tasks, which `TraceReader.reduceSegments` bounds.
    private var endedHere: [UInt64] = []
    private let tracksEnded: Bool
    private var endedTasks: UInt64 = 0
    private var procs = IDTable<Bool>(capacity: 16)
    private var threads = IDTable<Bool>(capacity: 16)
    private var recentProcs = SeenCache()
    private var recentThreads = SeenCache()
    private var lost: UInt64 = 0

    public init() { tracksEnded = false }

    /// A summary of one segment of a trace (`TraceReader.reduceSegments`): the first
    /// (`follows` false) or a later one, which can be `append`ed to the summary of the
    /// segments before it.
    public init(followsEarlierSegment follows: Bool) {
        tracksEnded = follows
    }

    /// Joins the summary of the segment that comes right after the ones summarized here:
    /// the result is what one summary of all of them would be.
    public mutating func append(_ later: SummaryAnalysis) {
        for kind in byKind.indices { byKind[kind] &+= later.byKind[kind] }
        events &+= later.events
        if first == nil { first = later.first }
        if later.last > last { last = later.last }
        for (proc, _) in later.procs.entries { procs.insert(proc, true) }
        for (thread, _) in later.threads.entries { threads.insert(thread, true) }
        // A task's last word is the later segment's if it said one: ended there (and not
        // noted again, else it is in its live tasks) or noted live there.
        for task in later.endedHere { liveTasks.remove(task) }
        later.liveTasks.forEach { task, _ in
            var inserted = false
            _ = liveTasks.findOrInsert(task, inserted: &inserted)
        }
        if later.taskZeroSeen {
            taskZeroLive = later.taskZeroLive
            taskZeroSeen = true
        }
        endedTasks &+= later.endedTasks
        lost = lost.addingSaturated(later.lost)
    }

    /// Feeds a batch of events in time order, as `consume(_:)` does one by one but without
    /// a call per event.
    public mutating func consume(_ batch: UnsafeBufferPointer<Event>) {
        for event in batch { add(event) }
    }

    public mutating func consume(_ event: Event) { add(event) }

    @inline(__always)
    private mutating func add(_ event: Event) {
        events &+= 1
        byKind[Int(event.kind.rawValue)] &+= 1
        if first == nil { first = event.timestamp }
        if event.timestamp > last { last = event.timestamp }
        if event.proc.isSome, recentProcs.isNew(UInt64(event.proc.rawValue)) {
            procs.insert(UInt64(event.proc.rawValue), true)
        }
        if recentThreads.isNew(event.thread.rawValue) { threads.insert(event.thread.rawValue, true) }
        switch event.kind {
        case .taskCreate, .taskStart, .taskUnpark:
            // Tasks that existed before the trace began have no task_create.
            noteLive(event.task.rawValue)
        case .taskEnd:
            noteEnded(event.task.rawValue)
            endedTasks &+= 1
        case .lost:
            lost = lost.addingSaturated(event.lostCount)
        default:
            break
        }
    }

    @inline(__always)
    private mutating func noteLive(_ task: UInt64) {
        guard task != 0 else {
            taskZeroSeen = true
            return taskZeroLive = true
        }
        var inserted = false
        _ = liveTasks.findOrInsert(task, inserted: &inserted)
    }

    @inline(__always)
    private mutating func noteEnded(_ task: UInt64) {
        guard task != 0 else {
            taskZeroSeen = true
            return taskZeroLive = false
        }
        liveTasks.remove(task)
        if tracksEnded { endedHere.append(task) }
    }

    public func finish(info: TraceInfo, read: ReadReport, window: EventSelection = EventSelection()) -> SummaryReport {
        var kinds: [EventKind: UInt64] = [:]
        for kind in EventKind.allCases { kinds[kind] = byKind[Int(kind.rawValue)] }
        let start = window.from ?? 0
        let end = window.to ?? last
        return SummaryReport(
            info: info, durationNanoseconds: end > start ? end - start : 0, firstTimestamp: first,
            lastTimestamp: first == nil ? nil : last, events: events, eventsByKind: kinds,
            procsSeen: procs.count, threadsSeen: threads.count, tasksCreated: byKind[Int(EventKind.taskCreate.rawValue)],
            tasksEnded: endedTasks, tasksLiveAtEnd: UInt64(liveTasks.count + (taskZeroLive ? 1 : 0)), lostEvents: lost, read: read)
    }
}

/// The ids a set has already been given, by their low four bits: a hit means the id is in
/// the set; a miss means it may not be (the caller inserts it, and it takes the slot).
/// Sixteen slots hold every thread and P of a typical trace, so nearly every event hits.
private struct SeenCache {
    // Slot i starts with i ^ 1, whose low bits are not i: no id can match it before the
    // slot is first filled.
    private var slots = InlineArray<16, UInt64> { UInt64($0 ^ 1) }

    /// Whether `id` missed the cache (it takes its slot).
    @inline(__always)
    mutating func isNew(_ id: UInt64) -> Bool {
        let slot = Int(truncatingIfNeeded: id & 15)
        if slots[slot] == id { return false }
        slots[slot] = id
        return true
    }
}
