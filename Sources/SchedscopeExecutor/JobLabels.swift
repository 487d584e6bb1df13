import CSchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder

/// Labels for jobs from their runtime flags (`swift_task_getJobFlags`: kind in bits 0–7;
/// for tasks, child/future/group-child/async-let in bits 24–28), interned once.
///
/// Job kinds (the runtime's `JobKind`): 0 task; 192–194 default-actor process jobs
/// (inline, separate, override); 195 nullary continuation (`Task.yield()`); 196 isolated
/// deinit.
struct JobLabels: Sendable {
    static let childBit: UInt32 = 1 << 24
    static let groupChildBit: UInt32 = 1 << 26
    static let asyncLetBit: UInt32 = 1 << 28
    /// IsComplete in an AsyncTask's status flags.
    static let isCompleteStatus: UInt32 = 0x2000

    private let task: StringID
    private let childTask: StringID
    private let groupChild: StringID
    private let asyncLet: StringID
    private let continuation: StringID
    private let isolatedDeinit: StringID
    private let actorJob: StringID
    private let otherJob: StringID

    init() {
        func intern(_ text: String) -> StringID { Recorder.intern(text) }
        task = intern("task")
        childTask = intern("child task")
        groupChild = intern("task group child")
        asyncLet = intern("async let")
        continuation = intern("continuation job")
        isolatedDeinit = intern("isolated deinit job")
        actorJob = intern("actor job")
        otherJob = intern("job")
    }

    /// A `NullaryContinuationJob` (kind 195): what `Task.yield()` enqueues to resume its task.
    static func isContinuationJob(_ flags: UInt32) -> Bool { flags & 0xFF == 195 }

    func label(flags: UInt32) -> StringID {
        switch flags & 0xFF {
        case 0:
            if flags & Self.asyncLetBit != 0 { return asyncLet }
            if flags & Self.groupChildBit != 0 { return groupChild }
            if flags & Self.childBit != 0 { return childTask }
            return task
        case 192...194: return actorJob
        case 195: return continuation
        case 196: return isolatedDeinit
        default: return otherJob
        }
    }
}
