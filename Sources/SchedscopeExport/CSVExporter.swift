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
    private var escaped: [StringID: [UInt8]] = [:]
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

    // Column positions, for `field`.
    private enum Column: Int {
        case task = 4, parent, label, runtime, reason, by, victim, count, cycle, name, category, message
    }

    public func consume(_ event: Event) throws {
        output.append(decimal: event.timestamp)
        output.append(",")
        output.append(event.kind.name)
        output.append(",")
        output.append(decimal: event.thread.rawValue)
        output.append(",")
        if event.proc.isSome { output.append(decimal: UInt64(event.proc.rawValue)) }
        // The remaining columns: write the ones the kind has, commas for the gaps.
        var column = Column.task.rawValue
        func skip(to target: Column) {
            while column < target.rawValue {
                output.append(",")
                column += 1
            }
            output.append(",")
            column += 1
        }
        func number(_ target: Column, _ value: UInt64) {
            skip(to: target)
            output.append(decimal: value)
        }
        func text(_ target: Column, _ id: StringID) {
            skip(to: target)
            if let bytes = escaped[id] {
                output.append(bytes: bytes)
            } else {
                var bytes: [UInt8] = []
                TextEscaping.csv(string(id), into: &bytes)
                escaped[id] = bytes
                output.append(bytes: bytes)
            }
        }
        switch event.kind {
        case .taskCreate, .taskStart, .taskYield, .taskPreempt, .taskPark, .taskUnpark, .taskEnd, .regionBegin, .regionEnd:
            if event.task.isSome { number(.task, event.task.rawValue) }
        default:
            break
        }
        switch event.kind {
        case .taskCreate:
            number(.parent, event.parent.rawValue)
            text(.label, event.label)
            skip(to: .runtime)
            output.append(event.isRuntimeTask ? "true" : "false")
        case .taskPark, .gcPauseBegin, .gcPauseEnd:
            text(.reason, event.reason)
        case .taskUnpark:
            number(.by, event.waker.rawValue)
        case .procSteal:
            number(.victim, UInt64(event.victim.rawValue))
            number(.count, event.stealCount)
        case .lost:
            number(.count, event.lostCount)
        case .gcBegin, .gcEnd:
            number(.cycle, event.cycle)
        case .regionBegin, .regionEnd:
            text(.name, event.regionName)
        case .log:
            text(.category, event.logCategory)
            text(.message, event.logMessage)
        default:
            break
        }
        while column <= Column.message.rawValue {
            output.append(",")
            column += 1
        }
        output.append("\r\n")
        rows += 1
        try output.flushIfFull()
    }

    public func finish() throws {
        try output.flush()
    }
}
