import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

/// Writes a workload to memory and returns the bytes and the generator's ground truth.
private func generate(_ workload: SyntheticWorkload, chunkBytes: Int = 64 << 10) throws -> ([UInt8], SyntheticTruth) {
    let sink = ByteSink()
    var options = SyntheticWorkload.writerOptions
    options.chunkBytes = chunkBytes
    let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: options)
    let truth = try workload.write(to: writer)
    return (sink.memory, truth)
}

@Suite("synth: the generator's bookkeeping agrees with what the analyses read back")
struct SyntheticWorkloadTests {
    @Test(arguments: [(1, UInt64(1)), (2, 2), (4, 3), (8, 4)])
    func traceIsValidAndMatchesTruth(procs: Int, seed: UInt64) throws {
        let workload = SyntheticWorkload(procs: procs, taskLimit: 1500, seed: seed, leakEvery: 5, generationEvents: 4096)
        let (bytes, truth) = try generate(workload, chunkBytes: 4096)
        let trace = try readTrace(bytes)
        #expect(trace.violations.isEmpty, "\(trace.violations.prefix(3))")
        #expect(!trace.report.isDamaged)
        #expect(UInt64(trace.events.count) == truth.events)
        #expect(trace.report.generations > 1)

        var summary = SummaryAnalysis()
        var byProc = StatsAnalysis(by: .proc)
        for event in trace.events {
            summary.consume(event)
            byProc.consume(event)
        }
        let report = summary.finish(info: trace.info, read: trace.report)
        for kind in EventKind.allCases {
            #expect(report.eventsByKind[kind] == truth.count(kind), "\(kind)")
        }
        #expect(report.tasksCreated == truth.tasksCreated)
        #expect(report.tasksEnded == truth.tasksEnded)
        #expect(report.tasksLiveAtEnd == truth.tasksLiveAtEnd)
        #expect(truth.tasksLiveAtEnd == UInt64(truth.leakedTasks.count))
        #expect(report.durationNanoseconds == truth.endTimestamp)

        let busy = Dictionary(uniqueKeysWithValues: byProc.finish(strings: trace.strings).map { ($0.key, $0.timeNanoseconds ?? 0) })
        for p in 0..<procs {
            #expect(busy["P\(p)", default: 0] == truth.busyNanoseconds[p], "P\(p)")
        }
    }

    /// Each simulated P keeps its own clock, and one may run ahead of another. A parent that
    /// parked to wait for its children on a P ahead of the one where its last child ended
    /// was once woken before it parked (`synth --procs 8 --events 30000 --seed 18` failed
    /// `validate`: an unpark of a running task, then a start of a parked one).
    @Test("a parent woken by its last child is unparked after it parked, whichever P's clock is ahead")
    func wakeByLastChildFollowsThePark() throws {
        let workload = SyntheticWorkload(procs: 8, eventLimit: 30_000, seed: 18, leakEvery: 40, gcInterval: 2_000_000)
        let (bytes, truth) = try generate(workload)
        let trace = try readTrace(bytes)
        #expect(trace.violations.isEmpty, "\(trace.violations.prefix(3))")
        #expect(UInt64(trace.events.count) == truth.events)
    }

    /// The simulation's Ps run on their own clocks; every interaction between two of them
    /// must keep cause before effect. A cheap sweep over seeds and P counts: it catches an
    /// ordering broken for every wake-up, steal or pause, not a rare one like the bug above
    /// (one 200k-event trace in sixty), which its own seed holds.
    @Test("traces of many seeds and P counts follow the scheduler state machine", arguments: [2, 4, 8, 16])
    func manySeedsValidate(procs: Int) throws {
        for seed in UInt64(1)...4 {
            let workload = SyntheticWorkload(procs: procs, eventLimit: 40_000, seed: seed &* 7 &+ UInt64(procs))
            let (bytes, truth) = try generate(workload)
            let trace = try readTrace(bytes)
            #expect(trace.violations.isEmpty, "procs \(procs), seed \(seed &* 7 &+ UInt64(procs)): \(trace.violations.prefix(3))")
            #expect(UInt64(trace.events.count) == truth.events)
        }
    }

    @Test func leakedTasksAreParkedForeverWithTheirLabelAndReason() throws {
        let (bytes, truth) = try generate(SyntheticWorkload(procs: 4, taskLimit: 3000, seed: 9, leakEvery: 3))
        #expect(!truth.leakedTasks.isEmpty)
        let trace = try readTrace(bytes)
        var lastKind: [TaskID: EventKind] = [:]
        var labels: [TaskID: String] = [:]
        var reasons: [TaskID: String] = [:]
        for event in trace.events {
            switch event.kind {
            case .taskCreate: labels[event.task] = trace.strings[event.label]; lastKind[event.task] = event.kind
            case .taskPark: reasons[event.task] = trace.strings[event.reason]; lastKind[event.task] = event.kind
            case .taskStart, .taskYield, .taskPreempt, .taskUnpark, .taskEnd: lastKind[event.task] = event.kind
            default: break
            }
        }
        let parkedAtEnd = Set(lastKind.filter { $0.value == .taskPark }.map(\.key))
        #expect(parkedAtEnd == Set(truth.leakedTasks.map(\.task)))
        for leak in truth.leakedTasks {
            #expect(labels[leak.task] == leak.label)
            #expect(reasons[leak.task] == leak.reason)
        }
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try generate(SyntheticWorkload(procs: 3, taskLimit: 500, seed: 42)).0
        let b = try generate(SyntheticWorkload(procs: 3, taskLimit: 500, seed: 42)).0
        let c = try generate(SyntheticWorkload(procs: 3, taskLimit: 500, seed: 43)).0
        #expect(a == b)
        #expect(a != c)
    }

    @Test func eventLimitStopsNewTests() throws {
        let (_, truth) = try generate(SyntheticWorkload(procs: 4, eventLimit: 20_000, seed: 5))
        #expect(truth.events >= 20_000)
        #expect(truth.events < 40_000)
    }

    @Test func gcPausesStopEveryTask() throws {
        let (bytes, truth) = try generate(SyntheticWorkload(procs: 4, taskLimit: 4000, seed: 11, gcInterval: 200_000))
        #expect(truth.gcCycles > 0)
        var pauseOpen = false
        var running = Set<TaskID>()
        var pauses: [UInt64] = []
        var pauseStart: UInt64 = 0
        for event in try readTrace(bytes).events {
            switch event.kind {
            case .gcPauseBegin:
                pauseOpen = true
                pauseStart = event.timestamp
                // Every running task was preempted first (same timestamp, lower thread id).
                #expect(running.isEmpty, "tasks \(running) still running when the world stopped")
            case .gcPauseEnd:
                pauseOpen = false
                pauses.append(event.timestamp - pauseStart)
            case .taskStart:
                #expect(!pauseOpen, "task \(event.task) started during a stop-the-world pause")
                running.insert(event.task)
            case .taskYield, .taskPreempt, .taskPark, .taskEnd:
                running.remove(event.task)
            default: break
            }
        }
        #expect(pauses == truth.gcPauses)
    }
}
