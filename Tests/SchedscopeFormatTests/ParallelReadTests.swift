import SchedscopeFormat
import SchedscopeModel
import Testing

/// A parallel read runs the whole reader (scan, inflate, decode, merge) on a background
/// thread and hands batches over to the caller's thread: these tests hold it to the
/// one-thread read, and check the two things the hand-over could break — strings the
/// consumer sees while events arrive, and stopping early.
@Suite("Parallel read: the same events and strings as a one-thread read, and a clean early stop")
struct ParallelReadTests {
    /// A trace whose every `task_create` names a label interned just before it, so labels
    /// keep arriving in strings chunks between event chunks across many generations.
    static func labelledTrace(tasks: Int) throws -> (bytes: [UInt8], labels: [UInt64: String]) {
        let sink = ByteSink()
        let options = TraceWriter.Options(chunkBytes: 256, generationBytes: 2_048, compressionLevel: 1)
        let writer = try TraceWriter(sink: sink, info: SampleTrace.info, options: options)
        var labels: [UInt64: String] = [:]
        var time: UInt64 = 1_000
        for index in 0..<tasks {
            let label = "task site \(index) ✓"
            let id = writer.intern(label)
            let task = UInt64(index + 1)
            let thread = ThreadID(rawValue: UInt64(index % 3 + 1))
            labels[task] = label
            try writer.append(Event(
                kind: .taskCreate, timestamp: time, thread: thread, proc: ProcID(UInt32(index % 3)),
                task: TaskID(rawValue: task), argument2: UInt64(id.rawValue)))
            try writer.append(Event(
                kind: .taskStart, timestamp: time + 5, thread: thread, proc: ProcID(UInt32(index % 3)), task: TaskID(rawValue: task)))
            try writer.append(Event(
                kind: .taskEnd, timestamp: time + 9, thread: thread, proc: ProcID(UInt32(index % 3)), task: TaskID(rawValue: task)))
            time += 7
        }
        _ = try writer.finish()
        return (sink.memory, labels)
    }

    @Test("every label an event names can be looked up while the batch that carries it is being consumed")
    func stringsArriveWithTheirEvents() throws {
        let (bytes, labels) = try Self.labelledTrace(tasks: 3_000)
        let reader = try TraceReader(source: ByteSource(bytes: bytes))
        var creates = 0
        var wrong: [String] = []
        try reader.forEachBatch(parallel: true) { batch in
            for event in batch where event.kind == .taskCreate {
                creates += 1
                let seen = reader.strings[event.label]
                if seen != labels[event.task.rawValue], wrong.count < 3 { wrong.append("task \(event.task.rawValue): \(seen)") }
            }
        }
        #expect(creates == labels.count)
        #expect(wrong.isEmpty)
        #expect(reader.report.generations > 10, "the trace should span many generations")
        #expect(!reader.report.isDamaged)
    }

    @Test("a parallel read delivers exactly the one-thread read's events, report and strings", arguments: [1, 2, 3] as [UInt64])
    func sameAsOneThread(seed: UInt64) throws {
        let trace = try SampleTrace.make(
            seed: seed, shape: .init(threadCount: 6, eventCount: 20_000, timeGoesBackwards: false),
            layout: .tiny, compressionLevel: 1)
        let serial = try ReadOutcome.read(trace.bytes, parallel: false)
        let parallel = try ReadOutcome.read(trace.bytes, parallel: true)
        #expect(parallel.events == serial.events)
        #expect(parallel.report.eventsRead == serial.report.eventsRead)
        #expect(parallel.report.chunksRead == serial.report.chunksRead)
        #expect(parallel.report.generations == serial.report.generations)
        #expect(parallel.report.end == serial.report.end)
        #expect(!parallel.report.isDamaged && !serial.report.isDamaged)
        for (value, id) in trace.strings { #expect(parallel.strings[id] == value) }
    }

    /// Threads of several blocks each in one generation, so that the parallel read keeps
    /// blocks of every thread submitted ahead of the merge (`ChunkPipeline.blocksAhead`),
    /// damaged in the middle (flipped payload bytes) or cut short: the blocks decoded ahead
    /// must not change what is read, nor the order in which damage is reported.
    @Test("reading blocks ahead: a damaged or cut trace reads the same in parallel as on one thread", arguments: [
        (flips: [0.3, 0.55], cut: 1.0), (flips: [], cut: 0.7), (flips: [0.45], cut: 0.8),
    ] as [(flips: [Double], cut: Double)])
    func readAheadKeepsDamageInOrder(damage: (flips: [Double], cut: Double)) throws {
        let trace = try SampleTrace.make(
            seed: 21, shape: .init(threadCount: 4, eventCount: 60_000, timeGoesBackwards: false),
            layout: .standard, compressionLevel: 1)
        var bytes = trace.bytes
        for at in damage.flips { bytes[Int(Double(bytes.count) * at)] ^= 0x5A }
        bytes.removeLast(bytes.count - Int(Double(bytes.count) * damage.cut))
        let serial = try ReadOutcome.read(bytes, parallel: false)
        let parallel = try ReadOutcome.read(bytes, parallel: true)
        #expect(serial.report.isDamaged, "the damage should be seen")
        #expect(serial.events.count > 10_000, "most of the trace should still be read")
        #expect(parallel.events == serial.events)
        #expect(parallel.report.eventsRead == serial.report.eventsRead)
        #expect(parallel.report.chunksRead == serial.report.chunksRead)
        #expect(parallel.report.chunksCorrupt == serial.report.chunksCorrupt)
        #expect(parallel.report.truncated == serial.report.truncated)
        #expect(parallel.report.damages.map(\.byteOffset) == serial.report.damages.map(\.byteOffset))
    }

    struct StopReading: Error {}

    @Test("a consumer that stops after its first batch gets its own error back, and the reader thread ends")
    func consumerStopsEarly() throws {
        // More events than the pipeline holds (4 batches of `TraceReader.batchSize`, one more
        // being filled): with 40,000 the producer could read the whole trace before the
        // consumer's stop reached it, and did on a loaded machine.
        let trace = try SampleTrace.make(
            seed: 9, shape: .init(threadCount: 4, eventCount: 12 * TraceReader.batchSize, timeGoesBackwards: false),
            layout: .standard, compressionLevel: 1)
        let reader = try TraceReader(source: ByteSource(bytes: trace.bytes))
        var batches = 0
        #expect(throws: StopReading.self) {
            try reader.forEachBatch(parallel: true) { _ in
                batches += 1
                throw StopReading()
            }
        }
        #expect(batches == 1)
        // The producer stopped at the hand-over: it read at most the batches the pipeline holds.
        #expect(reader.report.eventsRead < UInt64(trace.events.count))
    }
}
