import SchedscopeModel

/// One thread's event chunks within a generation, decoded a window at a time.
final class ThreadCursor {
    /// Position of the thread among the generation's threads: breaks timestamp ties.
    let order: Int
    let thread: ThreadID
    var chunks: [ChunkLocation] = []
    private var nextChunk = 0
    private var stored: [UInt8] = []
    private var decoded: [UInt8] = []
    private var decoder: ChunkDecoder?
    private var currentChunk: ChunkLocation?
    let window: UnsafeMutablePointer<Event>
    var count = 0
    var index = 0

    static let windowCapacity = 1024

    init(order: Int, thread: ThreadID) {
        self.order = order
        self.thread = thread
        window = .allocate(capacity: Self.windowCapacity)
    }

    deinit { window.deallocate() }

    /// Bytes this cursor may hold at once: its largest chunk, stored and decoded, plus the window.
    var peakBytes: Int {
        let largest = chunks.map { Int($0.header.storedLength) + Int($0.header.decodedLength) }.max() ?? 0
        return largest + Self.windowCapacity * MemoryLayout<Event>.stride
    }

    /// Makes `window[index]` the thread's next event; false once the thread has no more.
    func fill(_ reader: TraceReader) throws -> Bool {
        while index >= count {
            if var active = decoder, let chunk = currentChunk {
                let n = decoded.withUnsafeBytes { active.decode($0, into: window, capacity: Self.windowCapacity) }
                decoder = active
                if n > 0 {
                    count = n
                    index = 0
                    return true
                }
                if let failure = active.failure {
                    reader.recordDecodeDamage(chunk, decoded: active.decodedEvents, "events payload is malformed (\(failure))")
                } else {
                    reader.countChunkRead()
                }
                decoder = nil
                currentChunk = nil
            }
            guard nextChunk < chunks.count else { return false }
            let chunk = chunks[nextChunk]
            nextChunk += 1
            if try reader.loadPayload(chunk, stored: &stored, decoded: &decoded) {
                decoder = ChunkDecoder(
                    thread: thread, firstTimestamp: chunk.header.firstTimestamp,
                    declaredEvents: Int(chunk.header.itemCount))
                currentChunk = chunk
            }
        }
        return true
    }

    @inline(__always)
    var head: Event { window[index] }
}

/// Merges a generation's per-thread chunks into one time-ordered stream of batches.
///
/// A binary heap orders the threads by their next event `(timestamp, order)`; the thread
/// on top emits a whole run of events up to the second thread's next one before the heap
/// is touched again.
struct GenerationMerger {
    private let output: UnsafeMutablePointer<Event>
    private let capacity: Int
    private var filled = 0

    init(output: UnsafeMutablePointer<Event>, capacity: Int) {
        self.output = output
        self.capacity = capacity
    }

    mutating func merge(
        _ chunks: [ChunkLocation], reader: TraceReader, body: (UnsafeBufferPointer<Event>) throws -> Void
    ) throws {
        var cursors: [ThreadCursor] = []
        var cursorIndex: [UInt64: Int] = [:]
        for chunk in chunks {
            let thread = chunk.header.thread
            if let index = cursorIndex[thread] {
                cursors[index].chunks.append(chunk)
            } else {
                cursorIndex[thread] = cursors.count
                let cursor = ThreadCursor(order: cursors.count, thread: ThreadID(rawValue: thread))
                cursor.chunks.append(chunk)
                cursors.append(cursor)
            }
        }
        // Bound the memory a (possibly forged) very wide generation can make us hold.
        var budget = FormatLimits.maxMergeBytes
        var admitted: [ThreadCursor] = []
        for cursor in cursors {
            let need = cursor.peakBytes
            if need <= budget {
                budget -= need
                admitted.append(cursor)
            } else if let first = cursor.chunks.first {
                reader.recordLimit(first, "thread \(cursor.thread) skipped in this generation: merging it would exceed the \(FormatLimits.maxMergeBytes >> 20) MiB merge budget (\(cursor.chunks.count) chunks)")
            }
        }

        try mergeCursors(admitted, reader: reader, body: body)
        try flush(reader: reader, body: body)
    }

    /// The k-way merge. Keys live in flat buffers (no class access or reference counting
    /// per comparison); each cursor's window is walked through local copies.
    private mutating func mergeCursors(
        _ cursors: [ThreadCursor], reader: TraceReader, body: (UnsafeBufferPointer<Event>) throws -> Void
    ) throws {
        let n = cursors.count
        guard n > 0 else { return }
        let keyTime = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let heap = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer {
            keyTime.deallocate()
            heap.deallocate()
        }
        var heapCount = 0
        for (i, cursor) in cursors.enumerated() where try cursor.fill(reader) {
            keyTime[i] = cursor.head.timestamp
            heap[heapCount] = i
            heapCount += 1
        }
        // Cursor index = thread order, so ties break by index.
        @inline(__always)
        func less(_ a: Int, _ b: Int) -> Bool {
            let ta = keyTime[a], tb = keyTime[b]
            return ta < tb || (ta == tb && a < b)
        }
        func siftDown(_ start: Int) {
            var i = start
            let item = heap[i]
            while true {
                let left = 2 * i + 1
                if left >= heapCount { break }
                var child = left
                if left + 1 < heapCount && less(heap[left + 1], heap[left]) { child = left + 1 }
                if !less(heap[child], item) { break }
                heap[i] = heap[child]
                i = child
            }
            heap[i] = item
        }
        if heapCount > 1 {
            for i in stride(from: heapCount / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }

        while heapCount > 0 {
            let top = heap[0]
            let cursor = cursors[top]
            var limitTime = UInt64.max
            var limitIndex = Int.max
            if heapCount > 1 {
                let second = heapCount == 2 || less(heap[1], heap[2]) ? heap[1] : heap[2]
                limitTime = keyTime[second]
                limitIndex = second
            }
            let tieGoesFirst = top < limitIndex
            var exhausted = false
            runLoop: while true {
                let window = cursor.window
                var index = cursor.index
                let count = cursor.count
                while index < count {
                    let time = window[index].timestamp
                    if time > limitTime || (time == limitTime && !tieGoesFirst) {
                        cursor.index = index
                        keyTime[top] = time
                        break runLoop
                    }
                    output[filled] = window[index]
                    filled &+= 1
                    index &+= 1
                    if filled == capacity {
                        cursor.index = index
                        try flush(reader: reader, body: body)
                    }
                }
                cursor.index = index
                if !(try cursor.fill(reader)) {
                    exhausted = true
                    break
                }
            }
            if exhausted {
                heapCount -= 1
                if heapCount > 0 {
                    heap[0] = heap[heapCount]
                    siftDown(0)
                }
            } else {
                siftDown(0)
            }
        }
    }

    private mutating func flush(reader: TraceReader, body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        guard filled > 0 else { return }
        let count = filled
        filled = 0
        reader.countEvents(count)
        try body(UnsafeBufferPointer(start: output, count: count))
    }
}
