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
        let readAhead = pipeline.blocksAhead(threads: chunksByThread.count)
        for thread in chunksByThread.keys.sorted() {
            let threadChunks = chunksByThread[thread]!
            let need = ThreadDecodeStream.peakBytes(of: threadChunks, blocksAhead: readAhead)
            if need <= remaining {
                remaining -= need
                let stream = ThreadDecodeStream(thread: ThreadID(rawValue: thread), chunks: threadChunks)
                admitted.append(ThreadCursor(stream: stream, blocksAhead: readAhead))
            } else {
                reader.recordLimit(threadChunks, "thread \(thread) skipped in this generation: merging it would exceed the \(Self.describe(budget)) merge budget (\(threadChunks.count) chunk\(threadChunks.count == 1 ? "" : "s"))")
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

    /// The hot state of one cursor: its next event and the end of its current block.
    struct Head {
        var next: UnsafeMutablePointer<Event>
        var end: UnsafeMutablePointer<Event>

        init(_ cursor: ThreadCursor) {
            next = cursor.events + cursor.index
            end = cursor.events + cursor.count
        }
    }

    /// Copies `head`'s events up to `lastAllowed` to the output (the run of one thread
    /// between two selections), handing full batches on and refilling the cursor at the
    /// end of each block. The run's first event must be within `lastAllowed` (it is the
    /// earliest of all threads', so it always is), and the output must have room for it.
    ///
    /// `output` (the batch being filled) and `out` (its next free slot) are the caller's
    /// locals, so they stay in registers over the merge loop: read through `self`, the
    /// buffer's address was reloaded after every event's store (the store might, as far
    /// as the compiler knows, have changed it).
    /// - Returns: the timestamp of the thread's next event, which is after `lastAllowed`;
    ///   nil once the thread has no more events.
    @inline(__always)
    func emitRun(
        _ head: inout Head, upTo lastAllowed: UInt64, cursor: Int, of cursors: [ThreadCursor],
        output: inout UnsafeMutablePointer<Event>, out: inout UnsafeMutablePointer<Event>,
        reader: TraceReader, deliver: Deliver
    ) throws -> UInt64? {
        var next = head.next
        // Where the block ends or the output fills, whichever comes first: one test per
        // event covers both, and the rare cases are sorted out after it.
        var stop = Self.runLimit(next, head.end, out, output + capacity)
        // At the top of the loop, `next` is within the run and before `stop`.
        while true {
            if next + Self.stride <= stop {
                // Four events at a time: copied whatever their times, then kept as far as
                // they are within the run. Runs are short (≈ 2.5 events on an 8-P trace) and
                // their lengths random, so an event-by-event loop mispredicted its exit on
                // about every run; this one branches on the count, which is under four on
                // most runs. The copies past the run's end are overwritten by the next run.
                // (Event by event: one copy of 192 bytes became a call to memcpy.)
                Self.copyEvent(next, to: out)
                Self.copyEvent(next + 1, to: out + 1)
                Self.copyEvent(next + 2, to: out + 2)
                Self.copyEvent(next + 3, to: out + 3)
                let within1 = next[1].timestamp <= lastAllowed ? 1 : 0
                let within2 = within1 & (next[2].timestamp <= lastAllowed ? 1 : 0)
                let within3 = within2 & (next[3].timestamp <= lastAllowed ? 1 : 0)
                let count = 1 &+ within1 &+ within2 &+ within3
                out += count
                next += count
                if count < Self.stride {
                    head.next = next
                    return next.pointee.timestamp
                }
            } else {
                Self.copyEvent(next, to: out)
                out += 1
                next += 1
            }
            if next == stop {
                if out == output + capacity {
                    output = try hand(output, capacity, reader: reader, deliver: deliver)
                    out = output
                }
                if next == head.end {
                    // Only here, once a block, is the cursor object touched (fetched from
                    // the array once a run, it cost a retain and a release per run).
                    let thread = cursors[cursor]
                    thread.index = thread.count
                    guard try thread.fill(reader, pipeline) else { return nil }
                    head = Head(thread)
                    next = head.next
                }
                stop = Self.runLimit(next, head.end, out, output + capacity)
            }
            // The event that ends the run is the thread's next key: loaded once, for both.
            let time = next.pointee.timestamp
            if time > lastAllowed {
                head.next = next
                return time
            }
        }
    }

    /// Copies one event as raw bytes: three 16-byte moves, where the typed copy moved the
    /// fields one by one (five loads and five stores).
    @inline(__always)
    static func copyEvent(_ source: UnsafeMutablePointer<Event>, to destination: UnsafeMutablePointer<Event>) {
        UnsafeMutableRawPointer(destination).copyMemory(from: UnsafeRawPointer(source), byteCount: MemoryLayout<Event>.stride)
    }

    /// Events `emitRun` copies at a time while a block and the output have room for them.
    static let stride = 4

    /// Where a run from `next` must stop at the latest: at `end`, the end of its block, or
    /// when the output (`out` up to `outputEnd`) is full, whichever comes first.
    @inline(__always)
    static func runLimit(
        _ next: UnsafeMutablePointer<Event>, _ end: UnsafeMutablePointer<Event>,
        _ out: UnsafeMutablePointer<Event>, _ outputEnd: UnsafeMutablePointer<Event>
    ) -> UnsafeMutablePointer<Event> {
        // In bytes: both distances are whole events, and counting events would cost two
        // divisions by 48 a run.
        let blockBytes = UnsafeRawPointer(next).distance(to: UnsafeRawPointer(end))
        let roomBytes = UnsafeRawPointer(out).distance(to: UnsafeRawPointer(outputEnd))
        return (UnsafeMutableRawPointer(next) + min(blockBytes, roomBytes)).assumingMemoryBound(to: Event.self)
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
