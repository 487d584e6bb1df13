import SchedscopeModel

/// What the common filters select (`--kind --proc --task --region --from --to`).
/// Empty criteria select everything.
public struct EventSelection: Sendable, Equatable {
    /// Kinds to keep, as a bit set indexed by `EventKind.rawValue`; nil keeps every kind.
    public var kinds: Set<EventKind>?
    public var procs: Set<ProcID>?
    public var tasks: Set<TaskID>?
    /// Keep events of tasks inside this region (see `EventFilter`).
    public var region: String?
    /// Keep events at or after this time (ns since trace start).
    public var from: UInt64?
    /// Keep events before this time (ns since trace start).
    public var to: UInt64?

    public init(
        kinds: Set<EventKind>? = nil, procs: Set<ProcID>? = nil, tasks: Set<TaskID>? = nil,
        region: String? = nil, from: UInt64? = nil, to: UInt64? = nil
    ) {
        self.kinds = kinds
        self.procs = procs
        self.tasks = tasks
        self.region = region
        self.from = from
        self.to = to
    }

    /// Whether only a time range is selected (`from`, `to` or both), whatever the subject.
    public var isTimeWindowOnly: Bool {
        kinds == nil && procs == nil && tasks == nil && region == nil
    }

    /// Whether nothing is filtered out.
    public var selectsEverything: Bool {
        kinds == nil && procs == nil && tasks == nil && region == nil && from == nil && to == nil
    }
}
