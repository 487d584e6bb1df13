import SchedscopeModel

/// Decodes an event-chunk payload into `Event`s: the codec's read side.
///
/// Resumable: `decode(_:into:capacity:)` fills at most `capacity` events and can be called
/// again to continue, so a reader holds a small window of decoded events per thread rather
/// than a whole chunk. Every read is bounds-checked; malformed input throws with the byte
/// offset inside the payload, and the events decoded before it stay valid.
package struct ChunkDecoder {
    package enum Failure: Error, Equatable {
        case truncatedRecord(offset: Int)
        case unknownCode(UInt8, offset: Int)
        case valueOutOfRange(String, offset: Int)
        case tooManyEvents(declared: Int, offset: Int)
        case tooFewEvents(declared: Int, decoded: Int)
    }

    package let thread: ThreadID
    package let declaredEvents: Int
    package private(set) var position = 0
    package private(set) var decodedEvents = 0
    private var timestamp: UInt64
    private var contextProc = ProcID.none
    private var contextTask = TaskID.none
    private var registers = TaskIDRegisters()

    package init(thread: ThreadID, firstTimestamp: UInt64, declaredEvents: Int) {
        self.thread = thread
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
            try decodeRecords(payload, into: output, capacity: capacity, written: &written)
        } catch {
            failure = error
        }
        return written
    }

    /// The first malformed record met, if any; decoding stops there.
    package private(set) var failure: Failure?

    private mutating func decodeRecords(
        _ payload: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<Event>, capacity: Int,
        written: inout Int
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

        // Reads a task-id argument: the 66-bit LEB128 of `zigzag << 2 | selector`, whose
        // 10th byte holds bits 63–65.
        @inline(__always)
        func taskID() throws(Failure) -> UInt64 {
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
            return registers.decode(zigzag: low >> 2 | high << 62, selector: low & 3, context: contextTask.rawValue)
        }

        @inline(__always)
        func proc(_ value: UInt64, offset: Int) throws(Failure) -> ProcID {
            guard value < UInt64(UInt32.max) else { throw .valueOutOfRange("proc", offset: offset) }
            return ProcID(rawValue: UInt32(value))
        }

        defer { position = p }
        while written < capacity && p < end {
            let recordOffset = p
            let head = try varint()
            let delta = head >> WireCode.bits
            timestamp = timestamp &+ delta
            let rawCode = UInt8(truncatingIfNeeded: head & WireCode.mask)
            guard let code = WireCode(rawValue: rawCode) else {
                throw .unknownCode(rawCode, offset: recordOffset)
            }
            var event = Event(kind: .taskYield, timestamp: timestamp, thread: thread, proc: contextProc, task: contextTask)
            switch code {
            case .procStart:
                let argumentOffset = p
                event.kind = .procStart
                event.proc = try proc(try varint(), offset: argumentOffset)
                contextProc = event.proc
            case .procStop:
                event.kind = .procStop
                contextProc = .none
            case .procSteal:
                event.kind = .procSteal
                let argumentOffset = p
                event.argument1 = UInt64(try proc(try varint(), offset: argumentOffset).rawValue)
                event.argument2 = try varint()
            case .taskCreate:
                event.kind = .taskCreate
                event.argument1 = contextTask.rawValue
                registers.created = try taskID()
                event.task = TaskID(rawValue: registers.created)
                let labelAndFlags = try varint()
                event.argument2 = labelAndFlags >> 1
                event.flags = UInt8(labelAndFlags & 1)
            case .taskStart:
                event.kind = .taskStart
                registers.started = try taskID()
                event.task = TaskID(rawValue: registers.started)
                contextTask = event.task
            case .taskYield:
                contextTask = .none
            case .taskPreempt:
                event.kind = .taskPreempt
                contextTask = .none
            case .taskPark:
                event.kind = .taskPark
                event.argument1 = try varint()
                contextTask = .none
            case .taskUnpark:
                event.kind = .taskUnpark
                event.argument1 = contextTask.rawValue
                registers.unparked = try taskID()
                event.task = TaskID(rawValue: registers.unparked)
            case .taskEnd:
                event.kind = .taskEnd
                contextTask = .none
            case .gcBegin:
                event.kind = .gcBegin
                event.argument1 = try varint()
            case .gcEnd:
                event.kind = .gcEnd
                event.argument1 = try varint()
            case .gcPauseBegin:
                event.kind = .gcPauseBegin
                event.argument1 = try varint()
            case .gcPauseEnd:
                event.kind = .gcPauseEnd
                event.argument1 = try varint()
            case .regionBegin:
                event.kind = .regionBegin
                event.argument1 = try varint()
            case .regionEnd:
                event.kind = .regionEnd
                event.argument1 = try varint()
            case .lost:
                event.kind = .lost
                event.argument1 = try varint()
            case .log:
                event.kind = .log
                event.argument1 = try varint()
                event.argument2 = try varint()
            case .context:
                let argumentOffset = p
                let procPlusOne = try varint()
                contextProc = procPlusOne == 0 ? .none : try proc(procPlusOne - 1, offset: argumentOffset)
                contextTask = TaskID(rawValue: try varint())
                continue
            case .time:
                timestamp = try varint()
                continue
            }
            guard decodedEvents < declaredEvents else {
                throw .tooManyEvents(declared: declaredEvents, offset: recordOffset)
            }
            output[written] = event
            written &+= 1
            decodedEvents &+= 1
        }
        if p >= end && decodedEvents != declaredEvents {
            throw .tooFewEvents(declared: declaredEvents, decoded: decodedEvents)
        }
    }
}
