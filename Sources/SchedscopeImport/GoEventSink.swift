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
    /// Receives each batch, with the string table when strings were added since the last
    /// batch (the parallel import hands it to the consuming thread).
    private let body: (UnsafeBufferPointer<Event>, StringTable?) throws -> Void
    private var stringCount: UInt32 = 0
    /// Events handed to the consumer so far.
    private(set) var delivered: UInt64 = 0

    init(capacity: Int, body: @escaping (UnsafeBufferPointer<Event>, StringTable?) throws -> Void) {
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

    /// Hands the buffered events to the consumer. `strings` is the table they refer to;
    /// `stringCount` changes when it grew.
    func flush(_ strings: StringTable, stringCount: UInt32) throws {
        guard count > 0 else { return }
        let batch = UnsafeBufferPointer(start: buffer, count: count)
        delivered += UInt64(count)
        count = 0
        let grew = stringCount != self.stringCount
        self.stringCount = stringCount
        try body(batch, grew ? strings : nil)
    }
}
