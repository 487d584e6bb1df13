import SchedscopeFormat
import SchedscopeModel
import Testing

/// The decoder's fast lane (`ChunkDecoder+ShortRun.swift`) against the spec's producer:
/// a thread's records at every length the lane takes or hands back — heads and arguments
/// of one to ten bytes, every short code, long-form records between them — must decode to
/// the events written, however the decoding is cut into calls.
@Suite("Decoder fast lane: short-coded runs read back exactly")
struct ShortRunTests {
    @Test("EventKind is one byte whose raw values are its cases' indexes (the lane casts a byte to a kind)")
    func kindIsItsRawByte() {
        #expect(MemoryLayout<EventKind>.size == 1)
        for kind in EventKind.allCases {
            #expect(unsafeBitCast(kind.rawValue, to: EventKind.self) == kind)
        }
    }

    @Test("a thread's records decode to the events written, in calls of any capacity", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func roundTrip(seed: UInt64) throws {
        var workload = ThreadWorkload(seed: seed)
        let events = (0..<6_000).map { _ in workload.next() }
        var encoder = SpecEventEncoder(firstTimestamp: events[0].timestamp)
        for event in events { encoder.append(event) }

        var random = SplitMix64(seed: seed &+ 100)
        let decoded = decode(encoder.payload, declared: events.count, firstTimestamp: events[0].timestamp) {
            Int.random(in: 1...64, using: &random)
        }
        #expect(decoded.failure == nil)
        #expect(decoded.events.count == events.count)
        expectPrefix(decoded.events, of: events)
    }

    @Test("a chunk declaring fewer events than it holds stops at the first extra record", arguments: [1, 100, 2_999])
    func declaredCountStopsTheLane(declared: Int) throws {
        var workload = ThreadWorkload(seed: 9)
        let events = (0..<3_000).map { _ in workload.next() }
        var encoder = SpecEventEncoder(firstTimestamp: events[0].timestamp)
        for event in events.prefix(declared) { encoder.append(event) }
        let firstExtraRecordNotBefore = encoder.payload.count
        for event in events.dropFirst(declared) { encoder.append(event) }

        let decoded = decode(encoder.payload, declared: declared, firstTimestamp: events[0].timestamp) { 4_096 }
        #expect(decoded.events.count == declared)
        expectPrefix(decoded.events, of: events)
        guard case .tooManyEvents(declared: declared, let offset) = decoded.failure else {
            Issue.record("expected tooManyEvents, got \(String(describing: decoded.failure))")
            return
        }
        // The extra record starts after the declared events' bytes (a context or time
        // record may come first).
        #expect(offset >= firstExtraRecordNotBefore && offset < encoder.payload.count)
    }

    @Test("a payload cut anywhere decodes to a prefix of its events and reports the cut")
    func cutPayload() throws {
        var workload = ThreadWorkload(seed: 11)
        let events = (0..<400).map { _ in workload.next() }
        var encoder = SpecEventEncoder(firstTimestamp: events[0].timestamp)
        for event in events { encoder.append(event) }
        for length in 0..<encoder.payload.count {
            let decoded = decode(Array(encoder.payload.prefix(length)), declared: events.count, firstTimestamp: events[0].timestamp) { 4_096 }
            expectPrefix(decoded.events, of: events, "cut at \(length)")
            switch decoded.failure {
            case .truncatedRecord(let offset): #expect(offset <= length, "cut at \(length)")
            case .tooFewEvents(declared: events.count, _): break
            default: Issue.record("cut at \(length): \(String(describing: decoded.failure))")
            }
        }
    }

    /// Expects `decoded` to be the first events of `written`, naming the first that is not.
    private func expectPrefix(_ decoded: [Event], of written: [Event], _ context: String = "") {
        #expect(decoded.count <= written.count, "\(context)")
        if let index = decoded.indices.first(where: { $0 < written.count && decoded[$0] != written[$0] }) {
            Issue.record("\(context) event \(index): decoded \(decoded[index]), written \(written[index])")
        }
    }

    /// Decodes `payload` in calls whose capacities `nextCapacity` gives, from a buffer the
    /// payload's exact size (so a read past its end is a read outside the allocation).
    private func decode(
        _ payload: [UInt8], declared: Int, firstTimestamp: UInt64, nextCapacity: () -> Int
    ) -> (events: [Event], failure: ChunkDecoder.Failure?) {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: payload.count, alignment: 1)
        defer { bytes.deallocate() }
        bytes.copyBytes(from: payload)
        var decoder = ChunkDecoder(
            thread: ThreadWorkload.thread, firstTimestamp: firstTimestamp, declaredEvents: declared, layout: .shortCodes)
        var events: [Event] = []
        let output = UnsafeMutablePointer<Event>.allocate(capacity: 64)
        defer { output.deallocate() }
        while true {
            let capacity = min(nextCapacity(), 64)
            let written = decoder.decode(UnsafeRawBufferPointer(bytes), into: output, capacity: capacity)
            events += UnsafeBufferPointer(start: output, count: written)
            if written < capacity { break }
        }
        return (events, decoder.failure)
    }
}

/// One scheduler thread's events: mostly the short-coded task records, with long-form ones
/// among them, and values drawn across the byte lengths of their varints.
private struct ThreadWorkload {
    static let thread = ThreadID(rawValue: 3)
    private static let proc = ProcID(2)
    private var random: SplitMix64
    private var time: UInt64 = 1_000
    private var running = TaskID.none
    private var lastCreated: UInt64 = 100
    private var recent: [UInt64] = [101, 102, 103]
    private var started = false

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> Event {
        time &+= delta()
        guard started else {
            started = true
            return Event(kind: .procStart, timestamp: time, thread: Self.thread, proc: Self.proc)
        }
        let roll = Int.random(in: 0..<100, using: &random)
        if running == .none {
            switch roll {
            case 0..<80:
                running = TaskID(rawValue: someTask())
                return event(.taskStart, task: running)
            case 80..<88: return unpark()
            case 88..<94: return event(.procSteal, task: .none, argument1: victim(), argument2: value())
            default: return event(.gcBegin, task: .none, argument1: value())
            }
        }
        switch roll {
        case 0..<22: return leave(.taskPark, argument1: value())
        case 22..<36: return leave(.taskEnd)
        case 36..<48: return leave(.taskYield)
        case 48..<51: return leave(.taskPreempt)
        case 51..<70:
            let child = Int.random(in: 0..<5, using: &random) == 0 ? UInt64.random(in: 1...UInt64.max, using: &random) : lastCreated &+ 1
            lastCreated = child
            recent.append(child)
            return event(.taskCreate, task: TaskID(rawValue: child), argument1: running.rawValue,
                         argument2: value() >> 1, flags: Bool.random(using: &random) ? 1 : 0)
        case 70..<90: return unpark()
        case 90..<94: return event(.procSteal, task: running, argument1: victim(), argument2: value())
        default: return event(.regionBegin, task: running, argument1: value())
        }
    }

    private mutating func leave(_ kind: EventKind, argument1: UInt64 = 0) -> Event {
        defer { running = .none }
        return event(kind, task: running, argument1: argument1)
    }

    private mutating func unpark() -> Event {
        event(.taskUnpark, task: TaskID(rawValue: someTask()), argument1: running.rawValue)
    }

    private func event(_ kind: EventKind, task: TaskID, argument1: UInt64 = 0, argument2: UInt64 = 0, flags: UInt8 = 0) -> Event {
        Event(kind: kind, timestamp: time, thread: Self.thread, proc: Self.proc, task: task,
              argument1: argument1, argument2: argument2, flags: flags)
    }

    /// A task id: a recent one, or one near or far from every register.
    private mutating func someTask() -> UInt64 {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return UInt64.random(in: 1...UInt64.max, using: &random)
        case 1: return recent.randomElement(using: &random)! &+ UInt64.random(in: 0...(1 << 30), using: &random)
        default: return recent[max(0, recent.count - Int.random(in: 1...8, using: &random))]
        }
    }

    /// A time step: mostly a scheduler's 0.1–3 µs, sometimes at a head's byte boundaries.
    private mutating func delta() -> UInt64 {
        if Int.random(in: 0..<4, using: &random) > 0 { return UInt64.random(in: 100...3_000, using: &random) }
        let boundaries: [UInt64] = [0, 1, 15, 16, 2_047, 2_048, 262_143, 262_144, 33_554_431, 33_554_432, 1 << 40]
        return boundaries.randomElement(using: &random)!
    }

    /// A steal's victim: mostly one of eight Ps, sometimes at a varint byte boundary up to
    /// the largest proc (five bytes, past what the lane decodes itself).
    private mutating func victim() -> UInt64 {
        if Int.random(in: 0..<3, using: &random) > 0 { return UInt64.random(in: 0...7, using: &random) }
        let boundaries: [UInt64] = [127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, UInt64(UInt32.max) - 1]
        return boundaries.randomElement(using: &random)!
    }

    /// An argument (reason, label, count) at one of the varint byte boundaries.
    private mutating func value() -> UInt64 {
        let boundaries: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 1 << 50, UInt64.max >> 1]
        return boundaries.randomElement(using: &random)!
    }
}
