import SchedscopeModel

/// Encodes one thread's events into an event-chunk payload: the codec's write side.
///
/// It mirrors the decoder's state (current time, context P and task, the task-id
/// registers) so that it can leave out everything the decoder can infer, and emits a
/// `context` or `time` record only when an event does not follow from that state.
/// The state resets at every chunk boundary, which keeps chunks independently decodable.
package struct ThreadChunkEncoder {
    package let thread: ThreadID
    package private(set) var payload = PayloadBuffer(capacity: 64 << 10)
    package private(set) var eventCount: UInt32 = 0
    package private(set) var firstTimestamp: UInt64 = 0
    package private(set) var maxTimestamp: UInt64 = 0
    /// Number of event chunks this thread has written (the next chunk's sequence number).
    package var nextSequence: UInt32 = 0

    private var lastTimestamp: UInt64 = 0
    private var contextProc = ProcID.none
    private var contextTask = TaskID.none
    private var registers = TaskIDRegisters()

    package init(thread: ThreadID) { self.thread = thread }

    package var isEmpty: Bool { eventCount == 0 }

    /// Clears the payload and the decoder-mirroring state for the next chunk.
    package mutating func startNextChunk() {
        payload.removeAll()
        eventCount = 0
        lastTimestamp = 0
        contextProc = .none
        contextTask = .none
        registers = TaskIDRegisters()
        nextSequence &+= 1
    }

    /// The most bytes one event can take: a `time` record (head and a 10-byte timestamp),
    /// a `context` record (head, P + 1, task) and the event (head, two 10-byte arguments).
    private static let maxEventBytes = 12 + 22 + 30

    /// Appends one event to the payload.
    /// - Returns: the payload's size afterwards (so that a caller in another module learns
    ///   when the chunk is full without a second call).
    @discardableResult
    package mutating func append(_ event: Event) -> Int {
        var cursor = payload.reserve(Self.maxEventBytes)
        let timestamp = event.timestamp
        if eventCount == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
            lastTimestamp = timestamp
        }
        var delta: UInt64
        if timestamp >= lastTimestamp && timestamp - lastTimestamp <= RecordLayout.maxDelta {
            delta = timestamp - lastTimestamp
        } else {
            cursor = Self.putHead(delta: 0, .time, at: cursor)
            cursor = PayloadBuffer.putVarint(timestamp, at: cursor)
            delta = 0
        }
        lastTimestamp = timestamp
        if timestamp > maxTimestamp { maxTimestamp = timestamp }

        var code = WireCode(event.kind)
        if code == .taskCreate && event.task.rawValue == registers.created &+ 1 { code = .taskCreateNext }
        let requiredProc = code == .procStart ? contextProc : event.proc
        let requiredTask: TaskID
        switch code {
        case .taskCreate, .taskCreateNext: requiredTask = event.parent
        case .taskStart: requiredTask = contextTask
        case .taskUnpark: requiredTask = event.waker
        default: requiredTask = event.task
        }
        if requiredProc != contextProc || requiredTask != contextTask {
            cursor = Self.putHead(delta: delta, .context, at: cursor)
            cursor = PayloadBuffer.putVarint(requiredProc.isSome ? UInt64(requiredProc.rawValue) + 1 : 0, at: cursor)
            cursor = PayloadBuffer.putVarint(requiredTask.rawValue, at: cursor)
            contextProc = requiredProc
            contextTask = requiredTask
            delta = 0
        }

        cursor = Self.putHead(delta: delta, code, at: cursor)
        switch code {
        case .procStart:
            cursor = PayloadBuffer.putVarint(UInt64(event.proc.rawValue), at: cursor)
            contextProc = event.proc
        case .procStop:
            contextProc = .none
        case .procSteal:
            cursor = PayloadBuffer.putVarint(event.argument1, at: cursor)
            cursor = PayloadBuffer.putVarint(event.argument2, at: cursor)
        case .taskCreate:
            cursor = putTaskID(event.task, at: cursor)
            registers.created = event.task.rawValue
            cursor = PayloadBuffer.putVarint(event.argument2 << 1 | UInt64(event.flags & Event.Flags.runtimeTask), at: cursor)
        case .taskCreateNext:
            registers.created = event.task.rawValue
            cursor = PayloadBuffer.putVarint(event.argument2 << 1 | UInt64(event.flags & Event.Flags.runtimeTask), at: cursor)
        case .taskStart:
            cursor = putTaskID(event.task, at: cursor)
            registers.started = event.task.rawValue
            contextTask = event.task
        case .taskYield, .taskPreempt, .taskEnd:
            contextTask = .none
        case .taskPark:
            cursor = PayloadBuffer.putVarint(event.argument1, at: cursor)
            contextTask = .none
        case .taskUnpark:
            cursor = putTaskID(event.task, at: cursor)
            registers.unparked = event.task.rawValue
        case .gcBegin, .gcEnd, .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd, .lost:
            cursor = PayloadBuffer.putVarint(event.argument1, at: cursor)
        case .log:
            cursor = PayloadBuffer.putVarint(event.argument1, at: cursor)
            cursor = PayloadBuffer.putVarint(event.argument2, at: cursor)
        case .context, .time:
            preconditionFailure("state records are not events")
        }
        payload.commit(cursor)
        eventCount += 1
        return payload.count
    }

    @inline(__always)
    private func putTaskID(_ task: TaskID, at cursor: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let coded = registers.encode(task.rawValue, context: contextTask.rawValue)
        return PayloadBuffer.putTaskID(zigzag: coded.zigzag, selector: coded.selector, at: cursor)
    }

    @inline(__always)
    private static func putHead(delta: UInt64, _ code: WireCode, at cursor: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        PayloadBuffer.putVarint(RecordLayout.compactHead(delta: delta, code), at: cursor)
    }
}
