import SchedscopeFormat
import SchedscopeModel
import Testing

/// A split read (`forEachBatch(parallel: true)` on a trace of many segments) has two threads
/// each read whole segments while the calling one consumes them all in file order: these
/// tests hold it to the one-thread read — events, order, report, strings, and the strings
/// seen while each batch is consumed — whoever reads which segment, with a ring of one slot
/// or two, on intact and damaged traces; and check that an error or an early stop on either
/// side ends the read cleanly, and that a reader told not to split does not.
@Suite("Split read: two threads reading segments give the one-thread read")
struct SplitReadTests {
    /// Who reads which segment.
    enum Pattern: String, CaseIterable, CustomStringConvertible {
        case adaptive, helperOnly, callerOnly, alternate, everyThird, scattered
        var description: String { rawValue }

        var callerReads: (@Sendable (Int) -> Bool)? {
            switch self {
            case .adaptive: nil
            case .helperOnly: { _ in false }
            case .callerOnly: { _ in true }
            case .alternate: { $0 % 2 == 1 }
            case .everyThird: { $0 % 3 == 2 }
            case .scattered: { ($0 &* 2_654_435_761) % 7 < 3 }
            }
        }
    }

    struct Outcome {
        var events: [Event]
        /// The label of each `task_create`, looked up while its batch was consumed.
        var labelsSeen: [String]
        var report: ReadReport
        var strings: StringTable
        var split: (segments: Int, readByCaller: Int)?
    }

    static func limits(_ pattern: Pattern, slots: Int = 3, maxEvents: UInt64 = 500) -> SplitReadLimits {
        var limits = SplitReadLimits()
        limits.maxEventsPerSegment = maxEvents
        limits.minEventsPerSegment = 1
        limits.slots = slots
        limits.callerReads = pattern.callerReads
        return limits
    }

    /// Reads with `parallel` (split when `limits` let the trace split), or on one thread.
    static func read(
        _ source: ByteSource, parallel: Bool, limits: SplitReadLimits = SplitReadLimits(), starter: ThreadStarter? = nil
    ) throws -> Outcome {
        let reader = try TraceReader(source: source)
        reader.splitLimits = limits
        if let starter { reader.threadStarter = starter }
        var events: [Event] = []
        var labels: [String] = []
        try reader.forEachBatch(parallel: parallel) { batch in
            for event in batch {
                events.append(event)
                if event.kind == .taskCreate { labels.append(reader.strings[event.label]) }
            }
        }
        return Outcome(events: events, labelsSeen: labels, report: reader.report, strings: reader.strings, split: reader.lastSplit)
    }

    struct Stop: Error {}

    static func expectSame(_ split: Outcome, _ whole: Outcome, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(split.events.count == whole.events.count, "\(what)", sourceLocation: sourceLocation)
        #expect(split.events == whole.events, "\(what)", sourceLocation: sourceLocation)
        #expect(split.labelsSeen == whole.labelsSeen, "\(what): labels looked up while consuming", sourceLocation: sourceLocation)
        SegmentedReadTests.expectSameReport(split.report, whole.report, sourceLocation: sourceLocation)
        for id in 0..<3_100 as Range<UInt32> {
            let string = StringID(rawValue: id)
            if split.strings.isDefined(string) != whole.strings.isDefined(string) || split.strings[string] != whole.strings[string] {
                Issue.record("\(what): string \(id) differs", sourceLocation: sourceLocation)
                break
            }
        }
    }

    @Test("intact traces: the one-thread read, whoever reads which segment", arguments: Pattern.allCases)
    func intact(_ pattern: Pattern) throws {
        for (seed, layout) in [(1, SampleTrace.Layout.tiny), (2, .generationPerChunk)] as [(UInt64, SampleTrace.Layout)] {
            let trace = try SegmentedReadTests.trace(seed: seed, threads: 5, events: 12_000, layout: layout)
            let whole = try Self.read(ByteSource(bytes: trace.bytes), parallel: false)
            let split = try Self.read(ByteSource(bytes: trace.bytes), parallel: true, limits: Self.limits(pattern))
            let (segments, readByCaller) = try #require(split.split, "\(pattern): the trace should split")
            #expect(segments >= 12)
            if let callerReads = pattern.callerReads {
                #expect(readByCaller == (0..<segments).filter(callerReads).count, "\(pattern)")
            }
            Self.expectSame(split, whole, "\(pattern), \(layout)")
            #expect(whole.events.count == trace.events.count)
        }
    }

    @Test("labels interned between event chunks are there when the batch that names them is consumed", arguments: [Pattern.adaptive, .alternate, .helperOnly])
    func labelsArriveWithTheirEvents(_ pattern: Pattern) throws {
        let (bytes, labels) = try ParallelReadTests.labelledTrace(tasks: 3_000)
        let split = try Self.read(ByteSource(bytes: bytes), parallel: true, limits: Self.limits(pattern, maxEvents: 400))
        #expect(split.split != nil)
        let creates = split.events.filter { $0.kind == .taskCreate }
        #expect(creates.count == labels.count)
        #expect(split.labelsSeen == creates.map { labels[$0.task.rawValue] ?? "?" })
    }

    @Test("damaged traces: the same events and damage, in the same order, as the one-thread read", arguments: [Pattern.adaptive, .alternate, .scattered])
    func damaged(_ pattern: Pattern) throws {
        for (name, bytes) in try SegmentedReadTests.damagedTraces() {
            let whole = try Self.read(ByteSource(bytes: bytes), parallel: false)
            let split = try Self.read(ByteSource(bytes: bytes), parallel: true, limits: Self.limits(pattern, maxEvents: 300))
            guard split.split != nil else {
                Issue.record("\(name): the trace did not split")
                continue
            }
            Self.expectSame(split, whole, "\(name), \(pattern)")
        }
    }

    /// Starts threads as the system does, except that the first `failures` calls fail as
    /// `pthread_create` does at the thread limit; counts the calls.
    final class FailingStarter: @unchecked Sendable {
        let failures: Int
        private(set) var calls = 0
        init(failures: Int) { self.failures = failures }

        var starter: ThreadStarter {
            { body in
                self.calls += 1
                return self.calls <= self.failures ? .failure(ThreadStartError(errorNumber: 11)) : startThread(body)
            }
        }
    }

    @Test("threads that will not start: the read falls back to fewer threads, with the same events and report", arguments: [1, 2])
    func threadsThatWillNotStart(failures: Int) throws {
        // One failure: the split read's helper does not start, the three-stage read's
        // producer does. Two: neither does, and the calling thread reads alone.
        let intact = try SegmentedReadTests.trace(seed: 5, threads: 4, events: 6_000, layout: .tiny)
        let traces = [("intact", intact.bytes)] + (try SegmentedReadTests.damagedTraces().prefix(8))
        for (name, bytes) in traces {
            let whole = try Self.read(ByteSource(bytes: bytes), parallel: false)
            let failing = FailingStarter(failures: failures)
            let fallback = try Self.read(
                ByteSource(bytes: bytes), parallel: true, limits: Self.limits(.adaptive, maxEvents: 300), starter: failing.starter)
            #expect(failing.calls == 2, "\(name): the split read's helper, then the three-stage read's producer")
            #expect(fallback.split == nil, "\(name): no split without the helper")
            Self.expectSame(fallback, whole, "\(name), \(failures) failed start(s)")
        }
    }

    @Test("a ring of one slot or two: the same read", arguments: [1, 2])
    func ringSizes(_ slots: Int) throws {
        let trace = try SegmentedReadTests.trace(seed: 7, threads: 4, events: 15_000, layout: .tiny)
        let whole = try Self.read(ByteSource(bytes: trace.bytes), parallel: false)
        for pattern in [Pattern.adaptive, .everyThird] {
            let split = try Self.read(ByteSource(bytes: trace.bytes), parallel: true, limits: Self.limits(pattern, slots: slots, maxEvents: 300))
            #expect(split.split != nil)
            Self.expectSame(split, whole, "\(slots) slots, \(pattern)")
        }
    }

    @Test("too few segments: the three-stage read, the same events", arguments: [3, 1_000_000] as [UInt64])
    func declines(minEvents: UInt64) throws {
        let trace = try SegmentedReadTests.trace(seed: 9, threads: 3, events: 4_000, layout: .tiny)
        var limits = Self.limits(.adaptive, maxEvents: 1_000)
        limits.minEventsPerSegment = minEvents
        limits.minSegments = minEvents == 3 ? 10_000 : 4
        let read = try Self.read(ByteSource(bytes: trace.bytes), parallel: true, limits: limits)
        #expect(read.split == nil)
        #expect(read.events == (try Self.read(ByteSource(bytes: trace.bytes), parallel: false)).events)
    }

    @Test("a reader told not to split reads in three stages, the same events")
    func splitsSegmentsOff() throws {
        let trace = try SegmentedReadTests.trace(seed: 9, threads: 3, events: 4_000, layout: .tiny)
        let whole = try Self.read(ByteSource(bytes: trace.bytes), parallel: false)
        for splits in [true, false] {
            let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
            reader.splitLimits = Self.limits(.adaptive, maxEvents: 300)
            reader.splitsSegments = splits
            var events: [Event] = []
            try reader.forEachBatch(parallel: true) { events.append(contentsOf: $0) }
            #expect((reader.lastSplit != nil) == splits)
            #expect(events == whole.events)
        }
    }

    @Test("the consumer stops in a segment of either thread: its error comes back, after a prefix of the events", arguments: [Pattern.callerOnly, .helperOnly, .alternate, .adaptive])
    func consumerStops(_ pattern: Pattern) throws {
        let trace = try SegmentedReadTests.trace(seed: 3, threads: 4, events: 12_000, layout: .tiny)
        let whole = try Self.read(ByteSource(bytes: trace.bytes), parallel: false).events
        for stopAfter in [0, 1, 2_345, 11_999] {
            let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
            reader.splitLimits = Self.limits(pattern, slots: 2, maxEvents: 300)
            var events: [Event] = []
            #expect(throws: Stop.self) {
                try reader.forEachBatch(parallel: true) { batch in
                    for event in batch {
                        if events.count == stopAfter { throw Stop() }
                        events.append(event)
                    }
                }
            }
            #expect(reader.lastSplit != nil, "\(pattern): the trace should have been split")
            #expect(events == Array(whole.prefix(stopAfter)), "\(pattern), stop after \(stopAfter)")
        }
    }

    @Test("an I/O error in a segment either thread reads: the read fails with it, after a prefix of the events", arguments: [Pattern.callerOnly, .helperOnly, .adaptive])
    func ioError(_ pattern: Pattern) throws {
        let trace = try SegmentedReadTests.trace(seed: 4, threads: 4, events: 12_000, layout: .tiny)
        let whole = try Self.read(ByteSource(bytes: trace.bytes), parallel: false).events
        let layout = try TraceLayout(parsing: trace.bytes)
        // An events chunk's payload two thirds in: planning reads only headers and strings.
        let chunk = layout.eventChunks[layout.eventChunks.count * 2 / 3]
        let bad = UInt64(chunk.endOffset - 4)..<UInt64(chunk.endOffset - 3)
        let reader = try TraceReader(source: ByteSource(bytes: trace.bytes, unreadable: bad))
        reader.splitLimits = Self.limits(pattern, slots: 2, maxEvents: 300)
        var events: [Event] = []
        do {
            try reader.forEachBatch(parallel: true) { events.append(contentsOf: $0) }
            Issue.record("\(pattern): the read should fail")
        } catch let error as TraceFormatError {
            #expect(error.code == .ioError)
        }
        #expect(reader.lastSplit != nil, "\(pattern): the trace should have been split")
        #expect(events.count < whole.count)
        #expect(events == Array(whole.prefix(events.count)))
    }
}
