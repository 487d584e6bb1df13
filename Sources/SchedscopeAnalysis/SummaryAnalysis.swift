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
/// - Complexity: O(1) per event; memory grows with live tasks.
public struct SummaryAnalysis {
    /// Counts by `EventKind.rawValue` (18 kinds), inline: no heap, no copy-on-write check.
    private var byKind = InlineArray<18, UInt64>(repeating: 0)
    private var events: UInt64 = 0
    private var first: UInt64?
    private var last: UInt64 = 0
    private var liveTasks = IDTable<Bool>()
    private var endedTasks: UInt64 = 0
    private var procs = IDTable<Bool>(capacity: 16)
    private var threads = IDTable<Bool>(capacity: 16)
    private var lastThread = ThreadID(rawValue: .max)
    private var lastProc = ProcID.none
    private var lost: UInt64 = 0

    public init() {}

    public mutating func consume(_ event: Event) {
        events += 1
        byKind[Int(event.kind.rawValue)] += 1
        if first == nil { first = event.timestamp }
        if event.timestamp > last { last = event.timestamp }
        if event.proc != lastProc && event.proc.isSome {
            procs.insert(UInt64(event.proc.rawValue), true)
            lastProc = event.proc
        }
        if event.thread != lastThread {
            threads.insert(event.thread.rawValue, true)
            lastThread = event.thread
        }
        switch event.kind {
        case .taskCreate:
            liveTasks.insert(event.task.rawValue, true)
        case .taskStart, .taskUnpark:
            // Tasks that existed before the trace began have no task_create.
            if !liveTasks.contains(event.task.rawValue) { liveTasks.insert(event.task.rawValue, true) }
        case .taskEnd:
            liveTasks.remove(event.task.rawValue)
            endedTasks += 1
        case .lost:
            lost += event.lostCount
        default:
            break
        }
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
            tasksEnded: endedTasks, tasksLiveAtEnd: UInt64(liveTasks.count), lostEvents: lost, read: read)
    }
}
