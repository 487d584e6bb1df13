import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

/// Writes a workload to memory; returns its events (read back and validated) and the
/// generator's ground truth.
private func generate(_ workload: SyntheticWorkload) throws -> (trace: ReadTrace, truth: SyntheticTruth) {
    let sink = ByteSink()
    var options = SyntheticWorkload.writerOptions
    options.chunkBytes = 8192
    let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: options)
    let truth = try workload.write(to: writer)
    let trace = try readTrace(sink.memory)
    #expect(trace.violations.isEmpty, "\(trace.violations.prefix(3))")
    return (trace, truth)
}

/// Shapes of synthetic runs: Ps, tasks, seed, one leak in this many tests.
private let shapes: [(procs: Int, tasks: UInt64, seed: UInt64, leakEvery: Int)] = [
    (1, 800, 1, 3), (2, 2000, 2, 5), (4, 4000, 3, 4), (8, 6000, 4, 7), (3, 3000, 11, 2),
]

@Suite("synthetic traces: the analyses agree with the generator's own bookkeeping")
struct SyntheticAgreementTests {
    @Test(arguments: shapes.indices)
    func imbalanceMatchesBusyTasksRunAndSteals(shape: Int) throws {
        let s = shapes[shape]
        let (trace, truth) = try generate(SyntheticWorkload(procs: s.procs, taskLimit: s.tasks, seed: s.seed, leakEvery: s.leakEvery))
        var analysis = ImbalanceAnalysis(procCount: trace.info.procCount)
        for event in trace.events { analysis.consume(event) }
        let report = analysis.finish()
        #expect(report.end == truth.endTimestamp)
        #expect(report.procs.map(\.proc) == (0..<s.procs).map { ProcID(UInt32($0)) })
        #expect(report.procs.map(\.busyNanoseconds) == truth.busyNanoseconds)
        #expect(report.procs.map(\.tasksRun) == truth.tasksRun)
        #expect(report.procs.map(\.stealsIn) == truth.stealsIn)
        #expect(report.procs.map(\.stealsOut) == truth.stealsOut)
        let windowBusy = report.worstWindow?.busyNanoseconds ?? []
        #expect(windowBusy.allSatisfy { $0 <= report.windowNanoseconds })
    }

    @Test(arguments: shapes.indices)
    func gcMatchesThePausesWritten(shape: Int) throws {
        let s = shapes[shape]
        let (trace, truth) = try generate(SyntheticWorkload(procs: s.procs, taskLimit: s.tasks, seed: s.seed, leakEvery: s.leakEvery))
        var analysis = GCAnalysis()
        for event in trace.events { analysis.consume(event) }
        let report = analysis.finish(strings: trace.strings)
        #expect(truth.gcPauses.count > 2)
        #expect(report.cycles == truth.gcCycles)
        #expect(report.pauses == UInt64(truth.gcPauses.count))
        #expect(report.pauseTotalNanoseconds == truth.gcPauses.reduce(0, +))
        #expect(report.pauseMax == truth.gcPauses.max())
        let sorted = truth.gcPauses.sorted()
        for (reported, percent) in [(report.pauseP50, 50), (report.pauseP95, 95), (report.pauseP99, 99)] {
            let rank = max(1, (sorted.count * percent + 99) / 100)
            let exact = sorted[rank - 1]
            #expect(reported == min(LogLinearHistogram.highestEquivalent(exact), report.pauseMax), "p\(percent)")
        }
        #expect(report.pauseFraction.isClose(to: Double(report.pauseTotalNanoseconds) / Double(truth.endTimestamp)))
        #expect(!report.endsInsidePause)
        #expect(report.mmu.allSatisfy { $0.utilization >= 0 && $0.utilization <= 1 })
    }

    @Test(arguments: shapes.indices, [false, true])
    func leakCandidatesAreTheLeakedTasks(shape: Int, byRegion: Bool) throws {
        let s = shapes[shape]
        let (trace, truth) = try generate(SyntheticWorkload(procs: s.procs, taskLimit: s.tasks, seed: s.seed, leakEvery: s.leakEvery))
        var analysis = LeakAnalysis(options: LeakOptions(minAge: 0, byRegion: byRegion))
        for event in trace.events { analysis.consume(event) }
        let report = analysis.finish(strings: trace.strings)
        #expect(!truth.leakedTasks.isEmpty)
        let leaked = truth.leakedTasks.sorted { $0.task < $1.task }
        let leakedIDs = Set(leaked.map(\.task))
        // By region, tasks still alive when their test ends are reported too, though they end
        // later: the generator's leaky child can leave its own children running (goleak
        // would flag them as well). Check those against the events themselves.
        let found = report.candidates.filter { leakedIDs.contains($0.task) }.sorted { $0.task < $1.task }
        let extra = report.candidates.filter { !leakedIDs.contains($0.task) }
        #expect(found.map(\.task) == leaked.map(\.task))
        #expect(found.map(\.label) == leaked.map(\.label))
        #expect(found.map(\.reason) == leaked.map(\.reason))
        #expect(found.map(\.region) == leaked.map(\.region))
        #expect(found.map(\.createdAt) == leaked.map(\.createdAt))
        #expect(found.map { $0.judgedAt - $0.parkedNanoseconds } == leaked.map(\.parkedAt))
        if byRegion {
            #expect(found.allSatisfy { $0.judgedAt < truth.endTimestamp }, "judged when their test ended")
            // Each task's events with their position in the stream, and where each region ends.
            var taskEvents: [TaskID: [(index: Int, event: Event)]] = [:]
            var regionEnd: [String: Int] = [:]
            for (index, event) in trace.events.enumerated() {
                if event.kind.rawValue >= EventKind.taskCreate.rawValue && event.kind.rawValue <= EventKind.taskEnd.rawValue {
                    taskEvents[event.task, default: []].append((index, event))
                } else if event.kind == .regionEnd {
                    regionEnd["\(event.timestamp) \(trace.strings[event.regionName])"] = index
                }
            }
            /// The task's last event before its region's end, which judged it.
            func lastBeforeVerdict(_ task: TaskID, _ judgedAt: UInt64, _ region: String?) -> Event? {
                guard let region, let end = regionEnd["\(judgedAt) \(region)"] else { return nil }
                return taskEvents[task]?.last { $0.index < end }?.event
            }
            for c in extra {
                let last = lastBeforeVerdict(c.task, c.judgedAt, c.region)
                #expect(last?.kind == .taskPark && last?.timestamp == c.judgedAt - c.parkedNanoseconds, "task \(c.task)")
                #expect(last.map { trace.strings[$0.reason] } == c.reason)
                #expect(taskEvents[c.task]?.last?.event.kind == .taskEnd, "task \(c.task) ends after its test")
            }
            for t in report.starved {
                let last = lastBeforeVerdict(t.task, t.judgedAt, t.region)
                #expect(last.map { [.taskCreate, .taskUnpark, .taskYield, .taskPreempt].contains($0.kind) } == true, "task \(t.task)")
                #expect(last?.timestamp == t.judgedAt - t.runnableNanoseconds)
            }
        } else {
            #expect(extra.isEmpty && report.starved.isEmpty)
            #expect(found.allSatisfy { $0.judgedAt == truth.endTimestamp })
        }
        #expect(report.candidates.allSatisfy { !$0.uncertain })
        #expect(UInt64(report.groups.map(\.count).reduce(0, +)) == UInt64(report.candidates.count))
    }

    @Test(arguments: shapes.indices)
    func onePassEqualsEachAnalysisAlone(shape: Int) throws {
        let s = shapes[shape]
        let (trace, _) = try generate(SyntheticWorkload(procs: s.procs, taskLimit: s.tasks, seed: s.seed, leakEvery: s.leakEvery))
        let window = shape % 2 == 0 ? AnalysisWindow.whole : AnalysisWindow(from: 3_000_000, to: 9_000_000)
        let procCount = trace.info.procCount
        var full = FullAnalysis(procCount: procCount, window: window, windowSize: 1_000_000, leakOptions: LeakOptions(byRegion: true))
        var imbalance = ImbalanceAnalysis(procCount: procCount, window: window, windowSize: 1_000_000)
        var preemption = PreemptionAnalysis(window: window)
        var latency = LatencyAnalysis(window: window)
        var gc = GCAnalysis(window: window)
        var leaks = LeakAnalysis(window: window, options: LeakOptions(byRegion: true))
        for event in trace.events {
            full.consume(event)
            imbalance.consume(event)
            preemption.consume(event)
            latency.consume(event)
            gc.consume(event)
            leaks.consume(event)
        }
        let report = full.finish(strings: trace.strings)
        #expect(report.imbalance == imbalance.finish())
        #expect(report.preemption == preemption.finish(strings: trace.strings))
        #expect(report.latency == latency.finish())
        #expect(report.gc == gc.finish(strings: trace.strings))
        #expect(report.leaks == leaks.finish(strings: trace.strings))
        #expect(report.preemption.preemptions == trace.events.filter { $0.kind == .taskPreempt && window.contains($0.timestamp) }.count)
        #expect(report.latency.overall.count > 0 && report.imbalance.activeWindows > 0)
    }
}
