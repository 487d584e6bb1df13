import SchedscopeModel

/// Where the parser puts the events it maps: a fixed buffer handed to the consumer in
/// batches, as `TraceReader.forEachBatch` does.
final class GoEventSink {
    /// The buffer and its fill level, which `Emitter` writes through directly (no
    /// reference counting on the per-event path). The parser owns the sink for one
    /// forEachBatch call on one thread.
    let buffer: UnsafeMutablePointer<Event>
    let fill: UnsafeMutablePointer<Int>
    private let capacity: Int
    private var count: Int {
        get { fill.pointee }
        set { fill.pointee = newValue }
    }
    private let body: (UnsafeBufferPointer<Event>) throws -> Void
    /// Events handed to the consumer so far.
    private(set) var delivered: UInt64 = 0

    init(capacity: Int, body: @escaping (UnsafeBufferPointer<Event>) throws -> Void) {
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        fill = .allocate(capacity: 1)
        fill.initialize(to: 0)
        self.body = body
    }

    deinit {
        buffer.deallocate()
        fill.deallocate()
    }

    /// Whether the next event could overflow (one Go event maps to at most four).
    var isNearlyFull: Bool { count > capacity - 8 }

    func flush() throws {
        guard count > 0 else { return }
        let batch = UnsafeBufferPointer(start: buffer, count: count)
        delivered += UInt64(count)
        count = 0
        try body(batch)
    }
}
