import SchedscopeAnalysis
import SchedscopeModel

/// `schedscope report`: one self-contained HTML page (no network, no external scripts or
/// fonts) with the analyze figures, a per-P timeline and utilization heat map aggregated to
/// the screen's resolution, the latency and GC pause distributions, and the leak tables.
///
/// Every string that comes from the trace goes through `TextEscaping.html` (page text and
/// attributes) or `TextEscaping.json` (the data the script reads), and the script puts it
/// on the page with `textContent` only.
public struct HTMLReport {
    public var title: String
    public var info: TraceInfo
    public var events: UInt64
    public var report: FullReport
    public var timeline: ReportTimeline
    /// Resolves label ids (the trace's string table).
    public var string: (StringID) -> String
    /// Leak candidates listed one by one (the groups table always has every group).
    public var candidateLimit: Int

    public init(
        title: String, info: TraceInfo, events: UInt64, report: FullReport, timeline: ReportTimeline,
        string: @escaping (StringID) -> String, candidateLimit: Int = 500
    ) {
        self.title = title
        self.info = info
        self.events = events
        self.report = report
        self.timeline = timeline
        self.string = string
        self.candidateLimit = candidateLimit
    }

    typealias C = ReportFormatting

    /// The labels that ran longest, most first, with their legend colours.
    var legend: [(label: StringID, color: String, busy: UInt64)] {
        let top = timeline.busyByLabel.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }.prefix(ReportCharts.palette.count)
        return top.enumerated().map { (label: $0.element.key, color: ReportCharts.palette[$0.offset], busy: $0.element.value) }
    }

    public func render() -> String {
        let legend = self.legend
        var colors: [StringID: String] = [:]
        for entry in legend { colors[entry.label] = entry.color }
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <title>Schedscope report · \(TextEscaping.html(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header><h1>Schedscope report</h1><p class="sub">\(TextEscaping.html(title)) · \(TextEscaping.html(info.producer)) · \(C.count(events)) events · \(info.procCount) Ps · \(C.duration(report.imbalance.durationNanoseconds))</p></header>
            <main>

            """
        page += summary()
        page += section("Timeline", note: "Each P's row, \(timeline.usedColumns) columns of \(C.duration(timeline.columnNanoseconds)): bar height is the share of the column some task ran, its colour the label that ran most. Red bands: GC pauses. Dark ticks: steals. Dashed box: the worst imbalance window.") {
            ReportCharts.timeline(timeline, colors: colors, worst: report.imbalance.worstWindow) + legendHTML(legend)
        }
        page += section("Utilization heat map", note: "Busy share of each P per column, from white (idle) to dark blue (always busy). \(worstNote())") {
            ReportCharts.heatmap(timeline, worst: report.imbalance.worstWindow) + heatLegend()
        }
        page += section("Scheduling latency", note: "Runnable (create, unpark, yield, preempt) → running: \(C.count(report.latency.overall.count)) samples, four bins per decade.") {
            ReportCharts.distribution(report.latency.histogram, id: "latency", label: "Scheduling latency histogram",
                                      markers: report.latency.overall.count == 0 ? [] : [("p50", report.latency.overall.p50), ("p90", report.latency.overall.p90), ("p99", report.latency.overall.p99)])
        }
        page += section("GC pauses", note: "\(C.count(report.gc.pauses)) stop-the-world pauses, \(C.duration(report.gc.pauseTotalNanoseconds)) in all (\(C.percent(report.gc.pauseFraction)) of the time).") {
            ReportCharts.distribution(report.gc.pauseHistogram, id: "gc", label: "GC pause histogram",
                                      markers: report.gc.pauses == 0 ? [] : [("p50", report.gc.pauseP50), ("p95", report.gc.pauseP95), ("p99", report.gc.pauseP99)])
                + gcReasons()
        }
        page += section("Ps", note: "Busy time, tasks run and steals per P over the whole range.") { procTable() }
        page += section("Leak candidates", note: leakNote()) { leakTables() }
        page += "</main>\n<div id=\"tip\" role=\"tooltip\"></div>\n"
        page += "<script type=\"application/json\" id=\"data\">\(tooltipData())</script>\n"
        page += "<script>\(Self.script)</script>\n</body>\n</html>\n"
        return page
    }

    // MARK: - Sections

    private func section(_ title: String, note: String, body: () -> String) -> String {
        "<section><h2>\(TextEscaping.html(title))</h2><p class=\"note\">\(TextEscaping.html(note))</p>\n\(body())\n</section>\n"
    }

    private func summary() -> String {
        let r = report
        var cards: [(String, String, String)] = [
            ("Imbalance", "max/mean " + C.ratio(r.imbalance.maxOverMean), "cv \(String(format: "%.3f", r.imbalance.cv)) · idle while runnable \(C.duration(r.imbalance.idleWhileRunnableNanoseconds))"),
            ("Preemption", C.ratio(r.preemption.perBusySecond) + " /busy s", "\(C.count(r.preemption.preemptions)) preemptions · \(C.percent(r.preemption.fractionOfStops)) of stops"),
            ("Scheduling latency", "p99 " + C.duration(r.latency.overall.p99), "p50 \(C.duration(r.latency.overall.p50)) · p90 \(C.duration(r.latency.overall.p90)) · max \(C.duration(r.latency.overall.max))"),
            ("GC pauses", "p99 " + C.duration(r.gc.pauseP99), "\(C.count(r.gc.pauses)) pauses · \(C.percent(r.gc.pauseFraction)) of time · max \(C.duration(r.gc.pauseMax))"),
            ("Leak candidates", C.count(r.leaks.count), "\(C.count(r.leaks.groups.count)) groups · \(C.count(r.leaks.starved.count)) starved"),
        ]
        if let worst = r.imbalance.worstWindow {
            cards.insert(("Worst window", "max/mean " + C.ratio(worst.maxOverMean),
                          C.range(worst.start, worst.end)), at: 1)
        }
        let created = timeline.eventsByKind[Int(EventKind.taskCreate.rawValue)], ended = timeline.eventsByKind[Int(EventKind.taskEnd.rawValue)]
        cards.append(("Tasks", C.count(created) + " created", "\(C.count(ended)) ended · \(C.count(created >= ended ? created - ended : 0)) live at the end"))
        var html = "<section class=\"cards\">"
        for (title, value, detail) in cards {
            html += "<div class=\"card\"><h3>\(TextEscaping.html(title))</h3><p class=\"value\">\(TextEscaping.html(value))</p><p class=\"detail\">\(TextEscaping.html(detail))</p></div>"
        }
        return html + "</section>\n"
    }

    private func worstNote() -> String {
        guard let worst = report.imbalance.worstWindow else { return "No window had a busy P." }
        return "Outlined: the worst \(C.duration(report.imbalance.windowNanoseconds)) window, \(C.range(worst.start, worst.end)), max/mean \(C.ratio(worst.maxOverMean))."
    }

    private func legendHTML(_ legend: [(label: StringID, color: String, busy: UInt64)]) -> String {
        var html = "<ul class=\"legend\">"
        for entry in legend {
            html += "<li><span class=\"swatch\" style=\"background:\(entry.color)\"></span>\(TextEscaping.html(labelText(entry.label))) <span class=\"muted\">\(C.duration(entry.busy))</span></li>"
        }
        if timeline.busyByLabel.count > legend.count {
            html += "<li><span class=\"swatch\" style=\"background:\(ReportCharts.otherColor)\"></span>other labels</li>"
        }
        return html + "<li><span class=\"swatch gc\"></span>GC pause</li><li><span class=\"swatch steal\"></span>steal</li></ul>"
    }

    private func heatLegend() -> String {
        var html = "<div class=\"legend heat\">idle "
        for level in 0...10 { html += "<span class=\"swatch\" style=\"background:\(ReportCharts.heat(level))\"></span>" }
        return html + " busy</div>"
    }

    private func gcReasons() -> String {
        guard !report.gc.byReason.isEmpty else { return "" }
        var rows = ""
        for reason in report.gc.byReason {
            rows += "<tr><td>\(TextEscaping.html(reason.reason))</td><td class=\"n\" data-v=\"\(reason.pauses)\">\(C.count(reason.pauses))</td><td class=\"n\" data-v=\"\(reason.totalNanoseconds)\">\(C.duration(reason.totalNanoseconds))</td></tr>"
        }
        return table(id: "gc-reasons", headers: [("reason", false), ("pauses", true), ("total", true)], rows: rows)
    }

    private func procTable() -> String {
        var rows = ""
        for proc in report.imbalance.procs {
            rows += "<tr><td data-v=\"\(proc.proc.rawValue)\">P\(proc.proc.rawValue)</td><td class=\"n\" data-v=\"\(proc.busyNanoseconds)\">\(C.duration(proc.busyNanoseconds))</td><td class=\"n\" data-v=\"\(proc.utilization)\">\(C.percent(proc.utilization))</td><td class=\"n\" data-v=\"\(proc.tasksRun)\">\(C.count(proc.tasksRun))</td><td class=\"n\" data-v=\"\(proc.stealsIn)\">\(C.count(proc.stealsIn))</td><td class=\"n\" data-v=\"\(proc.stealsOut)\">\(C.count(proc.stealsOut))</td></tr>"
        }
        return table(id: "procs", headers: [("P", true), ("busy", true), ("utilization", true), ("tasks run", true), ("steals in", true), ("steals out", true)], rows: rows)
    }

    private func leakNote() -> String {
        let leaks = report.leaks
        var note = "Tasks not ended whose last state is parked\(leaks.byRegion ? ", judged when their region ended" : ""), parked at least \(C.duration(leaks.minAgeNanoseconds)); grouped by park reason and label. Click a column to sort."
        if leaks.lostEvents > 0 { note += " The recorder lost \(C.count(leaks.lostEvents)) events: verdicts near them are uncertain." }
        return note
    }

    private func leakTables() -> String {
        let leaks = report.leaks
        guard leaks.count > 0 || !leaks.starved.isEmpty else { return "<p class=\"empty\">No leak candidates.</p>" }
        var groups = ""
        for group in leaks.groups {
            groups += "<tr><td>\(TextEscaping.html(group.reason))</td><td>\(TextEscaping.html(group.label))</td><td class=\"n\" data-v=\"\(group.count)\">\(C.count(group.count))</td><td class=\"n\" data-v=\"\(group.maxParkedNanoseconds)\">\(C.duration(group.maxParkedNanoseconds))</td><td class=\"n\" data-v=\"\(group.minParkedNanoseconds)\">\(C.duration(group.minParkedNanoseconds))</td></tr>"
        }
        var html = "<h3>By reason and label</h3>" + table(id: "leak-groups", headers: [("reason", false), ("label", false), ("tasks", true), ("longest parked", true), ("shortest parked", true)], rows: groups)
        var candidates = ""
        for candidate in leaks.candidates.prefix(candidateLimit) {
            candidates += "<tr><td class=\"n\" data-v=\"\(candidate.task.rawValue)\">\(candidate.task.rawValue)</td><td>\(TextEscaping.html(candidate.label))</td><td>\(TextEscaping.html(candidate.reason))</td><td class=\"n\" data-v=\"\(candidate.parkedNanoseconds)\">\(C.duration(candidate.parkedNanoseconds))</td><td class=\"n\" data-v=\"\(candidate.createdAt ?? 0)\">\(candidate.createdAt.map(C.duration) ?? "–")</td><td>\(TextEscaping.html(candidate.region ?? "–"))</td><td>\(candidate.uncertain ? "uncertain" : "")</td></tr>"
        }
        let shown = min(candidateLimit, leaks.candidates.count)
        html += "<h3>Tasks\(shown < leaks.candidates.count ? " (the first \(C.count(shown)) of \(C.count(leaks.candidates.count)))" : "")</h3>"
        html += table(id: "leak-tasks", headers: [("task", true), ("label", false), ("reason", false), ("parked", true), ("created at", true), ("region", false), ("", false)], rows: candidates)
        if !leaks.starved.isEmpty {
            html += "<p class=\"note\">\(C.count(leaks.starved.count)) starved tasks (runnable but never started again) are listed by <code>schedscope leaks</code>.</p>"
        }
        return html
    }

    private func table(id: String, headers: [(String, Bool)], rows: String) -> String {
        var html = "<table class=\"sortable\" id=\"\(id)\"><thead><tr>"
        for (name, numeric) in headers {
            html += "<th\(numeric ? " class=\"n\" data-type=\"number\"" : "")>\(TextEscaping.html(name))</th>"
        }
        return html + "</tr></thead><tbody>" + rows + "</tbody></table>"
    }

    private func labelText(_ id: StringID) -> String {
        id.rawValue == 0 ? "(no label)" : string(id)
    }

    // MARK: - Data for the tooltips

    /// Per P and column: busy percent and the index of the dominant label; the labels.
    private func tooltipData() -> String {
        let columns = timeline.usedColumns
        let span = Double(timeline.columnNanoseconds)
        var labelIndex: [StringID: Int] = [:]
        var labels: [String] = []
        var busy: [String] = [], dominant: [String] = []
        for row in timeline.cells {
            var busyRow: [String] = [], labelRow: [String] = []
            for column in 0..<columns {
                let cell = row[column]
                busyRow.append(String(Int((min(1, Double(cell.busyNanoseconds) / span) * 100).rounded())))
                if cell.busyNanoseconds == 0 {
                    labelRow.append("-1")
                } else {
                    let index = labelIndex[cell.dominantLabel] ?? {
                        labels.append(labelText(cell.dominantLabel))
                        labelIndex[cell.dominantLabel] = labels.count - 1
                        return labels.count - 1
                    }()
                    labelRow.append(String(index))
                }
            }
            busy.append("[" + busyRow.joined(separator: ",") + "]")
            dominant.append("[" + labelRow.joined(separator: ",") + "]")
        }
        let pauses = (0..<columns).map { String(Int((min(1, Double(timeline.pauseNanoseconds[$0]) / span) * 100).rounded())) }
        let steals = timeline.cells.map { row in "[" + (0..<columns).map { String(row[$0].steals) }.joined(separator: ",") + "]" }
        let rows = ReportCharts.Rows(count: timeline.cells.count)
        let geometry = "\"left\":\(ReportCharts.left),\"plot\":\(ReportCharts.plotWidth),\"top\":\(rows.top),\"rowHeight\":\(rows.height),"
        return "{" + geometry + "\"columns\":\(columns),\"columnNs\":\(timeline.columnNanoseconds),\"busy\":[\(busy.joined(separator: ","))],\"label\":[\(dominant.joined(separator: ","))],\"steals\":[\(steals.joined(separator: ","))],\"pause\":[\(pauses.joined(separator: ","))],\"labels\":[\(labels.map(TextEscaping.json).joined(separator: ","))]}"
    }
}
