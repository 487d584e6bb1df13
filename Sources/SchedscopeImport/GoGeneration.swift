/// One generation of a Go trace, tokenized: its event batches grouped by M in the order
/// each M wrote them, and its tables (strings, stacks, clock) decoded. The events
/// themselves stay as bytes in the `GoFileBuffer` until the parser walks them.
struct GoGeneration {
    var number: UInt64 = 0
    /// File offsets of the generation's first byte and one past its last.
    var startOffset: UInt64 = 0
    var endOffset: UInt64 = 0
    /// Ms in order of first appearance, and each one's event batches.
    var threads: [UInt64] = []
    var batches: [[GoBatchFrame]] = []
    private var threadIndex: [UInt64: Int] = [:]
    /// Trace clock ticks per second (the `Frequency` event); 0 if missing.
    var frequency: UInt64 = 0
    /// The `ClockSnapshot`: at trace time `ticks`, the monotonic clock read `monotonic` ns
    /// and the wall clock `wall` ns since the Unix epoch.
    var clock: (ticks: UInt64, monotonic: UInt64, wall: UInt64)?
    /// The smallest batch base time.
    var minTicks: UInt64 = .max
    /// String id → its bytes in the buffer.
    var strings: [UInt64: Range<Int>] = [:]
    /// Stack id → its frames' function-name string ids, innermost first, in `stackFunctions`.
    var stacks: [UInt64: Range<Int>] = [:]
    var stackFunctions: [UInt64] = []
    var batchCount = 0
    var eventBytes = 0

    mutating func addEventBatch(_ frame: GoBatchFrame) {
        if let index = threadIndex[frame.thread] {
            batches[index].append(frame)
        } else {
            threadIndex[frame.thread] = threads.count
            threads.append(frame.thread)
            batches.append([frame])
        }
        eventBytes += frame.payloadEnd - frame.payloadStart
    }

    /// The string `id` as bytes, if the generation defines it.
    func string(_ id: UInt64, _ buffer: GoFileBuffer) -> String? {
        guard let range = strings[id] else { return nil }
        return String(decoding: UnsafeBufferPointer(start: buffer.bytes + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// The function names of stack `id`, innermost first.
    func stackFunctionIDs(_ id: UInt64) -> ArraySlice<UInt64>? {
        stacks[id].map { stackFunctions[$0] }
    }
}
