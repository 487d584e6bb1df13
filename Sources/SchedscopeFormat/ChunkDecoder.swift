import SchedscopeModel

/// Decodes an event-chunk payload into `Event`s: the codec's read side.
///
/// Resumable: `decode(_:into:capacity:)` fills at most `capacity` events and can be called
/// again to continue, so a reader holds a small window of decoded events per thread rather
/// than a whole chunk. Every read is bounds-checked; malformed input throws with the byte
/// offset inside the payload, and the events decoded before it stay valid.
package struct ChunkDecoder {
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case truncatedRecord(offset: Int)
        case unknownCode(UInt8, offset: Int)
        case valueOutOfRange(String, offset: Int)
        case tooManyEvents(declared: Int, offset: Int)
        case tooFewEvents(declared: Int, decoded: Int)

        /// In damage messages: what is wrong, and where in the decoded payload.
        package var description: String {
            switch self {
            case .truncatedRecord(let offset): "a record is cut off at payload byte \(offset)"
            case .unknownCode(let code, let offset): "unknown record code \(code) at payload byte \(offset)"
            case .valueOutOfRange(let what, let offset): "\(what) out of range at payload byte \(offset)"
            case .tooManyEvents(let declared, let offset):
                "more records than the \(declared) events the chunk header declares, from payload byte \(offset)"
            case .tooFewEvents(let declared, let decoded): "\(decoded) events where the chunk header declares \(declared)"
            }
        }
    }

    package let thread: ThreadID
    package let declaredEvents: Int
    /// How record heads are laid out: set by the chunk's type.
    package let layout: RecordLayout
    package private(set) var position = 0
    package private(set) var decodedEvents = 0
    private var timestamp: UInt64
    private var contextProc = ProcID.none
    private var contextTask = TaskID.none
    private var registers = TaskIDRegisters()

    package init(thread: ThreadID, firstTimestamp: UInt64, declaredEvents: Int, layout: RecordLayout) {
        self.thread = thread
        self.layout = layout
        self.timestamp = firstTimestamp
        self.declaredEvents = declaredEvents
    }

    package var isFinished: Bool { decodedEvents == declaredEvents }

    /// Decodes up to `capacity` more events from `payload` (the whole decoded payload,
    /// the same buffer on every call) into `output`.
    /// - Returns: the number of events written; 0 once the payload is exhausted or a
    ///   failure was met. At the first malformed record `failure` is set; the events written
    ///   before it remain valid and are counted in the return value and `decodedEvents`.
    package mutating func decode(
        _ payload: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<Event>, capacity: Int
    ) -> Int {
        guard failure == nil else { return 0 }
        var written = 0
        do {
            // One copy of the loop per layout, each with its layout a constant.
            switch layout {
            case .shortCodes: try decodeRecords(payload, into: output, capacity: capacity, written: &written, .shortCodes)
            case .fiveBitCodes: try decodeRecords(payload, into: output, capacity: capacity, written: &written, .fiveBitCodes)
            }
        } catch {
            failure = error
        }
        return written
    }

    /// The first malformed record met, if any; decoding stops there.
    package private(set) var failure: Failure?

    @inline(__always)
    private mutating func decodeRecords(
        _ payload: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<Event>, capacity: Int,
        written: inout Int, _ layout: RecordLayout
    ) throws(Failure) {
        guard let base = payload.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            if declaredEvents != decodedEvents {
                throw .tooFewEvents(declared: declaredEvents, decoded: decodedEvents)
            }
            return
        }
        let end = payload.count
        var p = position
        let thread = self.thread

        // Reads an unsigned LEB128 at p; fast path for one byte.
        @inline(__always)
        func varint() throws(Failure) -> UInt64 {
            guard p < end else { throw .truncatedRecord(offset: p) }
            let first = base[p]
            p &+= 1
            if first < 0x80 { return UInt64(first) }
            var value = UInt64(first & 0x7F)
            var shift: UInt64 = 7
            while true {
                guard p < end else { throw .truncatedRecord(offset: p) }
                let byte = base[p]
                p &+= 1
                if shift == 63 && byte > 1 { throw .valueOutOfRange("varint", offset: p - 1) }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift &+= 7
                if shift > 63 { throw .valueOutOfRange("varint", offset: p - 1) }
            }
        }

        // Reads a record head: an unsigned LEB128 without a branch on its length when it has
        // at most four bytes and four bytes are left. Heads are two or three bytes long in
        // no predictable order (a scheduler's time deltas straddle the boundary), and the
        // byte loop's exit mispredicted about every other record. The stop byte is the first
        // with its top bit clear; the bytes up to it are kept and their 7-bit groups gathered.
        @inline(__always)
        func head() throws(Failure) -> UInt64 {
            if _fastPath(p &+ 4 <= end) {
                let word = UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self))
                let stops = ~word & 0x8080_8080
                if _fastPath(stops != 0) {
                    p &+= (stops.trailingZeroBitCount &+ 1) &>> 3
                    let x = word & (stops ^ (stops &- 1)) & 0x7F7F_7F7F
                    let pairs = x & 0x007F_007F | (x & 0x7F00_7F00) &>> 1
                    return UInt64(pairs & 0x3FFF | (pairs & 0x3FFF_0000) &>> 2)
                }
            }
            return try varint()
        }

        // Reads a task-id argument: the 66-bit LEB128 of `zigzag << 2 | selector`, whose
        // 10th byte holds bits 63–65.
        @inline(__always)
        func taskIDValue() throws(Failure) -> (UInt64, UInt64) {
            guard p < end else { throw .truncatedRecord(offset: p) }
            let first = base[p]
            p &+= 1
            var low = UInt64(first & 0x7F)
            var high: UInt64 = 0
            if first >= 0x80 {
                var shift: UInt64 = 7
                while true {
                    guard p < end else { throw .truncatedRecord(offset: p) }
                    let byte = base[p]
                    p &+= 1
                    if shift == 63 {
                        guard byte <= 7 else { throw .valueOutOfRange("task id", offset: p - 1) }
                        low |= UInt64(byte & 1) << 63
                        high = UInt64(byte >> 1)
                        break
                    }
                    low |= UInt64(byte & 0x7F) << shift
                    if byte < 0x80 { break }
                    shift &+= 7
                }
            }
            return (low >> 2 | high << 62, low & 3)
        }

        @inline(__always)
        func proc(_ value: UInt64, offset: Int) throws(Failure) -> ProcID {
            guard value < UInt64(UInt32.max) else { throw .valueOutOfRange("proc", offset: offset) }
            return ProcID(rawValue: UInt32(value))
        }

        // The decoder state lives in locals for the loop (registers, not memory) and is
        // written back however the loop ends.
        var time = timestamp
        var contextProc = self.contextProc
        var contextTask = self.contextTask
        var registers = self.registers
        var decoded = decodedEvents
        let declared = declaredEvents
        defer {
            position = p
            timestamp = time
            self.contextProc = contextProc
            self.contextTask = contextTask
            self.registers = registers
            decodedEvents = decoded
        }

        @inline(__always)
        func taskID() throws(Failure) -> UInt64 {
            let (zigzag, selector) = try taskIDValue()
            return registers.decode(zigzag: zigzag, selector: selector, context: contextTask.rawValue)
        }

        while written < capacity && p < end {
            if layout == .shortCodes {
                // Most records go through the fast lane; it stops before any it does not
                // take, and the loop below decodes that one.
                let limit = min(capacity &- written, declared &- decoded)
                if limit > 0 {
                    var state = ShortRunState(position: p, time: time, contextTask: contextTask.rawValue, registers: registers)
                    let count = Self.decodeShortRun(
                        base, end: end, state: &state, thread: thread, proc: contextProc,
                        into: output + written, limit: limit)
                    p = state.position
                    time = state.time
                    contextTask = TaskID(rawValue: state.contextTask)
                    registers = state.registers
                    written &+= count
                    decoded &+= count
                    guard written < capacity && p < end else { break }
                }
            }
            let recordOffset = p
            let (delta, rawCode) = layout.split(try head())
            time = time &+ delta
            // The event is built in place, in its output slot: held as a local until the
            // end of the record, its eight fields took registers that the loop lacks, and
            // the spills cost more than the stores. The slot is inside the output (`written
            // < capacity`) and counts only once the record is complete.
            let event = output + written
            event.pointee = Event(kind: .taskYield, timestamp: time, thread: thread, proc: contextProc, task: contextTask)
            // A switch on the raw code (one jump table); the numbers are `WireCode`'s, which
            // the spec-conformance tests hold to docs/FORMAT.md.
            switch rawCode {
            case 0:  // proc_start
                let argumentOffset = p
                event.pointee.kind = .procStart
                event.pointee.proc = try proc(try varint(), offset: argumentOffset)
                contextProc = event.pointee.proc
            case 1:  // proc_stop
                event.pointee.kind = .procStop
                contextProc = .none
            case 2:  // proc_steal
                event.pointee.kind = .procSteal
                let argumentOffset = p
                event.pointee.argument1 = UInt64(try proc(try varint(), offset: argumentOffset).rawValue)
                event.pointee.argument2 = try varint()
            case 3:  // task_create
                event.pointee.kind = .taskCreate
                event.pointee.argument1 = contextTask.rawValue
                registers.created = try taskID()
                event.pointee.task = TaskID(rawValue: registers.created)
                let labelAndFlags = try varint()
                event.pointee.argument2 = labelAndFlags >> 1
                event.pointee.flags = UInt8(labelAndFlags & 1)
            case 18 where layout == .shortCodes:  // task_create_next
                // Its own case rather than sharing task_create's: merged, with a test of the
                // code inside, the loop cost 3 more instructions per event (callgrind).
                event.pointee.kind = .taskCreate
                event.pointee.argument1 = contextTask.rawValue
                registers.created &+= 1
                event.pointee.task = TaskID(rawValue: registers.created)
                let labelAndFlags = try varint()
                event.pointee.argument2 = labelAndFlags >> 1
                event.pointee.flags = UInt8(labelAndFlags & 1)
            case 4:  // task_start
                event.pointee.kind = .taskStart
                registers.started = try taskID()
                event.pointee.task = TaskID(rawValue: registers.started)
                contextTask = event.pointee.task
            case 5:  // task_yield
                contextTask = .none
            case 6:  // task_preempt
                event.pointee.kind = .taskPreempt
                contextTask = .none
            case 7:  // task_park
                event.pointee.kind = .taskPark
                event.pointee.argument1 = try varint()
                contextTask = .none
            case 8:  // task_unpark
                event.pointee.kind = .taskUnpark
                event.pointee.argument1 = contextTask.rawValue
                registers.unparked = try taskID()
                event.pointee.task = TaskID(rawValue: registers.unparked)
            case 9:  // task_end
                event.pointee.kind = .taskEnd
                contextTask = .none
            case 10:  // gc_begin
                event.pointee.kind = .gcBegin
                event.pointee.argument1 = try varint()
            case 11:  // gc_end
                event.pointee.kind = .gcEnd
                event.pointee.argument1 = try varint()
            case 12:  // gc_pause_begin
                event.pointee.kind = .gcPauseBegin
                event.pointee.argument1 = try varint()
            case 13:  // gc_pause_end
                event.pointee.kind = .gcPauseEnd
                event.pointee.argument1 = try varint()
            case 14:  // region_begin
                event.pointee.kind = .regionBegin
                event.pointee.argument1 = try varint()
            case 15:  // region_end
                event.pointee.kind = .regionEnd
                event.pointee.argument1 = try varint()
            case 16:  // log
                event.pointee.kind = .log
                event.pointee.argument1 = try varint()
                event.pointee.argument2 = try varint()
            case 17:  // lost
                event.pointee.kind = .lost
                event.pointee.argument1 = try varint()
            case 24:  // context
                let argumentOffset = p
                let procPlusOne = try varint()
                contextProc = procPlusOne == 0 ? .none : try proc(procPlusOne - 1, offset: argumentOffset)
                contextTask = TaskID(rawValue: try varint())
                continue
            case 25:  // time
                time = try varint()
                continue
            default:
                throw .unknownCode(rawCode, offset: recordOffset)
            }
            guard decoded < declared else {
                throw .tooManyEvents(declared: declared, offset: recordOffset)
            }
            written &+= 1
            decoded &+= 1
        }
        if p >= end && decoded != declared {
            throw .tooFewEvents(declared: declared, decoded: decoded)
        }
    }
}
