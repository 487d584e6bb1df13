import SchedscopeModel

/// Percentiles of one set of latencies (from a `LogLinearHistogram`).
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var max: UInt64
    public var mean: UInt64
    public var total: UInt64

    public init(_ histogram: LogLinearHistogram) {
        count = histogram.count
        p50 = histogram.value(atMilliPercentile: 50_000)
        p90 = histogram.value(atMilliPercentile: 90_000)
        p99 = histogram.value(atMilliPercentile: 99_000)
        max = histogram.max
        mean = histogram.mean
        total = histogram.sum
    }
}

/// What `schedscope latency` reports (docs/ANALYSES.md, "Scheduling latency").
public struct LatencyReport: Sendable, Equatable {
    public struct Cause: Sendable, Equatable {
        public var cause: EventKind
        public var summary: LatencySummary
    }

    public struct Proc: Sendable, Equatable {
        public var proc: ProcID
        public var summary: LatencySummary
    }

    public var start: UInt64
    public var end: UInt64
    /// Every sample.
    public var overall: LatencySummary
    /// By what made the task runnable: `task_create`, `task_unpark`, `task_yield`,
    /// `task_preempt` (kinds with no sample left out).
    public var byCause: [Cause]
    /// By the P the task started on, by id.
    public var byProc: [Proc]
    /// Tasks still runnable at the end of the window, and the longest of their waits so far.
    public var waitingAtEnd: UInt64
    public var longestWaitAtEnd: UInt64
    public var includesRuntime: Bool
    public var runtimeTasksExcluded: UInt64
    public var runtimeSamplesExcluded: UInt64
    /// Samples on a P past the first `AnalysisLimits.maxTrackedProcs`: in every figure but
    /// `byProc` (docs/ANALYSES.md, "Ps beyond the limit"). 0 in any trace of a real machine.
    public var untrackedProcSamples: UInt64 = 0
    /// Every sample, as a histogram (the distribution `report` draws).
    public var histogram = LogLinearHistogram()
}

/// Scheduling latency: the time from the moment a task becomes runnable (`task_create`,
/// `task_unpark`, `task_yield`, `task_preempt`) to its next `task_start`, overall, by cause
/// and by P, in HDR-style histograms (exact below 512 ns, within 0.4 % above).
/// Runtime tasks are left out unless `includeRuntime` (docs/ANALYSES.md).
///
/// - Complexity: O(1) per event; memory grows with live tasks and Ps (one histogram each).
public struct LatencyAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    public let includeRuntime: Bool
    private let lifecycle = TaskLifecycle()
    /// One row per (P, cause): rows 0–3 for samples with no P (create, unpark, yield,
    /// preempt), then four per P in the order `procs` registered them (P slot `i` has rows
    /// `4 · (i + 1)` to `4 · (i + 1) + 3`, so finding a P's rows is one lookup). A sample is
    /// recorded once — one counter touched, where a row per cause and one per P touched
    /// two, in tables too large for the first-level cache — and the report's histograms by
    /// cause, by P and overall are merges of these rows.
    private let histograms = HistogramBank(rows: 4)
    private let procs = ProcSlots<Void>()
    private var runtimeSamples: UInt64 = 0
    private var untrackedProcSamples: UInt64 = 0

    private static let causes: [EventKind] = [.taskCreate, .taskUnpark, .taskYield, .taskPreempt]

    public init(window: AnalysisWindow = .whole, includeRuntime: Bool = false) {
        self.window = window
        self.includeRuntime = includeRuntime
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

    public mutating func finish() -> LatencyReport { finish(lifecycle: lifecycle) }

    @inline(__always)
    private static func causeRow(_ kind: EventKind) -> Int {
        switch kind {
        case .taskCreate: 0
        case .taskUnpark: 1
        case .taskYield: 2
        default: 3
        }
    }

    @inline(__always)
    package mutating func taskStarted(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        guard task.pointee.phase == .runnable else { return }
        sample(event, task)
    }

    // Inlined into the per-event loop (as a call it paid six register saves and restores
    // per sample); the rare parts, a runtime task's start and a P's first sample, are
    // outlined.
    @inline(__always)
    private mutating func sample(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>) {
        let now = event.timestamp
        guard window.containsHanded(now) else { return }
        guard includeRuntime || !task.pointee.isRuntime else { return excludeRuntimeSample() }
        let latency = now &- min(now, task.pointee.since)
        var base = 0
        if event.proc.isSome, let slot = procs.index(event.proc) ?? addProc(event.proc) {
            base = (slot &+ 1) &* Self.causes.count
        }
        histograms.record(base &+ Self.causeRow(task.pointee.cause), latency)
    }

    @inline(never)
    private mutating func excludeRuntimeSample() { runtimeSamples += 1 }

    /// Registers a P and adds its four rows. - Returns: its slot; nil past the limit (the
    /// sample then counts with those of no P: in every figure but the per-P ones).
    @inline(never)
    private mutating func addProc(_ proc: ProcID) -> Int? {
        guard !procs.isFull else {
            untrackedProcSamples &+= 1
            return nil
        }
        for _ in Self.causes.indices { histograms.addRow() }
        return procs.register(proc, ())
    }

    package mutating func finish(lifecycle: TaskLifecycle) -> LatencyReport {
        let end = window.end(last: lifecycle.last)
        var waiting: UInt64 = 0
        var longest: UInt64 = 0
        lifecycle.tasks.forEach { _, record in
            guard record.pointee.phase == .runnable, includeRuntime || !record.pointee.isRuntime else { return }
            waiting += 1
            longest = max(longest, end - min(end, record.pointee.since))
        }
        let ids = procs.procs
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        let firstRows = [0] + ids.indices.map { ($0 + 1) * Self.causes.count }
        var byCause = Self.causes.map { _ in LogLinearHistogram() }
        for first in firstRows {
            for cause in Self.causes.indices where histograms.count(first + cause) > 0 {
                byCause[cause].merge(histograms.histogram(first + cause))
            }
        }
        var overall = LogLinearHistogram()
        for histogram in byCause { overall.merge(histogram) }
        func procHistogram(_ slot: Int) -> LogLinearHistogram {
            var merged = LogLinearHistogram()
            let first = (slot + 1) * Self.causes.count
            for cause in Self.causes.indices { merged.merge(histograms.histogram(first + cause)) }
            return merged
        }
        var report = LatencyReport(
            start: window.from, end: end, overall: LatencySummary(overall),
            byCause: Self.causes.indices.filter { byCause[$0].count > 0 }
                .map { .init(cause: Self.causes[$0], summary: LatencySummary(byCause[$0])) },
            byProc: order.map { .init(proc: ids[$0], summary: LatencySummary(procHistogram($0))) },
            waitingAtEnd: waiting, longestWaitAtEnd: longest, includesRuntime: includeRuntime,
            runtimeTasksExcluded: includeRuntime ? 0 : lifecycle.runtimeTasksCreated, runtimeSamplesExcluded: runtimeSamples)
        report.histogram = overall
        report.untrackedProcSamples = untrackedProcSamples
        return report
    }
}
