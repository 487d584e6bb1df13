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
        var values: [String: Double] = [:]
        for metric in DiffMetric.catalog {
            if let value = metric.figure(report) { values[metric.name] = value }
        }
        self.values = values
        let leaks = report.leaks
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
