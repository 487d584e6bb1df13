import Synchronization
import Testing
@testable import SchedscopeExecutor

/// A bitmap of task indexes that each task sets once; setting a bit twice is a duplicate.
final class RunOnce: @unchecked Sendable {
    // Invariant: `words` is allocated once and only touched through its atomics.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let wordCount: Int
    private let duplicates = Atomic<Int>(0)

    init(count: Int) {
        wordCount = (count + 63) / 64
        words = .allocate(capacity: wordCount)
        for index in 0..<wordCount { (words + index).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: wordCount)
        words.deallocate()
    }

    func mark(_ index: Int) {
        let bit: UInt64 = 1 << UInt64(index % 64)
        let before = words[index / 64].bitwiseOr(bit, ordering: .relaxed).oldValue
        if before & bit != 0 { duplicates.add(1, ordering: .relaxed) }
    }

    var marked: Int { (0..<wordCount).reduce(0) { $0 + words[$1].load(ordering: .relaxed).nonzeroBitCount } }
    var duplicateCount: Int { duplicates.load(ordering: .relaxed) }
}

/// Real threads, many jobs: no job lost or run twice (the executor's own counts after
/// shutdown, and each task marking its index once). Recording stays off here: these run in
/// the test process, next to the recorder's own tests.
@Suite struct ExecutorStressTests {
    static func quietConfiguration(procs: Int, tracking: ExecutorConfiguration.TaskTracking = .off) -> ExecutorConfiguration {
        ExecutorConfiguration(procCount: procs, name: "stress", taskTracking: tracking, recordsEvents: false)
    }

    @Test(arguments: [1, 2, 4])
    func fanOutRunsEveryTaskOnce(procs: Int) async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: procs))
        let total = 200_000
        let seen = RunOnce(count: total)
        await withTaskExecutorPreference(executor) {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    group.addTask { seen.mark(index) }
                }
            }
        }
        executor.shutdown()
        #expect(seen.marked == total)
        #expect(seen.duplicateCount == 0)
        let counts = executor.jobCounts
        #expect(counts.enqueued == counts.run)
        #expect(counts.run >= total)
    }

    /// `shutdown()` from one of the executor's own jobs (what a whole-process program's main
    /// task may do) returns instead of waiting for its own thread, and the work queued
    /// behind it still runs.
    @Test(.timeLimit(.minutes(1)), arguments: [1, 2])
    func shutdownFromOwnJobReturnsAndQueuedWorkRuns(procs: Int) async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: procs))
        let ran = RunOnce(count: 50)
        let returned = await executor.spawn {
            // Queued on this P behind the job that shuts down.
            for index in 0..<50 { executor.spawn { ran.mark(index) } }
            executor.shutdown()
            return true
        }.value
        #expect(returned)
        // The queued jobs run on the calling P after its job returns, or elsewhere once
        // forwarded; each one marks itself, so wait for the marks (no sleep-and-hope).
        while ran.marked < 50 { await Task.yield() }
        #expect(ran.duplicateCount == 0)
    }

    @Test func yieldsAndSpawnsFromInsideWorkersAllRun() async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: 3))
        let yieldsPerTask = 25_000
        let tasks = 16
        let done = RunOnce(count: tasks)
        var handles: [Task<Void, Never>] = []
        for index in 0..<tasks {
            handles.append(executor.spawn {
                for _ in 0..<yieldsPerTask { await Task.yield() }
                // Spawned from a worker: lands on that P's local queue, others steal it.
                await executor.spawn { done.mark(index) }.value
            })
        }
        for handle in handles { await handle.value }
        executor.shutdown()
        #expect(done.marked == tasks)
        #expect(done.duplicateCount == 0)
        let counts = executor.jobCounts
        #expect(counts.enqueued == counts.run)
        #expect(counts.run >= tasks * yieldsPerTask)
    }

    /// Everything pushed by one task onto one P overflows its 256-slot queue into the global
    /// queue and is stolen by the others; nothing is lost on the way.
    @Test func imbalancedFanOutFromOneProc() async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: 4))
        let total = 100_000
        let seen = RunOnce(count: total)
        await executor.spawn {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    group.addTask {
                        var x = UInt64(index)
                        for _ in 0..<50 { x = x &* 6364136223846793005 &+ 1 }
                        if x == 42 { seen.mark(index) }  // never true; keeps the loop
                        seen.mark(index)
                    }
                }
            }
        }.value
        executor.shutdown()
        #expect(seen.marked == total)
        #expect(seen.duplicateCount == 0)
        let counts = executor.jobCounts
        #expect(counts.enqueued == counts.run)
    }

    /// A task-group fan-out on one P, through the real runtime: the spawner makes every
    /// child before any runs (its job does not return until its loop ends), overflowing the
    /// ring many times; the children must then run oldest first, because the runtime
    /// removes a finished child by walking the group's children from the oldest. Each
    /// child's walk — the older children still waiting when it runs — is counted, and must
    /// stay within one ring (256); Go's order ran the newest ~257 first, each past all the
    /// others (docs/EXECUTOR.md, "Bursts").
    @Test func fanOutOnOneProcRunsChildrenOldestFirst() async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: 1))
        let total = 20_000
        final class RunOrder: Sendable {
            let indexes = Mutex<[Int]>([])
        }
        let order = RunOrder()
        await withTaskExecutorPreference(executor) {
            await withDiscardingTaskGroup { group in
                for index in 0..<total {
                    group.addTask { order.indexes.withLock { $0.append(index) } }
                }
            }
        }
        executor.shutdown()
        let runOrder = order.indexes.withLock { $0 }
        #expect(runOrder.sorted() == Array(0..<total))
        // Older children not yet run when each one ran, with a Fenwick tree of those run.
        var tree = [Int](repeating: 0, count: total + 1)
        var longestWalk = 0
        for index in runOrder {
            var olderRun = 0
            var position = index
            while position > 0 {
                olderRun += tree[position]
                position -= position & -position
            }
            longestWalk = max(longestWalk, index - olderRun)
            position = index + 1
            while position <= total {
                tree[position] += 1
                position += position & -position
            }
        }
        #expect(longestWalk <= Int(LocalRunQueue.capacity))
    }

    /// With tracking on, `spawn`'s tasks leave the table as they end, and a task that waits
    /// forever stays in it, parked, with its call-site label.
    @Test func trackingSeesSpawnEndsAndParkedTasks() async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: 2, tracking: .on))
        let tracker = try! #require(executor.tracker)
        let region = tracker.newRegion()
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let finishing = executor.spawn(name: nil, priority: nil, region: region, fileID: "Demo.swift", line: 7) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { await Task.yield() } }
            }
        }
        let waiting = executor.spawn(name: nil, priority: nil, region: region, fileID: "Demo.swift", line: 9) {
            for await _ in stream {}
        }
        await finishing.value
        executor.shutdown()  // every queued job has run: the waiter has suspended
        let live = tracker.liveTasks(inRegion: region)
        #expect(live.count == 1)
        #expect(live.first?.label == "Demo.swift:9")
        #expect(live.first?.state == .parked)
        continuation.finish()
        _ = waiting
    }
}

/// Labels come from the runtime's job flags (kind in bits 0–7, child 24, group child 26,
/// async let 28): checked on tasks held parked so that they are still in the table.
@Suite struct JobFlagLabelTests {
    final class Gate: Sendable {
        private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let arrived = Atomic<Int>(0)
        func wait() async {
            await withCheckedContinuation { continuation in
                waiters.withLock { $0.append(continuation) }
                arrived.add(1, ordering: .releasing)
            }
        }
        var arrivals: Int { arrived.load(ordering: .acquiring) }
        func open() {
            let pending = waiters.withLock { waiters in
                defer { waiters.removeAll() }
                return waiters
            }
            for continuation in pending { continuation.resume() }
        }
    }

    @Test func labelsFollowTheKindOfTask() async {
        let executor = SchedscopeExecutor(ExecutorStressTests.quietConfiguration(procs: 2, tracking: .on))
        let tracker = executor.tracker!
        let region = tracker.newRegion()
        let gate = Gate()
        let (stream, continuation) = AsyncStream<[String]>.makeStream()
        let root = executor.spawn(name: "root", priority: nil, region: region, fileID: "Labels.swift", line: 1) {
            async let first: Void = gate.wait()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await gate.wait() }
                Task(executorPreference: executor) { await gate.wait() }
                // All three waiters have suspended once they registered and their jobs
                // returned: poll the table (each look is one lock per shard).
                while gate.arrivals < 3 || tracker.liveTasks(inRegion: region).filter({ $0.state == .parked }).count < 3 {
                    await Task.yield()
                }
                continuation.yield(tracker.liveTasks(inRegion: region).filter { $0.state == .parked }.map(\.label).sorted())
                gate.open()
            }
            await first
        }
        var iterator = stream.makeAsyncIterator()
        let labels = await iterator.next()
        await root.value
        executor.shutdown()
        #expect(labels == ["async let", "task", "task group child"])
    }

    /// A spawn site's label is interned once per process; a second executor spawning from
    /// the same site must still name its task by it (it printed "?" when each tracker kept
    /// its own copy of the texts).
    @Test func spawnSiteLabelsHoldForEveryExecutor() async {
        for _ in 0..<2 {
            let executor = SchedscopeExecutor(ExecutorStressTests.quietConfiguration(procs: 1, tracking: .on))
            let tracker = executor.tracker!
            let region = tracker.newRegion()
            let gate = Gate()
            let task = executor.spawn(name: nil, priority: nil, region: region, fileID: "Site.swift", line: 7) {
                await gate.wait()
            }
            while gate.arrivals < 1 || tracker.liveTasks(inRegion: region).filter({ $0.state == .parked }).isEmpty {
                await Task.yield()
            }
            let labels = tracker.liveTasks(inRegion: region).map(\.label)
            gate.open()
            await task.value
            executor.shutdown()
            #expect(labels == ["Site.swift:7"])
        }
    }
}
