/// The ranges open at a point of a trace: regions per (task, name), GC cycles, and
/// stop-the-world pauses. A flight recording keeps them at the start of every generation,
/// so that a dump whose window begins inside a range can open it again (`prologue`), as
/// Go's tracer writes state snapshots at each generation start; `schedscope filter --from`
/// opens again the ranges open where its window starts.
///
/// Counts may go negative while a generation is drained thread by thread (an end drained
/// before its begin); they are exact at generation ends, where `snapshot()` is taken.
package struct OpenRanges: Sendable {
    package struct RegionKey: Hashable, Sendable {
        var task: TaskID
        var name: StringID
    }

    package init() {}

    private var regions: [RegionKey: Int] = [:]
    private var cycles: [UInt64: Int] = [:]
    private var pauses: [UInt64: Int] = [:]

    /// Applies one event (only range events change anything).
    @inline(__always)
    package mutating func apply(_ event: Event) {
        switch event.kind {
        case .regionBegin: Self.add(1, to: &regions, RegionKey(task: event.task, name: event.regionName))
        case .regionEnd: Self.add(-1, to: &regions, RegionKey(task: event.task, name: event.regionName))
        case .gcBegin: Self.add(1, to: &cycles, event.cycle)
        case .gcEnd: Self.add(-1, to: &cycles, event.cycle)
        case .gcPauseBegin: Self.add(1, to: &pauses, event.argument1)
        case .gcPauseEnd: Self.add(-1, to: &pauses, event.argument1)
        default: break
        }
    }

    private static func add<Key: Hashable>(_ delta: Int, to table: inout [Key: Int], _ key: Key) {
        let value = table[key, default: 0] + delta
        table[key] = value == 0 ? nil : value
    }

    /// The ranges open now (positive counts only).
    package func snapshot() -> OpenRanges {
        var open = OpenRanges()
        open.regions = regions.filter { $0.value > 0 }
        open.cycles = cycles.filter { $0.value > 0 }
        open.pauses = pauses.filter { $0.value > 0 }
        return open
    }

    package var isEmpty: Bool { regions.isEmpty && cycles.isEmpty && pauses.isEmpty }

    /// Begin events that reopen these ranges at `timestamp`, on no particular thread, in a
    /// fixed order (GC cycles, pauses, regions).
    package func prologue(at timestamp: UInt64) -> [Event] {
        var events: [Event] = []
        // Positive counts only: a forged trace can end ranges it never began.
        let open = snapshot()
        for cycle in open.cycles.keys.sorted() {
            events.append(Event(kind: .gcBegin, timestamp: timestamp, thread: .unknown, argument1: cycle))
        }
        for reason in open.pauses.keys.sorted() {
            events.append(Event(kind: .gcPauseBegin, timestamp: timestamp, thread: .unknown, argument1: reason))
        }
        for (key, count) in open.regions.sorted(by: { ($0.key.task, $0.key.name) < ($1.key.task, $1.key.name) }) {
            for _ in 0..<count {
                events.append(Event(
                    kind: .regionBegin, timestamp: timestamp, thread: .unknown, task: key.task,
                    argument1: UInt64(key.name.rawValue)))
            }
        }
        return events
    }
}
