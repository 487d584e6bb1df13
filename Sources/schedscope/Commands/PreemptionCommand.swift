import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct PreemptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preemption",
        abstract: "Count preemptions, yields and parks, and relate preemptions to busy and wall time.",
        discussion: """
            Task stops by kind (task_preempt, task_yield, task_park, task_end); \
            preemptions per second of busy time and of wall time; the fraction of stops \
            that were preemptions; the tasks and labels preempted most. The runtime's \
            own tasks are left out unless --include-runtime, and the report says how \
            many were.

              schedscope preemption run.sctrace
              schedscope preemption run.sctrace --region 'ParserTests/test3' --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @OptionGroup var runtime: RuntimeOption
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        var analysis = PreemptionAnalysis(window: selection.window, includeRuntime: runtime.includeRuntime)
        try selection.run(session, consume: { analysis.consume($0) }, skip: { analysis.skip($0) })
        let report = analysis.finish(strings: session.reader.strings)
        let out = OutputBuffer()
        switch format {
        case .json: out.line(PreemptionRendering.json(report).pretty)
        case .text: out.write(PreemptionRendering.text(report))
        }
    }
}

enum PreemptionRendering {
    static func json(_ r: PreemptionReport) -> JSON {
        .object([
            ("schema", .string("schedscope.preemption/1")),
            ("start_ns", .uint(r.start)),
            ("end_ns", .uint(r.end)),
            ("duration_ns", .uint(r.durationNanoseconds)),
            ("preemptions", .uint(r.preemptions)),
            ("yields", .uint(r.yields)),
            ("parks", .uint(r.parks)),
            ("ends", .uint(r.ends)),
            ("stops", .uint(r.stops)),
            ("busy_ns", .uint(r.busyNanoseconds)),
            ("per_busy_second", .double(r.perBusySecond)),
            ("per_wall_second", .double(r.perWallSecond)),
            ("fraction_of_stops", .double(r.fractionOfStops)),
            ("include_runtime", .bool(r.includesRuntime)),
            ("runtime_tasks_excluded", .uint(r.runtimeTasksExcluded)),
            ("runtime_stops_excluded", .uint(r.runtimeStopsExcluded)),
            ("top_tasks", .array(r.topTasks.map { t in
                .object([("task", .uint(t.task.rawValue)), ("label", .string(t.label)), ("preemptions", .uint(t.preemptions))])
            })),
            ("top_labels", .array(r.topLabels.map { l in
                .object([("label", .string(l.label)), ("preemptions", .uint(l.preemptions))])
            })),
        ])
    }

    static func runtimeLine(tasks: UInt64, events: UInt64, what: String, included: Bool) -> String {
        if included { return "runtime tasks counted (--include-runtime)" }
        if tasks == 0 && events == 0 { return "no runtime tasks" }
        return "\(AnalysisText.plural(tasks, "runtime task")) left out (\(AnalysisText.plural(events, what))); --include-runtime counts them"
    }

    static func text(_ r: PreemptionReport) -> String {
        var lines: [String] = []
        lines.append(AnalysisText.row("Range", AnalysisText.range(start: r.start, end: r.end)))
        lines.append(AnalysisText.row(
            "Stops", "\(formatCount(r.stops)): \(AnalysisText.plural(r.preemptions, "preemption")) · \(AnalysisText.plural(r.yields, "yield")) · \(AnalysisText.plural(r.parks, "park")) · \(AnalysisText.plural(r.ends, "end"))"))
        lines.append(AnalysisText.row(
            "Rate", "\(AnalysisText.rate(r.perBusySecond)) per busy second · \(AnalysisText.rate(r.perWallSecond)) per wall second · \(formatPercent(r.fractionOfStops)) of stops"))
        lines.append(AnalysisText.row("Busy", "\(formatDuration(r.busyNanoseconds)) of running tasks"))
        lines.append(AnalysisText.row(
            "Runtime", runtimeLine(tasks: r.runtimeTasksExcluded, events: r.runtimeStopsExcluded, what: "stop", included: r.includesRuntime)))
        lines.append("")
        lines.append("Preempted most")
        if r.topTasks.isEmpty {
            lines.append("  (no preemptions)")
        } else {
            var tasks = TextTable([("task", .left), ("label", .left), ("preemptions", .right)])
            for t in r.topTasks { tasks.add(["task \(t.task)", t.label.isEmpty ? "–" : t.label, formatCount(t.preemptions)]) }
            lines.append(tasks.render())
            lines.append("")
            var labels = TextTable([("label", .left), ("preemptions", .right), ("share", .right)])
            for l in r.topLabels.prefix(10) {
                labels.add([l.label.isEmpty ? "–" : l.label, formatCount(l.preemptions), formatPercent(Double(l.preemptions) / Double(max(r.preemptions, 1)))])
            }
            lines.append(labels.render())
            if r.topLabels.count > 10 { lines.append("  … \(AnalysisText.plural(r.topLabels.count - 10, "more label")) (the JSON lists all)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
