import ArgumentParser
import Foundation
import SchedscopeAnalysis
import SchedscopeExport
import SchedscopeModel

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report with charts: timeline, heat map, latency, GC, leaks.",
        discussion: """
            One HTML file that any browser opens offline (no network, no external scripts \
            or fonts): the analyze figures; a per-P timeline (task runs coloured by label, \
            idle gaps, steals, GC pauses as bands) and a utilization heat map with the \
            worst imbalance window marked, both drawn at a fixed number of columns so big \
            traces stay small; the scheduling-latency and GC-pause distributions; the \
            leak candidates by reason and label, in sortable tables. One pass over the \
            trace, in flat memory.

              schedscope report run.sctrace -o run.html
              schedscope report run.sctrace -o run.html --by-region --min-age 10ms
            """
    )

    @OptionGroup var input: TraceInput
    @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write ('-' for standard output).", valueName: "path"))
    var output: String
    @Option(help: ArgumentHelp("The length of the imbalance windows; \(Duration.help).", valueName: "dur"))
    var window = Duration.defaultImbalanceWindow
    @OptionGroup var leaks: LeakOptionGroup
    @OptionGroup var runtime: RuntimeOption
    @Option(help: "Draw the timeline and heat map with at most this many columns (64–4096).") var columns = 1024
    @Option(help: "List at most this many leak candidates one by one (the groups table has them all).") var limit = 500

    func validate() throws {
        guard window.nanoseconds > 0 else { throw ValidationError("--window must be longer than 0 ns.") }
        guard (64...4096).contains(columns) else { throw ValidationError("--columns must be between 64 and 4096 (got \(columns)).") }
        guard limit >= 0 else { throw ValidationError("--limit must not be negative.") }
        try OutputFile.checkDistinct(output: output, input: input.trace)
    }

    func run() throws {
        let session = try TraceSession.open(input)
        let reader = session.reader
        var analysis = FullAnalysis(
            procCount: reader.info.procCount, windowSize: window.nanoseconds, includeRuntime: runtime.includeRuntime,
            leakOptions: leaks.options(includeRuntime: runtime.includeRuntime))
        var timeline = ReportTimeline(procCount: reader.info.procCount, maxColumns: columns)
        var count: UInt64 = 0
        // A batch at a time, as `analyze` reads (the analysis and the timeline keep
        // separate state, so each can take the whole batch in turn).
        try session.runBatches { batch in
            analysis.consume(batch)
            for event in batch { timeline.consume(event) }
            count += UInt64(batch.count)
        }
        timeline.finish()
        let report = analysis.finish(strings: reader.strings, ignoringLeaks: try leaks.ignoring())
        Diagnostics.warnOfUntrackedProcs(
            input.trace, imbalanceEvents: report.imbalance.untrackedProcEvents, latencySamples: report.latency.untrackedProcSamples)
        let page = HTMLReport(
            title: URL(fileURLWithPath: input.trace).lastPathComponent, info: reader.info, events: count, report: report,
            timeline: timeline, string: { reader.strings[$0] }, candidateLimit: limit
        ).render()
        let file = try OutputFile(output)
        try file.write(Array(page.utf8))
        try file.finish()
        if output != "-" {
            Diagnostics.note("wrote the report on \(formatCount(count)) events to \(file.displayName) (\(formatCount(page.utf8.count)) bytes)")
        }
    }
}
