/// Several `LogLinearHistogram`s in flat, class-held storage, for recording on the per-event
/// path without copy-on-write checks; `histogram(_:)` gives each as a value at the end.
///
/// Owned by one analysis, never shared: the storage opts out of dynamic exclusivity checks.
final class HistogramBank {
    private struct Row {
        var counts: UnsafeMutablePointer<UInt64>?
        var capacity = 0
        var count: UInt64 = 0
        var sum: UInt64 = 0
        var min: UInt64 = .max
        var max: UInt64 = 0
    }

    @exclusivity(unchecked) private var rows: UnsafeMutablePointer<Row>
    @exclusivity(unchecked) private var rowCapacity = 8
    @exclusivity(unchecked) private(set) var rowCount = 0

    init(rows initial: Int = 0) {
        rows = .allocate(capacity: rowCapacity)
        for _ in 0..<initial { addRow() }
    }

    deinit {
        for i in 0..<rowCount { rows[i].counts?.deallocate() }
        rows.deinitialize(count: rowCount)
        rows.deallocate()
    }

    /// Adds an empty histogram. - Returns: its row.
    @discardableResult
    func addRow() -> Int {
        if rowCount == rowCapacity {
            let grown = UnsafeMutablePointer<Row>.allocate(capacity: rowCapacity * 2)
            grown.moveInitialize(from: rows, count: rowCount)
            rows.deallocate()
            rows = grown
            rowCapacity *= 2
        }
        (rows + rowCount).initialize(to: Row())
        rowCount += 1
        return rowCount - 1
    }

    @inline(__always)
    func record(_ row: Int, _ value: UInt64) {
        let r = rows + row
        let b = LogLinearHistogram.bucket(value)
        if b >= r.pointee.capacity { grow(r, to: b + 1) }
        r.pointee.counts![b] &+= 1
        r.pointee.count &+= 1
        r.pointee.sum &+= value
        if value < r.pointee.min { r.pointee.min = value }
        if value > r.pointee.max { r.pointee.max = value }
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

    func count(_ row: Int) -> UInt64 { rows[row].count }

    /// The histogram of `row`, as a value.
    func histogram(_ row: Int) -> LogLinearHistogram {
        let r = rows[row]
        var used = r.capacity
        while used > 0 && r.counts![used - 1] == 0 { used -= 1 }
        let counts = r.counts.map { Array(UnsafeBufferPointer(start: $0, count: used)) } ?? []
        return LogLinearHistogram(counts: counts, count: r.count, sum: r.sum, min: r.min, max: r.max)
    }
}
