import SchedscopeExecutor
import SchedscopeRecorder

/// The executor that leak-checked tests run on, and the recording they write to.
public enum SchedscopeTesting {
    /// Shared by every leak-checked test of the process, created at first use. If
    /// `SCHEDSCOPE_TRACE` is set (as `schedscope record -- swift test` sets it), a recording
    /// to that path starts then, and the tests' tasks and regions go into it; otherwise
    /// nothing is recorded and only the in-process leak checks run.
    public static let executor: SchedscopeExecutor = {
        let started = (try? Recorder.startFromEnvironment()) ?? false
        return SchedscopeExecutor(ExecutorConfiguration(
            name: "schedscope-test", taskTracking: .on, recordsEvents: started))
    }()
}
