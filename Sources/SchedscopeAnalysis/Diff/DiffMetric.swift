/// One figure of `schedscope analyze` as `schedscope diff` compares it: its name (the
/// analysis and the JSON key), its unit, which direction is better, and its default limit.
public struct DiffMetric: Sendable, Equatable {
    public enum Unit: String, Sendable {
        case nanoseconds, ratio, fraction, count, perSecond = "per_second"
    }

    /// Which way is worse.
    public enum Polarity: String, Sendable {
        case lowerIsBetter = "lower_is_better"
        case higherIsBetter = "higher_is_better"
        /// Neither: a count that explains the others (how many pauses, how many samples).
        /// A limit on it applies to a change either way.
        case context
    }

    /// How several runs per side are compared.
    public enum Comparison: String, Sendable {
        /// Timings vary from run to run: a Mann–Whitney test decides whether they changed.
        case statistical
        /// Counts that a correct program repeats exactly (leaks): the worst run of each
        /// side is compared, no statistics.
        case exact
    }

    public var name: String
    public var unit: Unit
    public var polarity: Polarity
    public var comparison: Comparison
    public var defaultLimit: DiffLimit?
    /// What it is, in a few words (help text, docs).
    public var summary: String
    /// Its value in a report; nil when the report has none (an MMU window longer than the
    /// trace). Kept with the name so that the two cannot drift apart.
    let figure: @Sendable (FullReport) -> Double?

    public static func == (a: DiffMetric, b: DiffMetric) -> Bool {
        (a.name, a.unit, a.polarity, a.comparison, a.defaultLimit, a.summary) == (b.name, b.unit, b.polarity, b.comparison, b.defaultLimit, b.summary)
    }
}

extension DiffMetric {
    /// Every metric, in the order of `analyze`'s report. The minimum mutator utilization
    /// rows (`gc.mmu_<window>`) exist only for the windows that fit in both traces.
    public static let catalog: [DiffMetric] = imbalance + preemption + latency + gc + utilization + leaks

    private static let imbalance: [DiffMetric] = [
        .init("imbalance.max_over_mean", .ratio, .lowerIsBetter, limit: .relative(0.10), "busiest P's busy time over the mean") { $0.imbalance.maxOverMean },
        .init("imbalance.cv", .ratio, .lowerIsBetter, "coefficient of variation of busy time across Ps") { $0.imbalance.cv },
        .init("imbalance.window_max_over_mean", .ratio, .lowerIsBetter, "max/mean per window, weighted by busy time") { $0.imbalance.weightedWindowMaxOverMean },
        .init("imbalance.window_cv", .ratio, .lowerIsBetter, "cv per window, weighted by busy time") { $0.imbalance.weightedWindowCV },
        .init("imbalance.idle_while_runnable_ns", .nanoseconds, .lowerIsBetter, "time some P sat idle while a task waited") {
            Double($0.imbalance.idleWhileRunnableNanoseconds)
        },
        .init("imbalance.idle_while_runnable_fraction", .fraction, .lowerIsBetter, limit: .relative(0.25),
              "idle while runnable over the trace's duration") {
            let duration = Double($0.imbalance.durationNanoseconds)
            return duration > 0 ? Double($0.imbalance.idleWhileRunnableNanoseconds) / duration : 0
        },
    ]

    private static let preemption: [DiffMetric] = [
        .init("preemption.preemptions", .count, .context, "task_preempt events") { Double($0.preemption.preemptions) },
        .init("preemption.yields", .count, .context, "task_yield events") { Double($0.preemption.yields) },
        .init("preemption.parks", .count, .context, "task_park events") { Double($0.preemption.parks) },
        .init("preemption.per_busy_second", .perSecond, .lowerIsBetter, limit: .relative(0.25), "preemptions per second of busy time") {
            $0.preemption.perBusySecond
        },
        .init("preemption.per_wall_second", .perSecond, .lowerIsBetter, "preemptions per wall-clock second") { $0.preemption.perWallSecond },
        .init("preemption.fraction_of_stops", .fraction, .lowerIsBetter, "preemptions over all task stops") { $0.preemption.fractionOfStops },
    ]

    private static let latency: [DiffMetric] = [
        .init("latency.count", .count, .context, "runnable → running samples") { Double($0.latency.overall.count) },
        .init("latency.p50_ns", .nanoseconds, .lowerIsBetter, "median scheduling latency") { Double($0.latency.overall.p50) },
        .init("latency.p90_ns", .nanoseconds, .lowerIsBetter, "90th percentile of scheduling latency") { Double($0.latency.overall.p90) },
        .init("latency.p99_ns", .nanoseconds, .lowerIsBetter, limit: .relative(0.25), "99th percentile of scheduling latency") {
            Double($0.latency.overall.p99)
        },
        .init("latency.max_ns", .nanoseconds, .lowerIsBetter, "longest scheduling latency") { Double($0.latency.overall.max) },
        .init("latency.mean_ns", .nanoseconds, .lowerIsBetter, "mean scheduling latency") { Double($0.latency.overall.mean) },
    ]

    private static let gc: [DiffMetric] = [
        .init("gc.cycles", .count, .context, "gc_begin events") { Double($0.gc.cycles) },
        .init("gc.pauses", .count, .context, "stop-the-world pauses") { Double($0.gc.pauses) },
        .init("gc.pause_total_ns", .nanoseconds, .lowerIsBetter, "time stopped in all") { Double($0.gc.pauseTotalNanoseconds) },
        .init("gc.pause_p50_ns", .nanoseconds, .lowerIsBetter, "median pause") { Double($0.gc.pauseP50) },
        .init("gc.pause_p95_ns", .nanoseconds, .lowerIsBetter, limit: .relative(0.25), "95th percentile of pauses") { Double($0.gc.pauseP95) },
        .init("gc.pause_p99_ns", .nanoseconds, .lowerIsBetter, "99th percentile of pauses") { Double($0.gc.pauseP99) },
        .init("gc.pause_max_ns", .nanoseconds, .lowerIsBetter, limit: .relative(0.50), "longest pause") { Double($0.gc.pauseMax) },
        .init("gc.pause_fraction", .fraction, .lowerIsBetter, "time stopped over the trace's duration") { $0.gc.pauseFraction },
    ]

    private static let utilization: [DiffMetric] = GCMetrics.utilizationWindows.map { (window: UInt64) -> DiffMetric in
        let name = GCMetrics.windowName(window)
        return DiffMetric("gc.mmu_\(name)", .fraction, .higherIsBetter, "minimum mutator utilization in any \(name) window") { report in
            report.gc.mmu.last { $0.windowNanoseconds == window }?.utilization
        }
    }

    private static let leaks: [DiffMetric] = [
        .init("leaks.count", .count, .lowerIsBetter, compared: .exact, limit: .absolute(0), "leak candidates") { Double($0.leaks.candidates.count) },
        .init("leaks.groups", .count, .lowerIsBetter, compared: .exact, "leak groups (reason, label)") { Double($0.leaks.groups.count) },
        .init("leaks.starved", .count, .lowerIsBetter, compared: .exact, "tasks runnable but never started again") {
            Double($0.leaks.starved.count)
        },
    ]

    /// The rule "a leak group that no BASE trace has regresses": the number of such groups
    /// allowed. Set like a metric (`leaks.new_groups=none` turns the rule off).
    public static let newLeakGroups = DiffMetric(
        "leaks.new_groups", .count, .lowerIsBetter, compared: .exact, limit: .absolute(0), "leak groups in HEAD that no BASE trace has")
    /// The rule "a region (test) that leaks in HEAD but in no BASE trace regresses".
    public static let newlyLeakingRegions = DiffMetric(
        "leaks.new_regions", .count, .lowerIsBetter, compared: .exact, limit: .absolute(0), "regions (tests) that leak in HEAD and in no BASE trace")

    /// Every name a threshold may set: the metrics and the two leak rules.
    public static let settable: [DiffMetric] = catalog + [newLeakGroups, newlyLeakingRegions]

    public static func named(_ name: String) -> DiffMetric? {
        settable.first { $0.name == name }
    }

    /// `figure` defaults to none: the leak rules are counted by `TraceComparison`, not read
    /// from one report.
    init(
        _ name: String, _ unit: Unit, _ polarity: Polarity, compared comparison: Comparison = .statistical,
        limit: DiffLimit? = nil, _ summary: String, figure: @escaping @Sendable (FullReport) -> Double? = { _ in nil }
    ) {
        self.figure = figure
        self.name = name
        self.unit = unit
        self.polarity = polarity
        self.comparison = comparison
        defaultLimit = limit
        self.summary = summary
    }
}

enum GCMetrics {
    static let utilizationWindows = GCAnalysis.defaultUtilizationWindows

    /// `100us`, `1ms`, `10ms`, `100ms`, `1s`.
    static func windowName(_ nanoseconds: UInt64) -> String {
        for (suffix, scale) in [("s", UInt64(1_000_000_000)), ("ms", 1_000_000), ("us", 1_000)]
        where nanoseconds >= scale && nanoseconds % scale == 0 {
            return "\(nanoseconds / scale)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }
}
