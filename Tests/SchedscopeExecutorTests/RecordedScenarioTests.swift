import Foundation
import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// Scenarios recorded in a child process (`ExecutorTestChild`): the recorder is one per
/// process and the global hook is process-wide. Every trace must pass the validator.
@Suite struct RecordedScenarioTests {
    struct Recorded {
        var output: String
        var trace: ReadTrace
        var bytes: [UInt8]

        func line(_ prefix: String) -> [String] {
            let found = output.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }
            return found.map { $0.split(separator: " ").dropFirst().map(String.init) } ?? []
        }
    }

    static func record(_ scenario: String) async throws -> Recorded {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("executor-\(scenario)-\(UUID().uuidString).sctrace").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await CLIRunner.product("ExecutorTestChild").run([scenario, path])
        try #require(result.status == 0, "\(result)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let trace = try readTrace(bytes)
        #expect(trace.violations.isEmpty, "\(trace.violations.prefix(5))")
        return Recorded(output: result.stdout, trace: trace, bytes: bytes)
    }

    /// The workload with a known number of deliberately leaked tasks: the leak analysis of
    /// its trace finds exactly those, and every finished task ended (0 missed, 0 false).
    @Test func leakAnalysisFindsExactlyTheDeliberateLeaks() async throws {
        let recorded = try await Self.record("leaks")
        let sums = recorded.line("sums")
        #expect(sums.count == 4 && sums[0] == sums[3] && sums[1] == sums[3], "\(recorded.output)")
        let leaked = recorded.line("leaked")
        let expectedLeaks = Int(leaked.first ?? "") ?? -1
        let expectedPlain = Int(leaked.last ?? "") ?? -1
        #expect(expectedLeaks == 12)
        #expect(recorded.line("completion") == ["status-bit"])

        var analysis = LeakAnalysis()
        for event in recorded.trace.events { analysis.consume(event) }
        let report = analysis.finish(strings: recorded.trace.strings)
        #expect(report.count == expectedLeaks, "\(report.candidates.map { "\($0.task) \($0.label) \($0.reason)" })")
        let named = report.candidates.filter { $0.label.hasPrefix("leak: ") }
        #expect(named.count == expectedLeaks - expectedPlain)
        #expect(report.candidates.filter { $0.label == "task" }.count == expectedPlain)
        #expect(report.starved.isEmpty)
        // The actor's process jobs are runtime tasks labelled as such (job kinds 192–194).
        let runtimeLabels = Set(recorded.trace.events.filter { $0.kind == .taskCreate && $0.isRuntimeTask }
            .map { recorded.trace.strings[$0.label] })
        #expect(runtimeLabels == ["actor job"])
        // The trace says which completion method was used.
        let logs = recorded.trace.events.filter { $0.kind == .log }.map { recorded.trace.strings[$0.logMessage] }
        #expect(logs.contains { $0.contains("IsComplete status bit") })
    }

    /// What an actor's job wakes or creates names that job (what runs on the thread) as its
    /// waker or parent: naming no task there made the recorder change the thread's context
    /// twice per actor round trip (two `context` records, half of a ping-pong trace).
    @Test func actorJobsAreTheWakersAndParentsOfWhatTheyResume() async throws {
        let recorded = try await Self.record("leaks")
        var runtime = Set<UInt64>()
        var running: [UInt64: UInt64] = [:]  // thread → the task whose job runs there
        var fromActorJobs = 0
        var misnamed: [String] = []
        for event in recorded.trace.events {
            let thread = event.thread.rawValue
            switch event.kind {
            case .taskCreate, .taskUnpark:
                if event.kind == .taskCreate, event.isRuntimeTask { runtime.insert(event.task.rawValue) }
                guard let current = running[thread], runtime.contains(current) else { break }
                fromActorJobs += 1
                let named = event.kind == .taskCreate ? event.parent.rawValue : event.waker.rawValue
                if named != current, misnamed.count < 5 { misnamed.append("\(event.kind) of \(event.task.rawValue) names \(named), not \(current)") }
            case .taskStart:
                running[thread] = event.task.rawValue
            case .taskYield, .taskPreempt, .taskPark, .taskEnd:
                if running[thread] == event.task.rawValue { running[thread] = nil }
            default:
                break
            }
        }
        #expect(fromActorJobs > 0, "the scenario's actor jobs should resume or create tasks")
        #expect(misnamed.isEmpty, "\(misnamed)")
    }

    @Test func stressTraceHasEveryJobOnceAndValidates() async throws {
        let recorded = try await Self.record("stress")
        let sum = recorded.line("sum")
        #expect(sum.count == 3 && sum[0] == sum[2], "\(recorded.output)")
        let jobs = recorded.line("jobs")
        #expect(jobs.count == 4 && jobs[1] == jobs[3], "\(recorded.output)")
        #expect(recorded.line("events").last == "0", "no events lost")
        let starts = recorded.trace.events.filter { $0.kind == .taskStart }.count
        #expect(starts >= 50_000)
        // Every 16th task yields once: each `Task.yield()` is one task_yield, unless its
        // continuation resumed the task before it suspended and it then completed in the
        // same job (no yield happened; the tracker counts those).
        let inline = try #require(Int(recorded.line("yields-without-suspension").first ?? ""), "\(recorded.output)")
        #expect(recorded.trace.events.filter { $0.kind == .taskYield }.count + inline == 50_000 / 16)
        #expect(recorded.trace.events.contains { $0.kind == .procSteal || $0.kind == .procStop })
    }

    /// Wake-ups racing with the stops of the jobs in which tasks suspended (4 Ps, resumers
    /// inside and outside the executor): the task tracker's lock-free nodes must neither
    /// lose nor duplicate a task's state. Checked against the trace itself: it validates
    /// (no unpark of a running task, no park of a parked one, no second end), and for every
    /// task its starts are one more than its unparks, its parks equal its unparks (each
    /// suspension reported once, by the P or by the waker that beat it), it ended exactly
    /// once, and the tracker's table holds exactly the tasks that did not end.
    @Test func wakeupsRacingWithStopsKeepEveryTaskExact() async throws {
        let recorded = try await Self.record("wakeups")
        let finished = recorded.line("finished")
        try #require(finished.count == 5, "\(recorded.output)")
        let tasks = try #require(Int(finished[2]))
        let rounds = try #require(Int(finished[4]))
        #expect(finished[0] == finished[2], "every task finished")
        #expect(recorded.line("events").last == "0", "no events lost")

        struct Counts { var creates = 0, starts = 0, parks = 0, unparks = 0, ends = 0, yields = 0 }
        let groupChild = try #require(recorded.trace.strings.firstID(of: "task group child"))
        var children = Set<UInt64>()
        var counts: [UInt64: Counts] = [:]
        for event in recorded.trace.events {
            let task = event.task.rawValue
            switch event.kind {
            case .taskCreate:
                if event.label == groupChild { children.insert(task) }
                counts[task, default: Counts()].creates += 1
            case .taskStart: counts[task, default: Counts()].starts += 1
            case .taskPark: counts[task, default: Counts()].parks += 1
            case .taskUnpark: counts[task, default: Counts()].unparks += 1
            case .taskEnd: counts[task, default: Counts()].ends += 1
            case .taskYield: counts[task, default: Counts()].yields += 1
            default: break
            }
        }
        #expect(children.count == tasks)
        // The tracker's table holds exactly the tasks that never ended in the trace: the
        // scenario's root task, which left the executor when its preference scope ended.
        let neverEnded = counts.filter { $0.value.creates == 1 && $0.value.ends == 0 }.count
        #expect(neverEnded == 1)
        #expect(recorded.line("live") == ["\(neverEnded)"], "the tracker's table")
        var suspensions = 0
        for task in children {
            let count = counts[task] ?? Counts()
            #expect(count.creates == 1 && count.ends == 1 && count.yields == 0, "task \(task): \(count)")
            #expect(count.parks == count.unparks && count.unparks <= rounds, "task \(task): \(count)")
            #expect(count.starts == count.unparks + 1, "task \(task): \(count)")
            suspensions += count.parks
        }
        // Most rounds really suspend (a continuation resumed before its task awaited it
        // does not), so the race above was exercised.
        #expect(suspensions > tasks * rounds / 2, "\(suspensions) suspensions")
    }

    /// Whole-process mode: plain `Task {}` work runs correctly on the executor's Ps.
    @Test func hookModeRunsAMixedWorkload() async throws {
        let recorded = try await Self.record("hook")
        let sums = recorded.line("sums")
        #expect(sums.count == 3 && sums[0] == sums[2], "\(recorded.output)")
        #expect(recorded.line("hooked-jobs") == ["yes"])
        let starts = recorded.trace.events.filter { $0.kind == .taskStart }
        #expect(starts.count > 400)
        #expect(Set(starts.map(\.proc.rawValue)).isSubset(of: [0, 1]))
    }

    /// Default-executor mode under load (4 Ps, thousands of plain tasks through an actor,
    /// yields, sleeps and children): right results, no timer left, and every task ends in
    /// the trace but the program's main task, which created them from the main actor.
    @Test func executorFactoryModeUnderLoadEndsEveryTask() async throws {
        let recorded = try await Self.record("factory-stress")
        let sum = recorded.line("sum"), counter = recorded.line("counter")
        #expect(sum.count == 3 && sum[0] == sum[2], "\(recorded.output)")
        #expect(counter.count == 3 && counter[0] == counter[2], "\(recorded.output)")
        #expect(recorded.line("timers-pending") == ["0"])
        var alive = Set<TaskID>()
        for event in recorded.trace.events {
            switch event.kind {
            case .taskCreate: alive.insert(event.task)
            case .taskEnd: alive.remove(event.task)
            default: break
            }
        }
        // At most the main task: seen once one of its awaits resumes on the Ps, and on the
        // main actor when the recording stops.
        #expect(alive.count <= 1, "\(alive.prefix(5))")
    }

    /// Whole-process mode through `ExecutorFactory`: what the hook misses is on the Ps and in
    /// the trace. Each yielding task's yields are its own `task_yield`s (the hook sends a
    /// yield's continuation to the runtime's threads), and each sleeping task is parked for
    /// at least its sleep and woken by the timer thread (no waker), then ends.
    @Test func executorFactoryModeSeesYieldsAndSleeps() async throws {
        let recorded = try await Self.record("factory")
        let sums = recorded.line("sums")
        #expect(sums.count == 3 && sums[0] == sums[2], "\(recorded.output)")
        #expect(recorded.line("factory-jobs") == ["yes"])
        #expect(recorded.line("mode") == ["executor-factory"])
        #expect(recorded.line("cancelled-sleep") == ["woken"])
        #expect(recorded.line("timers-pending") == ["1"])
        #expect(recorded.line("after-shutdown") == ["7"])
        let yielders = recorded.line("yielders").compactMap { Int($0) }
        let sleepers = recorded.line("sleepers")
        try #require(yielders.count == 2 && sleepers.count == 3, "\(recorded.output)")
        #expect(sleepers[2] == "on-time")
        let (sleeperCount, sleepNanoseconds) = (Int(sleepers[0]) ?? -1, UInt64(sleepers[1]) ?? .max)

        struct History {
            var yields = 0, ended = false, parks: [UInt64] = [], wakes: [(UInt64, TaskID)] = [], reasons: [String] = []
            /// The start of the job in which it parked (the sleep began in that job; the park
            /// is stamped when the job returns, later on a loaded machine).
            var lastStart: UInt64 = 0, startBeforePark: [UInt64] = []
        }
        var tasks: [TaskID: History] = [:]
        var timerJobs: Set<TaskID> = []
        for event in recorded.trace.events {
            switch event.kind {
            case .taskCreate where recorded.trace.strings[event.label] == "sleep timer": timerJobs.insert(event.task)
            case .taskYield: tasks[event.task, default: History()].yields += 1
            case .taskEnd: tasks[event.task, default: History()].ended = true
            case .taskStart: tasks[event.task, default: History()].lastStart = event.timestamp
            case .taskPark:
                tasks[event.task, default: History()].parks.append(event.timestamp)
                tasks[event.task, default: History()].startBeforePark.append(tasks[event.task]!.lastStart)
                tasks[event.task, default: History()].reasons.append(recorded.trace.strings[event.reason])
            case .taskUnpark: tasks[event.task, default: History()].wakes.append((event.timestamp, event.waker))
            default: break
            }
        }
        let yieldingTasks = tasks.values.filter { $0.ended && $0.yields == yielders[1] && $0.parks.isEmpty }
        #expect(yieldingTasks.count == yielders[0])
        // A sleeper parks once and is woken, its sleep after the job in which it went to
        // sleep began, by the runtime's wake-up job, which the timer thread queued on the Ps
        // (labelled "sleep timer").
        let sleepingTasks = tasks.values.filter { history in
            guard history.ended, history.parks.count == 1, history.wakes.count == 1 else { return false }
            let (time, waker) = history.wakes[0]
            return timerJobs.contains(waker) && time - history.startBeforePark[0] >= sleepNanoseconds
        }
        #expect(sleepingTasks.count == sleeperCount)
        // Their parks say why: the sleep was handed to the executor's timers from inside them.
        #expect(sleepingTasks.allSatisfy { $0.reasons == ["sleep"] })
        // Every park woken by a timer job was a sleep (the mixed workload's sleeps too).
        let timerWoken = tasks.values.filter { history in history.wakes.contains { timerJobs.contains($0.1) } }
        #expect(timerWoken.count >= sleeperCount)
        #expect(timerWoken.allSatisfy { $0.reasons.contains("sleep") })
        // Every timer job ran on a P and ended (the mixed workload's 1 ms sleeps have them too).
        #expect(timerJobs.count >= sleeperCount)
        #expect(timerJobs.allSatisfy { tasks[$0]?.ended == true })
        let starts = recorded.trace.events.filter { $0.kind == .taskStart }
        #expect(Set(starts.map(\.proc.rawValue)) == [0])
    }
}
