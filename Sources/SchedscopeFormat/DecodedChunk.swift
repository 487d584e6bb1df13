import Dispatch
import SchedscopeModel

/// One event chunk decoded to events, by the decoding worker or inline.
///
/// `@unchecked Sendable` invariant: every stored property is written only by the thread
/// that decodes the chunk, before it signals `ready`; the merging thread reads them only
/// after `waitUntilReady()`.
final class DecodedChunk: @unchecked Sendable {
    let location: ChunkLocation
    private(set) var events: UnsafeMutablePointer<Event>?
    private(set) var count = 0
    private(set) var problem: ChunkProblem?
    private(set) var ioError: TraceFormatError?
    private let ready = DispatchSemaphore(value: 0)

    init(_ location: ChunkLocation) { self.location = location }

    deinit { events?.deallocate() }

    /// Bytes a decoded chunk of this header occupies.
    static func footprint(_ header: ChunkHeader) -> Int {
        Int(header.itemCount) * MemoryLayout<Event>.stride
    }

    /// Loads and decodes the chunk, then marks it ready. Runs on the decoding thread.
    func decode(with loader: PayloadLoader) {
        defer { ready.signal() }
        let header = location.header
        do throws(TraceFormatError) {
            if let problem = try loader.load(location) {
                self.problem = problem
                return
            }
        } catch {
            ioError = error
            return
        }
        let capacity = Int(header.itemCount)
        let buffer = UnsafeMutablePointer<Event>.allocate(capacity: max(capacity, 1))
        events = buffer
        var decoder = ChunkDecoder(
            thread: ThreadID(rawValue: header.thread), firstTimestamp: header.firstTimestamp, declaredEvents: capacity)
        count = loader.decoded.withUnsafeBytes { payload in
            let count = decoder.decode(payload, into: buffer, capacity: capacity)
            // The declared events are in; what follows may hold state records only. Decoding
            // on meets an extra event record as `tooManyEvents` before it writes anything.
            if decoder.failure == nil && count == capacity {
                withUnsafeTemporaryAllocation(of: Event.self, capacity: 1) { spare in
                    _ = decoder.decode(payload, into: spare.baseAddress!, capacity: 1)
                }
            }
            return count
        }
        if let failure = decoder.failure {
            problem = ChunkProblem(
                kind: .malformedPayload,
                message: "events payload is malformed (\(failure)); kept the \(count) events before it",
                wholeChunk: false)
        } else if count < capacity {
            problem = ChunkProblem(
                kind: .malformedPayload,
                message: "events payload holds \(count) events, header says \(capacity)", wholeChunk: false)
        }
    }

    func waitUntilReady() { ready.wait() }
}

/// Decodes event chunks for the merger: on a background thread when `parallel`, so that
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

    /// Starts decoding `location`; the result is ready after `waitUntilReady()`.
    func submit(_ location: ChunkLocation) -> DecodedChunk {
        let chunk = DecodedChunk(location)
        if parallel {
            let loader = workerLoader
            queue.async { chunk.decode(with: loader) }
        } else {
            chunk.decode(with: inlineLoader)
        }
        return chunk
    }
}
