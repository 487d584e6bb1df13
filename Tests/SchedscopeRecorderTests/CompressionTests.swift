import RecorderTestWorkload
import SchedscopeFormat
import SchedscopeModel
import SchedscopeRecorder
import Testing

extension RecorderTests {
    /// The flusher compresses with libdeflate when the system has it and with zlib otherwise
    /// (`RecorderOptions.deflateLibrary`); either way the trace is the same format.
    @Suite("Compression: libdeflate or zlib")
    struct CompressionTests {
        @Test("a recording compressed by either library reads back exactly, and every chunk inflates with zlib and with libdeflate",
              arguments: [DeflateLibrary.zlib, .automatic])
        func eitherLibrary(library: DeflateLibrary) throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("compressed.sctrace")
            let strings = InternedStrings(SchedulerScript.allStrings)
            let rounds = 3_000
            try Recorder.start(path: path, options: RecorderOptions(bufferEvents: 1 << 18, procCount: 3, deflateLibrary: library))
            runOnThreads(3) { index in
                var script = SchedulerScript(index: index, seed: 7)
                for _ in 0..<rounds {
                    for step in script.nextRound() { step.emit(strings: strings) }
                }
            }
            let summary = try Recorder.stop()
            #expect(summary.compressedWithLibdeflate == (library == .automatic && Deflater.libdeflateIsAvailable))
            #expect(summary.lostEvents == 0)

            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(5))")
            #expect(!trace.trace.report.isDamaged)
            #expect(trace.byThread.count == 3)
            for events in trace.byThread.values {
                var script = SchedulerScript(index: Int(try #require(events.first).proc.rawValue), seed: 7)
                var expected: [SchedulerScript.Step] = []
                for _ in 0..<rounds { expected += script.nextRound() }
                #expect(events.count == expected.count)
                for (event, step) in zip(events, expected) where !step.matches(event, table: trace.strings) {
                    Issue.record("\(event) does not match \(step)")
                    break
                }
            }

            // Every chunk, inflated by each library on its own: a chunk that fails to inflate
            // (or to its declared size) is left out of these totals.
            let inspector = try ChunkInspector(path: path)
            let chunks = try inspector.chunks().chunks
            #expect(chunks.contains { $0.kind == .events && $0.compressed }, "the recording compressed its chunks")
            let declaredBytes = UInt64(chunks.reduce(0) { $0 + $1.decodedBytes })
            for zlibOnly in [true, false] {
                let inflated = try inspector.inflateAll(zlibOnly: zlibOnly)
                #expect(inflated.events == summary.events, "zlib only: \(zlibOnly)")
                #expect(inflated.decodedBytes == declaredBytes, "zlib only: \(zlibOnly)")
            }
        }
    }
}
