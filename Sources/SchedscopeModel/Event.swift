/// One scheduler event, decoded.
///
/// A flat value type (48 bytes) so that readers can hand out events in contiguous
/// buffers and analyses can switch on `kind` without allocation. The meaning of
/// `argument1` and `argument2` depends on `kind`; use the named accessors in
/// `Event+Arguments.swift` rather than the raw fields.
///
/// | kind | `proc` | `task` | `argument1` | `argument2` |
/// |---|---|---|---|---|
/// | `proc_start` | the P started | – | – | – |
/// | `proc_stop` | the P stopped | – | – | – |
/// | `proc_steal` | thief | – | victim P | tasks taken |
/// | `task_create` | creator's P | new task | parent task | label string |
/// | `task_start` | P it runs on | task | – | – |
/// | `task_yield`, `task_preempt`, `task_end` | P it ran on | task | – | – |
/// | `task_park` | P it ran on | task | reason string | – |
/// | `task_unpark` | waker's P | woken task | waker task | – |
/// | `gc_begin`, `gc_end` | emitter's P | running task | cycle | – |
/// | `gc_pause_begin`, `gc_pause_end` | emitter's P | running task | reason string | – |
/// | `region_begin`, `region_end` | emitter's P | task in the region | name string | – |
/// | `log` | emitter's P | running task | category string | message string |
/// | `lost` | emitter's P | – | events dropped | – |
public struct Event: Hashable, Sendable {
    /// Nanoseconds since the trace start (monotonic clock).
    public var timestamp: UInt64
    /// The OS thread that emitted the event.
    public var thread: ThreadID
    /// The subject task, or the task running on the emitting thread; `.none` if none.
    public var task: TaskID
    public var argument1: UInt64
    public var argument2: UInt64
    /// The P held by the emitting thread when the event happened; `.none` if none.
    public var proc: ProcID
    public var kind: EventKind
    /// Kind-specific flags; for `task_create`, `Event.Flags.runtimeTask`.
    public var flags: UInt8

    @inlinable
    public init(
        kind: EventKind, timestamp: UInt64, thread: ThreadID, proc: ProcID = .none,
        task: TaskID = .none, argument1: UInt64 = 0, argument2: UInt64 = 0, flags: UInt8 = 0
    ) {
        self.kind = kind
        self.timestamp = timestamp
        self.thread = thread
        self.proc = proc
        self.task = task
        self.argument1 = argument1
        self.argument2 = argument2
        self.flags = flags
    }

    /// Bits of `Event.flags`.
    public enum Flags {
        /// On `task_create`: the task belongs to the runtime itself (Go's GC workers,
        /// sweeper, finalizer…); analyses leave it out unless asked.
        public static let runtimeTask: UInt8 = 1
    }
}
