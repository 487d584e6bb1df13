import SchedscopeModel

/// What `schedscope gc` reports (docs/ANALYSES.md, "GC").
public struct GCReport: Sendable, Equatable {
    public struct Reason: Sendable, Equatable {
        public var reason: String
        public var pauses: UInt64
        public var totalNanoseconds: UInt64

        public init(reason: String, pauses: UInt64, totalNanoseconds: UInt64) {
            self.reason = reason
            self.pauses = pauses
            self.totalNanoseconds = totalNanoseconds
        }
    }

    public struct Utilization: Sendable, Equatable {
        public var windowNanoseconds: UInt64
        /// The minimum mutator utilization for that window (0…1).
        public var utilization: Double

        public init(windowNanoseconds: UInt64, utilization: Double) {
            self.windowNanoseconds = windowNanoseconds
            self.utilization = utilization
        }
    }

    public var start: UInt64
    public var end: UInt64
    public var durationNanoseconds: UInt64 { end - start }
    /// `gc_begin`s inside the window.
    public var cycles: UInt64
    /// Pauses that overlap the window, with their durations clipped to it.
    public var pauses: UInt64
    public var pauseTotalNanoseconds: UInt64
    public var pauseP50: UInt64
    public var pauseP95: UInt64
    public var pauseP99: UInt64
    public var pauseMax: UInt64
    /// pause total / window duration (0 for an empty window).
    public var pauseFraction: Double
    /// By reason, longest total first.
    public var byReason: [Reason]
    /// Minimum mutator utilization for the window sizes that fit in the window.
    public var mmu: [Utilization]
    /// Whether the window ends inside a pause (closed at the window's end).
    public var endsInsidePause: Bool
    /// Every pause's duration, as a histogram (the distribution `report` draws).
    public var pauseHistogram = LogLinearHistogram()
}

/// Stop-the-world pauses (`gc_pause_begin` → `gc_pause_end`): count, total, percentiles,
/// fraction of wall time, by reason, and the minimum mutator utilization for a few window
/// sizes; and GC cycles (`gc_begin`) (docs/ANALYSES.md, "GC").
///
/// - Complexity: O(1) per event (O(windows · log k) per pause for the MMU); memory does
///   not grow with the trace, only with the pauses inside the largest MMU window.
public struct GCAnalysis: TaskLifecycleObserver {
    public let window: AnalysisWindow
    /// The default MMU window sizes: 100 µs, 1 ms, 10 ms, 100 ms, 1 s.
    public static let defaultUtilizationWindows: [UInt64] = [100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
    /// The MMU window sizes.
    public let utilizationWindows: [UInt64]
    private let lifecycle = TaskLifecycle()
    private var cycles: UInt64 = 0
    private var open: (begin: UInt64, reason: StringID)?
    private var histogram = LogLinearHistogram()
    private let reasons = IDTable<(pauses: UInt64, total: UInt64)>(capacity: 8)
    private var mmu: MutatorUtilization

    public init(window: AnalysisWindow = .whole, utilizationWindows: [UInt64] = GCAnalysis.defaultUtilizationWindows) {
        self.window = window
        self.utilizationWindows = utilizationWindows
        mmu = MutatorUtilization(windows: utilizationWindows, origin: window.from)
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

    public mutating func finish(strings: StringTable) -> GCReport { finish(lifecycle: lifecycle, strings: strings) }

    package mutating func gcEvent(_ event: Event) {
        switch event.kind {
        case .gcBegin:
            if window.containsHanded(event.timestamp) { cycles += 1 }
        case .gcPauseBegin:
            // A begin inside an open pause is a broken trace; the first begin stands.
            if open == nil { open = (event.timestamp, event.reason) }
        case .gcPauseEnd:
            if let pause = open { close(pause, at: event.timestamp) }
            open = nil
        default:
            break
        }
    }

    private mutating func close(_ pause: (begin: UInt64, reason: StringID), at end: UInt64) {
        let begin = max(pause.begin, window.from)
        guard end >= begin, end > window.from || pause.begin >= window.from else { return }
        let duration = end - begin
        histogram.record(duration)
        let key = UInt64(pause.reason.rawValue)
        let previous = reasons[key] ?? (0, 0)
        reasons[key] = (previous.pauses + 1, previous.total.addingSaturated(duration))
        mmu.add(begin: begin, end: end)
    }

    package mutating func finish(lifecycle: TaskLifecycle, strings: StringTable) -> GCReport {
        let end = window.end(last: lifecycle.last)
        let endsInsidePause = open != nil
        if let pause = open { close(pause, at: max(end, pause.begin)) }
        open = nil
        let duration = end - window.from
        let utilization = mmu.finish(end: end)
        var report = GCReport(
            start: window.from, end: end, cycles: cycles, pauses: histogram.count, pauseTotalNanoseconds: histogram.sum,
            pauseP50: histogram.value(atMilliPercentile: 50_000), pauseP95: histogram.value(atMilliPercentile: 95_000),
            pauseP99: histogram.value(atMilliPercentile: 99_000), pauseMax: histogram.count > 0 ? histogram.max : 0,
            pauseFraction: duration > 0 ? Double(histogram.sum) / Double(duration) : 0,
            byReason: reasons.entries
                .map { GCReport.Reason(reason: strings[StringID(rawValue: UInt32(truncatingIfNeeded: $0.key))], pauses: $0.value.pauses, totalNanoseconds: $0.value.total) }
                .sorted { ($0.totalNanoseconds, $1.reason) > ($1.totalNanoseconds, $0.reason) },
            mmu: zip(utilizationWindows, utilization).compactMap { size, value in
                value.map { GCReport.Utilization(windowNanoseconds: size, utilization: $0) }
            },
            endsInsidePause: endsInsidePause)
        report.pauseHistogram = histogram
        return report
    }
}
