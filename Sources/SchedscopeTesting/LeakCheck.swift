import CSchedscopeExecutor
import SchedscopeExecutor
import SchedscopeModel
import SchedscopeRecorder

/// Runs a body on `SchedscopeTesting.executor` inside a region named after the test, and
/// lists the tasks it created (directly or transitively) that are still alive at its end:
/// goleak's check, attributed by creation rather than by time, so tests running in
/// parallel do not blame each other.
public struct LeakCheck: Sendable {
    /// A task created by the test and alive at its end.
    public struct LeakedTask: Sendable, CustomStringConvertible {
        /// The runtime's task id.
        public var task: UInt64
        /// Its name or creation site (`spawn`), else its kind ("task", "task group child"…).
        public var label: String
        /// "suspended" when parked; "runnable" or "running" when it had not stopped yet.
        public var state: String
        public var ageNanoseconds: UInt64
        public var parkedNanoseconds: UInt64

        public var description: String {
            "task \(task) '\(label)' \(state) for \(Self.format(state == "suspended" ? parkedNanoseconds : ageNanoseconds)) (age \(Self.format(ageNanoseconds)))"
        }

        static func format(_ nanoseconds: UInt64) -> String {
            switch nanoseconds {
            case ..<1_000: "\(nanoseconds) ns"
            case ..<1_000_000: "\(nanoseconds / 1_000) µs"
            case ..<1_000_000_000: "\(nanoseconds / 1_000_000) ms"
            default: "\(nanoseconds / 1_000_000_000) s"
            }
        }
    }

    /// Labels (substrings) of tasks that may outlive a test, like goleak's `IgnoreTopFunction`.
    public var ignoring: [String]
    /// How long to wait, after the body returns, for its tasks to finish (tasks that are
    /// ending as the body returns are not leaks).
    public var grace: Duration

    public init(ignoring: [String] = [], grace: Duration = .milliseconds(200)) {
        self.ignoring = ignoring
        self.grace = grace
    }

    /// Runs `body` and returns the tasks it leaked (empty: none), with the error it threw.
    ///
    /// - Parameters:
    ///   - name: the region's name in the trace (the test's name).
    ///   - body: the test.
    public func run(named name: String, _ body: @escaping @Sendable () async throws -> Void) async -> (leaked: [LeakedTask], error: (any Error)?) {
        let executor = SchedscopeTesting.executor
        // `SchedscopeTesting.executor` always tracks; a test that ran unchecked must not pass.
        guard let tracker = executor.tracker else { preconditionFailure("the leak-check executor runs without task tracking") }
        let region = tracker.newRegion()
        // Regions go into the recording only if the executor records (it started the
        // recording itself): never into a recording someone else runs in this process.
        let records = executor.configuration.recordsEvents
        let regionName = records ? Recorder.intern(name) : .empty
        let ignoring = ignoring
        let grace = grace
        let task = executor.spawn(name: name, priority: nil, region: region, fileID: #fileID, line: #line) {
            () async -> (leaked: [LeakedTask], error: (any Error)?) in
            let me = executor.currentTaskID
            if records { Recorder.regionBegin(regionName, task: TaskID(me)) }
            var failure: (any Error)?
            do { try await body() } catch { failure = error }
            let leaked = await Self.settle(region: region, excluding: me, tracker: tracker, ignoring: ignoring, grace: grace)
            if records {
                // Tasks the check found ended out of sight (whole-process mode) get their ends
                // recorded by a P between two jobs: before the region ends, so that the trace
                // judges them as this check did.
                let deadline = ContinuousClock.now + .seconds(1)
                while tracker.pendingEndsFoundOutOfSight > 0 && ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(1))
                }
                Recorder.regionEnd(regionName, task: TaskID(me))
            }
            return (leaked, failure)
        }
        return await task.value
    }

    /// Waits up to `grace` for the region's tasks to end; returns those still alive. Tasks
    /// still runnable or running at that point are given up to 5 s more to reach a park
    /// (a loaded machine may not have run them yet), so a verdict is about parked tasks.
    private static func settle(region: UInt32, excluding root: UInt64, tracker: TaskTracker, ignoring: [String], grace: Duration) async -> [LeakedTask] {
        let deadline = ContinuousClock.now + grace
        let hardDeadline = deadline + .seconds(5)
        while true {
            // Async-let children end with their parent's scope, which the executor cannot
            // see: once the body has returned, they have ended (or belong to a leaked
            // parent, which is reported).
            let live = tracker.liveTasks(inRegion: region).filter { task in
                task.task != root && !task.isAsyncLet && !ignoring.contains { task.label.contains($0) }
            }
            let now = ContinuousClock.now
            let settled = live.allSatisfy { $0.state == .parked }
            if live.isEmpty || (now >= deadline && settled) || now >= hardDeadline {
                return live.map {
                    LeakedTask(task: $0.task, label: $0.label, state: $0.reason,
                               ageNanoseconds: $0.ageNanoseconds, parkedNanoseconds: $0.parkedNanoseconds)
                }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The failure message for `leaked` tasks of test `name`.
    public static func message(test name: String, leaked: [LeakedTask]) -> String {
        var lines = ["\(name) leaked \(leaked.count) task\(leaked.count == 1 ? "" : "s"):"]
        lines += leaked.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
