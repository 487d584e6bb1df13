import SchedscopeModel

/// The wire codes of event-chunk records: the spec layer of the format.
///
/// A record starts with a *head*, an unsigned LEB128 varint holding the time delta and the
/// record's code (`RecordLayout`), followed by the code's arguments in `WireSpec.records`
/// order. Codes 0–18 are events; codes 24 and 25 only change decoder state. Codes never
/// leave this module: the model's `EventKind` is what analyses see.
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
    /// A `task_create` of the task whose id follows the create register's (events chunks
    /// of type 4 only): children spawned in a row cost no task-id argument.
    case taskCreateNext = 18
    /// Sets the decoder's context (the thread's P and running task); emits no event.
    case context = 24
    /// Sets the current timestamp absolutely (time went backwards or jumped); emits no event.
    case time = 25

    /// Maps a model kind to its wire code (`task_create`'s general one: the encoder chooses
    /// `taskCreateNext` itself, from its create register). Always inlined: the
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
        .init(code: .taskCreateNext, kind: .taskCreate, name: "task_create_next",
              arguments: [("label", .labelAndFlags)],
              context: "task = create register + 1; parent = context task; sets register 0 (created)"),
        .init(code: .context, kind: nil, name: "context",
              arguments: [("proc", .procPlusOne), ("task", .uvarint)], context: "sets context P and task"),
        .init(code: .time, kind: nil, name: "time", arguments: [("timestamp", .uvarint)],
              context: "sets the current timestamp"),
    ]
}

/// The two layouts of a record's head, one per events chunk type (docs/FORMAT.md §6,
/// "Record heads"). A head is the unsigned LEB128 varint of the time delta and the code.
package enum RecordLayout: Sendable {
    /// Type 1 chunks (format 1.0 and 1.1): `delta << 5 | code`.
    case fiveBitCodes
    /// Type 4 chunks (format 1.2): `delta << 3 | short` for the seven records of `shortCodeRecords`,
    /// `(delta << 5 | code) << 3 | 7` for every other. A scheduler's events are microseconds
    /// apart on a thread, so the delta takes 10–12 bits: two bytes with a 3-bit code, three
    /// with a 5-bit one.
    case shortCodes

    /// The records with a short code, by short code: those that make up most of a
    /// scheduler's trace (docs/BENCHMARKS.md, "Trace size").
    package static let shortCodeRecords: [WireCode] = [
        .taskStart, .taskPark, .taskUnpark, .taskCreateNext, .taskEnd, .taskYield, .procSteal,
    ]
    /// `shortCodeRecords` in one word, code `s` in byte `s`, for a lookup without memory (a test
    /// holds it to the table).
    package static let packedShortCodes: UInt64 = 0x0002_0509_1208_0704
    /// The short code that says "the code follows".
    package static let longForm: UInt64 = 7

    /// Largest time delta a writer puts in a head (a long head shifts it by 8 bits, and must
    /// fit in 64); a larger step, or a step back, takes a `time` record.
    package static let maxDelta: UInt64 = (1 << 56) - 1

    /// The head of a type-4 record.
    @inline(__always)
    package static func compactHead(delta: UInt64, _ code: WireCode) -> UInt64 {
        let short: UInt64
        switch code {
        case .taskStart: short = 0
        case .taskPark: short = 1
        case .taskUnpark: short = 2
        case .taskCreateNext: short = 3
        case .taskEnd: short = 4
        case .taskYield: short = 5
        case .procSteal: short = 6
        default: return (delta << 5 | UInt64(code.rawValue)) << 3 | longForm
        }
        return delta << 3 | short
    }

    /// Splits a head into its time delta and wire code (which may be one no record has:
    /// the decoder rejects it).
    @inline(__always)
    package func split(_ head: UInt64) -> (delta: UInt64, code: UInt8) {
        switch self {
        case .fiveBitCodes:
            return (head >> 5, UInt8(truncatingIfNeeded: head & 31))
        case .shortCodes:
            let short = head & 7
            if _fastPath(short != Self.longForm) {
                return (head >> 3, UInt8(truncatingIfNeeded: Self.packedShortCodes >> (short << 3)))
            }
            return (head >> 8, UInt8(truncatingIfNeeded: head >> 3 & 31))
        }
    }
}
