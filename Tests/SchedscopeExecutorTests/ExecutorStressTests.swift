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

    /// With tracking on, `spawn`'s tasks leave the table as they end, and a task that waits
    /// forever stays in it, parked, with its call-site label.
    @Test func trackingSeesSpawnEndsAndParkedTasks() async {
        let executor = SchedscopeExecutor(Self.quietConfiguration(procs: 2, tracking: .on))
        let tracker = try! #require(executor.tracker)
        let region = tracker.newRegion(named: "test")
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
