import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Show scheduling latency: how long runnable tasks waited for a P.",
        discussion: """
            The time from the moment a task becomes runnable (task_create, task_unpark, \
            task_yield, task_preempt) to its next task_start: p50, p90, p99 and max, \
            overall, by what made the task runnable, and by P. Percentiles are exact \
            below 512 ns and within 0.4 % above. The runtime's own tasks are left out \
            unless --include-runtime.

              schedscope latency run.sctrace
              schedscope latency run.sctrace --proc 0,1 --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @OptionGroup var runtime: RuntimeOption
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        var analysis = LatencyAnalysis(window: selection.window, includeRuntime: runtime.includeRuntime)
        try selection.run(session, consume: { analysis.consume($0) }, skip: { analysis.skip($0) })
        let report = analysis.finish()
        Diagnostics.warnOfUntrackedProcs(input.trace, latencySamples: report.untrackedProcSamples)
        let out = OutputBuffer()
        switch format {
        case .json: out.line(LatencyRendering.json(report).pretty)
        case .text: out.write(LatencyRendering.text(report))
        }
    }
}

enum LatencyRendering {
    private static func summary(_ s: LatencySummary) -> [(String, JSON)] {
        [
            ("count", .uint(s.count)), ("p50_ns", .uint(s.p50)), ("p90_ns", .uint(s.p90)), ("p99_ns", .uint(s.p99)),
            ("max_ns", .uint(s.max)), ("mean_ns", .uint(s.mean)),
        ]
    }

    static func json(_ r: LatencyReport) -> JSON {
        var members: [(String, JSON)] = [
            ("schema", .string("schedscope.latency/1")),
            ("start_ns", .uint(r.start)),
            ("end_ns", .uint(r.end)),
        ]
        members += summary(r.overall)
        members += [
            ("exact_below_ns", .uint(LogLinearHistogram.exactLimit)),
            ("relative_precision", .double(1.0 / Double(1 << LogLinearHistogram.subBucketBits))),
            ("by_cause", .array(r.byCause.map { .object([("cause", .string($0.cause.name))] + summary($0.summary)) })),
            ("by_proc", .array(r.byProc.map { .object([("proc", .uint(UInt64($0.proc.rawValue)))] + summary($0.summary)) })),
            ("waiting_at_end", .uint(r.waitingAtEnd)),
            ("longest_wait_at_end_ns", .uint(r.longestWaitAtEnd)),
            ("include_runtime", .bool(r.includesRuntime)),
            ("runtime_tasks_excluded", .uint(r.runtimeTasksExcluded)),
            ("runtime_samples_excluded", .uint(r.runtimeSamplesExcluded)),
        ]
        return .object(members)
    }

    static func text(_ r: LatencyReport) -> String {
        var lines: [String] = []
        lines.append(AnalysisText.row("Range", AnalysisText.range(start: r.start, end: r.end)))
        lines.append(AnalysisText.row(
            "Samples", "\(formatCount(r.overall.count)) runnable → running · exact below \(formatCount(LogLinearHistogram.exactLimit)) ns, within \(String(format: "%.1f", 100.0 / Double(1 << LogLinearHistogram.subBucketBits))) % above"))
        lines.append(AnalysisText.row(
            "Waiting", r.waitingAtEnd == 0 ? "no task runnable at the end"
                : "\(AnalysisText.plural(r.waitingAtEnd, "task")) runnable at the end, the longest for \(formatDuration(r.longestWaitAtEnd))"))
        lines.append(AnalysisText.row(
            "Runtime", PreemptionRendering.runtimeLine(tasks: r.runtimeTasksExcluded, events: r.runtimeSamplesExcluded, what: "sample", included: r.includesRuntime)))
        lines.append("")
        var table = TextTable([
            ("latency", .left), ("count", .right), ("p50", .right), ("p90", .right), ("p99", .right), ("max", .right), ("mean", .right),
        ])
        func add(_ name: String, _ s: LatencySummary) {
            table.add([name, formatCount(s.count), formatDuration(s.p50), formatDuration(s.p90), formatDuration(s.p99), formatDuration(s.max), formatDuration(s.mean)])
        }
        add("all", r.overall)
        for c in r.byCause { add("after \(c.cause.name)", c.summary) }
        for p in r.byProc { add("on P\(p.proc)", p.summary) }
        lines.append(r.overall.count == 0 ? "  (no samples)" : table.render())
        return lines.joined(separator: "\n") + "\n"
    }
}
