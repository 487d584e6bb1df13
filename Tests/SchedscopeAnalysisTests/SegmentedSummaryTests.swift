import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

/// `schedscope summary` reads a trace in segments on every core and joins one summary per
/// segment (`SummaryAnalysis.append`): the joined summary must be the one-pass summary,
/// above all the tasks live at the end, which depend on what earlier segments left live.
@Suite("summary in segments: the joined summaries are the one-pass summary")
struct SegmentedSummaryTests {
    /// The one-pass summary, and the segmented one (nil if the trace did not split) with
    /// how many segments it joined.
    static func summaries(_ bytes: [UInt8], threads: Int, maxEvents: UInt64) throws -> (SummaryReport, SummaryReport?, Int) {
        let whole = try TraceReader(source: ByteSource(bytes: bytes))
        var one = SummaryAnalysis()
        try whole.forEachBatch(parallel: false) { one.consume($0) }
        let reader = try TraceReader(source: ByteSource(bytes: bytes))
        let joined = try reader.reduceSegments(threads: threads, maxEventsPerSegment: maxEvents, minEventsPerSegment: 1, read: { segment, index in
            var part = SummaryAnalysis(followsEarlierSegment: index > 0)
            try segment.forEachBatch { part.consume($0) }
            return (part, 1)
        }, merge: { joined, next in
            joined.0.append(next.0)
            joined.1 += next.1
        })
        return (
            one.finish(info: whole.info, read: whole.report),
            joined.map { $0.0.finish(info: reader.info, read: reader.report) }, joined?.1 ?? 0)
    }

    static func expectSame(_ segmented: SummaryReport, _ whole: SummaryReport, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(segmented.events == whole.events, sourceLocation: sourceLocation)
        #expect(segmented.eventsByKind == whole.eventsByKind, sourceLocation: sourceLocation)
        #expect(segmented.firstTimestamp == whole.firstTimestamp, sourceLocation: sourceLocation)
        #expect(segmented.lastTimestamp == whole.lastTimestamp, sourceLocation: sourceLocation)
        #expect(segmented.durationNanoseconds == whole.durationNanoseconds, sourceLocation: sourceLocation)
        #expect(segmented.procsSeen == whole.procsSeen, sourceLocation: sourceLocation)
        #expect(segmented.threadsSeen == whole.threadsSeen, sourceLocation: sourceLocation)
        #expect(segmented.tasksCreated == whole.tasksCreated, sourceLocation: sourceLocation)
        #expect(segmented.tasksEnded == whole.tasksEnded, sourceLocation: sourceLocation)
        #expect(segmented.tasksLiveAtEnd == whole.tasksLiveAtEnd, sourceLocation: sourceLocation)
        #expect(segmented.lostEvents == whole.lostEvents, sourceLocation: sourceLocation)
        #expect(segmented.read.eventsRead == whole.read.eventsRead, sourceLocation: sourceLocation)
        #expect(segmented.read.generations == whole.read.generations, sourceLocation: sourceLocation)
    }

    @Test("synthetic workloads: every figure, the live tasks included", arguments: [(seed: 1, threads: 2), (seed: 2, threads: 3)] as [(seed: UInt64, threads: Int)])
    func synthetic(_ setup: (seed: UInt64, threads: Int)) throws {
        var workload = SyntheticWorkload(procs: 4, taskLimit: 4_000, seed: setup.seed, leakEvery: 25, generationEvents: 3_000)
        workload.extraLeaks = 5
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
        let truth = try workload.write(to: writer)
        let (whole, segmented, segments) = try Self.summaries(sink.memory, threads: setup.threads, maxEvents: 2_500)
        let joined = try #require(segmented)
        #expect(segments >= 6, "the trace should split into many segments")
        #expect(whole.events == truth.events, "the one-pass summary is the generator's")
        Self.expectSame(joined, whole)
    }

    /// A history whose tasks cross segments every way: created in one and ended in a later
    /// one, ended and then woken again (a trace may say so; the task is live once more),
    /// alive before the trace and ended later, never ended — one generation per segment.
    @Test("tasks that cross segments: live at the end exactly when their last word says so")
    func crossingTasks() throws {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        for task in 1...6 as ClosedRange<UInt64> { b.create(task, proc: 0, at: task) }
        b.start(1, proc: 0, at: 10).park(1, reason: "chan", proc: 0, at: 11)
        b.endGeneration()
        // Segment 2: task 1 ends, task 2 ends and is woken again, task 9 (from before the
        // trace) is woken, task 3 starts.
        b.unpark(1, proc: 1, at: 20).start(1, proc: 1, at: 21).end(1, proc: 1, at: 22)
        b.start(2, proc: 0, at: 23).end(2, proc: 0, at: 24).unpark(2, proc: 0, at: 25)
        b.unpark(9, proc: 1, at: 26).start(3, proc: 0, at: 27)
        b.lost(4, at: 28)
        b.endGeneration()
        // Segment 3: task 9 ends, task 3 ends, task 4 ends, then task 3 is woken again.
        b.start(9, proc: 1, at: 30).end(9, proc: 1, at: 31).end(3, proc: 0, at: 32)
        b.start(4, proc: 0, at: 33).end(4, proc: 0, at: 34).unpark(3, proc: 1, at: 35)
        b.endGeneration()
        // Segment 4: task 6 ends; tasks 2, 3 and 5 stay live.
        b.start(6, proc: 1, at: 40).end(6, proc: 1, at: 41).lost(2, at: 42)
        let (whole, segmented, segments) = try Self.summaries(b.bytes(), threads: 2, maxEvents: 1)
        let joined = try #require(segmented)
        #expect(segments == 4)
        #expect(whole.tasksLiveAtEnd == 3, "tasks 2, 3 and 5")
        #expect(joined.tasksLiveAtEnd == 3)
        #expect(joined.tasksEnded == 6)
        #expect(joined.lostEvents == 6)
        Self.expectSame(joined, whole)
    }
}
