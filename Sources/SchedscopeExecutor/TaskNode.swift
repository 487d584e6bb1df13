import SchedscopeModel
import Synchronization

/// One tracked task: what the tracker knows of it, and its state as one atomic word.
///
/// Why a node of its own, at a stable address, rather than a value in the task table: the
/// per-job paths reach it without the table. The enqueue that made the task runnable leaves
/// the node's address in the job's scheduler-private word, the P that runs the job takes it
/// from there, and the worker keeps it while the job runs (for yields, self-enqueues and the
/// stop). Only a wake-up by another thread and a task's creation and end look the table up.
///
/// Nodes are never given back to the allocator while their tracker lives: an ended task's
/// node goes to its shard's free list and is reused for a later task. A P whose job
/// returned after the task had been resumed, run and ended elsewhere may still compare and
/// swap on the node; type-stable memory makes that harmless (it expects "running on this
/// P", which no task can be while this P is busy stopping).
struct TaskNode: ~Copyable {
    /// The task it is given to. Atomic (relaxed: a plain load) because a worker's cache of
    /// the nodes it parked reads it without the table's lock, while a node that was freed
    /// may be given to another task; a node whose `task` is the one looked for is that
    /// task's node.
    let task = Atomic<UInt64>(0)
    // Written when the node is given to a task (under its shard's lock, before the task is
    // published by its first enqueue); read-only afterwards.
    var label: StringID = .empty
    var region: UInt32 = 0
    var parent: UInt64 = 0
    var createdNanoseconds: UInt64 = 0
    var isAsyncLet = false
    /// The free list's link (under the shard's lock).
    var nextFree: UnsafeMutablePointer<TaskNode>?

    /// `TaskNode.State` in bits 0–7, the P for `running` and `stopping` in bits 8–39.
    let state = Atomic<UInt64>(0)
    /// When it last parked (leak reports' "suspended for"); written before `parked` is
    /// published.
    let parkedNanoseconds = Atomic<UInt64>(0)
    /// Set while the task runs when it hands a sleep's wake-up to the executor's timers
    /// (default-executor mode), so that its park says `sleep`; cleared when it is woken.
    let isSleeping = Atomic<Bool>(false)
    /// Whole-process modes, tasks of a test's region: the task object, retained while the
    /// task is parked (0 otherwise), so that a leak check can read whether it completed out
    /// of sight (inside an actor's job: docs/EXECUTOR.md, "Whole-process mode"). Released by
    /// whoever takes the node out of `parked`: its waker, or the check that finds it ended.
    let parkedTask = Atomic<UInt>(0)

    init() {}

    @inline(__always)
    var taskID: UInt64 { task.load(ordering: .relaxed) }

    /// The transitions, and who makes them:
    /// - `runnable` → `running(p)`: the P that took the job (a plain store: the enqueue
    ///   that published the job made it runnable, and nothing else moves a runnable task).
    /// - `running(p)` → `runnable`: the task itself, enqueuing its own job (`task_yield`), by
    ///   a plain store on its own thread; or a waker that resumed it before its job returned
    ///   (compare-and-swap; the waker then emits `task_park` and `task_unpark`).
    /// - `running(p)` → `yielding(p)`: the task enqueued a continuation job that will resume
    ///   it (`Task.yield()`), by a plain store. The continuation's enqueue of the task makes
    ///   it `runnable` and emits `task_yield` if the job has not returned yet; otherwise the
    ///   stop does. If the continuation resumed it before it suspended, the task goes on in
    ///   the same job and the stop sees `yielding(p)`: it ends it if it completed.
    /// - `running(p)` or `yielding(p)` → `stopping(p)`: P `p`, when the job returned
    ///   (compare-and-swap, which loses to such a waker); then `parked` (`task_park`),
    ///   `yielded` (`task_yield`; the continuation's enqueue makes it `runnable` with no
    ///   event), or the node leaves the table (`task_end`).
    /// - `parked` → `runnable`: a waker (compare-and-swap). A waker that finds `stopping`
    ///   waits for the stop's outcome, so that `task_park` always precedes its `task_unpark`.
    enum State: UInt64 {
        case runnable = 0, running = 1, stopping = 2, parked = 3, yielding = 4, yielded = 5
    }

    @inline(__always)
    static func word(_ state: State, proc: Int = 0) -> UInt64 { state.rawValue | UInt64(UInt32(truncatingIfNeeded: proc)) << 8 }

    @inline(__always)
    static func state(of word: UInt64) -> State { State(rawValue: word & 0xFF) ?? .runnable }

    @inline(__always)
    static func proc(of word: UInt64) -> Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: word >> 8)) }
}
