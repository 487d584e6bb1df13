import SchedscopeExecutor
import SchedscopeRecorder
import SchedscopeTesting
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Tasks that finish (through `spawn` and through plain `Task(executorPreference:)`) and
/// tasks leaked on purpose. Prints the numbers the test compares with the leak analysis.
enum LeakScenario {
    static let leakedContinuations = 5
    static let leakedStreams = 4
    static let leakedSleeps = 3

    static func run() async {
        let executor = SchedscopeExecutor(ExecutorConfiguration(procCount: 2))
        // Finishing tasks: the mixed workload through both creation paths.
        let viaSpawn = await mixedWorkload { body in executor.spawn { await body() } }
        let viaTask = await mixedWorkload { body in Task(executorPreference: executor) { await body() } }
        // Leaks. Continuations never resumed (spawn: exact labels by name).
        let never = LateResumer()
        for index in 0..<leakedContinuations {
            executor.spawn(name: "leak: continuation \(index)") { _ = await never.wait() }
        }
        // Streams never finished (plain tasks: completion seen through the status bit).
        var continuations: [AsyncStream<Int>.Continuation] = []
        for _ in 0..<leakedStreams {
            let (stream, continuation) = AsyncStream<Int>.makeStream()
            continuations.append(continuation)
            Task(executorPreference: executor) {
                for await _ in stream {}
            }
        }
        // Sleeps far past the end.
        for index in 0..<leakedSleeps {
            executor.spawn(name: "leak: sleep \(index)") { try? await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
        // Every queued job runs before shutdown returns, so each leaked task has suspended
        // (and its park is recorded) by then.
        executor.shutdown()
        print("completion \(executor.tracker?.completionMethod == .statusBit ? "status-bit" : "spawn-only")")
        print("sums \(viaSpawn) \(viaTask) expected \(expectedSum)")
        print("leaked \(leakedContinuations + leakedStreams + leakedSleeps) plain \(leakedStreams)")
        withExtendedLifetime(continuations) {}
    }
}

/// Whole-process mode: the mixed workload on plain `Task {}` with the global hook installed.
enum HookScenario {
    static func run() async {
        let executor = SchedscopeExecutor.installGlobally(ExecutorConfiguration(procCount: 2))
        let sum = await mixedWorkload { body in Task { await body() } }
        // Wait for the last jobs (the tasks' ends) to have run on the executor's Ps.
        let counts = executor.jobCounts
        print("sums \(sum) expected \(expectedSum)")
        print("hooked-jobs \(counts.enqueued > 0 ? "yes" : "no")")
    }
}

/// Many small tasks with recording on: every job enqueued runs exactly once.
enum StressScenario {
    static func run() async {
        let executor = SchedscopeExecutor(ExecutorConfiguration(procCount: 2))
        let total = 50_000
        let sum = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<total {
                    group.addTask {
                        if index % 16 == 0 { await Task.yield() }
                        return index
                    }
                }
                return await group.reduce(0, +)
            }
        }
        executor.shutdown()
        let counts = executor.jobCounts
        print("sum \(sum) expected \(total * (total - 1) / 2)")
        print("jobs enqueued \(counts.enqueued) run \(counts.run)")
    }
}

/// Three "tests" run at the same time through `LeakCheck` (what the trait does), one
/// leaking two tasks and one leaking one: each test is told exactly its own leaks, and the
/// trace (recorded from SCHEDSCOPE_TRACE by SchedscopeTesting) names them by region.
enum RegionScenario {
    static func run() async {
        let check = LeakCheck(grace: .milliseconds(50))
        let executor = SchedscopeTesting.executor
        let never = LateResumer()
        async let clean = check.run(named: "ParallelTests/clean()") {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { await Task.yield() } }
            }
            await executor.spawn { await Task.yield() }.value
        }
        async let leaksTwo = check.run(named: "ParallelTests/leaksTwo()") {
            executor.spawn(name: "waits for a reply") { _ = await never.wait() }
            Task(executorPreference: executor) { _ = await never.wait() }
            await Task.yield()
        }
        async let leaksOne = check.run(named: "ParallelTests/leaksOne()") {
            let (stream, _) = AsyncStream<Int>.makeStream()
            executor.spawn { for await _ in stream {} }
        }
        let results = await [("clean", clean), ("leaksTwo", leaksTwo), ("leaksOne", leaksOne)]
        for (name, result) in results {
            print("\(name) \(result.leaked.count) \(result.leaked.map(\.label).sorted().joined(separator: "|"))")
        }
        _ = try? Recorder.stop()
    }
}
