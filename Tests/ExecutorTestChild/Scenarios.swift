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

/// Whole-process mode through the `ExecutorFactory` SPI: the mixed workload on plain
/// `Task {}`, plus tasks that only yield and tasks that only sleep — the two things the
/// hook does not see. Prints what the test checks against the trace.
enum FactoryScenario {
    static let yielders = 8, yieldsEach = 50
    static let sleepers = 6
    static let sleepNanoseconds: UInt64 = 20_000_000

    static func run() async {
        // One P: with two, a yield's continuation may run on the other P and resume the task
        // before it has suspended; the task then goes on in the same job, and those yields
        // are one `task_yield` (docs/EXECUTOR.md, "Events"), so the count would not be exact.
        let executor = SchedscopeExecutor.installAsDefaultExecutor(ExecutorConfiguration(procCount: 1))
        let sum = await mixedWorkload { body in Task { await body() } }
        var tasks: [Task<Bool, Never>] = []
        for index in 0..<yielders {
            tasks.append(Task(name: "yielder \(index)") {
                for _ in 0..<yieldsEach { await Task.yield() }
                return true
            })
        }
        for index in 0..<sleepers {
            tasks.append(Task(name: "sleeper \(index)") {
                let clock = ContinuousClock()
                let start = clock.now
                try? await Task.sleep(nanoseconds: sleepNanoseconds)
                return start.duration(to: clock.now) >= .nanoseconds(Int64(sleepNanoseconds))
            })
        }
        var onTime = true
        for task in tasks { onTime = await task.value && onTime }
        print("sums \(sum) expected \(expectedSum)")
        print("factory-jobs \(executor.jobCounts.enqueued > 0 ? "yes" : "no")")
        print("mode \(executor.mode == .executorFactory ? "executor-factory" : "other")")
        print("yielders \(yielders) \(yieldsEach)")
        print("sleepers \(sleepers) \(sleepNanoseconds) \(onTime ? "on-time" : "early")")
        // A cancelled sleep wakes at once; its wake-up job stays queued until its deadline
        // (as with Swift's own executor, a timer is not withdrawn).
        let cancelled = Task(name: "cancelled sleeper") { () -> Bool in
            do {
                try await Task.sleep(for: .seconds(3_600))
                return false
            } catch {
                return error is CancellationError
            }
        }
        try? await Task.sleep(for: .milliseconds(10))
        cancelled.cancel()
        print("cancelled-sleep \(await cancelled.value ? "woken" : "not-woken")")
        print("timers-pending \(executor.pendingTimers)")
        // After a shutdown, tasks still run (on the platform's default executor: the global
        // one is this executor).
        executor.shutdown()
        let afterShutdown = await Task { await Task.yield(); return 7 }.value
        print("after-shutdown \(afterShutdown)")
    }
}

/// Whole-process mode behind a flag, as a program would do it: the recording and the mode
/// both from the environment (`schedscope record --executor hook|default`); then tasks that
/// only yield. Prints the mode installed.
enum EnvironmentScenario {
    static func run() async {
        do {
            guard try Recorder.startFromEnvironment() else {
                printError("SCHEDSCOPE_TRACE is not set")
                exit(1)
            }
            // One P, for exact yield counts (see `FactoryScenario`).
            let executor = try SchedscopeExecutor.installFromEnvironment(ExecutorConfiguration(procCount: 1))
            let mode = switch executor?.mode {
            case .executorFactory: "default"
            case .wholeProcess: "hook"
            case .preference: "preference"
            case nil: "none"
            }
            var tasks: [Task<Void, Never>] = []
            for _ in 0..<FactoryScenario.yielders {
                tasks.append(Task { for _ in 0..<FactoryScenario.yieldsEach { await Task.yield() } })
            }
            for task in tasks { await task.value }
            print("mode \(mode)")
            print("yielders \(FactoryScenario.yielders) \(FactoryScenario.yieldsEach)")
            try Recorder.stop()
        } catch {
            printError("\(error)")
            exit(1)
        }
    }
}

/// Default-executor mode under load: thousands of plain tasks that call an actor, yield,
/// sleep for a random short time and wait for a child that sleeps too, all at once on 4
/// Ps. Every task must finish with the right result and end in the trace. (The actor call
/// comes first: a task whose last step is an actor call may end inside the actor's job,
/// unseen — docs/EXECUTOR.md, "Whole-process mode".)
enum FactoryStressScenario {
    static let tasks = 4_000

    static func run() async {
        let executor = SchedscopeExecutor.installAsDefaultExecutor(ExecutorConfiguration(procCount: 4))
        let counter = Counter()
        var spawned: [Task<Int, Never>] = []
        for index in 0..<tasks {
            spawned.append(Task {
                _ = await counter.add(1)
                await Task.yield()
                try? await Task.sleep(nanoseconds: UInt64(index % 7) * 150_000)
                if index % 3 == 0 {
                    let child = Task { try? await Task.sleep(nanoseconds: 50_000); return 1 }
                    return index + (await child.value)
                }
                return index + 1
            })
        }
        var sum = 0
        for task in spawned { sum += await task.value }
        print("sum \(sum) expected \(tasks * (tasks - 1) / 2 + tasks)")
        print("counter \(await counter.value) expected \(tasks)")
        print("timers-pending \(executor.pendingTimers)")
        // Let the Ps finish the jobs still running (the wake-up job that resumed the last
        // sleeper may not have returned yet), so that their ends are in the recording.
        executor.shutdown()
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
        print("yields-without-suspension \(executor.tracker?.yieldsWithoutSuspension ?? -1)")
    }
}

/// Four "tests" run at the same time through `LeakCheck` (what the trait does), one
/// leaking two tasks, one leaking one, and one leaking a plain and a detached task (seen only
/// when SCHEDSCOPE_EXECUTOR makes the test executor the whole process's): each test is told
/// exactly its own leaks, and the trace (recorded from SCHEDSCOPE_TRACE by SchedscopeTesting)
/// names them by region.
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
        // Plain and detached tasks: they escape a preference, so the check sees them only
        // when the test executor is the whole process's (`record --executor`).
        async let leaksPlain = check.run(named: "ParallelTests/leaksPlain()") {
            Task { _ = await never.wait() }
            Task.detached { try? await Task.sleep(for: .seconds(3_600)) }
            await Task.yield()
        }
        // Plain tasks that call an actor and finish: not leaks, in any mode. (Each yields
        // after the call: a plain task whose last step is an actor call may end unseen in
        // whole-process mode, docs/EXECUTOR.md.)
        async let cleanPlain = check.run(named: "ParallelTests/cleanPlain()") {
            let counter = Counter()
            var tasks: [Task<Int, Never>] = []
            for _ in 0..<20 {
                tasks.append(Task {
                    let value = await counter.add(1)
                    await Task.yield()
                    return value
                })
            }
            for task in tasks { _ = await task.value }
        }
        // Plain tasks whose last step is a call to a contended actor: in whole-process mode
        // the runtime may run them on, and end them, inside the actor's job; the check reads
        // their retained status, so they are not leaks either.
        async let actorLast = check.run(named: "ParallelTests/actorLast()") {
            let counter = Counter()
            var tasks: [Task<Void, Never>] = []
            for _ in 0..<200 { tasks.append(Task { _ = await counter.add(1) }) }
            for task in tasks { await task.value }
        }
        let results = await [
            ("clean", clean), ("leaksTwo", leaksTwo), ("leaksOne", leaksOne), ("leaksPlain", leaksPlain),
            ("cleanPlain", cleanPlain), ("actorLast", actorLast),
        ]
        for (name, result) in results {
            print("\(name) \(result.leaked.count) \(result.leaked.map(\.label).sorted().joined(separator: "|"))")
        }
        _ = try? Recorder.stop()
    }
}

/// Task wake-ups racing with the stops of the jobs in which the tasks suspended: 4 Ps,
/// `tasks` tasks that each suspend `rounds` times on a continuation that is resumed at once,
/// either by another of the executor's tasks (which takes it from a shared mailbox before
/// suspending itself) or by one of two threads outside the executor that drain the mailbox.
/// A resumption often arrives before the suspended job has returned, so the task tracker's
/// park/unpark race is taken from both sides. Prints the counts the test compares with the
/// trace, and the number of tasks the tracker still holds.
enum WakeupScenario {
    static let tasks = 2_000
    static let rounds = 20

    final class Mailbox: Sendable {
        private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        private let closed = Atomic<Bool>(false)

        func post(_ continuation: CheckedContinuation<Void, Never>) { waiting.withLock { $0.append(continuation) } }
        func take() -> CheckedContinuation<Void, Never>? { waiting.withLock { $0.popLast() } }
        func close() { closed.store(true, ordering: .releasing) }
        var isClosed: Bool { closed.load(ordering: .acquiring) }
    }

    static func run() async {
        let executor = SchedscopeExecutor(ExecutorConfiguration(procCount: 4))
        let mailbox = Mailbox()
        // Outside the executor: resumptions from threads that run no task (waker 0). Plain
        // threads, not tasks: two busy tasks would hold the whole cooperative pool of a
        // 2-core machine, which this function needs to continue on after the group.
        let resumers = (0..<2).map { _ in
            startThread {
                while !mailbox.isClosed {
                    if let continuation = mailbox.take() { continuation.resume() } else { sched_yield() }
                }
            }
        }
        let finished = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<rounds {
                            // Wake another task (the waker is this task), then suspend.
                            mailbox.take()?.resume()
                            await withCheckedContinuation { mailbox.post($0) }
                        }
                        return 1
                    }
                }
                return await group.reduce(0, +)
            }
        }
        mailbox.close()
        for resumer in resumers { pthread_join(resumer, nil) }
        executor.shutdown()
        print("finished \(finished) of \(tasks) rounds \(rounds)")
        print("live \(executor.tracker?.liveCount ?? -1)")
    }
}

/// Runs `body` on a new OS thread (joined with `pthread_join`).
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    let result = pthread_create(&thread, nil, { argument in
        Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
        return nil
    }, box)
    precondition(result == 0, "pthread_create failed (\(result))")
    return thread
}
