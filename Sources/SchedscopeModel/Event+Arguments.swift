// Named views of the kind-specific arguments (see the table on `Event`).
extension Event {
    /// `task_create`: the task that created this one (`.none` for a root task).
    @inlinable public var parent: TaskID { TaskID(rawValue: argument1) }
    /// `task_create`: the creation site or name.
    @inlinable public var label: StringID { StringID(rawValue: UInt32(truncatingIfNeeded: argument2)) }
    /// `task_create`: whether the task belongs to the runtime itself.
    @inlinable public var isRuntimeTask: Bool { flags & Flags.runtimeTask != 0 }
    /// `task_park`, `gc_pause_begin`, `gc_pause_end`: why.
    @inlinable public var reason: StringID { StringID(rawValue: UInt32(truncatingIfNeeded: argument1)) }
    /// `task_unpark`: the task that woke the subject (`.none` when woken from outside a task).
    @inlinable public var waker: TaskID { TaskID(rawValue: argument1) }
    /// `proc_steal`: the P whose run queue was robbed.
    @inlinable public var victim: ProcID { ProcID(rawValue: UInt32(truncatingIfNeeded: argument1)) }
    /// `proc_steal`: how many tasks were taken.
    @inlinable public var stealCount: UInt64 { argument2 }
    /// `gc_begin`, `gc_end`: the collection cycle number.
    @inlinable public var cycle: UInt64 { argument1 }
    /// `region_begin`, `region_end`: the region's name.
    @inlinable public var regionName: StringID { StringID(rawValue: UInt32(truncatingIfNeeded: argument1)) }
    /// `log`: the category.
    @inlinable public var logCategory: StringID { StringID(rawValue: UInt32(truncatingIfNeeded: argument1)) }
    /// `log`: the message.
    @inlinable public var logMessage: StringID { StringID(rawValue: UInt32(truncatingIfNeeded: argument2)) }
    /// `lost`: how many events the recorder dropped.
    @inlinable public var lostCount: UInt64 { argument1 }

    /// The string ids this event refers to, in argument order (for validation and filtering).
    public var stringReferences: [StringID] {
        switch kind {
        case .taskCreate: [label]
        case .taskPark, .gcPauseBegin, .gcPauseEnd: [reason]
        case .regionBegin, .regionEnd: [regionName]
        case .log: [logCategory, logMessage]
        default: []
        }
    }
}
