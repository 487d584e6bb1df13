import SchedscopeModel

/// An events-payload encoder written from docs/FORMAT.md §6 alone ("What a writer emits"),
/// as a producer in another language would write it: the tests compare it with
/// `TraceWriter`'s output byte for byte and read its output back.
struct SpecEventEncoder {
    private(set) var payload: [UInt8] = []
    private(set) var eventCount: UInt32 = 0
    let firstTimestamp: UInt64
    private(set) var lastTimestamp: UInt64

    private var time: UInt64
    private var contextProc = ProcID.none
    private var contextTask = TaskID.none
    private var createRegister: UInt64 = 0
    private var startRegister: UInt64 = 0
    private var unparkRegister: UInt64 = 0

    /// Codes of the record table (docs/FORMAT.md §6), by event kind.
    static let codes: [EventKind: UInt64] = [
        .procStart: 0, .procStop: 1, .procSteal: 2, .taskCreate: 3, .taskStart: 4, .taskYield: 5,
        .taskPreempt: 6, .taskPark: 7, .taskUnpark: 8, .taskEnd: 9, .gcBegin: 10, .gcEnd: 11,
        .gcPauseBegin: 12, .gcPauseEnd: 13, .regionBegin: 14, .regionEnd: 15, .log: 16, .lost: 17,
    ]
    /// `task_create` of the id after the create register's.
    static let createNextCode: UInt64 = 18
    /// Short codes (docs/FORMAT.md §6, "Record heads"), by record code.
    static let shortCodes: [UInt64: UInt64] = [4: 0, 7: 1, 8: 2, 18: 3, 9: 4, 5: 5, 2: 6]
    static let contextCode: UInt64 = 24
    static let timeCode: UInt64 = 25

    init(firstTimestamp: UInt64) {
        self.firstTimestamp = firstTimestamp
        lastTimestamp = firstTimestamp
        time = firstTimestamp
    }

    mutating func append(_ event: Event) {
        // 1. time
        var delta: UInt64
        if event.timestamp < time || event.timestamp - time >= 1 << 56 {
            head(delta: 0, code: Self.timeCode)
            payload.appendUnsignedLEB128(event.timestamp)
            delta = 0
        } else {
            delta = event.timestamp - time
        }
        time = event.timestamp
        lastTimestamp = max(lastTimestamp, event.timestamp)

        // 2. context
        var neededProc = event.proc
        var neededTask = event.task
        switch event.kind {
        case .procStart: neededProc = contextProc
        case .taskStart: neededTask = contextTask
        case .taskCreate: neededTask = event.parent
        case .taskUnpark: neededTask = event.waker
        default: break
        }
        if neededProc != contextProc || neededTask != contextTask {
            head(delta: delta, code: Self.contextCode)
            payload.appendUnsignedLEB128(neededProc.isSome ? UInt64(neededProc.rawValue) + 1 : 0)
            payload.appendUnsignedLEB128(neededTask.rawValue)
            contextProc = neededProc
            contextTask = neededTask
            delta = 0
        }

        // 3. the record and its context effect
        let createsNext = event.kind == .taskCreate && event.task.rawValue == createRegister &+ 1
        head(delta: delta, code: createsNext ? Self.createNextCode : Self.codes[event.kind]!)
        switch event.kind {
        case .procStart:
            payload.appendUnsignedLEB128(UInt64(event.proc.rawValue))
            contextProc = event.proc
        case .procStop:
            contextProc = .none
        case .procSteal, .log:
            payload.appendUnsignedLEB128(event.argument1)
            payload.appendUnsignedLEB128(event.argument2)
        case .taskCreate:
            if !createsNext { appendTaskID(event.task.rawValue) }
            createRegister = event.task.rawValue
            payload.appendUnsignedLEB128(event.argument2 << 1 | (event.isRuntimeTask ? 1 : 0))
        case .taskStart:
            appendTaskID(event.task.rawValue)
            startRegister = event.task.rawValue
            contextTask = event.task
        case .taskYield, .taskPreempt, .taskEnd:
            contextTask = .none
        case .taskPark:
            payload.appendUnsignedLEB128(event.argument1)
            contextTask = .none
        case .taskUnpark:
            appendTaskID(event.task.rawValue)
            unparkRegister = event.task.rawValue
        case .gcBegin, .gcEnd, .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd, .lost:
            payload.appendUnsignedLEB128(event.argument1)
        }
        eventCount += 1
    }

    /// "Task ids": the base with the smallest zigzag difference (lowest selector on a tie),
    /// written as the LEB128 of the 66-bit `zigzag << 2 | selector`.
    private mutating func appendTaskID(_ task: UInt64) {
        let bases = [createRegister, startRegister, unparkRegister, contextTask.rawValue]
        let zigzags = bases.map { base in
            let difference = Int64(bitPattern: task &- base)
            return UInt64(bitPattern: difference << 1 ^ difference >> 63)
        }
        let selector = zigzags.indices.min { zigzags[$0] < zigzags[$1] }!
        var value = UInt128(zigzags[selector]) << 2 | UInt128(selector)
        while value >= 0x80 {
            payload.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        payload.append(UInt8(value))
    }

    private mutating func head(delta: UInt64, code: UInt64) {
        if let short = Self.shortCodes[code] {
            payload.appendUnsignedLEB128(delta << 3 | short)
        } else {
            payload.appendUnsignedLEB128((delta << 5 | code) << 3 | 7)
        }
    }
}
