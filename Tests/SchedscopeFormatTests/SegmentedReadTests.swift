import SchedscopeFormat
import SchedscopeModel
import Testing

/// A segmented read splits the file at generation starts and reads the segments on several
/// threads, each with its own reader: these tests hold the segments, joined in order, to
/// the whole-file read — the same events, report (damage, its order and messages, counts)
/// and strings — on intact traces and on damaged ones whose damage falls in every segment.
@Suite("Segmented read: the segments, joined, are the whole-file read")
struct SegmentedReadTests {
    struct Outcome {
        var events: [Event]
        var report: ReadReport
        var strings: StringTable
        /// The segments read, by ordinal.
        var segments: [Int]
    }

    /// Reads `bytes` in segments of about `maxEvents` events on `threads` threads; nil if
    /// the reader declined to split.
    static func readSegmented(_ bytes: [UInt8], threads: Int, maxEvents: UInt64) throws -> Outcome? {
        let reader = try TraceReader(source: ByteSource(bytes: bytes))
        let joined = try reader.reduceSegments(threads: threads, maxEventsPerSegment: maxEvents, minEventsPerSegment: 1, read: { segment, index in
            var events: [Event] = []
            try segment.forEach { events.append($0) }
            return (events, [index])
        }, merge: { joined, next in
            joined.0 += next.0
            joined.1 += next.1
        })
        guard let joined else { return nil }
        return Outcome(events: joined.0, report: reader.report, strings: reader.strings, segments: joined.1)
    }

    /// A trace of `events` events over `threads` threads, time never going backwards.
    static func trace(seed: UInt64, threads: Int, events: Int, layout: SampleTrace.Layout) throws -> SampleTrace {
        try SampleTrace.make(
            seed: seed, shape: .init(threadCount: threads, eventCount: events, timeGoesBackwards: false),
            layout: layout, compressionLevel: 1)
    }

    /// Everything a report says, damage by damage.
    static func expectSameReport(_ segmented: ReadReport, _ whole: ReadReport, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(segmented.chunksRead == whole.chunksRead, sourceLocation: sourceLocation)
        #expect(segmented.chunksCorrupt == whole.chunksCorrupt, sourceLocation: sourceLocation)
        #expect(segmented.eventsRead == whole.eventsRead, sourceLocation: sourceLocation)
        #expect(segmented.truncated == whole.truncated, sourceLocation: sourceLocation)
        #expect(segmented.bytesLost == whole.bytesLost, sourceLocation: sourceLocation)
        #expect(segmented.fileSize == whole.fileSize, sourceLocation: sourceLocation)
        #expect(segmented.end == whole.end, sourceLocation: sourceLocation)
        #expect(segmented.generations == whole.generations, sourceLocation: sourceLocation)
        #expect(segmented.unrecordedDamages == whole.unrecordedDamages, sourceLocation: sourceLocation)
        #expect(segmented.damages.map(\.description) == whole.damages.map(\.description), sourceLocation: sourceLocation)
        #expect(segmented.damages.map(\.chunkIndex) == whole.damages.map(\.chunkIndex), sourceLocation: sourceLocation)
    }

    @Test("intact traces: the same events, report and strings, over many segments", arguments: [
        (seed: 1, layout: SampleTrace.Layout.tiny, threads: 2),
        (seed: 2, layout: SampleTrace.Layout.generationPerChunk, threads: 3),
        (seed: 3, layout: SampleTrace.Layout.tiny, threads: 4),
    ])
    func intact(_ setup: (seed: UInt64, layout: SampleTrace.Layout, threads: Int)) throws {
        let trace = try Self.trace(seed: setup.seed, threads: 5, events: 12_000, layout: setup.layout)
        let whole = try ReadOutcome.read(trace.bytes, parallel: false)
        let segmented = try #require(try Self.readSegmented(trace.bytes, threads: setup.threads, maxEvents: 700))
        #expect(segmented.segments == Array(0..<segmented.segments.count))
        #expect(segmented.segments.count >= 6, "the trace should split into many segments")
        #expect(segmented.events == whole.events)
        Self.expectSameReport(segmented.report, whole.report)
        for (value, id) in trace.strings { #expect(segmented.strings[id] == value) }
    }

    /// Damage of every kind the reader survives, in a trace whose strings keep arriving
    /// between event chunks: flipped bytes (headers and payloads), cuts, a chunk of an old
    /// generation, a strings chunk that redefines ids, and an end chunk, each in the middle.
    static func damagedTraces() throws -> [(name: String, bytes: [UInt8])] {
        do {
            let (bytes, _) = try ParallelReadTests.labelledTrace(tasks: 3_000)
            let layout = try TraceLayout(parsing: bytes)
            var traces: [(String, [UInt8])] = []
            for step in 1..<24 {
                var flipped = bytes
                let at = bytes.count * step / 24
                flipped[at] ^= 0x5A
                flipped[at / 3] ^= 0x21
                traces.append(("bytes flipped at \(at / 3) and \(at)", flipped))
            }
            for cut in [0.3, 0.5, 0.77, 0.999] {
                let end = Int(Double(bytes.count) * cut)
                traces.append(("cut at \(end)", Array(bytes[..<end])))
            }
            let middle = layout.chunks[layout.chunks.count / 2].offset
            func inserting(_ chunk: TraceLayout.Chunk) -> [UInt8] {
                Array(bytes[..<middle]) + bytes[chunk.offset..<chunk.endOffset] + bytes[middle...]
            }
            let firstEvents = try #require(layout.eventChunks.first)
            traces.append(("a chunk of generation \(firstEvents.generation) in the middle", inserting(firstEvents)))
            let firstStrings = try #require(layout.chunks.first { $0.isStrings })
            var redefined = inserting(firstStrings)
            // Its generation made current, so that it is read (not skipped as out of order).
            let current = layout.chunks[layout.chunks.count / 2 - 1].generation
            ChunkForge.forge(current, atField: ChunkLayout.generationOffset, in: &redefined, chunkAt: middle)
            traces.append(("strings redefined in the middle", redefined))
            let end = try #require(layout.chunks.first { $0.isEnd })
            traces.append(("an end chunk in the middle", inserting(end)))
            // Without the last end chunk, the one in the middle is the only one: a whole-file
            // read does not then report the trace unfinished, and neither must the last segment.
            traces.append(("an end chunk in the middle only", Array(inserting(end).dropLast(end.endOffset - end.offset))))
            return traces
        }
    }

    @Test("damaged traces: the same events, and the same damage in the same order, as the whole-file read")
    func damaged() throws {
        for (name, bytes) in try Self.damagedTraces() {
            let whole = try ReadOutcome.read(bytes, parallel: false)
            #expect(whole.report.isDamaged || name.contains("end chunk"), "\(name): the damage should be seen")
            if name.contains("redefined") {
                #expect(whole.report.damages.contains { $0.message.contains("redefined") }, "\(name): the redefinition should be seen")
            }
            guard let segmented = try Self.readSegmented(bytes, threads: 3, maxEvents: 300) else {
                Issue.record("\(name): the trace did not split")
                continue
            }
            #expect(segmented.segments.count >= 3, "\(name)")
            #expect(segmented.events == whole.events, "\(name)")
            Self.expectSameReport(segmented.report, whole.report)
            for id in 0..<3_100 as Range<UInt32> {
                let string = StringID(rawValue: id)
                if segmented.strings.isDefined(string) != whole.strings.isDefined(string) || segmented.strings[string] != whole.strings[string] {
                    Issue.record("\(name): string \(id) differs")
                    break
                }
            }
        }
    }

    @Test("one thread, or a trace too small to split: nothing is read, and the reader still reads as usual")
    func declines() throws {
        let trace = try Self.trace(seed: 4, threads: 3, events: 3_000, layout: .tiny)
        // Fewer events than fill two segments of the minimum: one.
        let half = UInt64(trace.events.count) / 2 + 1
        for (threads, minEvents) in [(1, 1), (2, half)] as [(Int, UInt64)] {
            let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
            let joined = try reader.reduceSegments(threads: threads, maxEventsPerSegment: 100, minEventsPerSegment: minEvents, read: { _, _ in 1 }, merge: { $0 += $1 })
            #expect(joined == nil)
            var count = 0
            try reader.forEach(parallel: false) { _ in count += 1 }
            #expect(count == trace.events.count)
        }
    }

    @Test("a trace of hundreds of generations, with room for only 4 split candidates: still split evenly, and read the same")
    func boundedCandidates() throws {
        let trace = try Self.trace(seed: 6, threads: 3, events: 20_000, layout: .generationPerChunk)
        let whole = try ReadOutcome.read(trace.bytes, parallel: false)
        #expect(whole.report.generations > 200)
        let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
        reader.segmentCandidateLimit = 4
        let joined = try #require(try reader.reduceSegments(threads: 2, maxEventsPerSegment: 2_500, minEventsPerSegment: 1, read: { segment, _ in
            var events: [Event] = []
            try segment.forEach { events.append($0) }
            return [events]
        }, merge: { $0 += $1 }))
        #expect(joined.count >= 4)
        // Kept candidates spread over the whole file: no segment holds half the events.
        #expect(joined.allSatisfy { $0.count < whole.events.count / 2 }, "\(joined.map(\.count))")
        #expect(joined.flatMap { $0 } == whole.events)
        SegmentedReadTests.expectSameReport(reader.report, whole.report)
    }

    @Test("segments whose copies of the strings would pass the budget: the trace is read whole")
    func stringBudget() throws {
        let (bytes, _) = try ParallelReadTests.labelledTrace(tasks: 3_000)
        for (budget, splits) in [(1 << 20, true), (1_000, false)] {
            let reader = try TraceReader(source: ByteSource(bytes: bytes))
            reader.segmentStringBudget = budget
            let joined = try reader.reduceSegments(threads: 2, maxEventsPerSegment: 1_000, minEventsPerSegment: 1, read: { _, _ in 1 }, merge: { $0 += $1 })
            #expect((joined != nil) == splits, "budget \(budget)")
        }
    }

    @Test("limits at the ends of their range: no overflow, and the trace still splits into as many segments as threads")
    func extremeLimits() throws {
        let trace = try Self.trace(seed: 8, threads: 3, events: 6_000, layout: .tiny)
        let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
        let segments = try reader.reduceSegments(
            threads: 1_000, maxEventsPerSegment: .max, minEventsPerSegment: 1, read: { _, _ in 1 }, merge: { $0 += $1 })
        #expect(segments.map { $0 > 1 && $0 <= 1_000 } == true, "\(String(describing: segments))")
    }

    struct SegmentFailed: Error, Equatable { let index: Int }

    @Test("a segment's error reaches the caller — the first in file order — and the other threads stop")
    func segmentErrors() throws {
        let trace = try Self.trace(seed: 5, threads: 4, events: 20_000, layout: .tiny)
        let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
        #expect(throws: SegmentFailed(index: 3)) {
            _ = try reader.reduceSegments(threads: 3, maxEventsPerSegment: 500, minEventsPerSegment: 1, read: { segment, index in
                if index >= 3 { throw SegmentFailed(index: index) }
                var count = 0
                try segment.forEach { _ in count += 1 }
                return count
            }, merge: { $0 += $1 })
        }
    }
}
