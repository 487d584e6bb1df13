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
