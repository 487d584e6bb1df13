import SchedscopeModel
import SchedscopeRecorder

/// The task events of `TaskTracker`, sent to the recorder unless the executor was configured
/// not to record (a test's executor must not write into another test's recording).
struct TaskEventEmitter: Sendable {
    let enabled: Bool

    @inline(__always) func taskCreate(_ task: TaskID, parent: TaskID, label: StringID, isRuntime: Bool = false) {
        if enabled { Recorder.taskCreate(task, parent: parent, label: label, isRuntime: isRuntime) }
    }
    @inline(__always) func taskStart(_ task: TaskID, on proc: ProcID) { if enabled { Recorder.taskStart(task, on: proc) } }
    @inline(__always) func taskYield(_ task: TaskID) { if enabled { Recorder.taskYield(task) } }
    @inline(__always) func taskPark(_ task: TaskID, reason: StringID) { if enabled { Recorder.taskPark(task, reason: reason) } }
    @inline(__always) func taskUnpark(_ task: TaskID, by waker: TaskID) { if enabled { Recorder.taskUnpark(task, by: waker) } }
    @inline(__always) func taskEnd(_ task: TaskID) { if enabled { Recorder.taskEnd(task) } }
    @inline(__always) func log(_ message: StringID, category: StringID) { if enabled { Recorder.log(message, category: category) } }
}
