import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Show stop-the-world GC pauses: count, total, percentiles and mutator utilization.",
        discussion: """
            Pauses (gc_pause_begin → gc_pause_end): how many, their total and share of \
            wall time, p50/p95/p99/max, by reason; GC cycles (gc_begin); and the minimum \
            mutator utilization (the lowest share of any window of 100 µs, 1 ms, 10 ms, \
            100 ms or 1 s in which no pause ran), as go tool trace plots it.

              schedscope gc run.sctrace
              schedscope gc run.sctrace --from 1s --to 2s --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        var analysis = GCAnalysis(window: selection.window)
        try selection.run(session, consume: { analysis.consume($0) }, skip: { analysis.skip($0) })
        let report = analysis.finish(strings: session.reader.strings)
        let out = OutputBuffer()
        switch format {
        case .json: out.line(GCRendering.json(report).pretty)
        case .text: out.write(GCRendering.text(report))
        }
    }
}

enum GCRendering {
    static func json(_ r: GCReport) -> JSON {
        .object([
            ("schema", .string("schedscope.gc/1")),
            ("start_ns", .uint(r.start)),
            ("end_ns", .uint(r.end)),
            ("duration_ns", .uint(r.durationNanoseconds)),
            ("cycles", .uint(r.cycles)),
            ("pauses", .uint(r.pauses)),
            ("pause_total_ns", .uint(r.pauseTotalNanoseconds)),
            ("pause_p50_ns", .uint(r.pauseP50)),
            ("pause_p95_ns", .uint(r.pauseP95)),
            ("pause_p99_ns", .uint(r.pauseP99)),
            ("pause_max_ns", .uint(r.pauseMax)),
            ("pause_fraction", .double(r.pauseFraction)),
            ("ends_inside_pause", .bool(r.endsInsidePause)),
            ("by_reason", .array(r.byReason.map { reason in
                .object([("reason", .string(reason.reason)), ("pauses", .uint(reason.pauses)), ("total_ns", .uint(reason.totalNanoseconds))])
            })),
            ("mmu", .array(r.mmu.map { .object([("window_ns", .uint($0.windowNanoseconds)), ("utilization", .double($0.utilization))]) })),
        ])
    }

    static func text(_ r: GCReport) -> String {
        var lines: [String] = []
        lines.append(AnalysisText.row("Range", AnalysisText.range(start: r.start, end: r.end)))
        lines.append(AnalysisText.row("Cycles", formatCount(r.cycles)))
        lines.append(AnalysisText.row(
            "Pauses", "\(formatCount(r.pauses)) · total \(formatDuration(r.pauseTotalNanoseconds)) · \(formatPercent(r.pauseFraction)) of the range" + (r.endsInsidePause ? " · the range ends inside a pause" : "")))
        if r.pauses > 0 {
            lines.append(AnalysisText.row(
                "Percentiles", "p50 \(formatDuration(r.pauseP50)) · p95 \(formatDuration(r.pauseP95)) · p99 \(formatDuration(r.pauseP99)) · max \(formatDuration(r.pauseMax))"))
            lines.append("")
            var reasons = TextTable([("reason", .left), ("pauses", .right), ("total", .right), ("mean", .right)])
            for reason in r.byReason {
                reasons.add([reason.reason.isEmpty ? "–" : reason.reason, formatCount(reason.pauses), formatDuration(reason.totalNanoseconds),
                             formatDuration(reason.totalNanoseconds / max(reason.pauses, 1))])
            }
            lines.append(reasons.render())
        }
        lines.append("")
        lines.append("Minimum mutator utilization")
        if r.mmu.isEmpty {
            lines.append("  (the range is shorter than the smallest window, \(formatDuration(GCAnalysis.defaultUtilizationWindows[0])))")
        } else {
            var table = TextTable([("window", .left), ("utilization", .right)])
            for u in r.mmu { table.add([formatDuration(u.windowNanoseconds), formatPercent(u.utilization)]) }
            lines.append(table.render())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
