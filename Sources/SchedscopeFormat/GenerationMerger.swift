import SchedscopeModel

/// Merges a generation's per-thread chunks into one time-ordered stream of batches.
///
/// The thread with the earliest next event `(timestamp, thread id)` emits a whole run of
/// events, up to the next event of the second earliest, before the next thread is chosen
/// (`emitRun`). A generation of up to `maxScannedThreads` threads chooses by a branch-free
/// scan of their next timestamps (`mergeByScan`), a wider one by a binary heap
/// (`mergeByHeap`). Keys live in flat buffers so that a comparison touches no object.
///
/// Batches go to a `Deliver` function, which returns the buffer to fill next: the same one
/// again when reading on one thread, a free slot of the pipeline when another thread
/// consumes them.
struct GenerationMerger {
    typealias Deliver = (UnsafeBufferPointer<Event>) throws -> UnsafeMutablePointer<Event>

    var output: UnsafeMutablePointer<Event>
    let capacity: Int
    var filled = 0
    let pipeline: ChunkPipeline
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

    private mutating func mergeCursors(_ cursors: [ThreadCursor], reader: TraceReader, deliver: Deliver) throws {
        if cursors.count <= Self.maxScannedThreads {
            try mergeByScan(cursors, reader: reader, deliver: deliver)
        } else {
            try mergeByHeap(cursors, reader: reader, deliver: deliver)
        }
    }

    /// The hot state of one cursor: its current block's events and how far it has got.
    struct Head {
        var events: UnsafeMutablePointer<Event>
        var index: Int
        var count: Int
    }

    /// Copies `head`'s events up to `lastAllowed` to the output (the run of one thread
    /// between two selections), handing full batches on and refilling the cursor at the
    /// end of each block.
    ///
    /// `output` and `filled` are the caller's locals, so they stay in registers over the
    /// merge loop: read through `self`, the buffer's address was reloaded after every
    /// event's store (the store might, as far as the compiler knows, have changed it).
    /// - Returns: the timestamp of the thread's next event, which is after `lastAllowed`;
    ///   nil once the thread has no more events.
    @inline(__always)
    func emitRun(
        _ head: inout Head, upTo lastAllowed: UInt64, cursor: Int, of cursors: [ThreadCursor],
        output: inout UnsafeMutablePointer<Event>, filled: inout Int, reader: TraceReader, deliver: Deliver
    ) throws -> UInt64? {
        let capacity = self.capacity
        while true {
            let events = head.events
            var index = head.index
            let count = head.count
            // Bounded by the block's end and the output's free room up front, so each
            // event costs one index test, one time test and the copy (runs are short:
            // about 2.5 events on an 8-P trace).
            let stop = min(count, index &+ (capacity &- filled))
            while index < stop && events[index].timestamp <= lastAllowed {
                // As raw bytes: three 16-byte moves, where the typed copy moved the
                // fields one by one (five loads and five stores).
                UnsafeMutableRawPointer(output + filled).copyMemory(
                    from: UnsafeRawPointer(events + index), byteCount: MemoryLayout<Event>.stride)
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
                return time
            }
            // Only here, once a block, is the cursor object touched (fetched from the
            // array once a run, it cost a retain and a release per run).
            let thread = cursors[cursor]
            thread.index = index
            guard try thread.fill(reader, pipeline) else { return nil }
            head = Head(events: thread.events, index: thread.index, count: thread.count)
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
    func hand(
        _ buffer: UnsafeMutablePointer<Event>, _ count: Int, reader: TraceReader, deliver: Deliver
    ) throws -> UnsafeMutablePointer<Event> {
        reader.countEvents(count)
        return try deliver(UnsafeBufferPointer(start: buffer, count: count))
    }
}
