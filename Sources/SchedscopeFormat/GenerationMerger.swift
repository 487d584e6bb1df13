import SchedscopeModel

/// One thread's events within a generation, a block at a time: the block being merged,
/// and the next one already submitted for decoding.
final class ThreadCursor {
    let stream: ThreadDecodeStream
    private var current: EventBlock?
    private var prefetched: EventBlock?
    /// The current block's events, `index` the next to merge, `count` how many.
    private(set) var events = UnsafeMutablePointer<Event>(bitPattern: MemoryLayout<Event>.alignment)!
    var index = 0
    private(set) var count = 0

    init(stream: ThreadDecodeStream) { self.stream = stream }

    /// Submits the first block for decoding.
    func start(_ pipeline: ChunkPipeline) {
        prefetched = pipeline.submit(stream)
    }

    /// Makes `events[index]` the thread's next event; false once the thread has no more.
    /// Records each finished chunk's outcome in `reader`'s report, in chunk order.
    func fill(_ reader: TraceReader, _ pipeline: ChunkPipeline) throws -> Bool {
        while index >= count {
            guard let next = prefetched else {
                current = nil
                count = 0
                index = 0
                return false
            }
            next.waitUntilReady()
            for (chunk, problem) in next.finishedChunks { reader.recordOutcome(chunk, problem) }
            if let error = next.ioError { throw error }
            prefetched = next.endOfStream ? nil : pipeline.submit(stream)
            current = next
            events = next.events
            index = 0
            count = next.count
        }
        return true
    }

    @inline(__always)
    var headTimestamp: UInt64 { events[index].timestamp }
}

/// Merges a generation's per-thread chunks into one time-ordered stream of batches.
///
/// A binary heap orders the threads by their next event `(timestamp, thread id)`; the thread
/// on top emits a whole run of events up to the second thread's next one before the heap
/// is touched again. Keys live in flat buffers so that a comparison touches no object.
///
/// Batches go to a `Deliver` function, which returns the buffer to fill next: the same one
/// again when reading on one thread, a free slot of the pipeline when another thread
/// consumes them.
struct GenerationMerger {
    typealias Deliver = (UnsafeBufferPointer<Event>) throws -> UnsafeMutablePointer<Event>

    private var output: UnsafeMutablePointer<Event>
    private let capacity: Int
    private var filled = 0
    private let pipeline: ChunkPipeline
    private let budget: Int

    init(output: UnsafeMutablePointer<Event>, capacity: Int, pipeline: ChunkPipeline, budget: Int) {
        self.output = output
        self.capacity = capacity
        self.pipeline = pipeline
        self.budget = budget
    }

    mutating func merge(_ chunks: [ChunkLocation], reader: TraceReader, deliver: Deliver) throws {
        var chunksByThread: [UInt64: [ChunkLocation]] = [:]
        for chunk in chunks { chunksByThread[chunk.header.thread, default: []].append(chunk) }
        // Threads in id order: ties go to the smaller thread id, whatever the chunk layout.
        // The budget bounds the memory a (possibly forged) very wide generation can make us
        // hold; nothing is decoded for a thread that is not admitted.
        var remaining = budget
        var admitted: [ThreadCursor] = []
        for thread in chunksByThread.keys.sorted() {
            let threadChunks = chunksByThread[thread]!
            let need = ThreadDecodeStream.peakBytes(of: threadChunks)
            if need <= remaining {
                remaining -= need
                let stream = ThreadDecodeStream(thread: ThreadID(rawValue: thread), chunks: threadChunks)
                admitted.append(ThreadCursor(stream: stream))
            } else {
                reader.recordLimit(threadChunks, "thread \(thread) skipped in this generation: merging it would exceed the \(Self.describe(budget)) merge budget (\(threadChunks.count) chunks)")
            }
        }
        for cursor in admitted { cursor.start(pipeline) }
        try mergeCursors(admitted, reader: reader, deliver: deliver)
    }

    /// The hot state of one cursor: its current chunk's events and how far it has got.
    private struct Head {
        var events: UnsafeMutablePointer<Event>
        var index: Int
        var count: Int
    }

    private mutating func mergeCursors(_ cursors: [ThreadCursor], reader: TraceReader, deliver: Deliver) throws {
        let n = cursors.count
        guard n > 0 else { return }
        // Flat buffers: the loop below touches no object and no reference count.
        let keyTime = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let heads = UnsafeMutablePointer<Head>.allocate(capacity: n)
        let heap = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer {
            keyTime.deallocate()
            heads.deallocate()
            heap.deallocate()
        }
        var heapCount = 0
        for (i, cursor) in cursors.enumerated() {
            heads[i] = Head(events: cursor.events, index: 0, count: 0)
            guard try cursor.fill(reader, pipeline) else { continue }
            heads[i] = Head(events: cursor.events, index: cursor.index, count: cursor.count)
            keyTime[i] = cursor.headTimestamp
            heap[heapCount] = i
            heapCount += 1
        }
        // A cursor's index is its thread's rank by id, so ties break by index.
        @inline(__always)
        func less(_ a: Int, _ b: Int) -> Bool {
            let ta = keyTime[a], tb = keyTime[b]
            return ta < tb || (ta == tb && a < b)
        }
        /// Sinks `item` from slot `start` (a hole) of the first `count` heap slots.
        @inline(__always)
        func siftDown(from start: Int, _ item: Int, _ count: Int) {
            var i = start
            while true {
                let left = 2 &* i &+ 1
                if left >= count { break }
                var child = left
                if left &+ 1 < count && less(heap[left &+ 1], heap[left]) { child = left &+ 1 }
                if !less(heap[child], item) { break }
                heap[i] = heap[child]
                i = child
            }
            heap[i] = item
        }
        if heapCount > 1 {
            // Heapify by insertion order: sort the few initial keys.
            let sorted = (0..<heapCount).map { heap[$0] }.sorted { less($0, $1) }
            for (i, index) in sorted.enumerated() { heap[i] = index }
        }

        // The output position, buffer and capacity live in locals (registers) for the
        // loop: read through `self`, the buffer's address was reloaded after every event's
        // store (the store might, as far as the compiler knows, have changed it).
        var filled = self.filled
        var output = self.output
        defer {
            self.filled = filled
            self.output = output
        }
        let capacity = self.capacity
        while heapCount > 0 {
            let top = heap[0]
            // `top` emits every event up to the second-best thread's next one: that event
            // too when the tie goes to `top` (the lower index), else only those before it.
            // One `<=` against `lastAllowed` per event says both. `top` is the heap's
            // minimum, so when it loses ties its time is below the limit, which is then
            // at least 1: the subtraction cannot wrap.
            var lastAllowed = UInt64.max
            var secondSlot = 0
            if heapCount > 1 {
                secondSlot = heapCount == 2 || less(heap[1], heap[2]) ? 1 : 2
                let second = heap[secondSlot]
                lastAllowed = top < second ? keyTime[second] : keyTime[second] &- 1
            }
            var head = heads[top]
            var exhausted = false
            while true {
                let events = head.events
                var index = head.index
                let count = head.count
                // The copy loop is bounded by the block's end and the output's free room
                // up front, so each event costs one index test, one time test and the copy
                // (runs are short: about 2.5 events on an 8-P trace).
                let stop = min(count, index &+ (capacity &- filled))
                while index < stop && events[index].timestamp <= lastAllowed {
                    output[filled] = events[index]
                    filled &+= 1
                    index &+= 1
                }
                head.index = index
                if filled == capacity {
                    output = try hand(output, filled, reader: reader, deliver: deliver)
                    filled = 0
                }
                if index < count {
                    let time = events[index].timestamp
                    // Stopped by a full output in the middle of the run: go on.
                    if time <= lastAllowed { continue }
                    keyTime[top] = time
                    break
                }
                let cursor = cursors[top]
                cursor.index = index
                guard try cursor.fill(reader, pipeline) else {
                    exhausted = true
                    break
                }
                head = Head(events: cursor.events, index: cursor.index, count: cursor.count)
            }
            heads[top] = head
            if exhausted {
                heapCount -= 1
                if heapCount > 0 { siftDown(from: 0, heap[heapCount], heapCount) }
            } else if heapCount > 1 {
                // The run ended at an event that sorts after the second thread's next one
                // (`lastAllowed` says so), so that thread takes the top: the sift starts one
                // level down, without comparing the top's children again.
                heap[0] = heap[secondSlot]
                siftDown(from: secondSlot, top, heapCount)
            }
        }
    }

    private static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes)-byte"
    }

    /// Delivers the events merged but not yet delivered (at the end of the trace).
    mutating func flush(reader: TraceReader, deliver: Deliver) throws {
        guard filled > 0 else { return }
        output = try hand(output, filled, reader: reader, deliver: deliver)
        filled = 0
    }

    /// Hands the first `count` events of `buffer` to `deliver`. - Returns: the buffer to
    /// fill next. Never inlined: inlined into the merge loop, its update of the reader's
    /// report became a dynamic exclusivity check (`swift_beginAccess`) on every run of
    /// events instead of every batch: about 30 instructions per event under callgrind, on
    /// an 8-P synthetic trace.
    @inline(never)
    private func hand(
        _ buffer: UnsafeMutablePointer<Event>, _ count: Int, reader: TraceReader, deliver: Deliver
    ) throws -> UnsafeMutablePointer<Event> {
        reader.countEvents(count)
        return try deliver(UnsafeBufferPointer(start: buffer, count: count))
    }
}
