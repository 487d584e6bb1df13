import SchedscopeFormat
import SchedscopeModel

/// What the generator knows about the trace it wrote: the ground truth that analyses and
/// tests are checked against.
public struct SyntheticTruth: Sendable {
    /// A task the workload leaked on purpose: parked forever.
    public struct LeakedTask: Sendable, Hashable {
        public var task: TaskID
        public var label: String
        public var reason: String
        /// The region (test) whose task created it.
        public var region: String
        public var createdAt: UInt64
        public var parkedAt: UInt64
    }

    public var events: UInt64 = 0
    public var eventsByKind: [EventKind: UInt64] = [:]
    public var tasksCreated: UInt64 = 0
    public var tasksEnded: UInt64 = 0
    public var leakedTasks: [LeakedTask] = []
    /// Busy nanoseconds per P (task_start until the task stops).
    public var busyNanoseconds: [UInt64] = []
    /// Tasks started per P.
    public var tasksRun: [UInt64] = []
    public var stealsIn: [UInt64] = []
    public var stealsOut: [UInt64] = []
    public var gcCycles: UInt64 = 0
    /// Every GC pause's duration, in order.
    public var gcPauses: [UInt64] = []
    /// Region names, in order of their begin.
    public var regions: [String] = []
    /// Timestamp of the last event.
    public var endTimestamp: UInt64 = 0

    /// What the writer produced (sizes before and after compression).
    public var written: TraceWriter.Summary?

    public init() {}

    public var tasksLiveAtEnd: UInt64 { tasksCreated - tasksEnded }

    public func count(_ kind: EventKind) -> UInt64 { eventsByKind[kind, default: 0] }
}
