/// Compares the figures of BASE's runs with HEAD's and decides what regressed
/// (docs/CI.md, "The rules").
///
/// - A statistical metric with one run a side, or too few runs for the Mann–Whitney test
///   to ever reach α: regressed when the change goes beyond its limit in the worse
///   direction (a warning says the evidence is weak).
/// - With enough runs: regressed when the test finds a difference (p < α), the medians
///   moved in the worse direction, and the change of the medians goes beyond the limit.
/// - An exact metric (leak counts): regressed when the worst HEAD run exceeds the worst
///   BASE run by more than the limit.
/// - A leak group (reason, label) or a region that leaks in some HEAD run and in no BASE
///   run is new; more new ones than their limit (default 0) regress.
/// - A metric without a limit is reported, never gated.
///
/// - Complexity: O(n₁²n₂²) once for U's exact distribution (fewer than 50 runs a side), then
///   O(n₁n₂ log(n₁n₂)) per metric for the Hodges–Lehmann interval.
public enum TraceComparison {
    public static func compare(base: [TraceFigures], head: [TraceFigures], thresholds: DiffThresholds) -> DiffReport {
        precondition(!base.isEmpty && !head.isEmpty, "diff needs a trace on each side")
        let alpha = thresholds.alpha
        let smallestP = MannWhitneyTest.smallestPValue(base.count, head.count)
        let testable = smallestP <= alpha
        // U's exact distribution depends only on the sizes: one for every metric.
        let distribution = testable && base.count < 50 && head.count < 50 ? UDistribution(base.count, head.count) : nil
        var rows: [DiffReport.Row] = []
        for metric in DiffMetric.catalog {
            let baseValues = base.compactMap { $0.values[metric.name] }
            let headValues = head.compactMap { $0.values[metric.name] }
            guard baseValues.count == base.count, headValues.count == head.count else { continue }
            let limit = thresholds.limit(for: metric)
            rows.append(metric.comparison == .exact
                ? exactRow(metric, baseValues, headValues, limit)
                : statisticalRow(
                    metric, baseValues, headValues, limit, alpha: alpha, testable: testable, smallestP: smallestP,
                    distribution: distribution))
        }

        let baseGroups = Set(base.flatMap(\.leakGroups.keys))
        var newGroups: [TraceFigures.LeakGroupKey: UInt64] = [:]
        for run in head {
            for (key, count) in run.leakGroups where !baseGroups.contains(key) { newGroups[key] = max(newGroups[key, default: 0], count) }
        }
        let baseRegions = Set(base.flatMap(\.leakingRegions.keys))
        var newRegions: [String: UInt64] = [:]
        for run in head {
            for (name, count) in run.leakingRegions where !baseRegions.contains(name) { newRegions[name] = max(newRegions[name, default: 0], count) }
        }
        let groupsLimit = thresholds.limit(for: .newLeakGroups)
        let regionsLimit = thresholds.limit(for: .newlyLeakingRegions)

        var warnings: [String] = []
        if base.count == 1 && head.count == 1 {
            warnings.append(
                "one trace a side: timing metrics are judged on their limits alone, and one run is weak evidence; "
                    + "record several runs of each and pass them with --base … --head … for a statistical test")
        } else if !testable {
            warnings.append(
                "\(base.count) BASE and \(head.count) HEAD runs are too few for the Mann–Whitney test to reach α = \(trim(alpha)) "
                    + "(the smallest p-value they can give is \(trim(smallestP))); timing metrics are judged on their limits alone. "
                    + "\(runsNeeded(alpha: alpha)) runs a side are enough")
        }
        return DiffReport(
            baseRuns: base.count, headRuns: head.count, alpha: alpha, rows: rows,
            newLeakGroups: newGroups.sorted { $0.key < $1.key }.map { .init(group: $0.key, region: nil, count: $0.value) },
            newLeakGroupsLimit: groupsLimit,
            newLeakGroupsRegressed: groupsLimit?.isExceeded(base: 0, head: Double(newGroups.count), polarity: .lowerIsBetter) ?? false,
            newlyLeakingRegions: newRegions.sorted { $0.key < $1.key }.map { .init(group: nil, region: $0.key, count: $0.value) },
            newlyLeakingRegionsLimit: regionsLimit,
            newlyLeakingRegionsRegressed: regionsLimit?.isExceeded(base: 0, head: Double(newRegions.count), polarity: .lowerIsBetter) ?? false,
            warnings: warnings)
    }

    /// The fewest runs a side for which two samples that do not overlap give p ≤ α.
    public static func runsNeeded(alpha: Double) -> Int {
        var n = 1
        while MannWhitneyTest.smallestPValue(n, n) > alpha && n < 1000 { n += 1 }
        return n
    }

    private static func exactRow(_ metric: DiffMetric, _ baseValues: [Double], _ headValues: [Double], _ limit: DiffLimit?) -> DiffReport.Row {
        let base = baseValues.max()!, head = headValues.max()!
        return DiffReport.Row(
            metric: metric, base: base, head: head, limit: limit, change: direction(metric, base, head),
            regressed: limit?.isExceeded(base: base, head: head, polarity: metric.polarity) ?? false,
            evidence: .exact, baseValues: baseValues, headValues: headValues)
    }

    private static func statisticalRow(
        _ metric: DiffMetric, _ baseValues: [Double], _ headValues: [Double], _ limit: DiffLimit?,
        alpha: Double, testable: Bool, smallestP: Double, distribution: UDistribution?
    ) -> DiffReport.Row {
        let base = median(baseValues), head = median(headValues)
        let beyondLimit = limit?.isExceeded(base: base, head: head, polarity: metric.polarity) ?? false
        var change = direction(metric, base, head)
        let evidence: DiffReport.Evidence
        var regressed: Bool
        if testable {
            let test = MannWhitneyTest(baseValues, headValues, distribution: distribution)
            evidence = .test(test, HodgesLehmann(base: baseValues, head: headValues, confidence: 1 - alpha, distribution: distribution))
            // Not significant: no change can be called, whatever the medians say.
            if test.pValue >= alpha { change = .same }
            regressed = test.pValue < alpha && beyondLimit && change != .better
        } else {
            evidence = baseValues.count == 1 && headValues.count == 1 ? .singleRun : .tooFewRuns(smallestPValue: smallestP)
            regressed = beyondLimit
        }
        if change == .same { regressed = false }
        return DiffReport.Row(
            metric: metric, base: base, head: head, limit: limit, change: change, regressed: regressed,
            evidence: evidence, baseValues: baseValues, headValues: headValues)
    }

    private static func direction(_ metric: DiffMetric, _ base: Double, _ head: Double) -> DiffReport.Change {
        if head == base { return .same }
        switch metric.polarity {
        case .lowerIsBetter: return head < base ? .better : .worse
        case .higherIsBetter: return head > base ? .better : .worse
        case .context: return .changed
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Up to three significant digits, without Foundation: 0.05, 0.1, 0.0286.
    static func trim(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return "0" }
        var scale = 1.0
        while abs(value) * scale < 100 { scale *= 10 }
        var text = String((value * scale).rounded() / scale)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
