import Synchronization
import Testing
@testable import SchedscopeExecutor

/// The task table under real threads (recording off, tracking on): every Ps enqueues, starts
/// and stops tasks in the sharded table at once, while it grows and shrinks. The outcome is
/// exact: a task that ended has left the table, a task that waits is in it, parked.
@Suite struct TaskTableStressTests {
    /// Continuations parked until `resumeAll`.
    final class Waiters: Sendable {
        private let continuations = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let count = Atomic<Int>(0)
        func wait() async {
            await withCheckedContinuation { continuation in
                continuations.withLock { $0.append(continuation) }
                count.add(1, ordering: .releasing)
            }
        }
        var arrived: Int { count.load(ordering: .acquiring) }
        func resumeAll() {
            let all = continuations.withLock { list in
                defer { list.removeAll() }
                return list
            }
            for continuation in all { continuation.resume() }
        }
    }

    @Test(arguments: [2, 4])
    func everyEndedTaskLeavesTheTable(procs: Int) async throws {
        let executor = SchedscopeExecutor(ExecutorStressTests.quietConfiguration(procs: procs, tracking: .on))
        let tracker = try #require(executor.tracker)
        try #require(tracker.completionMethod == .statusBit)
        let total = 100_000
        let seen = RunOnce(count: total)
        // Children of a discarding group end by the status bit; the spawned root exactly.
        await executor.spawn {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    group.addTask {
                        await Task.yield()  // a second job: started, yielded, started again
                        seen.mark(index)
                    }
                }
            }
        }.value
        executor.shutdown()
        #expect(seen.marked == total)
        #expect(tracker.liveCount == 0, "\(tracker.liveTasks(inRegion: 0).map { "\($0.task) \($0.label) \($0.state)" })")
    }

    @Test func waitingTasksStayParkedUntilResumed() async throws {
        let executor = SchedscopeExecutor(ExecutorStressTests.quietConfiguration(procs: 3, tracking: .on))
        let tracker = try #require(executor.tracker)
        try #require(tracker.completionMethod == .statusBit)
        let region = tracker.newRegion()
        let waiters = Waiters()
        let waiting = 5_000
        var handles: [Task<Void, Never>] = []
        for _ in 0..<waiting {
            handles.append(executor.spawn(name: nil, priority: nil, region: region, fileID: "Wait.swift", line: 1) {
                await waiters.wait()
            })
        }
        // Beside them, tasks that come and go on every P while the waiters park.
        await executor.spawn {
            await withDiscardingTaskGroup { group in
                for _ in 0..<50_000 { group.addTask { await Task.yield() } }
            }
        }.value
        // A waiter registered its continuation before its job returned; its park follows.
        while waiters.arrived < waiting
            || tracker.liveTasks(inRegion: region).filter({ $0.state == .parked }).count < waiting {
            await Task.yield()
        }
        // Exactly the waiters are the region's live tasks. (Not `liveCount`: a passing task
        // leaves the table when its job returns, which may be just after its group saw it
        // complete; `shutdown()` below waits for that.)
        #expect(tracker.liveTasks(inRegion: region).count == waiting)
        waiters.resumeAll()
        for handle in handles { await handle.value }
        executor.shutdown()
        #expect(tracker.liveTasks(inRegion: region).isEmpty)
        #expect(tracker.liveCount == 0)
    }
}
