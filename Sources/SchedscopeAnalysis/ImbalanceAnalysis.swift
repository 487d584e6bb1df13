import SchedscopeModel

/// What `schedscope imbalance` reports (docs/ANALYSES.md, "Imbalance").
public struct ImbalanceReport: Sendable, Equatable {
    public struct Proc: Sendable, Equatable {
        public var proc: ProcID
        /// Time some task ran on the P, inside the window.
        public var busyNanoseconds: UInt64
        /// busy / window duration (0 for an empty window).
        public var utilization: Double
        /// `task_start`s on the P inside the window.
        public var tasksRun: UInt64
        /// Tasks the P stole (sum of the counts of its `proc_steal`s).
        public var stealsIn: UInt64
        /// Tasks stolen from the P.
        public var stealsOut: UInt64
    }

    /// One `--window` slice of the trace.
    public struct Window: Sendable, Equatable {
        public var start: UInt64
        public var end: UInt64
        public var maxOverMean: Double
        public var cv: Double
        /// max − mean busy time across Ps.
        public var excessNanoseconds: UInt64
        /// Busy time per P in the window, in the order of `ImbalanceReport.procs`.
        public var busyNanoseconds: [UInt64]
    }

    /// The window's start and end (ns since the trace start).
    public var start: UInt64
    public var end: UInt64
    public var durationNanoseconds: UInt64 { end - start }
    /// The `--window` size.
    public var windowNanoseconds: UInt64
    /// Every P, by id.
    public var procs: [Proc]
    /// max busy / mean busy across Ps (1 when no P was busy).
    public var maxOverMean: Double
    /// Coefficient of variation of busy across Ps: population standard deviation / mean
    /// (0 when no P was busy).
    public var cv: Double
    /// Time during which at least one P ran no task while at least one task was runnable.
    public var idleWhileRunnableNanoseconds: UInt64
    /// P events and task starts (a steal once for each such P it names), and declared or
    /// `--proc`-selected Ps, that name a P past the first `AnalysisLimits.maxTrackedProcs`:
    /// the figures leave those Ps out (docs/ANALYSES.md, "Ps beyond the limit"). 0 in any
    /// trace of a real machine.
    public var untrackedProcEvents: UInt64 = 0
    /// Windows cut (the last may be shorter), and those in which some P was busy.
    public var windows: UInt64
    public var activeWindows: UInt64
    /// Means of the per-window max/mean and cv, each window weighted by its total busy time
    /// (so a nearly idle window counts little); 1 and 0 when no window was active.
    public var weightedWindowMaxOverMean: Double
    public var weightedWindowCV: Double
    /// The window in which the busiest P's busy time exceeds the mean the most (max − mean;
    /// the earliest on a tie); nil if no window was active.
    public var worstWindow: Window?
}

/// Per-P busy time, utilization, tasks run and steals; max/mean and coefficient of
/// variation of busy time over the whole window and per `--window` slice; and the time a P
/// sat idle while a task was runnable (docs/ANALYSES.md, "Imbalance").
///
/// Runtime tasks count like any other here: a P running the runtime's work is busy.
///
/// - Complexity: O(1) per event, plus O(Ps) per window boundary crossed; memory O(Ps).
public struct ImbalanceAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    public let windowSize: UInt64
    private let lifecycle = TaskLifecycle()
    /// With a `--proc` selection, only these Ps are reported and counted.
    private let fixedProcs: Bool

    private struct Proc {
        var runningTask: UInt64 = 0
        var runningSince: UInt64 = 0
        var busy: UInt64 = 0
        var windowBusy: UInt64 = 0
        var tasksRun: UInt64 = 0
        var stealsIn: UInt64 = 0
        var stealsOut: UInt64 = 0
    }

    private let procs = ProcSlots<Proc>()

    // Updated with wrapping arithmetic on the per-event path: they count Ps and live tasks,
    // far from `Int`'s range, and the overflow checks cost a test and a branch per update.
    private var runningCount = 0
    private var runnableCount = 0
    /// `procs.count`, where the per-event test reads it without going through `procs`.
    private var procCount = 0
    private var idleWhileRunnable: UInt64 = 0
    private var lastChange: UInt64 = 0
    private var untrackedProcEvents: UInt64 = 0

    // Windows.
    private var windowStart: UInt64
    private var windowEnd: UInt64
    private var windows: UInt64 = 0
    private var activeWindows: UInt64 = 0
    private var weightedRatio: Double = 0
    private var weightedCV: Double = 0
    private var activeBusy: Double = 0
    private var worst: (start: UInt64, end: UInt64, ratio: Double, cv: Double, excess: UInt64, busy: [UInt64])?

    /// - Parameters:
    ///   - procCount: the Ps the trace declares (`TraceInfo.procCount`); they are reported
    ///     even if idle throughout. Ps seen in events are added.
    ///   - procs: report only these Ps (`--proc`); nil: every P.
    ///   - windowSize: the slice for per-window figures (`--window`, default 10 ms).
    public init(procCount: UInt32, procs selected: Set<ProcID>? = nil, window: AnalysisWindow = .whole, windowSize: UInt64 = 10_000_000) {
        self.window = window
        self.windowSize = max(1, windowSize)
        fixedProcs = selected != nil
        windowStart = window.from
        windowEnd = window.from > UInt64.max - self.windowSize ? UInt64.max : window.from + self.windowSize
        // Ps past the limit (declared, up to `FormatLimits.maxDeclaredProcs`, or selected)
        // are counted, not registered.
        let initial = selected.map { $0.sorted() } ?? (0..<procCount).map { ProcID($0) }
        for proc in initial where proc.isSome {
            if procs.isFull { untrackedProcEvents &+= 1 } else { _ = procs.register(proc, Proc()) }
        }
        self.procCount = procs.count
    }

    /// Feeds one event; events must come in time order. Events at or after the window's
    /// `to` are ignored (the window ends there).
    public mutating func consume(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        // Borrow the lifecycle without a retain and release per event.
        Unmanaged.passUnretained(lifecycle)._withUnsafeGuaranteedRef { $0.consume(event, &self) }
    }

    /// Notes an event that a filter (`--proc`, `--task`, `--region`) left out: the range
    /// still ends at the trace's last event, not at the last one selected.
    public mutating func skip(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        lifecycle.note(event.timestamp)
    }

    /// The figures, once every event was consumed.
    public mutating func finish() -> ImbalanceReport { finish(lifecycle: lifecycle) }

    /// The slot of `proc`; a new P is added unless the Ps are fixed by `--proc`.
    @inline(__always)
    private mutating func slot(_ proc: ProcID) -> UnsafeMutablePointer<Proc>? {
        slotIndex(proc).map { procs[$0] }
    }

    /// The slot index of `proc`; a new P is added unless the Ps are fixed by `--proc` or
    /// the limit is reached.
    @inline(__always)
    private mutating func slotIndex(_ proc: ProcID) -> Int? {
        if let i = procs.index(proc) { return i }
        return fixedProcs ? nil : addProc(proc)
    }

    @inline(never)
    private mutating func addProc(_ proc: ProcID) -> Int? {
        guard !procs.isFull else {
            untrackedProcEvents &+= 1
            return nil
        }
        let i = procs.register(proc, Proc())
        procCount = procs.count
        return i
    }

    @inline(__always)
    package mutating func advance(to now: UInt64) {
        // While time stands still there is nothing to do: the windows were advanced past
        // `lastChange` already. Most events come at a new time.
        guard now > lastChange else { return }
        if now >= windowEnd { advanceWindows(to: now) }
        addIdleWhileRunnable(to: now)
    }

    @inline(__always)
    package mutating func taskCreated(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        if task.pointee.phase != .runnable { runnableCount &+= 1 }
    }

    @inline(__always)
    package mutating func taskUnparked(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        // A parked or unknown task becomes runnable; a running or runnable one stays as it is.
        let before = task.pointee.phase
        if before == .parked || before == .unknown { runnableCount &+= 1 }
    }

    @inline(__always)
    package mutating func taskStarted(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        let before = task.pointee.phase
        if before == .runnable { runnableCount &-= 1 }
        start(event, before, task)
    }

    @inline(__always)
    package mutating func taskStopped(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        let before = task.pointee.phase
        // A yield or preemption leaves the task runnable; a park or end, not.
        let runnableAfter = event.kind == .taskYield || event.kind == .taskPreempt
        if (before == .runnable) != runnableAfter { runnableCount &+= runnableAfter ? 1 : -1 }
        if before == .running { stopRunning(event.task, at: event.timestamp, task) }
    }

    // Inlined into the per-event loop; what a well-formed trace never does (start a running
    // task again, or start a task on a P that still runs another) is outlined.
    @inline(__always)
    private mutating func start(_ event: Event, _ before: TaskPhase, _ task: UnsafeMutablePointer<TaskRecord>) {
        let now = event.timestamp
        if before == .running { stopOnOldProc(event.task, at: now, task) }
        task.pointee.procSlot = -1
        guard event.proc.isSome, let i = slotIndex(event.proc) else { return }
        task.pointee.procSlot = Int32(truncatingIfNeeded: i)
        let p = procs[i]
        if p.pointee.runningTask != 0 { stopOutlined(p, at: now) }
        p.pointee.runningTask = event.task.rawValue
        p.pointee.runningSince = now
        runningCount &+= 1
        if window.containsHanded(now) { p.pointee.tasksRun &+= 1 }
    }

    /// A running task starts again: its P stops running it first.
    @inline(never)
    private mutating func stopOnOldProc(_ id: TaskID, at now: UInt64, _ task: UnsafeMutablePointer<TaskRecord>) {
        stopRunning(id, at: now, task)
    }

    /// The running task `id` stops: its P (the one it started on) stops running it.
    @inline(__always)
    private mutating func stopRunning(_ id: TaskID, at now: UInt64, _ task: UnsafeMutablePointer<TaskRecord>) {
        let i = Int(task.pointee.procSlot)
        if i >= 0, procs[i].pointee.runningTask == id.rawValue { stop(procs[i], at: now) }
    }

    @inline(never)
    private mutating func stopOutlined(_ p: UnsafeMutablePointer<Proc>, at now: UInt64) { stop(p, at: now) }

    // The fields, not the event, go to the outlined part: an event passed to a call is
    // copied to the stack first, and the per-event loop then made that copy for every event.
    @inline(__always)
    package mutating func procEvent(_ event: Event) {
        procEvent(event.kind, event.proc, at: event.timestamp, victim: event.victim, count: event.stealCount)
    }

    @inline(never)
    private mutating func procEvent(_ kind: EventKind, _ proc: ProcID, at now: UInt64, victim: ProcID, count: UInt64) {
        guard proc.isSome else { return }
        if kind != .procSteal {
            _ = slot(proc)
            return
        }
        guard window.containsHanded(now) else { return }
        if let thief = slot(proc) { thief.pointee.stealsIn = thief.pointee.stealsIn.addingSaturated(count) }
        if victim.isSome, let victim = slot(victim) { victim.pointee.stealsOut = victim.pointee.stealsOut.addingSaturated(count) }
    }

    /// The P stops running its task at `now`.
    @inline(__always)
    private mutating func stop(_ p: UnsafeMutablePointer<Proc>, at now: UInt64) {
        let since = p.pointee.runningSince
        // Saturating, and clamped at 0: in a forged trace time can go backwards from one
        // generation to the next, so a P's intervals may overlap or end before they begin.
        p.pointee.busy = p.pointee.busy.addingSaturated(window.clipped(since, now))
        if now > windowStart {
            p.pointee.windowBusy = p.pointee.windowBusy.addingSaturated(now - min(now, max(since, windowStart)))
        }
        p.pointee.runningTask = 0
        runningCount &-= 1
    }

    /// Adds the time since the last change during which a P was idle and a task runnable
    /// (`now` is past `lastChange`).
    @inline(__always)
    private mutating func addIdleWhileRunnable(to now: UInt64) {
        if runnableCount > 0 && runningCount < procCount {
            idleWhileRunnable += window.clipped(lastChange, now)
        }
        lastChange = now
    }

    private var windowBusy: [UInt64] { (0..<procs.count).map { procs[$0].pointee.windowBusy } }

    /// The end of the window that starts at `start`, saturating at the end of time: a window
    /// near 2⁶⁴ ns (a forged or far-future timestamp) is the last one instead of wrapping.
    private func endOfWindow(at start: UInt64) -> UInt64 {
        start > UInt64.max - windowSize ? UInt64.max : start + windowSize
    }

    /// Closes every window that ends at or before `now`. Work is O(Ps) per window that saw
    /// events, not per window crossed: a forged gap of 2⁶⁴ ns is as cheap as a short one.
    private mutating func advanceWindows(to now: UInt64) {
        while now >= windowEnd && windowStart < windowEnd {
            if runningCount == 0 && (0..<procs.count).allSatisfy({ procs[$0].pointee.windowBusy == 0 }) {
                // Nothing ran: skip straight to the window holding `now`, counting the empty ones.
                let skipped = (now - windowEnd) / windowSize
                windows += 1 + skipped
                windowStart = windowEnd + skipped * windowSize
                windowEnd = endOfWindow(at: windowStart)
                continue
            }
            closeWindow(end: windowEnd)
            windowStart = windowEnd
            windowEnd = endOfWindow(at: windowStart)
            if now >= windowEnd && windowStart < windowEnd {
                closeWholeWindows((now - windowStart) / windowSize)
            }
        }
    }

    /// Closes `count` whole windows from `windowStart` in which nothing changed: the Ps
    /// running a task were busy throughout and the others idle, so every one of them has
    /// the same figures. Called right after a window was closed (its counters are zero).
    private mutating func closeWholeWindows(_ count: UInt64) {
        let busy = (0..<procs.count).map { procs[$0].pointee.runningTask != 0 ? windowSize : 0 }
        // The earliest of them is the one a tie would keep, so it stands for them all.
        account(busy, start: windowStart, end: windowStart + windowSize, times: count)
        windowStart += count * windowSize
        windowEnd = endOfWindow(at: windowStart)
    }

    /// Evaluates the window `[windowStart, end)` and clears its busy counters.
    private mutating func closeWindow(end: UInt64) {
        for i in 0..<procs.count where procs[i].pointee.runningTask != 0 && end > windowStart {
            let since = max(procs[i].pointee.runningSince, windowStart)
            procs[i].pointee.windowBusy = procs[i].pointee.windowBusy.addingSaturated(end - min(end, since))
        }
        account(windowBusy, start: windowStart, end: end, times: 1)
        for i in 0..<procs.count { procs[i].pointee.windowBusy = 0 }
    }

    /// Adds `times` windows whose busy time per P is `busy` to the per-window figures; the
    /// first of them, `[start, end)`, becomes the worst window if none was worse before.
    private mutating func account(_ busy: [UInt64], start: UInt64, end: UInt64, times: UInt64) {
        windows += times
        let (ratio, cv, total) = Self.spread(busy)
        guard total > 0 else { return }
        activeWindows += times
        let weight = Double(total) * Double(times)
        weightedRatio += ratio * weight
        weightedCV += cv * weight
        activeBusy += weight
        // max − mean, exactly: (n · max − total) / n rounded down, which is max less the
        // mean rounded up (and cannot overflow, where n · max could).
        let n = UInt64(busy.count)
        let maximum = busy.max()!
        let meanUp = total / n + (total % n == 0 ? 0 : 1)
        let excess = maximum > meanUp ? maximum - meanUp : 0
        if worst == nil || excess > worst!.excess {
            worst = (start, end, ratio, cv, excess, busy)
        }
    }

    /// max/mean, coefficient of variation and sum of `values` (1, 0, 0 when all are 0).
    static func spread(_ values: [UInt64]) -> (maxOverMean: Double, cv: Double, total: UInt64) {
        // Saturating: Ps' busy times add past 2⁶⁴ only in a forged trace.
        let total = values.reduce(UInt64(0)) { $0.addingSaturated($1) }
        guard total > 0, !values.isEmpty else { return (1, 0, 0) }
        let n = Double(values.count)
        let mean = Double(total) / n
        let maximum = Double(values.max()!)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (maximum / mean, variance.squareRoot() / mean, total)
    }

    package mutating func finish(lifecycle: TaskLifecycle) -> ImbalanceReport {
        let end = window.end(last: lifecycle.last)
        if end > lastChange { addIdleWhileRunnable(to: end) }
        if end >= windowEnd { advanceWindows(to: end) }
        if end > windowStart { closeWindow(end: end) }
        for i in 0..<procs.count where procs[i].pointee.runningTask != 0 {
            procs[i].pointee.busy = procs[i].pointee.busy.addingSaturated(window.clipped(procs[i].pointee.runningSince, end))
            procs[i].pointee.runningTask = 0
        }
        runningCount = 0
        let duration = end - window.from
        let ids = procs.procs
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        let (ratio, cv, _) = Self.spread(order.map { procs[$0].pointee.busy })
        return ImbalanceReport(
            start: window.from, end: end, windowNanoseconds: windowSize,
            procs: order.map { i in
                let p = procs[i].pointee
                return ImbalanceReport.Proc(
                    proc: ids[i], busyNanoseconds: p.busy,
                    utilization: duration > 0 ? Double(p.busy) / Double(duration) : 0,
                    tasksRun: p.tasksRun, stealsIn: p.stealsIn, stealsOut: p.stealsOut)
            },
            maxOverMean: ratio, cv: cv, idleWhileRunnableNanoseconds: idleWhileRunnable,
            untrackedProcEvents: untrackedProcEvents,
            windows: windows, activeWindows: activeWindows,
            weightedWindowMaxOverMean: activeBusy > 0 ? weightedRatio / activeBusy : 1,
            weightedWindowCV: activeBusy > 0 ? weightedCV / activeBusy : 0,
            worstWindow: worst.map { worst in
                ImbalanceReport.Window(
                    start: worst.start, end: worst.end, maxOverMean: worst.ratio, cv: worst.cv,
                    excessNanoseconds: worst.excess, busyNanoseconds: order.map { $0 < worst.busy.count ? worst.busy[$0] : 0 })
            })
    }
}
