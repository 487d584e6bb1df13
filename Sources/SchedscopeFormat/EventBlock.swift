import Dispatch
import SchedscopeModel

/// A block of one thread's decoded events, and the outcome of every chunk that finished
/// while it was filled.
///
/// `@unchecked Sendable` invariant: every stored property is written only by the thread
/// that fills the block, before it signals `ready`; the merging thread reads them only
/// after `waitUntilReady()`.
final class EventBlock: @unchecked Sendable {
    /// Most events per block: small enough that a few blocks per thread stay in cache.
    static let maxCapacity = 2048

    let events: UnsafeMutablePointer<Event>
    let capacity: Int
    fileprivate(set) var count = 0
    /// Chunks that finished in this block, in order, with what was wrong with each.
    fileprivate(set) var finishedChunks: [(ChunkLocation, ChunkProblem?)] = []
    fileprivate(set) var ioError: TraceFormatError?
    /// No block follows this one.
    fileprivate(set) var endOfStream = false
    private let ready = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        self.capacity = capacity
        events = .allocate(capacity: capacity)
    }

    deinit { events.deallocate() }

    func waitUntilReady() { ready.wait() }
    fileprivate func markReady() { ready.signal() }
}

/// The decoding side of one thread's chunks in a generation: inflates a chunk into its own
/// buffer and decodes it a block at a time, so a thread costs one decoded payload and a
/// few blocks of memory, however large its chunks.
///
/// `@unchecked Sendable` invariant: used by one thread at a time — blocks are requested
/// one after another (the next only once the previous is ready), on the pipeline's serial
/// queue or inline.
final class ThreadDecodeStream: @unchecked Sendable {
    let thread: ThreadID
    let chunks: [ChunkLocation]
    private var nextChunk = 0
    private var payload: [UInt8] = []
    private var decoder: ChunkDecoder?
    private var active: ChunkLocation?

    /// Events per block for this thread: a thread with few events gets small blocks.
    let blockCapacity: Int

    init(thread: ThreadID, chunks: [ChunkLocation]) {
        self.thread = thread
        self.chunks = chunks
        blockCapacity = Self.blockCapacity(of: chunks)
    }

    private static func blockCapacity(of chunks: [ChunkLocation]) -> Int {
        let events = chunks.reduce(0) { $0 + Int($1.header.itemCount) }
        return max(1, min(EventBlock.maxCapacity, events))
    }

    /// Bytes a stream over `chunks` may hold at once: its largest decoded payload, the block
    /// being merged and the `blocksAhead` blocks submitted after it.
    static func peakBytes(of chunks: [ChunkLocation], blocksAhead: Int) -> Int {
        let payload = chunks.map { Int($0.header.decodedLength) }.max() ?? 0
        return payload + (1 + blocksAhead) * blockCapacity(of: chunks) * MemoryLayout<Event>.stride
    }

    /// Fills `block` with the next events, then marks it ready.
    func fill(_ block: EventBlock, loader: PayloadLoader) {
        defer { block.markReady() }
        let capacity = block.capacity
        while block.count < capacity {
            if decoder == nil {
                guard nextChunk < chunks.count else {
                    block.endOfStream = true
                    return
                }
                let chunk = chunks[nextChunk]
                nextChunk += 1
                do throws(TraceFormatError) {
                    if let problem = try loader.load(chunk, into: &payload) {
                        block.finishedChunks.append((chunk, problem))
                        continue
                    }
                } catch {
                    block.ioError = error
                    block.endOfStream = true
                    return
                }
                let header = chunk.header
                decoder = ChunkDecoder(
                    thread: thread, firstTimestamp: header.firstTimestamp, declaredEvents: Int(header.itemCount),
                    layout: header.type.recordLayout)
                active = chunk
            }
            let room = capacity - block.count
            let written = payload.withUnsafeBytes { decoder!.decode($0, into: block.events + block.count, capacity: room) }
            block.count += written
            if written < room, let chunk = active, let finished = decoder {
                // The payload is exhausted or malformed: this chunk is done.
                var problem: ChunkProblem?
                if let failure = finished.failure {
                    problem = ChunkProblem(
                        kind: .malformedPayload,
                        message: "events payload is malformed (\(failure)); kept the \(finished.decodedEvents) event\(finished.decodedEvents == 1 ? "" : "s") before it",
                        wholeChunk: false)
                }
                block.finishedChunks.append((chunk, problem))
                decoder = nil
                active = nil
            }
        }
    }
}

/// Decodes blocks for the merger: on a background thread when `parallel`, so that
/// inflating and decoding overlap with merging and analysis, or inline otherwise.
final class ChunkPipeline: @unchecked Sendable {
    // Invariant: `workerLoader` is used only on `queue` (a serial queue); `inlineLoader`
    // only on the thread that owns the pipeline.
    private let queue = DispatchQueue(label: "schedscope.chunk-decoder")
    private let workerLoader: PayloadLoader
    private let inlineLoader: PayloadLoader
    let parallel: Bool

    init(source: ByteSource, parallel: Bool) {
        workerLoader = PayloadLoader(source: source)
        inlineLoader = PayloadLoader(source: source)
        self.parallel = parallel
    }

    /// Blocks each of `threads` threads keeps submitted ahead of the one being merged: one
    /// when decoding inline (nothing runs ahead), else a share of `blocksInFlight`, at most
    /// eight. With a block or two ahead, the merge waited for the decoder about once in ten
    /// blocks — the decoder works through the threads' blocks in the order they were asked
    /// for, and the merge takes them in whatever order the timestamps say (docs/BENCHMARKS.md,
    /// "Reading ahead").
    func blocksAhead(threads: Int) -> Int {
        guard parallel else { return 1 }
        return max(1, min(8, Self.blocksInFlight / max(1, threads)))
    }

    /// Blocks decoded ahead of the merge, over all threads, when decoding runs ahead: 48
    /// blocks of at most 2,048 events, 4.5 MiB.
    static let blocksInFlight = 48

    /// Starts filling the next block of `stream`; it is ready after `waitUntilReady()`.
    func submit(_ stream: ThreadDecodeStream) -> EventBlock {
        let block = EventBlock(capacity: stream.blockCapacity)
        if parallel {
            let loader = workerLoader
            queue.async { stream.fill(block, loader: loader) }
        } else {
            stream.fill(block, loader: inlineLoader)
        }
        return block
    }
}
