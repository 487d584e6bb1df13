import SchedscopeModel

/// Where the parser puts the events it maps: a fixed buffer handed to the consumer in
/// batches, as `TraceReader.forEachBatch` does.
final class GoEventSink {
    private let buffer: UnsafeMutablePointer<Event>
    private let capacity: Int
    // The parser owns the sink for one forEachBatch call on one thread.
    private var count = 0
    private let body: (UnsafeBufferPointer<Event>) throws -> Void
    /// Events handed to the consumer so far.
    private(set) var delivered: UInt64 = 0

    init(capacity: Int, body: @escaping (UnsafeBufferPointer<Event>) throws -> Void) {
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        self.body = body
    }

    deinit { buffer.deallocate() }

    /// Whether the next event could overflow (one Go event maps to at most four).
    var isNearlyFull: Bool { count > capacity - 8 }

    @inline(__always)
    func append(_ event: Event) {
        buffer[count] = event
        count += 1
    }

    func flush() throws {
        guard count > 0 else { return }
        let batch = UnsafeBufferPointer(start: buffer, count: count)
        delivered += UInt64(count)
        count = 0
        try body(batch)
    }
}
