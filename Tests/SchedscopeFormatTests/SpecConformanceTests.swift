import Foundation
import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Spec conformance: traces built from docs/FORMAT.md alone read back as it says")
struct SpecConformanceTests {
    @Test("the CRC is CRC-32/ISO-HDLC: check value, and the module's CRC agrees on random data")
    func checksum() {
        #expect(ReferenceCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var random = SplitMix64(seed: 61)
        for length in [0, 1, 7, 56, 1_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(crc32(bytes) == ReferenceCRC32.checksum(bytes))
        }
    }

    @Test("TraceWriter writes exactly the bytes the spec's encoding rules give", arguments: [UInt64(1), 2, 3])
    func writerFollowsTheEncodingRules(seed: UInt64) throws {
        let trace = try SampleTrace.make(
            seed: seed, shape: .init(threadCount: 4, eventCount: 1_200, timeGoesBackwards: true),
            layout: .standard, compressionLevel: 0)
        let layout = try TraceLayout(parsing: trace.bytes)
        for chunk in layout.eventChunks {
            let thread = ThreadID(rawValue: chunk.thread)
            var encoder = SpecEventEncoder(firstTimestamp: chunk.firstTimestamp)
            for event in trace.events where event.thread == thread { encoder.append(event) }
            #expect(chunk.sequence == 0 && chunk.encoding == ChunkLayout.storedEncoding, "one stored chunk per thread")
            #expect(Array(trace.bytes[chunk.payloadOffset..<chunk.endOffset]) == encoder.payload, "thread \(thread)")
            #expect(chunk.itemCount == encoder.eventCount)
            #expect(chunk.lastTimestamp == encoder.lastTimestamp)
        }
    }

    @Test("a trace written by the spec's producer reads back event for event", arguments: [ChunkLayout.storedEncoding, ChunkLayout.zlibEncoding])
    func specProducerRoundTrip(encoding: UInt8) throws {
        let shape = EventScript.Shape(threadCount: 5, eventCount: 2_000, timeGoesBackwards: true)
        let strings: [(id: UInt64, value: String)] = [(1, "mutex"), (2, "sleep"), (5, "région ✓"), (9, "")]
        let events = EventScript.events(seed: 62, shape: shape, strings: strings.map { StringID(rawValue: UInt32($0.id)) })
        var bytes = ChunkForge.fileHeader(minor: 1, producer: "spec producer", procCount: 3, clock: 1)
        bytes += ChunkForge.chunk(type: ChunkLayout.stringsType, itemCount: UInt32(strings.count), payload: ChunkForge.stringsPayload(strings))
        // Each thread's events in chunks of 300, one generation per round of chunks.
        let threads = Set(events.map(\.thread)).sorted()
        var sequence: [ThreadID: UInt32] = [:]
        for (round, start) in stride(from: 0, to: events.count, by: 300).enumerated() {
            for thread in threads {
                let slice = events[start..<min(start + 300, events.count)].filter { $0.thread == thread }
                guard let first = slice.first else { continue }
                var encoder = SpecEventEncoder(firstTimestamp: first.timestamp)
                for event in slice { encoder.append(event) }
                // zlib when asked and it shrinks the payload, as the spec's writer does.
                let compressed = encoding == ChunkLayout.zlibEncoding ? Self.zlib(encoder.payload) : nil
                bytes += ChunkForge.chunk(
                    type: ChunkLayout.eventsType, encoding: compressed == nil ? ChunkLayout.storedEncoding : encoding,
                    generation: UInt32(round * 3),
                    sequence: sequence[thread, default: 0], thread: thread.rawValue,
                    firstTimestamp: encoder.firstTimestamp, lastTimestamp: encoder.lastTimestamp,
                    itemCount: encoder.eventCount, decodedLength: UInt32(encoder.payload.count),
                    payload: compressed ?? encoder.payload)
                sequence[thread, default: 0] += 1
            }
        }
        bytes += ChunkForge.endChunk(eventsWritten: UInt64(events.count))
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(!outcome.report.isDamaged, "\(outcome.report.damages)")
        #expect(outcome.report.end?.eventsWritten == UInt64(events.count))
        #expect(outcome.info == TraceInfo(producer: "spec producer", procCount: 3, startWallTimeNanoseconds: 1_700_000_000_000_000_000, clock: .calibratedTSC))
        expectSamePerThreadOrder(outcome.events, events)
        expectSameEvents(outcome.events, ExpectedEvents(layout: try TraceLayout(parsing: bytes), events: events).merged())
        for (id, value) in strings { #expect(outcome.strings[StringID(rawValue: UInt32(id))] == value) }
    }

    @Test("the worked example of docs/FORMAT.md §6 decodes to the events it lists")
    func workedExample() throws {
        let payload = try FormatDocument.load().workedExamplePayload()
        #expect(payload.count == 23)
        var bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(
            type: ChunkLayout.eventsType, thread: 7, firstTimestamp: 1_000, lastTimestamp: 1_500, itemCount: 6, payload: payload)
        let outcome = try ReadOutcome.readAccepting(bytes)
        let thread = ThreadID(rawValue: 7)
        #expect(outcome.events == [
            Event(kind: .procStart, timestamp: 1_000, thread: thread, proc: ProcID(2)),
            Event(kind: .taskStart, timestamp: 1_010, thread: thread, proc: ProcID(2), task: TaskID(5)),
            Event(kind: .taskPark, timestamp: 1_010, thread: thread, proc: ProcID(2), task: TaskID(5), argument1: 3),
            Event(kind: .taskUnpark, timestamp: 1_500, thread: thread, proc: ProcID(2), task: TaskID(6), argument1: 0),
            Event(kind: .gcBegin, timestamp: 900, thread: thread, proc: ProcID(2), argument1: 1),
            Event(kind: .log, timestamp: 900, thread: thread, proc: .none, task: TaskID(9), argument1: 1, argument2: 2),
        ])
        #expect(!outcome.report.isDamaged)
        // And the spec's producer writes the same bytes for those events.
        var encoder = SpecEventEncoder(firstTimestamp: 1_000)
        for event in outcome.events { encoder.append(event) }
        #expect(encoder.payload == payload)
    }

    @Test("task_create_next takes the id after the create register's, and exists only in type-4 chunks")
    func createNext() throws {
        // task_create of 41 under context task 7 (long form, selector 0: zigzag(41) << 2 = 328,
        // label 5), then task_create_next twice (short code 3, label 5), the second 4 ns later.
        let context: [UInt8] = [0xC7, 0x01, 0x00, 0x07]  // context: no P, task 7
        let payload = context + [0x1F, 0xC8, 0x02, 0x0A] + [0x03, 0x0A] + [0x23, 0x0A]
        var bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(type: ChunkLayout.eventsType, thread: 2, firstTimestamp: 10, lastTimestamp: 14, itemCount: 3, payload: payload)
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(!outcome.report.isDamaged, "\(outcome.report.damages)")
        let thread = ThreadID(rawValue: 2)
        #expect(outcome.events == [41, 42, 43].enumerated().map { index, task in
            Event(kind: .taskCreate, timestamp: index == 2 ? 14 : 10, thread: thread, task: TaskID(task), argument1: 7, argument2: 5)
        })

        // In a type-1 chunk, head 0x12 is code 18, which layout A does not have.
        bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(type: ChunkLayout.legacyEventsType, thread: 2, itemCount: 1, payload: [0x12, 0x0A])
        let legacy = try ReadOutcome.readAccepting(bytes)
        #expect(legacy.events.isEmpty)
        #expect(legacy.report.damages.first?.message.contains("\(ChunkDecoder.Failure.unknownCode(18, offset: 0))") == true, "\(legacy.report.damages)")
    }

    @Test("the decoder state resets at every chunk: a chunk decodes alone")
    func stateResetsPerChunk() throws {
        // Two chunks of one thread: the second starts without context, registers or time.
        var first = SpecEventEncoder(firstTimestamp: 100)
        first.append(Event(kind: .procStart, timestamp: 100, thread: ThreadID(3), proc: ProcID(1)))
        first.append(Event(kind: .taskStart, timestamp: 110, thread: ThreadID(3), proc: ProcID(1), task: TaskID(1_000)))
        // task_end (short code 4); task_start (short code 0) of zigzag(3 − 0) << 2 | selector 0
        let secondPayload: [UInt8] = [4, 0, 24]
        var bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(type: ChunkLayout.eventsType, thread: 3, firstTimestamp: 100, lastTimestamp: 110, itemCount: 2, payload: first.payload)
        bytes += ChunkForge.chunk(type: ChunkLayout.eventsType, sequence: 1, thread: 3, firstTimestamp: 500, lastTimestamp: 500, itemCount: 2, payload: secondPayload)
        let events = try ReadOutcome.readAccepting(bytes).events
        #expect(events.suffix(2) == [
            Event(kind: .taskEnd, timestamp: 500, thread: ThreadID(3)),
            Event(kind: .taskStart, timestamp: 500, thread: ThreadID(3), task: TaskID(3)),
        ])
    }

    /// A zlib stream of `bytes`, or nil if it would not be smaller.
    @Test("padded varints are accepted; a tenth byte above 1 is not")
    func paddedVarints() throws {
        // proc_start (long head 7 as `87 00`) of P 2 (as `82 80 00`), then lost (long head
        // 17 << 3 | 7 = 143, `8F 01`) with count 1 in ten bytes.
        let padded: [UInt8] = [0x87, 0x00, 0x82, 0x80, 0x00, 0x8F, 0x01] + [0x81] + [UInt8](repeating: 0x80, count: 8) + [0x00]
        var bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(type: ChunkLayout.eventsType, thread: 1, itemCount: 2, payload: padded)
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(outcome.events == [
            Event(kind: .procStart, timestamp: 0, thread: ThreadID(1), proc: ProcID(2)),
            Event(kind: .lost, timestamp: 0, thread: ThreadID(1), proc: ProcID(2), argument1: 1),
        ])
        #expect(!outcome.report.isDamaged)

        let overflowing: [UInt8] = [0x8F, 0x01] + [UInt8](repeating: 0x80, count: 9) + [0x02]
        bytes = ChunkForge.fileHeader()
        bytes += ChunkForge.chunk(type: ChunkLayout.eventsType, thread: 1, itemCount: 1, payload: overflowing)
        #expect(try ReadOutcome.readAccepting(bytes).report.damages.map(\.kind) == [.malformedPayload])
    }

    static func zlib(_ bytes: [UInt8]) -> [UInt8]? {
        bytes.withUnsafeBytes { Deflater(level: 6).compress($0) }
    }
}
