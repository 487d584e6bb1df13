/// The kinds of scheduler events (DESIGN.md §4). The raw values are the model's own
/// numbering, not the wire codes: the format module keeps its codes to itself.
public enum EventKind: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case procStart
    case procStop
    case procSteal
    case taskCreate
    case taskStart
    case taskYield
    case taskPreempt
    case taskPark
    case taskUnpark
    case taskEnd
    case gcBegin
    case gcEnd
    case gcPauseBegin
    case gcPauseEnd
    case regionBegin
    case regionEnd
    case log
    case lost

    /// The stable name used in CLI flags, text output and JSON (`task_start`, …).
    public var name: String {
        switch self {
        case .procStart: "proc_start"
        case .procStop: "proc_stop"
        case .procSteal: "proc_steal"
        case .taskCreate: "task_create"
        case .taskStart: "task_start"
        case .taskYield: "task_yield"
        case .taskPreempt: "task_preempt"
        case .taskPark: "task_park"
        case .taskUnpark: "task_unpark"
        case .taskEnd: "task_end"
        case .gcBegin: "gc_begin"
        case .gcEnd: "gc_end"
        case .gcPauseBegin: "gc_pause_begin"
        case .gcPauseEnd: "gc_pause_end"
        case .regionBegin: "region_begin"
        case .regionEnd: "region_end"
        case .log: "log"
        case .lost: "lost"
        }
    }

    public var description: String { name }

    /// Looks a kind up by its stable name; `nil` for an unknown name.
    public init?(name: String) {
        guard let kind = EventKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// Whether the event ends a task's run on its P (the task stops running).
    @inlinable
    public var stopsTask: Bool {
        switch self {
        case .taskYield, .taskPreempt, .taskPark, .taskEnd: true
        default: false
        }
    }
}
