/// The figures of one trace's `FullReport` in the form `diff` compares: one number per
/// metric of `DiffMetric.catalog`, and the leak groups and leaking regions.
public struct TraceFigures: Sendable, Equatable {
    /// A leak group: candidates with the same park reason and label.
    public struct LeakGroupKey: Sendable, Hashable, Comparable {
        public var reason: String
        public var label: String

        public init(reason: String, label: String) {
            self.reason = reason
            self.label = label
        }

        public static func < (a: Self, b: Self) -> Bool { (a.reason, a.label) < (b.reason, b.label) }
    }

    /// By metric name; a metric the trace has no figure for (an MMU window longer than
    /// the trace) is absent.
    public var values: [String: Double]
    /// Candidates per leak group.
    public var leakGroups: [LeakGroupKey: UInt64]
    /// Candidates per region; candidates outside any region are left out.
    public var leakingRegions: [String: UInt64]

    public init(values: [String: Double], leakGroups: [LeakGroupKey: UInt64] = [:], leakingRegions: [String: UInt64] = [:]) {
        self.values = values
        self.leakGroups = leakGroups
        self.leakingRegions = leakingRegions
    }

    public init(_ report: FullReport) {
        let imbalance = report.imbalance, preemption = report.preemption, latency = report.latency.overall
        let gc = report.gc, leaks = report.leaks
        let duration = Double(imbalance.durationNanoseconds)
        var values: [String: Double] = [
            "imbalance.max_over_mean": imbalance.maxOverMean,
            "imbalance.cv": imbalance.cv,
            "imbalance.window_max_over_mean": imbalance.weightedWindowMaxOverMean,
            "imbalance.window_cv": imbalance.weightedWindowCV,
            "imbalance.idle_while_runnable_ns": Double(imbalance.idleWhileRunnableNanoseconds),
            "imbalance.idle_while_runnable_fraction": duration > 0 ? Double(imbalance.idleWhileRunnableNanoseconds) / duration : 0,
            "preemption.preemptions": Double(preemption.preemptions),
            "preemption.yields": Double(preemption.yields),
            "preemption.parks": Double(preemption.parks),
            "preemption.per_busy_second": preemption.perBusySecond,
            "preemption.per_wall_second": preemption.perWallSecond,
            "preemption.fraction_of_stops": preemption.fractionOfStops,
            "latency.count": Double(latency.count),
            "latency.p50_ns": Double(latency.p50),
            "latency.p90_ns": Double(latency.p90),
            "latency.p99_ns": Double(latency.p99),
            "latency.max_ns": Double(latency.max),
            "latency.mean_ns": Double(latency.mean),
            "gc.cycles": Double(gc.cycles),
            "gc.pauses": Double(gc.pauses),
            "gc.pause_total_ns": Double(gc.pauseTotalNanoseconds),
            "gc.pause_p50_ns": Double(gc.pauseP50),
            "gc.pause_p95_ns": Double(gc.pauseP95),
            "gc.pause_p99_ns": Double(gc.pauseP99),
            "gc.pause_max_ns": Double(gc.pauseMax),
            "gc.pause_fraction": gc.pauseFraction,
            "leaks.count": Double(leaks.candidates.count),
            "leaks.groups": Double(leaks.groups.count),
            "leaks.starved": Double(leaks.starved.count),
        ]
        for utilization in gc.mmu where GCMetrics.utilizationWindows.contains(utilization.windowNanoseconds) {
            values["gc.mmu_\(GCMetrics.windowName(utilization.windowNanoseconds))"] = utilization.utilization
        }
        self.values = values
        var groups: [LeakGroupKey: UInt64] = [:]
        for group in leaks.groups { groups[LeakGroupKey(reason: group.reason, label: group.label), default: 0] += group.count }
        leakGroups = groups
        var regions: [String: UInt64] = [:]
        for region in leaks.regions {
            if let name = region.region { regions[name, default: 0] += region.count }
        }
        leakingRegions = regions
    }
}
