import SchedscopeModel

/// What a task is doing, as far as the trace has said.
public enum TaskPhase: UInt8, Sendable {
    /// Seen only through events that say nothing of its state (it existed before the trace
    /// or before the analysis window and has not stopped or started since).
    case unknown
    /// Waiting to run: after `task_create`, `task_unpark`, `task_yield` or `task_preempt`.
    case runnable
    /// Running on a P: after `task_start`.
    case running
    /// Blocked: after `task_park`.
    case parked
}

/// Everything the analyses keep per live task, in one flat record so that one hash probe
/// per event serves every analysis of a pass (`TaskLifecycle`).
public struct TaskRecord: Sendable {
    /// The task's phase and since when (ns since the trace start).
    public var phase = TaskPhase.unknown
    /// For `runnable`: the kind of event that made it runnable (`task_create`, …).
    public var cause = EventKind.taskCreate
    /// Created with `Event.Flags.runtimeTask`.
    public var isRuntime = false
    /// Already judged by `LeakAnalysis` at the end of its region.
    public var judged = false
    /// The region of `region`'s name is known (`regionName` is meaningful).
    public var hasRegion = false
    public var since: UInt64 = 0
    /// For `running`: the P it runs on.
    public var proc = ProcID.none
    /// From `task_create`; `.empty` when the trace never created it.
    public var label = StringID.empty
    /// For `parked`: the park reason.
    public var reason = StringID.empty
    /// The innermost region the task is in, by name (its own `region_begin`s, else the
    /// region it was created in).
    public var regionName = StringID.empty
    /// When it was created; `UInt64.max` when the trace never created it.
    public var createdAt = UInt64.max
    /// The innermost open region instance it is in (0: none).
    public var region: UInt32 = 0
    /// The region instance it was created in (0: none): the region that answers for it.
    public var memberOf: UInt32 = 0
    /// `task_preempt`s so far (for `PreemptionAnalysis`'s most-preempted tasks).
    public var preemptions: UInt32 = 0
    /// For `running`: `ImbalanceAnalysis`'s slot of its P (-1: none), so that a stop finds
    /// the P without looking its id up.
    public var procSlot: Int32 = -1

    public init() {}

    /// Whether the trace saw its `task_create`.
    @inlinable public var wasCreated: Bool { createdAt != .max }
}
