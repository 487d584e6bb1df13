import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct ImbalanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imbalance",
        abstract: "Show how evenly the Ps were busy, overall and window by window.",
        discussion: """
            Busy time per P (a task running on it), utilization, tasks run and tasks \
            stolen in and out; max/mean and coefficient of variation of busy time over \
            the whole range and per --window slice, with the worst window; and the time \
            a P sat idle while a task was runnable (the cost of imbalance). A trace can \
            be balanced overall and unbalanced window by window. docs/ANALYSES.md \
            defines every figure.

              schedscope imbalance run.sctrace
              schedscope imbalance run.sctrace --window 1ms --from 2s --to 3s --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @Option(help: ArgumentHelp("The length of the windows the range is cut into; \(Duration.help).", valueName: "dur"))
    var window = Duration.defaultImbalanceWindow
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func validate() throws {
        guard window.nanoseconds > 0 else { throw ValidationError("--window must be longer than 0 ns.") }
    }

    func run() throws {
        let session = try TraceSession.open(input)
        let events = try selection.selection()
        var analysis = ImbalanceAnalysis(
            procCount: session.reader.info.procCount, procs: events.procs, window: selection.window,
            windowSize: window.nanoseconds)
        try selection.run(session, consume: { analysis.consume($0) }, skip: { analysis.skip($0) })
        let report = analysis.finish()
        Diagnostics.warnOfUntrackedProcs(input.trace, imbalanceEvents: report.untrackedProcEvents)
        let out = OutputBuffer()
        switch format {
        case .json: out.line(ImbalanceRendering.json(report).pretty)
        case .text: out.write(ImbalanceRendering.text(report))
        }
    }
}

enum ImbalanceRendering {
    static func json(_ r: ImbalanceReport) -> JSON {
        .object([
            ("schema", .string("schedscope.imbalance/1")),
            ("start_ns", .uint(r.start)),
            ("end_ns", .uint(r.end)),
            ("duration_ns", .uint(r.durationNanoseconds)),
            ("window_ns", .uint(r.windowNanoseconds)),
            ("procs", .array(r.procs.map { p in
                .object([
                    ("proc", .uint(UInt64(p.proc.rawValue))),
                    ("busy_ns", .uint(p.busyNanoseconds)),
                    ("utilization", .double(p.utilization)),
                    ("tasks_run", .uint(p.tasksRun)),
                    ("steals_in", .uint(p.stealsIn)),
                    ("steals_out", .uint(p.stealsOut)),
                ])
            })),
            ("max_over_mean", .double(r.maxOverMean)),
            ("cv", .double(r.cv)),
            ("idle_while_runnable_ns", .uint(r.idleWhileRunnableNanoseconds)),
            ("windows", .object([
                ("count", .uint(r.windows)),
                ("active", .uint(r.activeWindows)),
                ("weighted_max_over_mean", .double(r.weightedWindowMaxOverMean)),
                ("weighted_cv", .double(r.weightedWindowCV)),
            ])),
            ("worst_window", r.worstWindow.map { w in
                .object([
                    ("start_ns", .uint(w.start)),
                    ("end_ns", .uint(w.end)),
                    ("max_over_mean", .double(w.maxOverMean)),
                    ("cv", .double(w.cv)),
                    ("excess_ns", .uint(w.excessNanoseconds)),
                    ("busy_ns", .array(w.busyNanoseconds.map(JSON.uint))),
                ])
            } ?? .null),
        ])
    }

    static func text(_ r: ImbalanceReport) -> String {
        var lines: [String] = []
        let duration = r.durationNanoseconds
        lines.append(AnalysisText.row("Range", "\(AnalysisText.range(start: r.start, end: r.end)) · \(AnalysisText.plural(r.procs.count, "P"))"))
        let idleShare = duration > 0 ? " (\(formatPercent(Double(r.idleWhileRunnableNanoseconds) / Double(duration))))" : ""
        lines.append(AnalysisText.row(
            "Overall", "max/mean \(AnalysisText.ratio(r.maxOverMean)) · cv \(AnalysisText.cv(r.cv)) · idle while runnable \(formatDuration(r.idleWhileRunnableNanoseconds))\(idleShare)"))
        lines.append(AnalysisText.row(
            "Windows", "\(formatCount(r.windows)) of \(formatDuration(r.windowNanoseconds)), \(formatCount(r.activeWindows)) active · weighted max/mean \(AnalysisText.ratio(r.weightedWindowMaxOverMean)) · weighted cv \(AnalysisText.cv(r.weightedWindowCV))"))
        if let w = r.worstWindow {
            lines.append(AnalysisText.row(
                "Worst window", "\(formatRange(w.start, w.end)) · busiest P \(formatDuration(w.excessNanoseconds)) above the mean · max/mean \(AnalysisText.ratio(w.maxOverMean)) · cv \(AnalysisText.cv(w.cv))"))
        } else {
            lines.append(AnalysisText.row("Worst window", "none (no P was busy)"))
        }
        lines.append("")
        var table = TextTable([
            ("proc", .left), ("busy", .right), ("utilization", .right), ("tasks run", .right),
            ("steals in", .right), ("steals out", .right), ("busy in worst window", .right),
        ])
        for (i, p) in r.procs.enumerated() {
            table.add([
                "P\(p.proc)", formatDuration(p.busyNanoseconds), formatPercent(p.utilization), formatCount(p.tasksRun),
                formatCount(p.stealsIn), formatCount(p.stealsOut), r.worstWindow.map { formatDuration($0.busyNanoseconds[i]) } ?? "–",
            ])
        }
        lines.append(r.procs.isEmpty ? "  (no Ps)" : table.render())
        return lines.joined(separator: "\n") + "\n"
    }
}
