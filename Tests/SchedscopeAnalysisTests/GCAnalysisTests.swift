import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

extension TraceBuilder {
    @discardableResult
    func gcCycle(_ cycle: UInt64, from begin: UInt64, to end: UInt64, thread: UInt64 = 100) -> Self {
        append(Event(kind: .gcBegin, timestamp: begin, thread: ThreadID(thread), argument1: cycle))
        return append(Event(kind: .gcEnd, timestamp: end, thread: ThreadID(thread), argument1: cycle))
    }
}

@Suite("gc: pauses, percentiles, fraction and minimum mutator utilization")
struct GCAnalysisTests {
    private func report(_ b: TraceBuilder, window: AnalysisWindow = .whole, windows: [UInt64] = [100, 250, 1000]) throws -> GCReport {
        var analysis = GCAnalysis(window: window, utilizationWindows: windows)
        let strings = try streamWithStrings(b) { analysis.consume($0) }
        return analysis.finish(strings: strings)
    }

    /// Pauses 100…150 (sweep), 400…700 (mark), 900…1000 (sweep); cycles begin at 90 and 890;
    /// the trace ends at 1200.
    private func history() -> TraceBuilder {
        let b = TraceBuilder(procs: 1)
        b.append(Event(kind: .gcBegin, timestamp: 90, thread: ThreadID(100), argument1: 1))
        b.gcPause(from: 100, to: 150, reason: "sweep")
        b.gcPause(from: 400, to: 700, reason: "mark")
        b.append(Event(kind: .gcEnd, timestamp: 750, thread: ThreadID(100), argument1: 1))
        b.gcCycle(2, from: 890, to: 895)
        b.gcPause(from: 900, to: 1000, reason: "sweep")
        b.log(at: 1200)
        return b
    }

    @Test func pauseStatistics() throws {
        let r = try report(history())
        #expect(r.cycles == 2 && r.pauses == 3 && r.pauseTotalNanoseconds == 450)
        #expect(r.pauseP50 == 100 && r.pauseP95 == 300 && r.pauseP99 == 300 && r.pauseMax == 300)
        #expect(r.pauseFraction == 0.375)
        #expect(r.byReason == [.init(reason: "mark", pauses: 1, totalNanoseconds: 300), .init(reason: "sweep", pauses: 2, totalNanoseconds: 150)])
        // Worst 100 ns: inside the mark pause (0 %); 250 ns: inside it too; 1000 ns: 0…1000
        // holds all three pauses, 450 ns (55 %).
        #expect(r.mmu == [.init(windowNanoseconds: 100, utilization: 0), .init(windowNanoseconds: 250, utilization: 0),
                          .init(windowNanoseconds: 1000, utilization: 0.55)])
        #expect(!r.endsInsidePause)
    }

    @Test func windowClipsPauses() throws {
        // [120, 950): sweep 120…150 (30), mark 400…700 (300), sweep 900…950 (50, open at `to`).
        let r = try report(history(), window: AnalysisWindow(from: 120, to: 950))
        #expect(r.cycles == 1, "the cycle begun at 90 is before the window")
        #expect(r.pauses == 3 && r.pauseTotalNanoseconds == 380 && r.pauseMax == 300)
        #expect(r.pauseFraction.isClose(to: 380.0 / 830))
        #expect(r.endsInsidePause)
    }

    @Test func emptyAndPauseFree() throws {
        let empty = try report(TraceBuilder(procs: 1))
        #expect(empty.pauses == 0 && empty.cycles == 0 && empty.pauseP99 == 0 && empty.pauseMax == 0 && empty.pauseFraction == 0)
        #expect(empty.mmu.isEmpty, "no window fits in an empty trace")
        let b = TraceBuilder(procs: 1)
        b.log(at: 500)
        let free = try report(b)
        #expect(free.mmu.map(\.utilization) == [1, 1], "windows up to the trace's length, all without pauses")
    }

    /// The most paused time in any w-long stretch, by trying every integer start.
    private func bruteForceMMU(_ pauses: [(UInt64, UInt64)], origin: UInt64, end: UInt64, window w: UInt64) -> Double? {
        guard end - origin >= w else { return nil }
        var worst: UInt64 = 0
        for s in origin...(end - w) {
            let paused = pauses.reduce(UInt64(0)) { sum, p in
                let a = max(p.0, s), b = min(p.1, s + w)
                return sum + (b > a ? b - a : 0)
            }
            worst = max(worst, paused)
        }
        return 1 - Double(worst) / Double(w)
    }

    @Test(arguments: 1...12)
    func minimumMutatorUtilizationMatchesBruteForce(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let b = TraceBuilder(procs: 1)
        var t = rng.below(50)
        var pauses: [(UInt64, UInt64)] = []
        for _ in 0..<(1 + rng.below(40)) {
            let length = 1 + rng.below(seed % 3 == 0 ? 200 : 40)
            pauses.append((t, t + length))
            b.gcPause(from: t, to: t + length)
            t += length + rng.below(seed % 2 == 0 ? 10 : 120)
        }
        let end = t + rng.below(100)
        b.log(at: end)
        let from = seed % 4 == 0 ? pauses[0].0 + 3 : 0
        let windows: [UInt64] = [1, 7, 50, 128, 333, 1000, 4000]
        let r = try report(b, window: AnalysisWindow(from: from), windows: windows)
        let clipped = pauses.compactMap { p -> (UInt64, UInt64)? in p.1 > from ? (max(p.0, from), p.1) : nil }
        let expected = windows.compactMap { w in bruteForceMMU(clipped, origin: from, end: end, window: w).map { (w, $0) } }
        #expect(r.mmu.map(\.windowNanoseconds) == expected.map(\.0))
        #expect(r.mmu.map(\.utilization) == expected.map(\.1))
        #expect(r.pauseTotalNanoseconds == clipped.reduce(0) { $0 + $1.1 - $1.0 })
    }
}
