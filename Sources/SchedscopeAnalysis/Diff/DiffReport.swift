/// What `schedscope diff` found: each metric side by side with its verdict, the leak
/// groups and regions new in HEAD, and whether anything regressed.
public struct DiffReport: Sendable {
    /// Which way a metric moved.
    public enum Change: String, Sendable {
        case better, worse, same
        /// A context metric moved (it has no better direction).
        case changed
    }

    /// What a metric's verdict rests on.
    public enum Evidence: Sendable, Equatable {
        /// One run a side: the change is judged on the limit alone.
        case singleRun
        /// Several runs, but too few for the test to ever reach α: judged on the limit alone.
        case tooFewRuns(smallestPValue: Double)
        /// A Mann–Whitney test, and the Hodges–Lehmann shift with its interval.
        case test(MannWhitneyTest, HodgesLehmann)
        /// Counts compared exactly: the worst run of each side.
        case exact

        /// Whether the verdict rests on the limit alone, without a test.
        public var isWeak: Bool {
            switch self {
            case .singleRun, .tooFewRuns: true
            case .test, .exact: false
            }
        }
    }

    public struct Row: Sendable {
        public var metric: DiffMetric
        /// The median of BASE's runs (statistical metrics) or the largest (exact ones).
        public var base: Double
        public var head: Double
        public var delta: Double { head - base }
        /// delta / base; nil when base is 0.
        public var relative: Double? { base == 0 ? nil : (head - base) / abs(base) }
        public var limit: DiffLimit?
        public var change: Change
        public var regressed: Bool
        public var evidence: Evidence
        /// Every run's value, BASE then HEAD.
        public var baseValues: [Double]
        public var headValues: [Double]
    }

    /// Something in HEAD that no BASE trace has: a leak group or a region that leaks.
    public struct NewLeak: Sendable, Equatable {
        /// The group's reason and label, or nil for a region.
        public var group: TraceFigures.LeakGroupKey?
        /// The region's name, or nil for a group.
        public var region: String?
        /// Candidates in it: the largest count over HEAD's runs.
        public var count: UInt64

        public init(group: TraceFigures.LeakGroupKey?, region: String?, count: UInt64) {
            self.group = group
            self.region = region
            self.count = count
        }
    }

    public var baseRuns: Int
    public var headRuns: Int
    public var alpha: Double
    public var rows: [Row]
    public var newLeakGroups: [NewLeak]
    public var newLeakGroupsLimit: DiffLimit?
    public var newLeakGroupsRegressed: Bool
    public var newlyLeakingRegions: [NewLeak]
    public var newlyLeakingRegionsLimit: DiffLimit?
    public var newlyLeakingRegionsRegressed: Bool
    /// What weakens the verdicts (one run a side, too few runs), for stderr and the reports.
    public var warnings: [String]

    /// The names of what regressed: metrics, then `leaks.new_groups` and `leaks.new_regions`.
    public var regressions: [String] {
        rows.filter(\.regressed).map(\.metric.name)
            + (newLeakGroupsRegressed ? [DiffMetric.newLeakGroups.name] : [])
            + (newlyLeakingRegionsRegressed ? [DiffMetric.newlyLeakingRegions.name] : [])
    }

    public var regressed: Bool { !regressions.isEmpty }
}
