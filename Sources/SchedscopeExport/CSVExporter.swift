import SchedscopeModel

/// Writes events as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when
/// they hold a comma, quote or line break): a header row, then one row per event with the
/// same columns whatever the kind, empty where a column does not apply. The column names
/// are those of `schedscope events --format jsonl` (docs/EXPORT.md).
///
/// - Complexity: O(1) per event; memory holds the escaped form of each string used.
public final class CSVExporter {
    /// The columns, in order. Stable: new columns are only ever added at the end.
    public static let columns = [
        "ts_ns", "kind", "thread", "proc", "task", "parent", "label", "runtime", "reason", "by",
        "victim", "count", "cycle", "name", "category", "message",
    ]

    private let output: ExportOutput
    private let string: (StringID) -> String
    @exclusivity(unchecked) private var escaped: [StringID: [UInt8]] = [:]
    /// Events written.
    public private(set) var rows: UInt64 = 0

    /// - Parameter string: resolves the trace's string ids (the reader's table as it grows).
    public init(output: ExportOutput, string: @escaping (StringID) -> String) {
        self.output = output
        self.string = string
    }

    /// Writes the header row.
    public func begin() throws {
        output.append(Self.columns.joined(separator: ","))
        output.append("\r\n")
    }

    /// The columns after `proc`, in order.
    private enum Column: CaseIterable {
        case task, parent, label, runtime, reason, by, victim, count, cycle, name, category, message
    }

    public func consume(_ event: Event) throws {
        output.append(decimal: event.timestamp)
        output.append(byte: UInt8(ascii: ","))
        output.append(kind: event.kind)
        output.append(byte: UInt8(ascii: ","))
        output.append(decimal: event.thread.rawValue)
        output.append(byte: UInt8(ascii: ","))
        if event.proc.isSome { output.append(decimal: UInt64(event.proc.rawValue)) }
        for column in Column.allCases {
            output.append(byte: UInt8(ascii: ","))
            field(column, of: event)
        }
        output.append("\r\n")
        rows += 1
        try output.flushIfFull()
    }

    /// Writes the event's value for `column`, or nothing when the kind has none.
    private func field(_ column: Column, of event: Event) {
        switch (column, event.kind) {
        case (.task, .taskCreate), (.task, .taskStart), (.task, .taskYield), (.task, .taskPreempt), (.task, .taskPark),
             (.task, .taskUnpark), (.task, .taskEnd), (.task, .regionBegin), (.task, .regionEnd):
            if event.task.isSome { output.append(decimal: event.task.rawValue) }
        case (.parent, .taskCreate): output.append(decimal: event.parent.rawValue)
        case (.label, .taskCreate): text(event.label)
        case (.runtime, .taskCreate): output.append(event.isRuntimeTask ? "true" as StaticString : "false")
        case (.reason, .taskPark), (.reason, .gcPauseBegin), (.reason, .gcPauseEnd): text(event.reason)
        case (.by, .taskUnpark): output.append(decimal: event.waker.rawValue)
        case (.victim, .procSteal): output.append(decimal: UInt64(event.victim.rawValue))
        case (.count, .procSteal): output.append(decimal: event.stealCount)
        case (.count, .lost): output.append(decimal: event.lostCount)
        case (.cycle, .gcBegin), (.cycle, .gcEnd): output.append(decimal: event.cycle)
        case (.name, .regionBegin), (.name, .regionEnd): text(event.regionName)
        case (.category, .log): text(event.logCategory)
        case (.message, .log): text(event.logMessage)
        default: break
        }
    }

    /// A trace string, quoted as needed; each string is escaped once.
    private func text(_ id: StringID) {
        if let bytes = escaped[id] {
            output.append(bytes: bytes)
            return
        }
        var bytes: [UInt8] = []
        TextEscaping.csv(string(id), into: &bytes)
        escaped[id] = bytes
        output.append(bytes: bytes)
    }

    public func finish() throws {
        try output.flush()
    }
}
