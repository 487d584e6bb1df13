import Foundation
import SchedscopeFormat
import SchedscopeModel
import SchedscopeRecorder
import RecorderTestWorkload
import SchedscopeTestSupport
import Testing

/// The recorder is one per process, so every test that records runs in this serialized
/// suite (nested suites in the other files extend it).
@Suite(.serialized)
enum RecorderTests {}

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("schedscope-recorder-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Reads a trace file, runs the validator over it, and groups its events by thread.
struct RecordedTrace {
    var trace: ReadTrace
    var byThread: [ThreadID: [Event]]

    init(path: String) throws {
        trace = try readTrace(readBytes(path))
        byThread = Dictionary(grouping: trace.events, by: \.thread)
    }

    var events: [Event] { trace.events }
    var strings: StringTable { trace.strings }
    var lostEvents: UInt64 { trace.events.filter { $0.kind == .lost }.reduce(0) { $0 + $1.lostCount } }
}

extension RecorderTests {
    @Suite("Lifecycle and errors")
    struct LifecycleTests {
        @Test("stop, flush and dump without a recording say so")
        func notRecording() {
            #expect(!Recorder.isRecording)
            #expect(throws: RecorderError.self) { try Recorder.stop() }
            do {
                try Recorder.stop()
            } catch {
                #expect(error.code == .notRecording)
                #expect(error.description == "stop() was called with no recording in progress.")
            }
            #expect((try? Recorder.flush()) == nil)
            #expect((try? Recorder.dump(to: "/nonexistent/x")) == nil)
        }

        @Test("emitting with no recording does nothing")
        func emitWhileOff() {
            Recorder.taskStart(TaskID(1), on: ProcID(0))
            Recorder.log(Recorder.intern("ignored"))
            #expect(!Recorder.isRecording)
        }

        @Test("a trace file that cannot be created is a clear error")
        func cannotCreate() {
            do {
                try Recorder.start(path: "/nonexistent-dir/run.sctrace")
                Issue.record("start should have failed")
                _ = try? Recorder.stop()
            } catch {
                #expect(error.code == .cannotCreateFile)
                #expect(error.description == "Cannot write '/nonexistent-dir/run.sctrace': cannot create the trace file (No such file or directory).")
            }
            #expect(!Recorder.isRecording)
        }

        @Test("options out of range are refused", arguments: [
            RecorderOptions(bufferEvents: 100), RecorderOptions(bufferEvents: 32),
            RecorderOptions(generationInterval: .zero), RecorderOptions(compressionLevel: 10),
        ])
        func invalidOptions(_ options: RecorderOptions) throws {
            let directory = try TemporaryDirectory()
            #expect(throws: RecorderError.self) { try Recorder.start(path: directory.path("x.sctrace"), options: options) }
            #expect(!Recorder.isRecording)
        }

        @Test("a second start while recording is refused; the first recording goes on")
        func alreadyRecording() throws {
            let directory = try TemporaryDirectory()
            try Recorder.start(path: directory.path("a.sctrace"))
            do {
                try Recorder.start(path: directory.path("b.sctrace"))
                Issue.record("second start should have failed")
            } catch {
                #expect(error.code == .alreadyRecording)
            }
            #expect(Recorder.isRecording)
            #expect(!FileManager.default.fileExists(atPath: directory.path("b.sctrace")))
            Recorder.procStart(ProcID(0))
            let summary = try Recorder.stop()
            #expect(summary.events == 1)
            let trace = try RecordedTrace(path: directory.path("a.sctrace"))
            #expect(trace.events.map(\.kind) == [.procStart])
        }

        @Test("an empty recording is a valid, empty trace with the header's details")
        func emptyRecording() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("empty.sctrace")
            try Recorder.start(path: path, options: RecorderOptions(procCount: 6, producer: "recorder-test"))
            let summary = try Recorder.stop()
            #expect(summary.events == 0)
            let trace = try RecordedTrace(path: path)
            #expect(trace.events.isEmpty)
            #expect(trace.trace.info.procCount == 6)
            #expect(trace.trace.info.producer == "recorder-test")
            #expect(!trace.trace.report.isDamaged)
            #expect(summary.fileBytes == UInt64(try readBytes(path).count))
        }

        @Test("consecutive recordings on the same threads each hold their own events",
              arguments: [ClockChoice.automatic, .monotonic])
        func consecutiveRecordings(clock: ClockChoice) throws {
            let directory = try TemporaryDirectory()
            let options = RecorderOptions(clock: clock)
            for round in 0..<3 {
                let path = directory.path("run\(round).sctrace")
                try Recorder.start(path: path, options: options)
                runOnThreads(2) { index in
                    for n in 0..<100 {
                        Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(9), count: UInt64(round * 1000 + n))
                    }
                }
                for n in 0..<10 { Recorder.gcBegin(cycle: UInt64(round * 100 + n)); Recorder.gcEnd(cycle: UInt64(round * 100 + n)) }
                try Recorder.stop()
                let trace = try RecordedTrace(path: path)
                #expect(trace.trace.violations.isEmpty)
                #expect(trace.events.count == 220)
                #expect(trace.events.filter { $0.kind == .procSteal }.allSatisfy { $0.stealCount / 1000 == UInt64(round) })
                #expect(trace.events.filter { $0.kind == .gcBegin }.allSatisfy { $0.cycle / 100 == UInt64(round) })
                #expect(trace.trace.info.clock == (clock == .monotonic ? .monotonic : trace.trace.info.clock))
            }
        }

        @Test("slots of exited threads are freed once their events are written")
        func exitedThreadsAreReclaimed() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("exits.sctrace")
            let before = Recorder.liveThreadSlots
            try Recorder.start(path: path)
            for _ in 0..<3 {
                runOnThreads(4) { index in
                    for n in 0..<50 { Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(99), count: UInt64(n)) }
                }
            }
            try Recorder.flush()
            #expect(Recorder.liveThreadSlots <= before + 1)
            try Recorder.stop()
            #expect(Recorder.liveThreadSlots <= before + 1)
            let trace = try RecordedTrace(path: path)
            #expect(trace.events.count == 600)
            #expect(trace.byThread.count == 12)
        }
    }
}
