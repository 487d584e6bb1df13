import Foundation
import SchedscopeModel
import SchedscopeRecorder
import Testing

extension RecorderTests {
    @Suite("SCHEDSCOPE_TRACE")
    struct EnvironmentTests {
        @Test("the start-up hook records to SCHEDSCOPE_TRACE, with %p as the process id")
        func startsFromEnvironment() throws {
            let directory = try TemporaryDirectory()
            setenv("SCHEDSCOPE_TRACE", directory.path("env-%p.sctrace"), 1)
            defer { unsetenv("SCHEDSCOPE_TRACE") }
            #expect(try Recorder.startFromEnvironment())
            #expect(Recorder.isRecording)
            Recorder.procStart(ProcID(3))
            try Recorder.stop()
            let trace = try RecordedTrace(path: directory.path("env-\(getpid()).sctrace"))
            #expect(trace.events.map(\.kind) == [.procStart])
        }

        @Test("unset or empty, the hook does nothing")
        func unset() throws {
            unsetenv("SCHEDSCOPE_TRACE")
            #expect(try Recorder.startFromEnvironment() == false)
            setenv("SCHEDSCOPE_TRACE", "", 1)
            defer { unsetenv("SCHEDSCOPE_TRACE") }
            #expect(try Recorder.startFromEnvironment() == false)
            #expect(!Recorder.isRecording)
        }
    }
}
