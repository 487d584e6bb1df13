import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("imbalance: busy time, spread and idle-while-runnable against known intervals")
struct ImbalanceAnalysisTests {
    private func imbalance(
        _ builder: TraceBuilder, procCount: UInt32 = 2, procs: Set<ProcID>? = nil,
        window: AnalysisWindow = .whole, windowSize: UInt64 = 10_000_000
    ) throws -> ImbalanceReport {
        var analysis = ImbalanceAnalysis(procCount: procCount, procs: procs, window: window, windowSize: windowSize)
        try stream(builder) { analysis.consume($0) }
        return analysis.finish()
    }

    /// P0 runs task 1 100…500 and 600…1000 (800); P1 steals task 2 and runs it 200…700
    /// (500). Runnable tasks wait while a P is idle 0…200 and 500…600 (300).
    private func twoProcs() -> TraceBuilder {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, proc: 0, at: 0).create(2, proc: 0, at: 0)
        b.start(1, proc: 0, at: 100)
        b.steal(1, from: 0, count: 1, at: 150)
        b.start(2, proc: 1, at: 200)
        b.preempt(1, proc: 0, at: 500)
        b.start(1, proc: 0, at: 600)
        b.end(2, proc: 1, at: 700)
        b.end(1, proc: 0, at: 1000)
        b.procStop(0, at: 1000).procStop(1, at: 1000)
        return b
    }

    @Test func busyUtilizationTasksAndSteals() throws {
        let report = try imbalance(twoProcs())
        #expect(report.start == 0 && report.end == 1000)
        #expect(report.procs.map(\.proc) == [ProcID(0), ProcID(1)])
        #expect(report.procs.map(\.busyNanoseconds) == [800, 500])
        #expect(report.procs.map(\.utilization) == [0.8, 0.5])
        #expect(report.procs.map(\.tasksRun) == [2, 1])
        #expect(report.procs.map(\.stealsIn) == [0, 1])
        #expect(report.procs.map(\.stealsOut) == [1, 0])
        #expect(report.maxOverMean.isClose(to: 800.0 / 650.0))
        #expect(report.cv.isClose(to: 150.0 / 650.0))
        #expect(report.idleWhileRunnableNanoseconds == 300)
    }

    @Test func perWindowFigures() throws {
        let report = try imbalance(twoProcs(), windowSize: 250)
        // [0,250): 150 vs 50 · [250,500): 250 vs 250 · [500,750): 150 vs 200 · [750,1000): 250 vs 0.
        #expect(report.windows == 4 && report.activeWindows == 4)
        // Weighted by each window's total busy time: 200, 500, 350, 250.
        let weighted = (1.5 * 200 + 1.0 * 500 + 200.0 / 175.0 * 350 + 2.0 * 250) / 1300
        #expect(report.weightedWindowMaxOverMean.isClose(to: weighted))
        // Excess (max − mean): 50, 0, 25, 125.
        let worst = try #require(report.worstWindow)
        #expect(worst.start == 750 && worst.end == 1000)
        #expect(worst.busyNanoseconds == [250, 0] && worst.excessNanoseconds == 125)
        #expect(worst.maxOverMean == 2 && worst.cv == 1)
    }

    @Test func balancedOverallUnbalancedPerWindow() throws {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, proc: 0, at: 0).create(2, proc: 1, at: 0)
        b.start(1, proc: 0, at: 0).end(1, proc: 0, at: 1000)
        b.start(2, proc: 1, at: 1000).end(2, proc: 1, at: 2000)
        let report = try imbalance(b, windowSize: 1000)
        #expect(report.procs.map(\.busyNanoseconds) == [1000, 1000])
        #expect(report.maxOverMean == 1 && report.cv == 0)
        #expect(report.windows == 2 && report.activeWindows == 2)
        #expect(report.weightedWindowMaxOverMean == 2 && report.weightedWindowCV == 1)
        #expect(report.worstWindow?.start == 0, "ties go to the earliest window")
        // Task 2 waits 0…1000 while P1 idles.
        #expect(report.idleWhileRunnableNanoseconds == 1000)
    }

    @Test func windowsSpanningLongRunsAndGaps() throws {
        // One task runs 50…350 across three 100 ns windows, then nothing until 1000.
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 50).yield(1, proc: 0, at: 350)
        b.start(1, proc: 0, at: 950).end(1, proc: 0, at: 1000)
        let report = try imbalance(b, procCount: 1, windowSize: 100)
        #expect(report.procs.map(\.busyNanoseconds) == [350])
        #expect(report.windows == 10)
        #expect(report.activeWindows == 5)   // 0–100, 100–200, 200–300, 300–400, 900–1000
        #expect(report.maxOverMean == 1 && report.cv == 0 && report.weightedWindowMaxOverMean == 1)
        #expect(report.worstWindow?.start == 0 && report.worstWindow?.excessNanoseconds == 0, "one P: no excess, the earliest active window")
        #expect(report.idleWhileRunnableNanoseconds == 50 + 600)
    }

    @Test("a task running across a vast span: the whole windows in between are counted at once, and the end of time does not wrap")
    func vastSpansAreCountedNotWalked() throws {
        // P0 runs task 1 from 0 until 2⁶² ns; P1 stays idle. Walking the 10 ms windows one
        // by one would take 4.6 × 10¹¹ steps; each of them has busy [W, 0].
        let end: UInt64 = 1 << 62, size: UInt64 = 10_000_000
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 0).end(1, proc: 0, at: end)
        let report = try imbalance(b, windowSize: size)
        let windows = (end + size - 1) / size
        #expect(report.windows == windows && report.activeWindows == windows)
        #expect(report.procs.map(\.busyNanoseconds) == [end, 0])
        #expect(report.weightedWindowMaxOverMean.isClose(to: 2) && report.weightedWindowCV.isClose(to: 1))
        let worst = try #require(report.worstWindow)
        #expect(worst.start == 0 && worst.end == size && worst.busyNanoseconds == [size, 0] && worst.excessNanoseconds == size / 2)

        // Timestamps at the very end of time: the last window ends at 2⁶⁴ − 1 instead of wrapping.
        let last = UInt64.max - 5
        let late = TraceBuilder(procs: 1)
        late.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 0).end(1, proc: 0, at: last)
        let lateReport = try imbalance(late, procCount: 1, windowSize: size)
        #expect(lateReport.windows == last / size + 1)
        #expect(lateReport.procs.map(\.busyNanoseconds) == [last])
    }

    @Test("every analysis finishes on a trace whose few events span all of time")
    func allAnalysesOnAVastSpan() throws {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 1)
        b.gcPause(from: 2, to: UInt64.max - 10)
        b.park(1, reason: "chan receive", proc: 0, at: UInt64.max - 5)
        var analysis = FullAnalysis(procCount: 2, windowSize: 1_000)
        let strings = try streamWithStrings(b) { analysis.consume($0) }
        let report = analysis.finish(strings: strings)
        #expect(report.imbalance.procs.map(\.busyNanoseconds) == [UInt64.max - 6, 0])
        #expect(report.gc.pauses == 1)
        #expect(report.leaks.candidates.count == 1)
    }

    @Test func onePAndEmptyTraces() throws {
        let one = TraceBuilder(procs: 1)
        one.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 10).end(1, proc: 0, at: 30)
        let report = try imbalance(one, procCount: 1)
        #expect(report.procs.count == 1 && report.procs[0].busyNanoseconds == 20)
        #expect(report.maxOverMean == 1 && report.cv == 0)

        let empty = try imbalance(TraceBuilder(procs: 3), procCount: 3)
        #expect(empty.procs.map(\.proc) == [ProcID(0), ProcID(1), ProcID(2)], "declared Ps are reported even if never seen")
        #expect(empty.procs.allSatisfy { $0.busyNanoseconds == 0 && $0.utilization == 0 })
        #expect(empty.durationNanoseconds == 0 && empty.windows == 0 && empty.worstWindow == nil)
        #expect(empty.maxOverMean == 1 && empty.cv == 0 && empty.idleWhileRunnableNanoseconds == 0)
    }

    @Test func idlePsThatNeverRunAnythingCount() throws {
        // Four declared Ps, only P0 works: max/mean = 4, cv = sqrt(3).
        let b = TraceBuilder(procs: 4)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 0).end(1, proc: 0, at: 100)
        let report = try imbalance(b, procCount: 4)
        #expect(report.procs.map(\.busyNanoseconds) == [100, 0, 0, 0])
        #expect(report.maxOverMean == 4)
        #expect(report.cv.isClose(to: 3.0.squareRoot()))
    }

    @Test func identicalTimestampsAndATaskAliveThroughout() throws {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        // Task 1 is created and starts at 0 and never stops: busy to the end of the trace.
        b.create(1, proc: 0, at: 0).start(1, proc: 0, at: 0)
        // Task 2 starts and stops at the same instant, twice.
        b.create(2, proc: 1, at: 5).start(2, proc: 1, at: 5).yield(2, proc: 1, at: 5).start(2, proc: 1, at: 5).park(2, reason: "io", proc: 1, at: 5)
        // Task 3 was running before the trace began: its first event is a stop, which adds no busy time.
        b.park(3, reason: "io", proc: 1, at: 40)
        b.unpark(2, proc: 1, at: 60).start(2, proc: 1, at: 60).end(2, proc: 1, at: 100)
        let report = try imbalance(b)
        #expect(report.procs.map(\.busyNanoseconds) == [100, 40])
        #expect(report.procs.map(\.tasksRun) == [1, 3])
    }

    @Test func timeWindowClipsIntervals() throws {
        let window = AnalysisWindow(from: 300, to: 800)
        // With --to, events at or after `to` never reach the analysis (the CLI filters them).
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, proc: 0, at: 0).create(2, proc: 0, at: 0)
        b.start(1, proc: 0, at: 100)
        b.steal(1, from: 0, count: 1, at: 150)
        b.start(2, proc: 1, at: 200)
        b.preempt(1, proc: 0, at: 500)
        b.start(1, proc: 0, at: 600)
        b.end(2, proc: 1, at: 700)
        let report = try imbalance(b, window: window, windowSize: 250)
        #expect(report.start == 300 && report.end == 800)
        // P0: 300…500 + 600…800; P1: 300…700.
        #expect(report.procs.map(\.busyNanoseconds) == [400, 400])
        #expect(report.procs.map(\.utilization) == [0.8, 0.8])
        #expect(report.procs.map(\.tasksRun) == [1, 0], "only starts inside the window count")
        #expect(report.procs.map(\.stealsIn) == [0, 0])
        // Task 1 waits 500…600 while P0 idles; after 700 P1 idles but nothing is runnable.
        #expect(report.idleWhileRunnableNanoseconds == 100)
        // 300…550: 200 vs 250 (excess 25) · 550…800: 200 vs 150 (excess 25): the earlier wins.
        #expect(report.windows == 2)
        #expect(report.worstWindow?.start == 300 && report.worstWindow?.busyNanoseconds == [200, 250])
    }

    @Test func procSelectionReportsOnlyThoseProcs() throws {
        let report = try imbalance(twoProcs(), procs: [ProcID(1)])
        #expect(report.procs.map(\.proc) == [ProcID(1)])
        #expect(report.procs[0].busyNanoseconds == 500)
        #expect(report.procs[0].stealsIn == 1 && report.procs[0].stealsOut == 0)
    }

    @Test func aNearlyIdleWindowIsNotTheWorst() throws {
        // Window 0…1000: P0 busy 1000, P1 500 (excess 250). Window 1000…2000: P0 busy 10,
        // P1 nothing (max/mean 2, but excess 5).
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, proc: 0, at: 0).create(2, proc: 1, at: 0)
        b.start(1, proc: 0, at: 0).yield(1, proc: 0, at: 1000)
        b.start(2, proc: 1, at: 0).end(2, proc: 1, at: 500)
        b.start(1, proc: 0, at: 1000).end(1, proc: 0, at: 1010)
        b.log(at: 2000)
        let report = try imbalance(b, windowSize: 1000)
        #expect(report.worstWindow?.start == 0 && report.worstWindow?.excessNanoseconds == 250)
        #expect(report.worstWindow?.maxOverMean.isClose(to: 1000.0 / 750) == true)
        let first: Double = 1000.0 / 750 * 1500
        let second: Double = 2.0 * 10
        #expect(report.weightedWindowMaxOverMean.isClose(to: (first + second) / 1510))
    }

    /// P `p` (0 ≤ p < limit + extra) starts at `t = 1000 p`, creates task `p + 1` at `t`, runs
    /// it from `t + 10` (a 10 ns wait) and ends it at `t + 30` (20 ns busy).
    private func manyProcs(extra: Int) -> TraceBuilder {
        let b = TraceBuilder(procs: 0)
        for p in 0..<(AnalysisLimits.maxTrackedProcs + extra) {
            let t = UInt64(p) * 1000, proc = UInt32(p), task = UInt64(p + 1)
            b.procStart(proc, at: t)
            b.create(task, proc: proc, at: t)
            b.start(task, proc: proc, at: t + 10)
            b.end(task, proc: proc, at: t + 30)
        }
        return b
    }

    @Test("Ps past the limit are left out of the per-P figures and counted")
    func procsBeyondTheLimit() throws {
        let limit = AnalysisLimits.maxTrackedProcs, extra = 300
        var analysis = FullAnalysis(procCount: 0, windowSize: 500)
        try stream(manyProcs(extra: extra)) { analysis.consume($0) }
        let report = analysis.finish(strings: StringTable())

        // The first `limit` Ps seen are followed, each busy 20 ns with one task run.
        #expect(report.imbalance.procs.map(\.proc) == (0..<limit).map { ProcID(UInt32($0)) })
        #expect(report.imbalance.procs.allSatisfy { $0.busyNanoseconds == 20 && $0.tasksRun == 1 })
        // Each later P is named by its proc_start and its task's start.
        #expect(report.imbalance.untrackedProcEvents == UInt64(2 * extra))
        // Latency: every sample overall and by cause, the followed Ps' by P.
        #expect(report.latency.overall.count == UInt64(limit + extra) && report.latency.overall.max == 10)
        #expect(report.latency.byCause.map(\.summary.count) == [UInt64(limit + extra)])
        #expect(report.latency.byProc.count == limit && report.latency.byProc.allSatisfy { $0.summary.count == 1 })
        #expect(report.latency.untrackedProcSamples == UInt64(extra))
    }

    @Test("declared Ps past the limit are counted, not registered")
    func declaredBeyondTheLimit() throws {
        let limit = AnalysisLimits.maxTrackedProcs
        var analysis = ImbalanceAnalysis(procCount: UInt32(limit + 5))
        let report = analysis.finish()
        #expect(report.procs.count == limit && report.untrackedProcEvents == 5)
        var within = ImbalanceAnalysis(procCount: UInt32(limit))
        #expect(within.finish().untrackedProcEvents == 0)
    }
}
