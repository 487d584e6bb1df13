import SchedscopeModel

/// One thread's events within a generation, a block at a time: the block being merged,
/// and the next ones already submitted for decoding.
final class ThreadCursor {
    let stream: ThreadDecodeStream
    private var current: EventBlock?
    /// Blocks submitted for decoding, oldest first: `blocksAhead` of them until the stream ends.
    private var prefetched: [EventBlock] = []
    private let blocksAhead: Int
    /// The current block's events, `index` the next to merge, `count` how many.
    private(set) var events = UnsafeMutablePointer<Event>(bitPattern: MemoryLayout<Event>.alignment)!
    var index = 0
    private(set) var count = 0

    init(stream: ThreadDecodeStream, blocksAhead: Int) {
        self.stream = stream
        self.blocksAhead = max(1, blocksAhead)
        prefetched.reserveCapacity(self.blocksAhead)
    }

    /// Submits the first blocks for decoding.
    func start(_ pipeline: ChunkPipeline) {
        for _ in 0..<blocksAhead { prefetched.append(pipeline.submit(stream)) }
    }

    /// Makes `events[index]` the thread's next event; false once the thread has no more.
    /// Records each finished chunk's outcome in `reader`'s report, in chunk order.
    func fill(_ reader: TraceReader, _ pipeline: ChunkPipeline) throws -> Bool {
        while index >= count {
            guard !prefetched.isEmpty else {
                current = nil
                count = 0
                index = 0
                return false
            }
            let next = prefetched.removeFirst()
            next.waitUntilReady()
            for (chunk, problem) in next.finishedChunks { reader.recordOutcome(chunk, problem) }
            if let error = next.ioError {
                drain()
                throw error
            }
            if next.endOfStream {
                // The blocks submitted after the last one find the stream ended and stay empty.
                drain()
            } else {
                prefetched.append(pipeline.submit(stream))
            }
            current = next
            events = next.events
            index = 0
            count = next.count
        }
        return true
    }

    /// Waits for and drops the blocks still submitted: each may be in the decoder's hands,
    /// filling from the stream, until it is ready.
    private func drain() {
        for block in prefetched { block.waitUntilReady() }
        prefetched.removeAll()
    }

    @inline(__always)
    var headTimestamp: UInt64 { events[index].timestamp }
}
