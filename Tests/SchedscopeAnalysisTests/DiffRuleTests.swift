import Testing

@testable import SchedscopeAnalysis

/// Figures with only the metrics a test sets (the others are absent, so not compared).
private func run(_ values: [String: Double], groups: [TraceFigures.LeakGroupKey: UInt64] = [:], regions: [String: UInt64] = [:]) -> TraceFigures {
    TraceFigures(values: values, leakGroups: groups, leakingRegions: regions)
}

private func row(_ report: DiffReport, _ name: String) -> DiffReport.Row? {
    report.rows.first { $0.metric.name == name }
}

@Suite("diff rules: limits, polarity, runs, leak groups")
struct DiffRuleTests {
    @Test func relativeLimitIsCrossedOnlyInTheWorseDirection() throws {
        // latency.p99_ns: lower is better, default +25 %.
        let base = run(["latency.p99_ns": 1000])
        for (head, regressed, change) in [(1250.0, false, DiffReport.Change.worse), (1251, true, .worse), (500, false, .better), (1000, false, .same)] {
            let report = TraceComparison.compare(base: [base], head: [run(["latency.p99_ns": head])], thresholds: DiffThresholds())
            let line = try #require(row(report, "latency.p99_ns"))
            #expect(line.regressed == regressed, "head \(head)")
            #expect(line.change == change, "head \(head)")
            #expect(line.evidence == .singleRun)
        }
    }

    @Test func higherIsBetterRegressesWhenItFalls() throws {
        var thresholds = DiffThresholds()
        try thresholds.set("gc.mmu_10ms=+10%")
        let fall = TraceComparison.compare(base: [run(["gc.mmu_10ms": 0.80])], head: [run(["gc.mmu_10ms": 0.70])], thresholds: thresholds)
        #expect(row(fall, "gc.mmu_10ms")?.regressed == true)  // 12.5 % less
        let rise = TraceComparison.compare(base: [run(["gc.mmu_10ms": 0.70])], head: [run(["gc.mmu_10ms": 0.99])], thresholds: thresholds)
        #expect(row(rise, "gc.mmu_10ms")?.regressed == false)
        #expect(row(rise, "gc.mmu_10ms")?.change == .better)
    }

    @Test func contextMetricsNeverGateUnlessALimitIsSetThenEitherWay() throws {
        let base = run(["gc.pauses": 100])
        let plain = TraceComparison.compare(base: [base], head: [run(["gc.pauses": 300])], thresholds: DiffThresholds())
        #expect(row(plain, "gc.pauses")?.regressed == false)
        #expect(row(plain, "gc.pauses")?.change == .changed)
        var thresholds = DiffThresholds()
        try thresholds.set("gc.pauses=10")
        let fewer = TraceComparison.compare(base: [base], head: [run(["gc.pauses": 80])], thresholds: thresholds)
        #expect(row(fewer, "gc.pauses")?.regressed == true)
    }

    @Test func absoluteLimitsAreInTheMetricsUnit() throws {
        var thresholds = DiffThresholds()
        try thresholds.set("gc.pause_max_ns=5ms")
        let base = run(["gc.pause_max_ns": 1_000_000])
        let within = TraceComparison.compare(base: [base], head: [run(["gc.pause_max_ns": 6_000_000])], thresholds: thresholds)
        #expect(row(within, "gc.pause_max_ns")?.regressed == false)  // +5 ms exactly: not beyond
        let beyond = TraceComparison.compare(base: [base], head: [run(["gc.pause_max_ns": 6_000_001])], thresholds: thresholds)
        #expect(row(beyond, "gc.pause_max_ns")?.regressed == true)
    }

    @Test("a duration limit takes every unit the CLI's duration options take")
    func durationLimitsTakeTheCLIUnits() throws {
        // One minute of pause growth allowed: 60 s more is not beyond, a nanosecond more is.
        for limit in ["1m", "60s", "60000ms", "0.0166666666666666666h"] {
            var thresholds = DiffThresholds()
            try thresholds.set("gc.pause_max_ns=\(limit)")
            let base = run(["gc.pause_max_ns": 1_000])
            let within = TraceComparison.compare(base: [base], head: [run(["gc.pause_max_ns": 1_000 + 59_999_000_000])], thresholds: thresholds)
            #expect(row(within, "gc.pause_max_ns")?.regressed == false, "\(limit)")
            let beyond = TraceComparison.compare(base: [base], head: [run(["gc.pause_max_ns": 1_000 + 60_000_001_000])], thresholds: thresholds)
            #expect(row(beyond, "gc.pause_max_ns")?.regressed == true, "\(limit)")
        }
        #expect(DurationText.nanoseconds("1.5us") == 1_500)
        #expect(DurationText.nanoseconds("2h") == 7_200e9)
        for bad in ["ms", "-1s", "5", "1 parsec", "infs", "1mm"] {
            #expect(DurationText.nanoseconds(bad) == nil, "\(bad)")
        }
    }

    @Test func noneRemovesADefaultLimit() throws {
        var thresholds = DiffThresholds()
        try thresholds.set("latency.p99_ns = none")
        let report = TraceComparison.compare(base: [run(["latency.p99_ns": 1])], head: [run(["latency.p99_ns": 100])], thresholds: thresholds)
        #expect(row(report, "latency.p99_ns")?.limit == nil)
        #expect(!report.regressed)
    }

    @Test func relativeLimitOnAZeroBase() throws {
        let report = TraceComparison.compare(base: [run(["gc.pause_p95_ns": 0])], head: [run(["gc.pause_p95_ns": 1])], thresholds: DiffThresholds())
        #expect(row(report, "gc.pause_p95_ns")?.regressed == true)
        #expect(row(report, "gc.pause_p95_ns")?.relative == nil)
    }

    /// Four runs a side that do not overlap give p = 2/70 < 0.05, and the medians moved
    /// 40 % (limit 25 %): regressed. The same medians with runs that overlap are not
    /// significant and do not regress, however far the medians moved.
    @Test func severalRunsNeedSignificanceAndTheLimit() throws {
        let base = [1000.0, 1010, 990, 1005].map { run(["latency.p99_ns": $0]) }
        let separated = [1400.0, 1410, 1390, 1405].map { run(["latency.p99_ns": $0]) }
        let report = TraceComparison.compare(base: base, head: separated, thresholds: DiffThresholds())
        let line = try #require(row(report, "latency.p99_ns"))
        guard case .test(let test, let shift) = line.evidence else { Issue.record("no test: \(line.evidence)"); return }
        #expect(abs(test.pValue - 2.0 / 70) < 1e-12)
        #expect(shift.estimate == 400)
        #expect(line.regressed)
        #expect(report.warnings.isEmpty)

        let overlapping = [900.0, 1400, 1410, 2000].map { run(["latency.p99_ns": $0]) }
        let noisy = TraceComparison.compare(base: base, head: overlapping, thresholds: DiffThresholds())
        #expect(row(noisy, "latency.p99_ns")?.regressed == false)
        #expect(row(noisy, "latency.p99_ns")?.change == .same)

        // Significant but within the limit: worse, not regressed.
        let slightly = [1100.0, 1110, 1090, 1105].map { run(["latency.p99_ns": $0]) }
        let small = TraceComparison.compare(base: base, head: slightly, thresholds: DiffThresholds())
        #expect(row(small, "latency.p99_ns")?.change == .worse)
        #expect(row(small, "latency.p99_ns")?.regressed == false)
    }

    /// Three runs a side can never reach p < 0.05 (benchstat's rule): the metric is judged
    /// on its limit alone, as with one run, and a warning says how many runs are enough.
    @Test func tooFewRunsFallBackToTheLimitWithAWarning() throws {
        let base = [1000.0, 1010, 990].map { run(["latency.p99_ns": $0]) }
        let head = [1400.0, 1410, 1390].map { run(["latency.p99_ns": $0]) }
        let report = TraceComparison.compare(base: base, head: head, thresholds: DiffThresholds())
        #expect(row(report, "latency.p99_ns")?.evidence == .tooFewRuns(smallestPValue: 0.1))
        #expect(row(report, "latency.p99_ns")?.regressed == true)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("4 runs a side are enough") == true, "\(report.warnings)")
    }

    /// Leak counts are exact: the worst run of each side, no statistics, even with one
    /// leak more in a single HEAD run of five.
    @Test func leakCountsCompareTheWorstRunExactly() throws {
        let base = (0..<5).map { _ in run(["leaks.count": 3]) }
        var head = (0..<5).map { _ in run(["leaks.count": 3]) }
        head[2] = run(["leaks.count": 4])
        let report = TraceComparison.compare(base: base, head: head, thresholds: DiffThresholds())
        let line = try #require(row(report, "leaks.count"))
        #expect(line.evidence == .exact)
        #expect(line.base == 3 && line.head == 4)
        #expect(line.regressed)
    }

    @Test func leakGroupsAndRegionsNewInHead() throws {
        let old = TraceFigures.LeakGroupKey(reason: "channel receive", label: "Subscriber.listen()")
        let new = TraceFigures.LeakGroupKey(reason: "mutex", label: "Cache.refresh()")
        let base = [run([:], groups: [old: 2], regions: ["A/test1": 2]), run([:], groups: [old: 1], regions: ["A/test2": 1])]
        let head = [run([:], groups: [old: 1, new: 2], regions: ["A/test2": 1, "B/test3": 2]), run([:], groups: [new: 3], regions: ["B/test3": 3])]
        let report = TraceComparison.compare(base: base, head: head, thresholds: DiffThresholds())
        #expect(report.newLeakGroups == [.init(group: new, region: nil, count: 3)])
        #expect(report.newlyLeakingRegions == [.init(group: nil, region: "B/test3", count: 3)])
        #expect(report.regressions == ["leaks.new_groups", "leaks.new_regions"])

        var lenient = DiffThresholds()
        try lenient.set("leaks.new_groups=1")
        try lenient.set("leaks.new_regions=none")
        #expect(!TraceComparison.compare(base: base, head: head, thresholds: lenient).regressed)
        // A group that leaves is not a regression.
        #expect(!TraceComparison.compare(base: head, head: base.prefix(1).map { run([:], groups: $0.leakGroups) }, thresholds: DiffThresholds()).regressed)
    }

    @Test func aMetricMissingFromOneRunIsNotCompared() {
        let report = TraceComparison.compare(
            base: [run(["gc.mmu_1s": 0.5, "gc.pauses": 1])], head: [run(["gc.pauses": 1])], thresholds: DiffThresholds())
        #expect(report.rows.map(\.metric.name) == ["gc.pauses"])
    }
}

@Suite("diff thresholds: --threshold and threshold files")
struct DiffThresholdTests {
    @Test(arguments: [
        ("latency.p99_ns=+20%", DiffLimit.relative(0.2)), ("latency.p99_ns=20%", .relative(0.2)),
        ("gc.pause_max_ns=5ms", .absolute(5_000_000)), ("gc.pause_max_ns=250us", .absolute(250_000)),
        ("gc.pause_max_ns=1.5s", .absolute(1_500_000_000)), ("gc.pause_max_ns=0", .absolute(0)),
        ("imbalance.max_over_mean=0.05", .absolute(0.05)), ("leaks.count=2", .absolute(2)),
        ("leaks.new_groups = 1", .absolute(1)),
    ])
    func limitsParse(_ setting: String, _ expected: DiffLimit) throws {
        var thresholds = DiffThresholds()
        try thresholds.set(setting)
        let name = String(setting.split(separator: "=")[0]).trimmingWhitespace
        #expect(thresholds.limit(for: try #require(DiffMetric.named(name))) == expected)
    }

    @Test(arguments: [
        ("latency.p99=+20%", "unknown metric 'latency.p99', did you mean 'latency.p99_ns'?"),
        ("p99_ns=+20%", "unknown metric 'p99_ns', did you mean 'latency.p99_ns'?"),
        ("gc.pause_max_ns=5", "limit '5' for gc.pause_max_ns is neither a percentage nor a duration"),
        ("gc.pause_max_ns=fast", "limit 'fast' for gc.pause_max_ns is neither a percentage nor a duration"),
        ("leaks.count=-1", "limit '-1' for leaks.count is neither a percentage nor a number"),
        ("latency.p99_ns=x%", "limit 'x%' for latency.p99_ns is not a percentage"),
        ("latency.p99_ns", "'latency.p99_ns' is not METRIC=LIMIT"),
        ("alpha=2", "alpha '2' must be a number between 0 and 1"),
    ])
    func badSettingsSayWhatWasExpected(_ setting: String, _ message: String) {
        var thresholds = DiffThresholds()
        #expect {
            try thresholds.set(setting)
        } throws: { error in
            (error as? DiffSetupError)?.message.hasPrefix(message) == true
        }
    }

    @Test func fileSetsLimitsAndAlphaAndSkipsComments() throws {
        var thresholds = DiffThresholds()
        try thresholds.read(file: """
            # CI limits for the scheduler
            latency.p99_ns = +10%    # tighter than the default
            gc.pause_max_ns = 2ms

            imbalance.max_over_mean = none
            alpha = 0.01
            """, named: "limits.conf")
        #expect(thresholds.limit(for: DiffMetric.named("latency.p99_ns")!) == .relative(0.1))
        #expect(thresholds.limit(for: DiffMetric.named("gc.pause_max_ns")!) == .absolute(2_000_000))
        #expect(thresholds.limit(for: DiffMetric.named("imbalance.max_over_mean")!) == nil)
        #expect(thresholds.limit(for: DiffMetric.named("gc.pause_p95_ns")!) == .relative(0.25))  // untouched default
        #expect(thresholds.alpha == 0.01)
    }

    @Test func fileErrorsNameTheFileAndLine() {
        var thresholds = DiffThresholds()
        #expect {
            try thresholds.read(file: "# ok\nlatency.p99_ns = +10%\n\ngc.pauze_max_ns = 2ms\n", named: "limits.conf")
        } throws: { error in
            (error as? DiffSetupError)?.message == "limits.conf:4: unknown metric 'gc.pauze_max_ns', did you mean 'gc.pause_max_ns'? (schedscope diff --help lists them)"
        }
        #expect {
            try thresholds.read(file: "latency.p99_ns +10%\n", named: "limits.conf")
        } throws: { error in
            (error as? DiffSetupError)?.message == "limits.conf:1: expected 'METRIC = LIMIT', found 'latency.p99_ns +10%'"
        }
    }

    /// Every metric `analyze` reports has a row, and every name is unique.
    @Test func catalogNamesAreUnique() {
        let names = DiffMetric.settable.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(DiffMetric.catalog.filter { $0.defaultLimit != nil }.map(\.name) == [
            "imbalance.max_over_mean", "imbalance.idle_while_runnable_fraction", "preemption.per_busy_second",
            "latency.p99_ns", "gc.pause_p95_ns", "gc.pause_max_ns", "leaks.count",
        ])
    }
}
