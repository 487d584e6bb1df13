import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// A random but legal scheduler history on a few Ps over a few thousand nanoseconds, with
/// what it did written down as it goes: the ground truth the tests check the analyses
/// against, nanosecond by nanosecond. Every event is on one thread, so events at equal
/// timestamps (frequent here) are read back in the order they were written.
private final class RandomHistory {
    enum Phase: Equatable {
        case runnable(since: UInt64, cause: EventKind)
        case running(proc: Int, since: UInt64)
        case parked(since: UInt64, reason: String)
    }

    let procs: Int
    let builder: TraceBuilder
    private var rng: SplitMix64
    private(set) var end: UInt64 = 0
    /// Running intervals per P, `[start, stop)`; an open one has no stop.
    private(set) var busy: [[(start: UInt64, stop: UInt64?)]]
    /// Runnable intervals of every task, `[since, until)`.
    private(set) var runnable: [(since: UInt64, until: UInt64?)] = []
    private(set) var starts: [(time: UInt64, proc: Int, latency: UInt64, cause: EventKind)] = []
    private(set) var stops: [(time: UInt64, kind: EventKind)] = []
    private(set) var steals: [(time: UInt64, thief: Int, victim: Int, count: UInt64)] = []
    private(set) var pauses: [(begin: UInt64, end: UInt64)] = []
    private(set) var lost: [UInt64] = []
    /// Every phase change, in order (nil: ended), to replay the state at any time.
    private(set) var changes: [(time: UInt64, task: UInt64, phase: Phase?)] = []
    private(set) var labels: [UInt64: String] = [:]
    private(set) var created: [UInt64: UInt64] = [:]

    private var phases: [UInt64: Phase] = [:]
    private var runnableIndex: [UInt64: Int] = [:]
    private var running: [UInt64?]
    private var nextTask: UInt64 = 1
    private var pauseOpen: UInt64?

    init(seed: UInt64, procs: Int, steps: Int) {
        self.procs = procs
        rng = SplitMix64(seed: seed)
        builder = TraceBuilder(procs: UInt32(procs))
        busy = Array(repeating: [], count: procs)
        running = Array(repeating: nil, count: procs)
        for p in 0..<procs { builder.procStart(UInt32(p), at: 0, thread: 1) }
        var t: UInt64 = 0
        for _ in 0..<steps {
            // A third of the steps happen at the same instant as the one before.
            t += rng.below(3) == 0 ? 0 : 1 + rng.below(40)
            step(at: t)
        }
        if let begin = pauseOpen { endPause(begin, at: t) }
        end = t
    }

    private func pick<T>(_ values: [T]) -> T { values[Int(rng.below(UInt64(values.count)))] }

    private func set(_ task: UInt64, _ phase: Phase?, at t: UInt64) {
        if let index = runnableIndex.removeValue(forKey: task) { runnable[index].until = t }
        phases[task] = phase
        if case .runnable = phase {
            runnableIndex[task] = runnable.count
            runnable.append((t, nil))
        }
        changes.append((t, task, phase))
    }

    private func step(at t: UInt64) {
        let idle = (0..<procs).filter { running[$0] == nil }
        let busyProcs = (0..<procs).filter { running[$0] != nil }
        let waiting = phases.filter { if case .runnable = $0.value { true } else { false } }.keys.sorted()
        let parked = phases.filter { if case .parked = $0.value { true } else { false } }.keys.sorted()
        switch rng.below(20) {
        case 0..<4:
            let task = nextTask
            nextTask += 1
            let label = pick(["fetch", "parse", "cache"])
            labels[task] = label
            created[task] = t
            builder.create(task, label: label, proc: UInt32(pick(Array(0..<procs))), at: t, thread: 1)
            set(task, .runnable(since: t, cause: .taskCreate), at: t)
        case 4..<10 where !idle.isEmpty && !waiting.isEmpty:
            let p = pick(idle), task = pick(waiting)
            guard case .runnable(let since, let cause) = phases[task] else { return }
            builder.start(task, proc: UInt32(p), at: t, thread: 1)
            starts.append((t, p, t - since, cause))
            busy[p].append((t, nil))
            running[p] = task
            set(task, .running(proc: p, since: t), at: t)
        case 10..<15 where !busyProcs.isEmpty:
            let p = pick(busyProcs), task = running[p]!
            busy[p][busy[p].count - 1].stop = t
            running[p] = nil
            let kind = pick([EventKind.taskYield, .taskPreempt, .taskPark, .taskPark, .taskEnd])
            stops.append((t, kind))
            switch kind {
            case .taskYield:
                builder.yield(task, proc: UInt32(p), at: t, thread: 1)
                set(task, .runnable(since: t, cause: kind), at: t)
            case .taskPreempt:
                builder.preempt(task, proc: UInt32(p), at: t, thread: 1)
                set(task, .runnable(since: t, cause: kind), at: t)
            case .taskPark:
                let reason = pick(["io", "lock"])
                builder.park(task, reason: reason, proc: UInt32(p), at: t, thread: 1)
                set(task, .parked(since: t, reason: reason), at: t)
            default:
                builder.end(task, proc: UInt32(p), at: t, thread: 1)
                set(task, nil, at: t)
            }
        case 15..<17 where !parked.isEmpty:
            let task = pick(parked)
            builder.unpark(task, proc: UInt32(pick(Array(0..<procs))), at: t, thread: 1)
            set(task, .runnable(since: t, cause: .taskUnpark), at: t)
        case 17 where procs > 1:
            let thief = pick(Array(0..<procs))
            let victim = pick((0..<procs).filter { $0 != thief })
            let count = 1 + rng.below(3)
            builder.steal(UInt32(thief), from: UInt32(victim), count: count, at: t, thread: 1)
            steals.append((t, thief, victim, count))
        case 18:
            if let begin = pauseOpen {
                endPause(begin, at: t)
            } else {
                builder.append(Event(kind: .gcPauseBegin, timestamp: t, thread: ThreadID(1), argument1: UInt64(builder.string("stw").rawValue)))
                pauseOpen = t
            }
        case 19 where rng.below(4) == 0:
            builder.lost(1 + rng.below(5), at: t, thread: 1)
            lost.append(t)
        default:
            // Nothing possible: mark the time so the trace still ends here.
            builder.log(at: t, thread: 1)
        }
    }

    private func endPause(_ begin: UInt64, at t: UInt64) {
        builder.append(Event(kind: .gcPauseEnd, timestamp: t, thread: ThreadID(1), argument1: UInt64(builder.string("stw").rawValue)))
        pauses.append((begin, t))
        pauseOpen = nil
    }

    /// Each task's phase after every event before `time` (`to` excludes events at it).
    func phases(before time: UInt64) -> [UInt64: Phase] {
        var state: [UInt64: Phase] = [:]
        for change in changes where change.time < time { state[change.task] = change.phase }
        return state
    }
}

extension TraceBuilder {
    @discardableResult
    func log(at time: UInt64, thread: UInt64) -> Self {
        append(Event(kind: .log, timestamp: time, thread: ThreadID(thread), argument1: UInt64(string("tick").rawValue)))
    }
}

/// Shapes: seed, Ps, steps, range, window size.
private let cases: [(seed: UInt64, procs: Int, steps: Int, from: UInt64?, to: UInt64?, window: UInt64)] = (1...24).map { i in
    let seed = UInt64(i)
    let procs = [1, 2, 3, 4][i % 4]
    let from: UInt64? = i % 3 == 0 ? UInt64(97 * i) : nil
    let to: UInt64? = i % 5 == 0 ? UInt64(1500 + 41 * i) : nil
    return (seed, procs, 150 + 20 * i, from, to, [1, 7, 64, 250, 1000, 100_000][i % 6])
}

@Suite("random histories: every figure against a nanosecond-by-nanosecond recount")
struct RandomHistoryTests {
    private struct Oracle {
        let history: RandomHistory
        let from: UInt64
        let end: UInt64
        let to: UInt64?

        init(_ history: RandomHistory, from: UInt64?, to: UInt64?) {
            self.history = history
            self.from = from ?? 0
            self.to = to
            // Without --to the range ends at the last event; events at or after --to are not read.
            end = max(self.from, to ?? history.end)
        }

        func inside(_ t: UInt64) -> Bool { t >= from && t < (to ?? .max) && t <= end }

        /// Whether P runs a task during nanosecond t.
        func busy(_ p: Int, _ t: UInt64) -> Bool {
            history.busy[p].contains { $0.start <= t && t < ($0.stop ?? .max) }
        }

        func runnableCount(_ t: UInt64) -> Int {
            history.runnable.filter { $0.since <= t && t < ($0.until ?? .max) }.count
        }
    }

    @Test(arguments: cases.indices)
    func imbalance(index: Int) throws {
        let c = cases[index]
        let history = RandomHistory(seed: c.seed, procs: c.procs, steps: c.steps)
        let o = Oracle(history, from: c.from, to: c.to)
        var analysis = ImbalanceAnalysis(procCount: UInt32(c.procs), window: AnalysisWindow(from: o.from, to: c.to), windowSize: c.window)
        try stream(history.builder) { analysis.consume($0) }
        let r = analysis.finish()
        #expect(r.start == o.from && r.end == o.end)

        var busy = Array(repeating: UInt64(0), count: c.procs)
        var idleWhileRunnable: UInt64 = 0
        var windows: [[UInt64]] = []
        var t = o.from
        while t < o.end {
            let w = Int((t - o.from) / c.window)
            if w == windows.count { windows.append(Array(repeating: 0, count: c.procs)) }
            var idle = 0
            for p in 0..<c.procs {
                if o.busy(p, t) { busy[p] += 1; windows[w][p] += 1 } else { idle += 1 }
            }
            if idle > 0 && o.runnableCount(t) > 0 { idleWhileRunnable += 1 }
            t += 1
        }
        #expect(r.procs.map(\.busyNanoseconds) == busy)
        #expect(r.idleWhileRunnableNanoseconds == idleWhileRunnable)
        #expect(r.procs.map(\.tasksRun) == (0..<c.procs).map { p in UInt64(history.starts.filter { $0.proc == p && o.inside($0.time) }.count) })
        #expect(r.procs.map(\.stealsIn) == (0..<c.procs).map { p in history.steals.filter { $0.thief == p && o.inside($0.time) }.reduce(0) { $0 + $1.count } })
        #expect(r.procs.map(\.stealsOut) == (0..<c.procs).map { p in history.steals.filter { $0.victim == p && o.inside($0.time) }.reduce(0) { $0 + $1.count } })

        func spread(_ values: [UInt64]) -> (Double, Double) {
            let n = Double(values.count), total = Double(values.reduce(0, +))
            guard total > 0 else { return (1, 0) }
            let mean = total / n
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
            return (Double(values.max()!) / mean, variance.squareRoot() / mean)
        }
        let (ratio, cv) = spread(busy)
        #expect(r.maxOverMean.isClose(to: ratio) && r.cv.isClose(to: cv))
        #expect(r.windows == UInt64(windows.count))
        let active = windows.filter { $0.reduce(0, +) > 0 }
        #expect(r.activeWindows == UInt64(active.count))
        let weight = Double(active.reduce(0) { $0 + $1.reduce(0, +) })
        if weight > 0 {
            let weighted = active.reduce(0.0) { $0 + spread($1).0 * Double($1.reduce(0, +)) } / weight
            #expect(r.weightedWindowMaxOverMean.isClose(to: weighted))
            let excess = windows.map { $0.reduce(0, +) == 0 ? nil : (UInt64(c.procs) * $0.max()! - $0.reduce(0, +)) / UInt64(c.procs) }
            let worst = excess.indices.filter { excess[$0] != nil }.max { excess[$0]! < excess[$1]! || (excess[$0]! == excess[$1]! && $0 > $1) }!
            #expect(r.worstWindow?.start == o.from + UInt64(worst) * c.window)
            #expect(r.worstWindow?.busyNanoseconds == windows[worst])
            #expect(r.worstWindow?.excessNanoseconds == excess[worst])
        } else {
            #expect(r.worstWindow == nil && r.weightedWindowMaxOverMean == 1)
        }
    }

    @Test(arguments: cases.indices)
    func preemptionAndLatency(index: Int) throws {
        let c = cases[index]
        let history = RandomHistory(seed: c.seed, procs: c.procs, steps: c.steps)
        let o = Oracle(history, from: c.from, to: c.to)
        let window = AnalysisWindow(from: o.from, to: c.to)
        var preemption = PreemptionAnalysis(window: window)
        var latency = LatencyAnalysis(window: window)
        let strings = try streamWithStrings(history.builder) {
            preemption.consume($0)
            latency.consume($0)
        }
        let p = preemption.finish(strings: strings)
        let stops = history.stops.filter { o.inside($0.time) }
        #expect(p.preemptions == UInt64(stops.filter { $0.kind == .taskPreempt }.count))
        #expect(p.yields == UInt64(stops.filter { $0.kind == .taskYield }.count))
        #expect(p.parks == UInt64(stops.filter { $0.kind == .taskPark }.count))
        #expect(p.ends == UInt64(stops.filter { $0.kind == .taskEnd }.count))
        var busy: UInt64 = 0
        for t in o.from..<max(o.from, o.end) { busy += UInt64((0..<c.procs).filter { o.busy($0, t) }.count) }
        #expect(p.busyNanoseconds == busy)

        let l = latency.finish()
        let samples = history.starts.filter { o.inside($0.time) }
        let sorted = samples.map(\.latency).sorted()
        #expect(l.overall.count == UInt64(sorted.count))
        #expect(l.overall.total == sorted.reduce(0, +))
        if !sorted.isEmpty {
            for (value, percent) in [(l.overall.p50, 50), (l.overall.p90, 90), (l.overall.p99, 99)] {
                let exact = sorted[max(1, (sorted.count * percent + 99) / 100) - 1]
                #expect(value == min(LogLinearHistogram.highestEquivalent(exact), sorted.last!), "p\(percent)")
            }
            #expect(l.overall.max == sorted.last)
        }
        for cause in l.byCause {
            #expect(cause.summary.total == samples.filter { $0.cause == cause.cause }.reduce(0) { $0 + $1.latency }, "\(cause.cause)")
        }
        #expect(l.byProc.map(\.summary.count) == (0..<c.procs).compactMap { p in
            let n = samples.filter { $0.proc == p }.count
            return n == 0 ? nil : UInt64(n)
        })
        let waiting = history.phases(before: c.to ?? .max).values.compactMap { phase -> UInt64? in
            if case .runnable(let since, _) = phase { o.end - since } else { nil }
        }
        #expect(l.waitingAtEnd == UInt64(waiting.count) && l.longestWaitAtEnd == (waiting.max() ?? 0))
    }

    @Test(arguments: cases.indices)
    func gcAndLeaks(index: Int) throws {
        let c = cases[index]
        let history = RandomHistory(seed: c.seed, procs: c.procs, steps: c.steps)
        let o = Oracle(history, from: c.from, to: c.to)
        let window = AnalysisWindow(from: o.from, to: c.to)
        var gc = GCAnalysis(window: window, utilizationWindows: [10, 100, 1000])
        var leaks = LeakAnalysis(window: window, options: LeakOptions(minAge: c.seed % 2 == 0 ? 0 : 50))
        let strings = try streamWithStrings(history.builder) {
            gc.consume($0)
            leaks.consume($0)
        }
        let g = gc.finish(strings: strings)
        // Pauses clipped to the range; one still open at --to ends there.
        let clipped = history.pauses.compactMap { p -> UInt64? in
            guard p.begin < (c.to ?? .max) else { return nil }
            let begin = max(p.begin, o.from), end = min(p.end, o.end)
            return end > o.from || p.begin >= o.from ? end - begin : nil
        }
        #expect(g.pauses == UInt64(clipped.count) && g.pauseTotalNanoseconds == clipped.reduce(0, +))
        #expect(g.pauseMax == (clipped.max() ?? 0))
        if !clipped.isEmpty {
            let sorted = clipped.sorted()
            #expect(g.pauseP95 == min(LogLinearHistogram.highestEquivalent(sorted[max(1, (sorted.count * 95 + 99) / 100) - 1]), sorted.last!))
        }
        for u in g.mmu {
            var worst: UInt64 = 0
            for s in o.from...(o.end - u.windowNanoseconds) {
                var paused: UInt64 = 0
                for p in history.pauses where p.begin < (c.to ?? .max) {
                    let a = max(p.begin, s), b = min(p.end, s + u.windowNanoseconds, o.end)
                    if b > a { paused += b - a }
                }
                worst = max(worst, paused)
            }
            #expect(u.utilization == 1 - Double(worst) / Double(u.windowNanoseconds), "MMU \(u.windowNanoseconds)")
        }

        let r = leaks.finish(strings: strings)
        let minAge: UInt64 = c.seed % 2 == 0 ? 0 : 50
        var parked: [(task: UInt64, age: UInt64, reason: String, since: UInt64)] = []
        var starved: [(task: UInt64, age: UInt64)] = []
        for (task, phase) in history.phases(before: c.to ?? .max) {
            switch phase {
            case .parked(let since, let reason) where o.end - since >= minAge: parked.append((task, o.end - since, reason, since))
            case .runnable(let since, _) where o.end - since >= minAge: starved.append((task, o.end - since))
            default: break
            }
        }
        parked.sort { ($0.age, $1.task) > ($1.age, $0.task) }
        #expect(r.candidates.map(\.task.rawValue) == parked.map(\.task))
        #expect(r.candidates.map(\.parkedNanoseconds) == parked.map(\.age))
        #expect(r.candidates.map(\.reason) == parked.map(\.reason))
        #expect(r.candidates.map(\.label) == parked.map { history.labels[$0.task] ?? "" })
        #expect(r.candidates.map(\.createdAt) == parked.map { history.created[$0.task] })
        let lostBefore = history.lost.filter { $0 < (c.to ?? .max) }
        #expect(r.candidates.map(\.uncertain) == parked.map { p in lostBefore.contains { $0 >= p.since } })
        #expect(Set(r.starved.map(\.task.rawValue)) == Set(starved.map(\.task)))
        #expect(r.groups.reduce(0) { $0 + $1.count } == UInt64(parked.count))
    }
}
