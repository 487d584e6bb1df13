import SchedscopeModel

/// Encodes one thread's events into an event-chunk payload: the codec's write side.
///
/// It mirrors the decoder's state (current time, context P and task, the task-id
/// registers) so that it can leave out everything the decoder can infer, and emits a
/// `context` or `time` record only when an event does not follow from that state.
/// The state resets at every chunk boundary, which keeps chunks independently decodable.
package struct ThreadChunkEncoder {
    package let thread: ThreadID
    package private(set) var payload = ByteWriter(capacity: 1 << 16)
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

    /// Largest time step the head can carry: `delta << 5` must fit in 64 bits.
    private static let maxDelta: UInt64 = 1 << 58

    package mutating func append(_ event: Event) {
        let timestamp = event.timestamp
        if eventCount == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
            lastTimestamp = timestamp
        }
        var delta: UInt64
        if timestamp >= lastTimestamp && timestamp - lastTimestamp < Self.maxDelta {
            delta = timestamp - lastTimestamp
        } else {
            appendHead(delta: 0, .time)
            payload.appendVarint(timestamp)
            delta = 0
        }
        lastTimestamp = timestamp
        if timestamp > maxTimestamp { maxTimestamp = timestamp }

        let code = WireCode(event.kind)
        let requiredProc = code == .procStart ? contextProc : event.proc
        let requiredTask: TaskID
        switch code {
        case .taskCreate: requiredTask = event.parent
        case .taskStart: requiredTask = contextTask
        case .taskUnpark: requiredTask = event.waker
        default: requiredTask = event.task
        }
        if requiredProc != contextProc || requiredTask != contextTask {
            appendHead(delta: delta, .context)
            payload.appendVarint(requiredProc.isSome ? UInt64(requiredProc.rawValue) + 1 : 0)
            payload.appendVarint(requiredTask.rawValue)
            contextProc = requiredProc
            contextTask = requiredTask
            delta = 0
        }

        appendHead(delta: delta, code)
        switch code {
        case .procStart:
            payload.appendVarint(UInt64(event.proc.rawValue))
            contextProc = event.proc
        case .procStop:
            contextProc = .none
        case .procSteal:
            payload.appendVarint(event.argument1)
            payload.appendVarint(event.argument2)
        case .taskCreate:
            appendTaskID(event.task)
            registers.created = event.task.rawValue
            payload.appendVarint(event.argument2 << 1 | UInt64(event.flags & Event.Flags.runtimeTask))
        case .taskStart:
            appendTaskID(event.task)
            registers.started = event.task.rawValue
            contextTask = event.task
        case .taskYield, .taskPreempt, .taskEnd:
            contextTask = .none
        case .taskPark:
            payload.appendVarint(event.argument1)
            contextTask = .none
        case .taskUnpark:
            appendTaskID(event.task)
            registers.unparked = event.task.rawValue
        case .gcBegin, .gcEnd, .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd, .lost:
            payload.appendVarint(event.argument1)
        case .log:
            payload.appendVarint(event.argument1)
            payload.appendVarint(event.argument2)
        case .context, .time:
            preconditionFailure("state records are not events")
        }
        eventCount += 1
    }

    @inline(__always)
    private mutating func appendTaskID(_ task: TaskID) {
        let coded = registers.encode(task.rawValue, context: contextTask.rawValue)
        payload.appendTaskID(zigzag: coded.zigzag, selector: coded.selector)
    }

    @inline(__always)
    private mutating func appendHead(delta: UInt64, _ code: WireCode) {
        payload.appendVarint(delta << WireCode.bits | UInt64(code.rawValue))
    }
}
