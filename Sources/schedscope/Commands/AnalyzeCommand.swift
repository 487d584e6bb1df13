import ArgumentParser
import SchedscopeAnalysis
import SchedscopeExport
import SchedscopeModel

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run every analysis in one pass: imbalance, preemption, latency, GC pauses and leaks.",
        discussion: """
            Reads the trace once and reports what imbalance, preemption, latency, gc and \
            leaks report, as one text report with a section each, or one JSON object \
            whose members are those commands' JSON objects.

              schedscope analyze run.sctrace
              schedscope analyze run.sctrace --by-region --min-age 10ms --format json
              schedscope analyze run.sctrace --format openmetrics | \\
                curl --data-binary @- http://pushgateway:9091/metrics/job/ci

            --format openmetrics writes the headline figures as OpenMetrics text (base \
            units, # EOF at the end) for a Prometheus Pushgateway; docs/EXPORT.md lists \
            the metric names.
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @Option(help: ArgumentHelp("The length of the imbalance windows; \(Duration.help).", valueName: "dur"))
    var window = Duration.defaultImbalanceWindow
    @OptionGroup var leaks: LeakOptionGroup
    @OptionGroup var runtime: RuntimeOption
    @Option(help: "List at most this many leak candidates and starved tasks (0 = all).") var limit = 20
    @Option(help: "Output format: text, json or openmetrics.") var format: Format = .text

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, openmetrics }

    func validate() throws {
        guard window.nanoseconds > 0 else { throw ValidationError("--window must be longer than 0 ns.") }
    }

    func run() throws {
        let session = try TraceSession.open(input)
        let events = try selection.selection()
        var analysis = FullAnalysis(
            procCount: session.reader.info.procCount, procs: events.procs, window: selection.window,
            windowSize: window.nanoseconds, includeRuntime: runtime.includeRuntime,
            leakOptions: leaks.options(includeRuntime: runtime.includeRuntime))
        var count: UInt64 = 0
        try selection.run(session, consume: { event in
            analysis.consume(event)
            count += 1
        }, skip: { analysis.skip($0) }, consumeBatch: { batch in
            analysis.consume(batch)
            count += UInt64(batch.count)
        })
        let report = analysis.finish(strings: session.reader.strings, ignoringLeaks: try leaks.ignoring())
        Diagnostics.warnOfUntrackedProcs(
            input.trace, imbalanceEvents: report.imbalance.untrackedProcEvents, latencySamples: report.latency.untrackedProcSamples)
        let out = OutputBuffer()
        switch format {
        case .openmetrics:
            out.write(OpenMetricsReport.render(report, info: session.reader.info, events: count))
        case .json:
            let json = JSON.object([
                ("schema", .string("schedscope.analyze/1")),
                ("events", .uint(count)),
                ("imbalance", ImbalanceRendering.json(report.imbalance)),
                ("preemption", PreemptionRendering.json(report.preemption)),
                ("latency", LatencyRendering.json(report.latency)),
                ("gc", GCRendering.json(report.gc)),
                ("leaks", LeaksRendering.json(report.leaks, limit: limit)),
            ])
            out.line(json.pretty)
        case .text:
            let sections = [
                ("Imbalance", ImbalanceRendering.text(report.imbalance)),
                ("Preemption", PreemptionRendering.text(report.preemption)),
                ("Scheduling latency", LatencyRendering.text(report.latency)),
                ("GC pauses", GCRendering.text(report.gc)),
                ("Leak candidates", LeaksRendering.text(report.leaks, limit: limit)),
            ]
            out.write("\(input.trace): \(formatCount(count)) events\n")
            for (title, body) in sections {
                out.write("\n== \(title) ==\n\n")
                out.write(body)
            }
        }
    }
}
