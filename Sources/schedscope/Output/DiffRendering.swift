import Foundation
import SchedscopeAnalysis

/// `diff`'s three outputs: an aligned text table (regressions marked, red on a terminal),
/// a Markdown pull-request comment, and JSON (schema `schedscope.diff/1`).
enum DiffRendering {
    /// The files each side read.
    struct Sides {
        var base: [String]
        var head: [String]
    }

    /// Colour only for a person at a terminal, and never with NO_COLOR set (no-color.org).
    static var useColour: Bool {
        isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    // MARK: - Text

    static func text(_ report: DiffReport, _ sides: Sides, colour: Bool) -> String {
        var out = ""
        out += AnalysisText.row("BASE", describe(sides.base)) + "\n"
        out += AnalysisText.row("HEAD", describe(sides.head)) + "\n"
        out += AnalysisText.row("Verdict", verdict(report)) + "\n"
        if report.baseRuns > 1 || report.headRuns > 1 {
            out += AnalysisText.row("Statistics", "Mann–Whitney U, α = \(number(report.alpha)); base and head are medians; shift = Hodges–Lehmann with its \(percentText(1 - report.alpha)) interval") + "\n"
        }
        out += "\n"
        let statistical = hasTests(report)
        var columns: [(String, TextTable.Alignment)] = [
            ("", .left), ("metric", .left), ("base", .right), ("head", .right), ("delta", .right), ("change", .right),
        ]
        if statistical { columns += [("p", .right), ("shift (interval)", .right)] }
        columns += [("limit", .right), ("verdict", .left)]
        var table = TextTable(columns)
        for row in report.rows {
            var cells = [row.regressed ? "!" : "", row.metric.name, value(row.base, row.metric.unit), value(row.head, row.metric.unit),
                         signed(row.delta, row.metric.unit), relative(row)]
            if statistical { cells += [pValue(row), shift(row)] }
            cells += [row.limit.map { $0.description(for: row.metric.unit) } ?? "—", verdictCell(row)]
            table.add(cells)
        }
        var lines = table.render(indent: 0).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if colour {
            for (index, row) in report.rows.enumerated() where row.regressed {
                lines[index + 1] = "\u{1B}[1;31m" + lines[index + 1] + "\u{1B}[0m"
            }
        }
        out += lines.joined(separator: "\n") + "\n"
        out += newLeaksText(title: "New leak groups (in HEAD, in no BASE trace)", report.newLeakGroups, limit: report.newLeakGroupsLimit,
                            regressed: report.newLeakGroupsRegressed, colour: colour,
                            columns: [("reason", .left), ("label", .left), ("count", .right)]) { leak in
            [leak.group?.reason ?? "", leak.group?.label ?? "", formatCount(leak.count)]
        }
        out += newLeaksText(title: "Regions that newly leak", report.newlyLeakingRegions, limit: report.newlyLeakingRegionsLimit,
                            regressed: report.newlyLeakingRegionsRegressed, colour: colour,
                            columns: [("region", .left), ("count", .right)]) { leak in
            [leak.region ?? "", formatCount(leak.count)]
        }
        return out
    }

    private static func newLeaksText(
        title: String, _ leaks: [DiffReport.NewLeak], limit: DiffLimit?, regressed: Bool, colour: Bool,
        columns: [(String, TextTable.Alignment)], cells: (DiffReport.NewLeak) -> [String]
    ) -> String {
        guard !leaks.isEmpty else { return "\n\(title): none\n" }
        var heading = "\(title): \(leaks.count) · limit \(limit.map { DiffLimit.trim(number: $0) } ?? "none")"
        if regressed { heading += " · REGRESSED" }
        if colour && regressed { heading = "\u{1B}[1;31m" + heading + "\u{1B}[0m" }
        var table = TextTable(columns)
        for leak in leaks { table.add(cells(leak)) }
        return "\n" + heading + "\n\n" + table.render() + "\n"
    }

    // MARK: - Markdown

    static func markdown(_ report: DiffReport, _ sides: Sides) -> String {
        var out = "### schedscope diff: "
        out += report.regressed
            ? "❌ \(report.regressions.count) regression\(report.regressions.count == 1 ? "" : "s"): "
                + report.regressions.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
            : "✅ no regression\n\n"
        out += "**BASE** \(markdownSide(sides.base)) · **HEAD** \(markdownSide(sides.head))\n\n"
        for warning in report.warnings { out += "> ⚠️ \(escape(warning)).\n\n" }
        let statistical = hasTests(report)
        func header() -> String {
            var cells = ["", "metric", "base", "head", "delta", "change"]
            var rule = ["---", "---", "---:", "---:", "---:", "---:"]
            if statistical { cells += ["p", "shift (interval)"]; rule += ["---:", "---:"] }
            cells += ["limit", "verdict"]
            rule += ["---:", "---"]
            return "| " + cells.joined(separator: " | ") + " |\n|" + rule.joined(separator: "|") + "|\n"
        }
        func line(_ row: DiffReport.Row) -> String {
            var cells = [row.regressed ? "❌" : row.change == .better ? "✅" : "", "`\(row.metric.name)`",
                         value(row.base, row.metric.unit), value(row.head, row.metric.unit), signed(row.delta, row.metric.unit), relative(row)]
            if statistical { cells += [pValue(row), shift(row)] }
            cells += [row.limit.map { $0.description(for: row.metric.unit) } ?? "—", row.regressed ? "**regressed**" : verdictCell(row)]
            return "| " + cells.map(escape).joined(separator: " | ") + " |\n"
        }
        let gated = report.rows.filter { $0.regressed || $0.limit != nil }
        if !gated.isEmpty {
            out += "Metrics with a limit:\n\n" + header()
            for row in gated { out += line(row) }
            out += "\n"
        }
        if report.newLeakGroups.isEmpty && report.newlyLeakingRegions.isEmpty {
            out += "No new leak groups, no region that newly leaks.\n\n"
        }
        for (title, leaks, limit, regressed) in [
            ("New leak groups (in HEAD, in no BASE trace)", report.newLeakGroups, report.newLeakGroupsLimit, report.newLeakGroupsRegressed),
            ("Regions that newly leak", report.newlyLeakingRegions, report.newlyLeakingRegionsLimit, report.newlyLeakingRegionsRegressed),
        ] where !leaks.isEmpty {
            out += "#### \(regressed ? "❌ " : "")\(title): \(leaks.count) (limit \(limit.map { DiffLimit.trim(number: $0) } ?? "none"))\n\n"
            if leaks.first?.group != nil {
                out += "| reason | label | count |\n|---|---|---:|\n"
                for leak in leaks { out += "| \(escape(leak.group!.reason)) | `\(escape(leak.group!.label))` | \(formatCount(leak.count)) |\n" }
            } else {
                out += "| region | count |\n|---|---:|\n"
                for leak in leaks { out += "| `\(escape(leak.region ?? ""))` | \(formatCount(leak.count)) |\n" }
            }
            out += "\n"
        }
        out += "<details><summary>All \(report.rows.count) metrics</summary>\n\n" + header()
        for row in report.rows { out += line(row) }
        out += "\n</details>\n"
        return out
    }

    private static func markdownSide(_ paths: [String]) -> String {
        paths.count == 1 ? "`\(escape(paths[0]))`" : "\(paths.count) runs (`\(escape(paths[0]))` …)"
    }

    /// Keeps table cells in one cell: a `|` would split it.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: - JSON

    static func json(_ report: DiffReport, _ sides: Sides) -> JSON {
        .object([
            ("schema", .string("schedscope.diff/1")),
            ("regressed", .bool(report.regressed)),
            ("regressions", .array(report.regressions.map(JSON.string))),
            ("alpha", .double(report.alpha)),
            ("base", .object([("runs", .uint(UInt64(report.baseRuns))), ("traces", .array(sides.base.map(JSON.string)))])),
            ("head", .object([("runs", .uint(UInt64(report.headRuns))), ("traces", .array(sides.head.map(JSON.string)))])),
            ("metrics", .array(report.rows.map(json))),
            ("new_leak_groups", .array(report.newLeakGroups.map { leak in
                .object([("reason", .string(leak.group?.reason ?? "")), ("label", .string(leak.group?.label ?? "")), ("count", .uint(leak.count))])
            })),
            ("new_leak_groups_limit", report.newLeakGroupsLimit.map { .double(DiffLimit.amount($0)) } ?? .null),
            ("new_leak_groups_regressed", .bool(report.newLeakGroupsRegressed)),
            ("newly_leaking_regions", .array(report.newlyLeakingRegions.map { leak in
                .object([("region", .string(leak.region ?? "")), ("count", .uint(leak.count))])
            })),
            ("newly_leaking_regions_limit", report.newlyLeakingRegionsLimit.map { .double(DiffLimit.amount($0)) } ?? .null),
            ("newly_leaking_regions_regressed", .bool(report.newlyLeakingRegionsRegressed)),
            ("warnings", .array(report.warnings.map(JSON.string))),
        ])
    }

    private static func json(_ row: DiffReport.Row) -> JSON {
        var members: [(String, JSON)] = [
            ("name", .string(row.metric.name)),
            ("unit", .string(row.metric.unit.rawValue)),
            ("polarity", .string(row.metric.polarity.rawValue)),
            ("base", .double(row.base)),
            ("head", .double(row.head)),
            ("delta", .double(row.delta)),
            ("relative", row.relative.map(JSON.double) ?? .null),
            ("limit", row.limit.map { limit in
                .object([
                    ("kind", .string(limit.isRelative ? "relative" : "absolute")),
                    ("value", .double(DiffLimit.amount(limit))),
                    ("text", .string(limit.description(for: row.metric.unit))),
                ])
            } ?? .null),
            ("change", .string(row.change.rawValue)),
            ("regressed", .bool(row.regressed)),
        ]
        switch row.evidence {
        case .singleRun: members.append(("evidence", .string("single_run")))
        case .tooFewRuns(let smallest):
            members.append(("evidence", .string("too_few_runs")))
            members.append(("smallest_p_value", .double(smallest)))
        case .exact: members.append(("evidence", .string("exact")))
        case .test(let test, let shift):
            members.append(("evidence", .string("mann_whitney")))
            members.append(("u", .double(test.u)))
            members.append(("p_value", .double(test.pValue)))
            members.append(("p_method", .string(test.method == .exact ? "exact" : "normal")))
            members.append(("shift", .object([
                ("estimate", .double(shift.estimate)),
                ("low", shift.interval.map { .double($0.lowerBound) } ?? .null),
                ("high", shift.interval.map { .double($0.upperBound) } ?? .null),
                ("confidence", shift.achievedConfidence.map(JSON.double) ?? .null),
            ])))
        }
        members.append(("base_values", .array(row.baseValues.map(JSON.double))))
        members.append(("head_values", .array(row.headValues.map(JSON.double))))
        return .object(members)
    }

    // MARK: - Cells

    private static func describe(_ paths: [String]) -> String {
        switch paths.count {
        case 1: paths[0]
        case 2: "2 runs: \(paths[0]) \(paths[1])"
        default: "\(paths.count) runs: \(paths[0]) … \(paths[paths.count - 1])"
        }
    }

    private static func verdict(_ report: DiffReport) -> String {
        if report.regressed { return "REGRESSED: " + report.regressions.joined(separator: ", ") }
        let gated = report.rows.filter { $0.limit != nil }.count
        return "no regression (\(report.rows.count) metrics, \(gated) with a limit)"
    }

    private static func hasTests(_ report: DiffReport) -> Bool {
        report.rows.contains { if case .test = $0.evidence { true } else { false } }
    }

    private static func verdictCell(_ row: DiffReport.Row) -> String {
        if row.regressed { return "REGRESSED" }
        switch row.change {
        case .better: return "better"
        case .worse: return row.limit == nil ? "worse" : "worse, within limit"
        case .same:
            if case .test = row.evidence, row.base != row.head { return "~ (not significant)" }
            return "same"
        case .changed: return "changed"
        }
    }

    private static func pValue(_ row: DiffReport.Row) -> String {
        guard case .test(let test, _) = row.evidence else { return "" }
        return test.pValue < 0.001 ? "<0.001" : String(format: "%.3f", test.pValue)
    }

    private static func shift(_ row: DiffReport.Row) -> String {
        guard case .test(_, let shift) = row.evidence else { return "" }
        let unit = row.metric.unit
        guard let interval = shift.interval else { return signed(shift.estimate, unit) }
        return "\(signed(shift.estimate, unit)) (\(signed(interval.lowerBound, unit)) … \(signed(interval.upperBound, unit)))"
    }

    static func value(_ value: Double, _ unit: DiffMetric.Unit) -> String {
        switch unit {
        case .nanoseconds:
            // Clamped: a forged trace's sums reach 2⁶⁴ ns, where the conversion would trap.
            let rounded = max(0, value).rounded()
            return formatDuration(rounded < 0x1p64 ? UInt64(rounded) : .max)
        case .ratio: return String(format: "%.3f", value)
        case .fraction: return String(format: "%.2f %%", value * 100)
        case .count: return value == value.rounded() ? formatCount(Int64(value)) : String(format: "%.1f", value)
        case .perSecond: return AnalysisText.rate(value) + "/s"
        }
    }

    static func signed(_ delta: Double, _ unit: DiffMetric.Unit) -> String {
        if delta == 0 { return "0" }
        let sign = delta > 0 ? "+" : "−"
        switch unit {
        case .fraction: return sign + String(format: "%.2f pp", abs(delta) * 100)
        default: return sign + value(abs(delta), unit)
        }
    }

    private static func relative(_ row: DiffReport.Row) -> String {
        guard let relative = row.relative else { return row.head == row.base ? "0 %" : "new" }
        if relative == 0 { return "0 %" }
        return (relative > 0 ? "+" : "−") + String(format: "%.1f %%", abs(relative) * 100)
    }

    private static func percentText(_ fraction: Double) -> String {
        number(fraction * 100) + " %"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%g", value)
    }
}

extension DiffLimit {
    var isRelative: Bool { if case .relative = self { true } else { false } }

    /// The fraction (relative) or amount (absolute).
    static func amount(_ limit: DiffLimit) -> Double {
        switch limit {
        case .relative(let fraction): fraction
        case .absolute(let amount): amount
        }
    }

    /// A count limit as a plain number (the leak rules): `0`, `2`.
    static func trim(number limit: DiffLimit) -> String { limit.description }
}
