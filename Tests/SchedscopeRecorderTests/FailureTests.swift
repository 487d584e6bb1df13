import Foundation
import RecorderTestWorkload
import SchedscopeModel
import SchedscopeRecorder
import Testing

extension RecorderTests {
    @Suite("Write failures stop recording, not the host")
    struct FailureTests {
        /// Records into a descriptor that starts failing midway: `dup2` puts /dev/full (every
        /// write: ENOSPC) in place of the trace file's descriptor, as a disk filling up would.
        @Test("a descriptor that fails midway: clear error, recording stops, host goes on, earlier chunks stay readable")
        func failingDescriptor() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("failing.sctrace")
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            try #require(fd >= 0)
            defer { close(fd) }
            try Recorder.start(fileDescriptor: fd, options: RecorderOptions(generationInterval: .seconds(3600)))
            runOnThreads(2) { index in
                for n in 0..<5000 { Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(9), count: UInt64(n)) }
            }
            let first = try Recorder.flush()
            #expect(first.events == 10_000)

            let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
            try #require(full >= 0)
            #expect(dup2(full, fd) == fd)
            close(full)

            runOnThreads(2) { index in
                for n in 5000..<10_000 { Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(9), count: UInt64(n)) }
            }
            var flushError: RecorderError?
            do { try Recorder.flush() } catch { flushError = error }
            let error = try #require(flushError)
            #expect(error.code == .writeFailed)
            #expect(error.description.contains("No space left on device"))
            #expect(error.description.hasPrefix("Cannot write 'descriptor \(fd)': write failed at byte "))
            #expect(Recorder.failure == error)
            #expect(!Recorder.isRecording)

            // The host goes on: emitting is a no-op, from old and new threads alike.
            runOnThreads(3) { index in
                for n in 0..<10_000 { Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(9), count: UInt64(n)) }
            }
            #expect(throws: error) { try Recorder.stop() }
            #expect(!Recorder.isRecording)

            let trace = try RecordedTrace(path: path)
            #expect(trace.events.count == 10_000)
            #expect(trace.trace.violations.isEmpty)
            // The chunks written before the failure are whole; the end chunk never came.
            #expect(trace.trace.report.damages.map(\.kind) == [.truncated])
            #expect(trace.trace.report.bytesLost == 0 && trace.trace.report.end == nil)

            // A new recording works and clears the failure.
            let next = directory.path("next.sctrace")
            try Recorder.start(path: next)
            #expect(Recorder.failure == nil)
            Recorder.procStart(ProcID(0))
            try Recorder.stop()
            #expect(try RecordedTrace(path: next).events.count == 1)
        }

        @Test("a write failure found by the flusher on its own is kept for the host, and a new start cleans up")
        func failureFoundInBackground() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("background.sctrace")
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            try #require(fd >= 0)
            defer { close(fd) }
            try Recorder.start(fileDescriptor: fd, options: RecorderOptions(generationInterval: .milliseconds(5)))
            let full = open("/dev/full", O_WRONLY | O_CLOEXEC)
            #expect(dup2(full, fd) == fd)
            close(full)
            // Emit until the flusher notices (it ends a generation every 5 ms); bounded.
            var rounds = 0
            while Recorder.failure == nil && rounds < 200_000 {
                Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(rounds))
                rounds += 1
                if rounds % 1000 == 0 { Recorder.drainOnce() }
            }
            if Recorder.failure == nil { _ = try? Recorder.flush() }
            let failure = try #require(Recorder.failure)
            #expect(failure.code == .writeFailed)
            #expect(!Recorder.isRecording)
            // Not stopped by the host: the next start cleans up the failed recording.
            let next = directory.path("after.sctrace")
            try Recorder.start(path: next)
            Recorder.procStart(ProcID(0))
            let summary = try Recorder.stop()
            #expect(summary.events == 1)
        }
    }
}
