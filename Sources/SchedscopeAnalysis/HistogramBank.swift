/// Several `LogLinearHistogram`s in flat, class-held storage, for recording on the per-event
/// path without copy-on-write checks; `histogram(_:)` gives each as a value at the end.
///
/// A sample's bucket is not counted at once: it is appended to its row's run of pending
/// buckets (`runLength` of them, 2 bytes each, every row's run together well inside the
/// first-level cache), and a full run is counted in one go. Counted one by one, the
/// counters of many rows (tens of KB each, spread over the buckets a latency can take) made
/// nearly every sample a cache miss on the per-event path; counted a run at a time, one
/// row's counters are touched by a tight loop whose misses overlap. Counts, sums, minima and
/// maxima are the same either way.
///
/// Owned by one analysis, never shared: the storage opts out of dynamic exclusivity checks.
final class HistogramBank {
    private struct Row {
        var counts: UnsafeMutablePointer<UInt64>?
        var capacity = 0
        /// Buckets waiting in this row's run.
        var pending = 0
        /// Values counted (the pending ones not included).
        var counted: UInt64 = 0
        var sum: UInt64 = 0
        var min: UInt64 = .max
        var max: UInt64 = 0
    }

    /// Buckets a row holds back before counting them.
    static let runLength = 256

    @exclusivity(unchecked) private var rows: UnsafeMutablePointer<Row>
    /// `runLength` pending buckets per row, row after row (a bucket is below 2¹⁶).
    @exclusivity(unchecked) private var runs: UnsafeMutablePointer<UInt16>
    @exclusivity(unchecked) private var rowCapacity = 8
    @exclusivity(unchecked) private(set) var rowCount = 0

    init(rows initial: Int = 0) {
        rows = .allocate(capacity: rowCapacity)
        runs = .allocate(capacity: rowCapacity * Self.runLength)
        for _ in 0..<initial { addRow() }
    }

    deinit {
        for i in 0..<rowCount { rows[i].counts?.deallocate() }
        rows.deinitialize(count: rowCount)
        rows.deallocate()
        runs.deallocate()
    }

    /// Adds an empty histogram. - Returns: its row.
    @discardableResult
    func addRow() -> Int {
        if rowCount == rowCapacity {
            let grown = UnsafeMutablePointer<Row>.allocate(capacity: rowCapacity * 2)
            grown.moveInitialize(from: rows, count: rowCount)
            rows.deallocate()
            rows = grown
            let grownRuns = UnsafeMutablePointer<UInt16>.allocate(capacity: rowCapacity * 2 * Self.runLength)
            grownRuns.moveInitialize(from: runs, count: rowCount * Self.runLength)
            runs.deallocate()
            runs = grownRuns
            rowCapacity *= 2
        }
        (rows + rowCount).initialize(to: Row())
        rowCount += 1
        return rowCount - 1
    }

    @inline(__always)
    func record(_ row: Int, _ value: UInt64) {
        let r = rows + row
        let n = r.pointee.pending
        runs[row &* Self.runLength &+ n] = UInt16(truncatingIfNeeded: LogLinearHistogram.bucket(value))
        r.pointee.sum = r.pointee.sum.addingSaturated(value)
        if value < r.pointee.min { r.pointee.min = value }
        if value > r.pointee.max { r.pointee.max = value }
        r.pointee.pending = n &+ 1
        if n &+ 1 == Self.runLength { countRun(row) }
    }

    /// Counts `row`'s pending buckets and empties its run.
    @inline(never)
    private func countRun(_ row: Int) {
        let r = rows + row
        let run = runs + row * Self.runLength
        let n = r.pointee.pending
        var highest = 0
        for i in 0..<n { highest = Swift.max(highest, Int(run[i])) }
        if highest >= r.pointee.capacity { grow(r, to: highest + 1) }
        let counts = r.pointee.counts!
        for i in 0..<n { counts[Int(run[i])] &+= 1 }
        r.pointee.counted &+= UInt64(n)
        r.pointee.pending = 0
    }

    private func grow(_ r: UnsafeMutablePointer<Row>, to needed: Int) {
        let size = Swift.max(needed, r.pointee.capacity * 2, 4096)
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        if let old = r.pointee.counts {
            grown.update(from: old, count: r.pointee.capacity)
            old.deallocate()
        }
        (grown + r.pointee.capacity).initialize(repeating: 0, count: size - r.pointee.capacity)
        r.pointee.counts = grown
        r.pointee.capacity = size
    }

    func count(_ row: Int) -> UInt64 { rows[row].counted &+ UInt64(rows[row].pending) }

    /// The histogram of `row`, as a value.
    func histogram(_ row: Int) -> LogLinearHistogram {
        if rows[row].pending > 0 { countRun(row) }
        let r = rows[row]
        var used = r.capacity
        while used > 0 && r.counts![used - 1] == 0 { used -= 1 }
        let counts = r.counts.map { Array(UnsafeBufferPointer(start: $0, count: used)) } ?? []
        return LogLinearHistogram(counts: counts, count: r.counted, sum: r.sum, min: r.min, max: r.max)
    }
}
