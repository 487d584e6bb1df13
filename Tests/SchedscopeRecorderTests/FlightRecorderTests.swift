import RecorderTestWorkload
import SchedscopeModel
import SchedscopeRecorder
import Synchronization
import Testing

extension RecorderTests {
    @Suite("Flight recording")
    struct FlightRecorderTests {
        /// Emits batch `k` (events numbered `k * size ..< (k + 1) * size`) on the calling thread.
        static func emitBatch(_ k: Int, size: Int, message: StringID) {
            Recorder.log(message, category: .empty)
            for n in 0..<size { Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(k * size + n)) }
        }

        /// The generations the window must hold at `now`: the longest run of newest ones
        /// that ended at most `maxAge` ago and fit in `maxBytes`.
        static func expectedWindow(_ generations: [GenerationSummary], now: UInt64, maxBytes: Int, maxAge: UInt64)
            -> [GenerationSummary] {
            var kept: [GenerationSummary] = []
            var bytes = 0
            for generation in generations.reversed() {
                guard now - generation.endNanoseconds <= maxAge, bytes + generation.bytes <= maxBytes else { break }
                bytes += generation.bytes
                kept.insert(generation, at: 0)
            }
            return kept
        }

        @Test("the dump holds exactly the newest generations that fit in maxBytes, readable and valid")
        func windowBySize() throws {
            let directory = try TemporaryDirectory()
            let message = Recorder.intern("flight batch")
            let maxBytes = 12_000
            try Recorder.startFlightRecording(options: FlightRecorderOptions(
                maxBytes: maxBytes, maxAge: .seconds(3600),
                recording: RecorderOptions(generationInterval: .seconds(3600), compressionLevel: 0)))
            let size = 500
            var generations: [GenerationSummary] = []
            for k in 0..<10 {
                runOnThreads(1) { _ in Self.emitBatch(k, size: size, message: message) }
                generations.append(try Recorder.flush())
            }
            #expect(generations.allSatisfy { $0.events == size + 1 })
            let path = directory.path("flight.sctrace")
            let dump = try Recorder.dump(to: path)
            let expected = Self.expectedWindow(generations, now: dump.nanoseconds, maxBytes: maxBytes, maxAge: .max)
            #expect(dump.generations == expected)
            #expect(expected.count >= 2 && expected.count < 10)
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty)
            #expect(!trace.trace.report.isDamaged)
            #expect(trace.trace.report.end?.eventsWritten == UInt64(trace.events.count))
            let firstBatch = 10 - expected.count
            let steals = trace.events.filter { $0.kind == .procSteal }.map { Int($0.stealCount) }
            #expect(steals == Array(firstBatch * size ..< 10 * size))
            #expect(trace.events.filter { $0.kind == .log }.count == expected.count)
            #expect(trace.events.filter { $0.kind == .log }.allSatisfy { trace.strings[$0.logMessage] == "flight batch" })
            #expect(UInt64(try readBytes(path).count) == dump.fileBytes)

            // Recording goes on after a dump; a later dump moves the window on.
            runOnThreads(1) { _ in Self.emitBatch(10, size: size, message: message) }
            let later = try Recorder.dump(to: directory.path("later.sctrace"))
            #expect(later.generations.last?.events == size + 1)
            let laterSteals = try RecordedTrace(path: directory.path("later.sctrace")).events
                .filter { $0.kind == .procSteal }.map { Int($0.stealCount) }
            #expect(laterSteals.last == 11 * size - 1)
            #expect(laterSteals == Array(laterSteals.first! ... 11 * size - 1))
            try Recorder.stop()
        }

        @Test("generations that ended more than maxAge ago leave the window")
        func windowByAge() throws {
            let directory = try TemporaryDirectory()
            let message = Recorder.intern("flight batch")
            let maxAge: UInt64 = 30_000_000
            try Recorder.startFlightRecording(options: FlightRecorderOptions(
                maxBytes: 1 << 30, maxAge: .nanoseconds(Int64(maxAge)),
                recording: RecorderOptions(generationInterval: .seconds(3600))))
            let size = 100
            var generations: [GenerationSummary] = []
            runOnThreads(1) { _ in Self.emitBatch(0, size: size, message: message) }
            generations.append(try Recorder.flush())
            // Let the first generation age past maxAge, on the recorder's own clock.
            while try Recorder.flush().endNanoseconds < generations[0].endNanoseconds + 2 * maxAge {}
            runOnThreads(1) { _ in Self.emitBatch(1, size: size, message: message) }
            generations.append(try Recorder.flush())
            runOnThreads(1) { _ in Self.emitBatch(2, size: size, message: message) }
            let path = directory.path("aged.sctrace")
            let dump = try Recorder.dump(to: path)
            let all = generations + [dump.generations.last].compactMap { $0 }.filter { $0.number > generations[1].number }
            let expected = Self.expectedWindow(all, now: dump.nanoseconds, maxBytes: .max, maxAge: maxAge)
            #expect(dump.generations == expected)
            #expect(!dump.generations.contains { $0.number == generations[0].number })
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty)
            let batches = Set(trace.events.filter { $0.kind == .procSteal }.map { Int($0.stealCount) / size })
            #expect(!batches.contains(0))
            #expect(batches.contains(2))
            try Recorder.stop()
        }

        @Test("ranges open where the window starts are reopened there, so the dump validates")
        func rangesOpenAtWindowStart() throws {
            let directory = try TemporaryDirectory()
            let region = Recorder.intern("TestCase/testLongRunning")
            let reason = Recorder.intern("stop the world")
            try Recorder.startFlightRecording(options: FlightRecorderOptions(
                maxBytes: 8192, maxAge: .seconds(3600),
                recording: RecorderOptions(generationInterval: .seconds(3600), compressionLevel: 0)))
            let path = directory.path("ranges.sctrace")
            let dump = Mutex<FlightDump?>(nil)
            runOnThreads(1) { _ in
                Recorder.procStart(ProcID(0))
                Recorder.taskCreate(TaskID(1), parent: .none, label: region)
                Recorder.taskStart(TaskID(1), on: ProcID(0))
                Recorder.regionBegin(region)
                Recorder.gcBegin(cycle: 5)
                Recorder.gcPauseBegin(reason: reason)
                try! Recorder.flush()
                for k in 0..<8 {  // each generation ~3 KB: the first ones leave the window
                    for n in 0..<700 { Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(k * 700 + n)) }
                    try! Recorder.flush()
                }
                Recorder.gcPauseEnd(reason: reason)
                Recorder.gcEnd(cycle: 5)
                Recorder.regionEnd(region)
                dump.withLock { $0 = try! Recorder.dump(to: path) }
            }
            try Recorder.stop()
            let written = try #require(dump.withLock { $0 })
            #expect(written.generations.first?.number ?? 0 > 0)
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(3))")
            let prologue = trace.events.prefix { $0.thread == .unknown }
            #expect(prologue.map(\.kind) == [.gcBegin, .gcPauseBegin, .regionBegin])
            #expect(written.reopenedRanges == 3)
            #expect(prologue.last?.task == TaskID(1))
            #expect(trace.strings[try #require(prologue.last).regionName] == "TestCase/testLongRunning")
            #expect(trace.events.suffix(3).map(\.kind) == [.gcPauseEnd, .gcEnd, .regionEnd])
            #expect(!trace.events.contains { $0.kind == .procStart })
        }

        @Test("dump(to:) on a file recording, or with none, is refused")
        func dumpNeedsFlight() throws {
            let directory = try TemporaryDirectory()
            try Recorder.start(path: directory.path("file.sctrace"))
            #expect(throws: RecorderError.self) { try Recorder.dump(to: directory.path("dump.sctrace")) }
            do { try Recorder.dump(to: directory.path("dump.sctrace")) } catch {
                #expect(error.code == .notFlightRecording)
            }
            try Recorder.stop()
        }

        /// A dump right after a burst the flusher has not drained yet (here it never drains
        /// on its own): the backlog must be cut into generations of the window's size, as the
        /// flusher cuts one it falls behind on — one generation of all of it would be larger
        /// than the window, which keeps none then, and the dump would be empty (the busy
        /// scheduler test below failed so once, on a loaded machine).
        @Test("a dump of an undrained burst larger than the window keeps its newest events")
        func dumpAfterUndrainedBurst() throws {
            let directory = try TemporaryDirectory()
            let maxBytes = 16 << 10
            try Recorder.startFlightRecording(options: FlightRecorderOptions(
                maxBytes: maxBytes, maxAge: .seconds(3600),
                recording: RecorderOptions(bufferEvents: 1 << 18, generationInterval: .seconds(3600), drainInterval: .seconds(3600))))
            let burst = 40_000
            runOnThreads(1) { _ in
                for n in 0..<burst { Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(n)) }
            }
            let path = directory.path("burst.sctrace")
            let dump = try Recorder.dump(to: path)
            try Recorder.stop()
            #expect(dump.generations.reduce(0) { $0 + $1.bytes } <= maxBytes)
            #expect(dump.generations.count > 1, "the backlog should have been cut into several generations")
            let trace = try RecordedTrace(path: path)
            #expect(!trace.trace.report.isDamaged)
            let steals = trace.events.filter { $0.kind == .procSteal }.map { Int($0.stealCount) }
            #expect(!steals.isEmpty)
            // The newest events, in order, up to the last one emitted.
            #expect(steals.last == burst - 1)
            #expect(steals == Array((burst - steals.count)..<burst))
        }

        @Test("a flight recording of a busy scheduler stays within maxBytes and dumps a valid trace")
        func busyFlight() throws {
            let directory = try TemporaryDirectory()
            let strings = InternedStrings(SchedulerScript.allStrings)
            let maxBytes = 256 << 10
            try Recorder.startFlightRecording(options: FlightRecorderOptions(
                maxBytes: maxBytes, recording: RecorderOptions(bufferEvents: 1 << 18)))
            runOnThreads(2) { index in
                var script = SchedulerScript(index: index, seed: 3)
                for _ in 0..<30_000 {
                    for step in script.nextRound() { step.emit(strings: strings) }
                }
            }
            let path = directory.path("busy.sctrace")
            let dump = try Recorder.dump(to: path)
            #expect(dump.generations.reduce(0) { $0 + $1.bytes } <= maxBytes)
            #expect(dump.events > 0)
            let trace = try RecordedTrace(path: path)
            #expect(!trace.trace.report.isDamaged)
            #expect(trace.events.count == dump.events + dump.reopenedRanges)
            #expect(trace.events.filter { $0.thread == .unknown }.count == dump.reopenedRanges)
            #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(3))")
            try Recorder.stop()
        }
    }
}
