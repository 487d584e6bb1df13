import SchedscopeAnalysis
import SchedscopeModel

/// What the HTML report's timeline and heat map draw, gathered in one streaming pass: the
/// trace cut into at most `maxColumns` equal columns, and per P and column the busy time,
/// the label that ran most and the steals; per column the GC pause time.
///
/// The trace's length is unknown while reading, so the columns start narrow and double in
/// width (neighbours merged) whenever an event falls past the last one: memory is fixed
/// by Ps × columns, whatever the trace's length.
///
/// Its per-task tables are shared by reference (`IDTable`): a copy made while events are
/// still coming in shares them with the original, so give each stream its own timeline.
public struct ReportTimeline {
    /// One P's column.
    public struct Cell: Sendable, Equatable {
        public var busyNanoseconds: UInt64 = 0
        /// The label that ran longest here, by a weighted majority vote (exact when one
        /// label ran more than half the busy time; a good guess otherwise).
        public var dominantLabel = StringID(rawValue: 0)
        var vote: UInt64 = 0
        public var steals: UInt32 = 0

        mutating func add(busy: UInt64, label: StringID) {
            busyNanoseconds += busy
            if label == dominantLabel {
                vote += busy
            } else if busy > vote {
                dominantLabel = label
                vote = busy - vote
            } else {
                vote -= busy
            }
        }

        mutating func merge(_ other: Cell) {
            steals &+= other.steals
            let busy = busyNanoseconds
            add(busy: other.vote, label: other.dominantLabel)
            busyNanoseconds = busy + other.busyNanoseconds
        }
    }

    public let maxColumns: Int
    /// Width of a column in nanoseconds (a power of two times the initial width).
    public private(set) var columnNanoseconds: UInt64
    /// `cells[proc][column]`, for Ps 0..<procCount (and any higher P seen).
    public private(set) var cells: [[Cell]]
    /// GC pause time per column.
    public private(set) var pauseNanoseconds: [UInt64]
    /// Busy time per label over the whole trace (for the legend).
    public var busyByLabel: [StringID: UInt64] {
        Dictionary(uniqueKeysWithValues: busyByLabelTable.entries.map { (StringID(rawValue: UInt32(truncatingIfNeeded: $0.key)), $0.value) })
    }
    /// Events by kind.
    public private(set) var eventsByKind = [UInt64](repeating: 0, count: EventKind.allCases.count)
    /// The last timestamp seen.
    public private(set) var end: UInt64 = 0

    // Per-event state in flat tables, not `Dictionary`s: hashing them (SipHash) was a third
    // of `report`'s time. A reference type each, owned by this timeline alone.
    /// The task running on each P below `maxRows`, and since when.
    private var runningByProc: [Open?] = []
    /// The same for higher P numbers, which only a forged trace has.
    private var runningBeyond: [ProcID: Open] = [:]
    private let labels = IDTable<StringID>()
    private let busyByLabelTable = IDTable<UInt64>()
    private var pauseSince: UInt64?

    private typealias Open = (task: TaskID, since: UInt64)
    /// Ps with a row of their own; a forged P number cannot make the report allocate more.
    private static let maxRows: UInt32 = 4096

    public init(procCount: UInt32, maxColumns: Int = 1024, initialColumnNanoseconds: UInt64 = 64) {
        self.maxColumns = max(2, maxColumns & ~1)
        columnNanoseconds = max(1, initialColumnNanoseconds)
        cells = Array(repeating: Array(repeating: Cell(), count: self.maxColumns), count: Int(min(procCount, Self.maxRows)))
        pauseNanoseconds = Array(repeating: 0, count: self.maxColumns)
    }

    /// The time the used columns cover (saturating at the largest representable time).
    public var coveredNanoseconds: UInt64 {
        let (span, overflow) = columnNanoseconds.multipliedReportingOverflow(by: UInt64(usedColumns))
        return overflow ? .max : span
    }

    /// The columns that hold the trace (the rest are past its end).
    public var usedColumns: Int {
        guard end > 0 else { return 1 }
        let columns = end / columnNanoseconds + (end % columnNanoseconds == 0 ? 0 : 1)
        return Int(min(UInt64(maxColumns), columns))
    }

    public mutating func consume(_ event: Event) {
        let now = event.timestamp
        if now >= end {
            end = now
            // Widen until the columns reach past `now` (or cover every representable time:
            // a forged timestamp near 2^64 must not overflow the arithmetic).
            while true {
                let (span, overflow) = columnNanoseconds.multipliedReportingOverflow(by: UInt64(maxColumns))
                if overflow || now < span { break }
                coarsen()
            }
        }
        eventsByKind[Int(event.kind.rawValue)] += 1
        switch event.kind {
        case .taskCreate:
            labels.insert(event.task.rawValue, event.label)
        case .taskStart:
            guard event.proc.isSome else { return }
            if let open = running(event.proc) { addBusy(event.proc, open, until: now) }
            setRunning(event.proc, (event.task, now))
        case .taskYield, .taskPreempt, .taskPark, .taskEnd:
            if let open = running(event.proc), open.task == event.task {
                addBusy(event.proc, open, until: now)
                setRunning(event.proc, nil)
            }
            if event.kind == .taskEnd { labels.remove(event.task.rawValue) }
        case .procSteal:
            if let row = row(event.proc) { cells[row][column(now)].steals &+= 1 }
        case .gcPauseBegin:
            if pauseSince == nil { pauseSince = now }
        case .gcPauseEnd:
            if let since = pauseSince { Self.spread(since, now, width: columnNanoseconds, columns: maxColumns) { pauseNanoseconds[$0] += $1 } }
            pauseSince = nil
        default:
            break
        }
    }

    /// Closes what is still open at the last timestamp.
    public mutating func finish() {
        for (index, open) in runningByProc.enumerated() {
            if let open { addBusy(ProcID(rawValue: UInt32(index)), open, until: end) }
        }
        for (proc, open) in runningBeyond { addBusy(proc, open, until: end) }
        runningByProc = []
        runningBeyond = [:]
        if let since = pauseSince { Self.spread(since, end, width: columnNanoseconds, columns: maxColumns) { pauseNanoseconds[$0] += $1 } }
        pauseSince = nil
    }

    private func running(_ proc: ProcID) -> Open? {
        guard proc.rawValue < Self.maxRows else { return runningBeyond[proc] }
        let index = Int(proc.rawValue)
        return index < runningByProc.count ? runningByProc[index] : nil
    }

    private mutating func setRunning(_ proc: ProcID, _ open: Open?) {
        guard proc.rawValue < Self.maxRows else {
            runningBeyond[proc] = open
            return
        }
        let index = Int(proc.rawValue)
        if index >= runningByProc.count { runningByProc += Array(repeating: nil, count: index + 1 - runningByProc.count) }
        runningByProc[index] = open
    }

    private mutating func addBusy(_ proc: ProcID, _ open: Open, until now: UInt64) {
        let label = labels[open.task.rawValue] ?? StringID(rawValue: 0)
        let key = UInt64(label.rawValue)
        busyByLabelTable.insert(key, (busyByLabelTable[key] ?? 0).addingSaturated(now - min(now, open.since)))
        guard let row = row(proc) else { return }
        Self.spread(open.since, now, width: columnNanoseconds, columns: maxColumns) { cells[row][$0].add(busy: $1, label: label) }
    }

    /// The row of `proc`, adding rows for a P past the header's count (bounded: a forged
    /// P number cannot make the report allocate millions of rows).
    private mutating func row(_ proc: ProcID) -> Int? {
        guard proc.isSome, proc.rawValue < Self.maxRows else { return nil }
        let index = Int(proc.rawValue)
        while cells.count <= index { cells.append(Array(repeating: Cell(), count: maxColumns)) }
        return index
    }

    private func column(_ time: UInt64) -> Int {
        Int(min(UInt64(maxColumns - 1), time / columnNanoseconds))
    }

    /// Calls `body(column, nanoseconds)` for each column that [start, end) overlaps.
    private static func spread(_ start: UInt64, _ end: UInt64, width: UInt64, columns: Int, _ body: (Int, UInt64) -> Void) {
        guard end > start else { return }
        var from = start
        while from < end {
            let index = Int(min(UInt64(columns - 1), from / width))
            let (boundary, overflow) = UInt64(index + 1).multipliedReportingOverflow(by: width)
            let columnEnd = index == columns - 1 || overflow ? end : min(end, boundary)
            body(index, columnEnd - from)
            from = columnEnd
        }
    }

    /// Doubles the column width: column i takes what columns 2i and 2i+1 held.
    private mutating func coarsen() {
        let half = maxColumns / 2
        for row in cells.indices {
            for i in 0..<half {
                var merged = cells[row][2 * i]
                merged.merge(cells[row][2 * i + 1])
                cells[row][i] = merged
            }
            for i in half..<maxColumns { cells[row][i] = Cell() }
        }
        for i in 0..<half {
            pauseNanoseconds[i] = pauseNanoseconds[2 * i] + pauseNanoseconds[2 * i + 1]
        }
        for i in half..<maxColumns {
            pauseNanoseconds[i] = 0
        }
        columnNanoseconds *= 2
    }
}
