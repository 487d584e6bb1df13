import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Round trip: what TraceWriter writes, TraceReader gives back")
struct RoundTripTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let layouts: [SampleTrace.Layout] = [.tiny, .standard]
    static let monotonic = EventScript.Shape(threadCount: 6, eventCount: 3_000, timeGoesBackwards: false)
    static let backwards = EventScript.Shape(threadCount: 5, eventCount: 3_000, timeGoesBackwards: true)

    @Test("the scripts cover every kind, flag, time step and task id corner")
    func scriptsCoverTheCodec() {
        let coverage = EventScript.Coverage(EventScript.events(seed: 1, shape: Self.backwards, strings: [StringID(1)]))
        #expect(coverage.kinds == Set(EventKind.allCases))
        #expect(coverage.runtimeTaskCreates > 0)
        #expect(coverage.largestHeadDeltaSteps > 0)
        #expect(coverage.oversizedSteps > 0)
        #expect(coverage.backwardSteps > 0)
        #expect(coverage.timestampTies > 0)
        #expect(coverage.taskIDsNearMax > 0)
        for seed in Self.seeds {
            let monotonic = EventScript.Coverage(EventScript.events(seed: seed, shape: Self.monotonic, strings: [StringID(1)]))
            #expect(monotonic.kinds == Set(EventKind.allCases))
            #expect(monotonic.backwardSteps == 0)
            #expect(monotonic.oversizedSteps > 0 && monotonic.largestHeadDeltaSteps > 0)
        }
    }

    @Test("every event comes back, merged by (timestamp, thread) per generation, decoded inline or in the background",
          arguments: seeds, [Int32(0), 1])
    func eventsComeBackInMergeOrder(seed: UInt64, compressionLevel: Int32) throws {
        for layout in Self.layouts {
            let trace = try SampleTrace.make(seed: seed, shape: Self.monotonic, layout: layout, compressionLevel: compressionLevel)
            let layoutOnDisk = try TraceLayout(parsing: trace.bytes)
            let outcome = try ReadOutcome.read(trace.bytes, parallel: seed % 2 == 0)

            #expect(outcome.events.count == trace.events.count, "\(layout)")
            expectSameEvents(outcome.events, ExpectedEvents(layout: layoutOnDisk, events: trace.events).merged(), "\(layout)")
            expectSamePerThreadOrder(outcome.events, trace.events, "\(layout)")
            #expect(zip(outcome.events, outcome.events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }, "\(layout)")
            #expect(!outcome.report.isDamaged, "\(outcome.report.damages)")
            #expect(outcome.report.chunksRead == layoutOnDisk.chunks.count)
            #expect(outcome.report.chunksCorrupt == 0)
            #expect(outcome.report.eventsRead == UInt64(trace.events.count))
            #expect(outcome.report.generations == layoutOnDisk.generations.count)
            #expect(outcome.report.bytesLost == 0)
            #expect(outcome.info == SampleTrace.info)
            #expect(trace.summary.events == UInt64(trace.events.count))
            #expect(trace.summary.chunks == layoutOnDisk.chunks.count)
            #expect(trace.summary.fileBytes == UInt64(trace.bytes.count))
        }
    }

    @Test("small chunks and generations really make many of each, in generation order", arguments: [Int32(0), 1])
    func tinyLayoutMakesManyGenerations(compressionLevel: Int32) throws {
        let trace = try SampleTrace.make(seed: 9, shape: Self.monotonic, layout: .tiny, compressionLevel: compressionLevel)
        let layout = try TraceLayout(parsing: trace.bytes)
        #expect(layout.generations.count >= 5)
        #expect(layout.eventChunks.count >= 20)
        #expect(layout.chunks.contains { $0.isStrings })
        // Every chunk of generation N precedes those of N + 1.
        #expect(zip(layout.chunks, layout.chunks.dropFirst()).allSatisfy { $0.generation <= $1.generation })
        // Level 0 stores every chunk; level 1 compresses, but stores what would not shrink.
        let encodings = Set(layout.chunks.map(\.encoding))
        #expect(encodings.contains(compressionLevel == 0 ? ChunkLayout.storedEncoding : ChunkLayout.zlibEncoding))
        #expect(encodings.isSubset(of: compressionLevel == 0 ? [ChunkLayout.storedEncoding] : [ChunkLayout.storedEncoding, ChunkLayout.zlibEncoding]))
    }

    @Test("time that goes backwards keeps each thread's order", arguments: seeds, [Int32(0), 1])
    func backwardsTimeKeepsPerThreadOrder(seed: UInt64, compressionLevel: Int32) throws {
        for layout in Self.layouts {
            let trace = try SampleTrace.make(seed: seed, shape: Self.backwards, layout: layout, compressionLevel: compressionLevel)
            let outcome = try ReadOutcome.read(trace.bytes)
            expectSamePerThreadOrder(outcome.events, trace.events, "\(layout)")
            let expected = ExpectedEvents(layout: try TraceLayout(parsing: trace.bytes), events: trace.events)
            expectSameEvents(outcome.events, expected.merged(), "\(layout)")
            #expect(!outcome.report.isDamaged, "\(outcome.report.damages)")
        }
    }

    @Test("task ids 2^61 or more away from every base keep all 64 bits", arguments: [
        UInt64(1) << 61, UInt64(1) << 62, (UInt64(1) << 62) + (UInt64(1) << 61), UInt64(1) << 63, UInt64.max / 2 + 5,
    ])
    func farTaskIDs(id: UInt64) throws {
        // Every base is 0 at the start of a chunk (registers and context task), so each
        // record's task id is as far from every base as it can be.
        let thread = ThreadID(rawValue: 8)
        let events = [
            Event(kind: .taskStart, timestamp: 1, thread: thread, task: TaskID(id)),
            Event(kind: .taskEnd, timestamp: 2, thread: thread, task: TaskID(id)),
            Event(kind: .taskCreate, timestamp: 3, thread: thread, task: TaskID(id &+ (1 << 62)), argument1: 0),
            Event(kind: .taskUnpark, timestamp: 4, thread: thread, task: TaskID(id &- (1 << 62)), argument1: 0),
        ]
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: SampleTrace.info, options: .init(compressionLevel: 0))
        for event in events { try writer.append(event) }
        try writer.finish()
        let outcome = try ReadOutcome.read(sink.memory)
        #expect(outcome.events == events)
        #expect(!outcome.report.isDamaged)
    }

    @Test("interned and explicitly defined strings resolve to their text", arguments: [Int32(0), 1])
    func stringsResolve(compressionLevel: Int32) throws {
        let trace = try SampleTrace.make(seed: 4, shape: Self.monotonic, layout: .tiny, compressionLevel: compressionLevel)
        let outcome = try ReadOutcome.read(trace.bytes)
        for (value, id) in trace.strings {
            #expect(outcome.strings.isDefined(id), "\(id)")
            #expect(outcome.strings[id] == value, "\(id)")
        }
        #expect(outcome.strings[.empty] == "")
        // Nothing but what was written (and the implicit empty string) is defined.
        #expect(outcome.strings.definedEntries.count == trace.strings.count + 1)
    }

    @Test("equal strings share one id; an id already taken is refused")
    func internIsIdempotent() throws {
        let writer = try TraceWriter(sink: ByteSink(), info: SampleTrace.info)
        let first = writer.intern("mutex")
        #expect(writer.intern("mutex") == first)
        #expect(writer.intern("") == .empty)
        #expect(!writer.defineString(first, "other"))
        #expect(!writer.defineString(StringID(rawValue: FormatLimits.maxStringID + 1), "beyond the cap"))
        #expect(writer.defineString(StringID(rawValue: first.rawValue + 1), "next"))
        #expect(writer.intern("sleep") != StringID(rawValue: first.rawValue + 1))
    }

    @Test("a string longer than the cap is cut at a character boundary")
    func longStringIsCut() throws {
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: SampleTrace.info)
        // "é" is two bytes: an odd prefix length would split the last one.
        let long = "x" + String(repeating: "é", count: FormatLimits.maxStringBytes)
        let id = writer.intern(long)
        try writer.finish()
        let text = try ReadOutcome.read(sink.memory).strings[id]
        #expect(text.utf8.count <= FormatLimits.maxStringBytes)
        #expect(text.utf8.count >= FormatLimits.maxStringBytes - 1)
        #expect(long.hasPrefix(text), "the cut string is a prefix of the original, with no replacement character")
    }

    @Test("a producer name longer than the cap is cut at a character boundary")
    func longProducerIsCut() throws {
        let sink = ByteSink()
        var info = SampleTrace.info
        info.producer = "p" + String(repeating: "é", count: FormatLimits.maxProducerBytes)
        try TraceWriter(sink: sink, info: info).finish()
        let producer = try ReadOutcome.read(sink.memory).info.producer
        #expect(producer.utf8.count == FormatLimits.maxProducerBytes - 1)
        #expect(info.producer.hasPrefix(producer))
    }

    @Test("an empty trace has a header and no events")
    func emptyTrace() throws {
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: SampleTrace.info)
        let summary = try writer.finish()
        let outcome = try ReadOutcome.read(sink.memory)
        #expect(outcome.events.isEmpty)
        #expect(!outcome.report.isDamaged)
        #expect(summary.events == 0)
        let layout = try TraceLayout(parsing: sink.memory)
        #expect(layout.chunks.map(\.type) == [ChunkLayout.endType], "an empty trace holds only its end chunk")
        #expect(layout.eventsWritten == 0)
        #expect(outcome.report.end?.eventsWritten == 0)
    }

    @Test("a file written to disk reads back like one in memory")
    func fileRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("round-trip.sctrace")
        let script = EventScript.events(seed: 5, shape: .init(threadCount: 3, eventCount: 500, timeGoesBackwards: false), strings: [.empty])
        let writer = try TraceWriter(path: path, info: SampleTrace.info)
        for event in script { try writer.append(event) }
        try writer.finish()
        let reader = try TraceReader(path: path)
        var events: [Event] = []
        try reader.forEach { events.append($0) }
        expectSamePerThreadOrder(events, script)
        #expect(reader.report.fileSize > 0 && !reader.report.isDamaged)
    }
}
