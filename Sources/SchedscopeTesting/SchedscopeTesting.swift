import SchedscopeExecutor
import SchedscopeRecorder

/// The executor that leak-checked tests run on, and the recording they write to.
public enum SchedscopeTesting {
    /// Shared by every leak-checked test of the process, created at first use. If
    /// `SCHEDSCOPE_TRACE` is set (as `schedscope record -- swift test` sets it), a recording
    /// to that path starts then, and the tests' tasks and regions go into it; otherwise
    /// nothing is recorded and only the in-process leak checks run.
    ///
    /// If `SCHEDSCOPE_EXECUTOR` is set (`schedscope record --executor hook|default`), it is
    /// the process's whole-process executor instead (`installFromEnvironment()`): then a
    /// test's plain `Task {}` and `Task.detached` run on it too, and their leaks are the
    /// test's (one that ends unseen, inside an actor's job, is told apart by its retained
    /// status: docs/EXECUTOR.md, "Whole-process mode"). Otherwise it is a task executor
    /// preference, which such tasks escape.
    public static let executor: SchedscopeExecutor = {
        let started = (try? Recorder.startFromEnvironment()) ?? false
        let configuration = ExecutorConfiguration(name: "schedscope-test", taskTracking: .on, recordsEvents: started)
        do {
            if let whole = try SchedscopeExecutor.installFromEnvironment(configuration) { return whole }
        } catch {
            fatalError("\(error)")
        }
        return SchedscopeExecutor(configuration)
    }()
}
