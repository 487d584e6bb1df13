import SchedscopeModel

/// The wire codes of event-chunk records: the spec layer of the format.
///
/// A record starts with a *head*, the unsigned LEB128 varint `(timestampDelta << 5) | code`,
/// followed by the code's arguments in `WireSpec.records` order. Codes 0–17 are events;
/// codes 24 and 25 only change decoder state. Codes never leave this module: the model's
/// `EventKind` is what analyses see.
package enum WireCode: UInt8, CaseIterable, Sendable {
    case procStart = 0
    case procStop = 1
    case procSteal = 2
    case taskCreate = 3
    case taskStart = 4
    case taskYield = 5
    case taskPreempt = 6
    case taskPark = 7
    case taskUnpark = 8
    case taskEnd = 9
    case gcBegin = 10
    case gcEnd = 11
    case gcPauseBegin = 12
    case gcPauseEnd = 13
    case regionBegin = 14
    case regionEnd = 15
    case log = 16
    case lost = 17
    /// Sets the decoder's context (the thread's P and running task); emits no event.
    case context = 24
    /// Sets the current timestamp absolutely (time went backwards or jumped); emits no event.
    case time = 25

    /// Bits of the head below the timestamp delta.
    static let bits: UInt64 = 5
    static let mask: UInt64 = (1 << bits) - 1

    /// Maps a model kind to its wire code (every kind has exactly one). Always inlined: the
    /// writer's encoder maps every event, and as a call it was a tenth of the encoder's time.
    @inlinable @inline(__always)
    init(_ kind: EventKind) {
        switch kind {
        case .procStart: self = .procStart
        case .procStop: self = .procStop
        case .procSteal: self = .procSteal
        case .taskCreate: self = .taskCreate
        case .taskStart: self = .taskStart
        case .taskYield: self = .taskYield
        case .taskPreempt: self = .taskPreempt
        case .taskPark: self = .taskPark
        case .taskUnpark: self = .taskUnpark
        case .taskEnd: self = .taskEnd
        case .gcBegin: self = .gcBegin
        case .gcEnd: self = .gcEnd
        case .gcPauseBegin: self = .gcPauseBegin
        case .gcPauseEnd: self = .gcPauseEnd
        case .regionBegin: self = .regionBegin
        case .regionEnd: self = .regionEnd
        case .log: self = .log
        case .lost: self = .lost
        }
    }
}

/// How one wire argument is encoded.
package enum WireArgumentEncoding: String, Sendable {
    /// Unsigned LEB128.
    case uvarint
    /// Unsigned LEB128 of a string id defined by an earlier strings chunk.
    case stringID = "string id"
    /// 66-bit unsigned LEB128 of `zigzag(id − base) << 2 | selector` (`TaskIDRegisters`).
    case taskID = "task id"
    /// Unsigned LEB128 of `(label << 1) | runtimeFlag`.
    case labelAndFlags = "label<<1 | runtime"
    /// Unsigned LEB128 of `proc + 1` (0 = no P).
    case procPlusOne = "proc + 1"
}

/// One row of the spec table: a wire record and its arguments.
package struct WireRecordSpec: Sendable {
    package var code: WireCode
    /// The event it decodes to, or nil for state records.
    package var kind: EventKind?
    /// The stable name (the event name, or the state record's name).
    package var name: String
    package var arguments: [(name: String, encoding: WireArgumentEncoding)]
    /// What the decoder takes from (and changes in) its context.
    package var context: String
}

/// The spec table, the single source of truth that the codec, docs/FORMAT.md and its
/// test follow.
package enum WireSpec {
    package static let records: [WireRecordSpec] = [
        .init(code: .procStart, kind: .procStart, name: "proc_start", arguments: [("proc", .uvarint)],
              context: "sets context P"),
        .init(code: .procStop, kind: .procStop, name: "proc_stop", arguments: [],
              context: "P = context P; clears context P"),
        .init(code: .procSteal, kind: .procSteal, name: "proc_steal",
              arguments: [("victim", .uvarint), ("count", .uvarint)], context: "thief = context P"),
        .init(code: .taskCreate, kind: .taskCreate, name: "task_create",
              arguments: [("task", .taskID), ("label", .labelAndFlags)],
              context: "parent = context task; sets register 0 (created)"),
        .init(code: .taskStart, kind: .taskStart, name: "task_start", arguments: [("task", .taskID)],
              context: "P = context P; sets context task; sets register 1 (started)"),
        .init(code: .taskYield, kind: .taskYield, name: "task_yield", arguments: [],
              context: "task = context task; clears context task"),
        .init(code: .taskPreempt, kind: .taskPreempt, name: "task_preempt", arguments: [],
              context: "task = context task; clears context task"),
        .init(code: .taskPark, kind: .taskPark, name: "task_park", arguments: [("reason", .stringID)],
              context: "task = context task; clears context task"),
        .init(code: .taskUnpark, kind: .taskUnpark, name: "task_unpark", arguments: [("task", .taskID)],
              context: "waker = context task; sets register 2 (unparked)"),
        .init(code: .taskEnd, kind: .taskEnd, name: "task_end", arguments: [],
              context: "task = context task; clears context task"),
        .init(code: .gcBegin, kind: .gcBegin, name: "gc_begin", arguments: [("cycle", .uvarint)], context: "–"),
        .init(code: .gcEnd, kind: .gcEnd, name: "gc_end", arguments: [("cycle", .uvarint)], context: "–"),
        .init(code: .gcPauseBegin, kind: .gcPauseBegin, name: "gc_pause_begin",
              arguments: [("reason", .stringID)], context: "–"),
        .init(code: .gcPauseEnd, kind: .gcPauseEnd, name: "gc_pause_end",
              arguments: [("reason", .stringID)], context: "–"),
        .init(code: .regionBegin, kind: .regionBegin, name: "region_begin",
              arguments: [("name", .stringID)], context: "task = context task"),
        .init(code: .regionEnd, kind: .regionEnd, name: "region_end",
              arguments: [("name", .stringID)], context: "task = context task"),
        .init(code: .log, kind: .log, name: "log",
              arguments: [("category", .stringID), ("message", .stringID)], context: "–"),
        .init(code: .lost, kind: .lost, name: "lost", arguments: [("count", .uvarint)], context: "–"),
        .init(code: .context, kind: nil, name: "context",
              arguments: [("proc", .procPlusOne), ("task", .uvarint)], context: "sets context P and task"),
        .init(code: .time, kind: nil, name: "time", arguments: [("timestamp", .uvarint)],
              context: "sets the current timestamp"),
    ]
}
