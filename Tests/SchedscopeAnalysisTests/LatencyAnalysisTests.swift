import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("latency: runnable → running, by cause and by P")
struct LatencyAnalysisTests {
    private func report(_ b: TraceBuilder, window: AnalysisWindow = .whole, includeRuntime: Bool = false) throws -> LatencyReport {
        var analysis = LatencyAnalysis(window: window, includeRuntime: includeRuntime)
        try stream(b) { analysis.consume($0) }
        return analysis.finish()
    }

    /// Latencies: task 1 create→start 10 (P0); task 2 create→start 40 (P1); task 1
    /// preempt→start 5 (P1); task 2 park, unpark→start 100 (P0); task 1 yield→start 0 (P1);
    /// task 3 (runtime) create→start 7 (P0); task 4 created at 900, still waiting at 1000.
    private func history() -> TraceBuilder {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, proc: 0, at: 0).create(2, proc: 0, at: 0)
        b.start(1, proc: 0, at: 10)
        b.start(2, proc: 1, at: 40)
        b.preempt(1, proc: 0, at: 50)
        b.park(2, reason: "io", proc: 1, at: 50)
        b.start(1, proc: 1, at: 55)
        b.unpark(2, by: 1, proc: 1, at: 60)
        b.start(2, proc: 0, at: 160)
        b.yield(1, proc: 1, at: 200).start(1, proc: 1, at: 200)
        b.end(1, proc: 1, at: 300).end(2, proc: 0, at: 300)
        b.create(3, label: "sweeper", runtime: true, proc: 0, at: 300).start(3, proc: 0, at: 307).end(3, proc: 0, at: 400)
        b.create(4, proc: 1, at: 900)
        b.procStop(0, at: 1000)
        return b
    }

    @Test func everySampleByCauseAndProc() throws {
        let r = try report(history())
        // Sorted: 0, 5, 10, 40, 100.
        #expect(r.overall.count == 5 && r.overall.max == 100 && r.overall.total == 155 && r.overall.mean == 31)
        #expect(r.overall.p50 == 10 && r.overall.p90 == 100 && r.overall.p99 == 100)
        #expect(r.byCause.map(\.cause) == [.taskCreate, .taskUnpark, .taskYield, .taskPreempt])
        #expect(r.byCause.map(\.summary.count) == [2, 1, 1, 1])
        #expect(r.byCause.map(\.summary.max) == [40, 100, 0, 5])
        #expect(r.byProc.map(\.proc) == [ProcID(0), ProcID(1)])
        #expect(r.byProc.map(\.summary.count) == [2, 3])
        #expect(r.byProc.map(\.summary.total) == [110, 45])
        #expect(r.waitingAtEnd == 1 && r.longestWaitAtEnd == 100)
        #expect(r.runtimeTasksExcluded == 1 && r.runtimeSamplesExcluded == 1)
    }

    @Test func includeRuntimeAndWindow() throws {
        let all = try report(history(), includeRuntime: true)
        #expect(all.overall.count == 6 && all.overall.total == 162 && all.runtimeSamplesExcluded == 0)
        // Starts inside [50, 250): 55 (5), 160 (100), 200 (0); full waits, not clipped.
        let window = try report(history(), window: AnalysisWindow(from: 50, to: 250))
        #expect(window.overall.count == 3 && window.overall.total == 105)
        #expect(window.waitingAtEnd == 0)
    }

    @Test func largeLatenciesAreWithinPrecision() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0)
        var t: UInt64 = 0
        var waits: [UInt64] = []
        var rng = SplitMix64(seed: 5)
        for task in UInt64(1)...200 {
            let wait = 1 + rng.below(50_000_000)
            waits.append(wait)
            b.create(task, proc: 0, at: t).start(task, proc: 0, at: t + wait).end(task, proc: 0, at: t + wait + 1)
            t += wait + 2
        }
        let r = try report(b)
        waits.sort()
        for (reported, rank) in [(r.overall.p50, 100), (r.overall.p90, 180), (r.overall.p99, 198)] {
            let exact = waits[rank - 1]
            #expect(reported == LogLinearHistogram.highestEquivalent(exact), "rank \(rank)")
            #expect(reported - exact <= exact / 256)
        }
        #expect(r.overall.max == waits.last && r.overall.total == waits.reduce(0, +))
    }

    @Test func tasksWithoutAKnownRunnableMomentGiveNoSample() throws {
        // Task 9 existed before the trace: its first start has no runnable moment to measure from.
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0).start(9, proc: 0, at: 10).yield(9, proc: 0, at: 20).start(9, proc: 0, at: 25)
        let r = try report(b)
        #expect(r.overall.count == 1 && r.overall.max == 5)
        let empty = try report(TraceBuilder(procs: 1))
        #expect(empty.overall.count == 0 && empty.overall.p50 == 0 && empty.byProc.isEmpty && empty.byCause.isEmpty)
    }
}
