import SchedscopeModel

/// What `schedscope analyze` reports: every analysis, from one pass.
public struct FullReport: Sendable, Equatable {
    public var imbalance: ImbalanceReport
    public var preemption: PreemptionReport
    public var latency: LatencyReport
    public var gc: GCReport
    public var leaks: LeakReport
}

/// Imbalance, preemption, scheduling latency, GC pauses and leak candidates in one pass:
/// one `TaskLifecycle` (one switch on the kind and one hash probe per task event) feeds
/// every analysis, and each report equals what the analysis computes alone.
///
/// - Complexity: O(1) per event; memory grows with live tasks and Ps.
public struct FullAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    private let lifecycle = TaskLifecycle()
    private var imbalance: ImbalanceAnalysis
    private var preemption: PreemptionAnalysis
    private var latency: LatencyAnalysis
    private var gc: GCAnalysis
    private var leaks: LeakAnalysis

    /// - Parameters: as for each analysis; `includeRuntime` applies to preemption, latency
    ///   and leaks (imbalance counts every task).
    public init(
        procCount: UInt32, procs: Set<ProcID>? = nil, window: AnalysisWindow = .whole, windowSize: UInt64 = 10_000_000,
        includeRuntime: Bool = false, leakOptions: LeakOptions = LeakOptions()
    ) {
        self.window = window
        imbalance = ImbalanceAnalysis(procCount: procCount, procs: procs, window: window, windowSize: windowSize)
        preemption = PreemptionAnalysis(window: window, includeRuntime: includeRuntime)
        latency = LatencyAnalysis(window: window, includeRuntime: includeRuntime)
        gc = GCAnalysis(window: window)
        var leakOptions = leakOptions
        leakOptions.includeRuntime = includeRuntime
        leaks = LeakAnalysis(window: window, options: leakOptions)
    }

    /// Feeds one event; events must come in time order. Events at or after the window's
    /// `to` are ignored (the window ends there).
    public mutating func consume(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        // Borrow the lifecycle without a retain and release per event.
        Unmanaged.passUnretained(lifecycle)._withUnsafeGuaranteedRef { $0.consume(event, &self) }
    }

    /// Feeds a batch of events in time order, as `consume(_:)` does one by one but without
    /// a call per event (the reader hands events over in batches).
    public mutating func consume(_ events: UnsafeBufferPointer<Event>) {
        let to = window.to ?? .max
        Unmanaged.passUnretained(lifecycle)._withUnsafeGuaranteedRef { lifecycle in
            for event in events where event.timestamp < to { lifecycle.consume(event, &self) }
        }
    }

    /// Notes an event that a filter (`--proc`, `--task`, `--region`) left out: the range
    /// still ends at the trace's last event, not at the last one selected.
    public mutating func skip(_ event: Event) {
        if let to = window.to, event.timestamp >= to { return }
        lifecycle.note(event.timestamp)
    }

    // Each hook hands the event to the analyses that use its kind, and only to them: the
    // lifecycle's one switch per event is the only test of the kind.

    @inline(__always)
    package mutating func advance(to now: UInt64) { imbalance.advance(to: now) }

    @inline(__always)
    package mutating func taskCreated(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        imbalance.taskCreated(event, task, lifecycle)
        leaks.taskCreated(event, task, lifecycle)
    }

    @inline(__always)
    package mutating func taskStarted(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        imbalance.taskStarted(event, task, lifecycle)
        latency.taskStarted(event, task, lifecycle)
    }

    @inline(__always)
    package mutating func taskStopped(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        imbalance.taskStopped(event, task, lifecycle)
        preemption.taskStopped(event, task, lifecycle)
    }

    @inline(__always)
    package mutating func taskUnparked(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>, _ lifecycle: TaskLifecycle) {
        imbalance.taskUnparked(event, task, lifecycle)
    }

    @inline(__always)
    package mutating func regionEnded(_ event: Event, _ task: UnsafeMutablePointer<TaskRecord>?, _ lifecycle: TaskLifecycle) {
        leaks.regionEnded(event, task, lifecycle)
    }

    @inline(__always)
    package mutating func procEvent(_ event: Event) { imbalance.procEvent(event) }

    @inline(__always)
    package mutating func gcEvent(_ event: Event) { gc.gcEvent(event) }

    public mutating func finish(strings: StringTable, ignoringLeaks: ((String) -> Bool)? = nil) -> FullReport {
        FullReport(
            imbalance: imbalance.finish(lifecycle: lifecycle),
            preemption: preemption.finish(lifecycle: lifecycle, strings: strings),
            latency: latency.finish(lifecycle: lifecycle),
            gc: gc.finish(lifecycle: lifecycle, strings: strings),
            leaks: leaks.finish(lifecycle: lifecycle, strings: strings, ignoring: ignoringLeaks))
    }
}
