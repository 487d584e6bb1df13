import ArgumentParser
import SchedscopeAnalysis
import SchedscopeExport
import SchedscopeModel

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Convert a trace for other tools: Chrome/Perfetto trace JSON or CSV.",
        discussion: """
            Both formats stream: the trace is converted as it is read, so traces of any \
            length export in little memory. docs/EXPORT.md describes the mapping and the \
            columns.

              schedscope export chrome run.sctrace -o run.json     # open in ui.perfetto.dev
              schedscope export csv run.sctrace -o run.csv         # DuckDB, pandas, Spark
              schedscope export csv run.sctrace -o - --kind task_park | head
            """,
        subcommands: [ExportChromeCommand.self, ExportCSVCommand.self]
    )
}

/// The arguments shared by both exports.
struct ExportArguments: ParsableArguments {
    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write ('-' for standard output).", valueName: "path"))
    var output: String

    func validate() throws {
        try OutputFile.checkDistinct(output: output, input: input.trace)
    }

    /// Streams the selected events through an exporter into the output file.
    func run(_ make: (TraceSession, ExportOutput) -> any EventExporter) throws {
        let session = try TraceSession.open(input)
        let file = try OutputFile(output)
        let out = ExportOutput(sink: file.write)
        let exporter = make(session, out)
        try exporter.begin()
        var events: UInt64 = 0
        try session.run(try selection.selection()) { event in
            try exporter.consume(event)
            events += 1
        }
        try exporter.finish()
        try file.finish()
        if output != "-" {
            Diagnostics.note("wrote \(formatCount(events)) events to \(file.displayName) (\(formatCount(out.totalBytes)) bytes)")
        }
    }
}

struct ExportChromeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chrome",
        abstract: "Write Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing open.",
        discussion: """
            One track per P with each task run as a slice named by the task's label; \
            parks, preemptions, wake-ups and steals as instant events; one track per OS \
            thread showing which P it held; GC cycles and pauses as slices; regions as \
            async slices. Times are microseconds with nanosecond digits.

              schedscope export chrome run.sctrace -o run.json
              schedscope export chrome run.sctrace -o slow.json --from 1.2s --to 1.3s
            """
    )

    @OptionGroup var arguments: ExportArguments

    func run() throws {
        try arguments.run { session, out in
            let reader = session.reader
            return ChromeTraceExporter(info: reader.info, output: out, string: { reader.strings[$0] })
        }
    }
}

struct ExportCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Write one CSV row per event, with the same columns for every kind.",
        discussion: """
            RFC 4180 CSV with a header row: \(CSVExporter.columns.joined(separator: ",")). \
            A column that does not apply to an event's kind is empty. Times are integer \
            nanoseconds since the trace start.

              schedscope export csv run.sctrace -o run.csv
              duckdb -c "select label, count(*) from 'run.csv' where kind = 'task_create' group by 1"
            """
    )

    @OptionGroup var arguments: ExportArguments

    func run() throws {
        try arguments.run { session, out in
            let reader = session.reader
            return CSVExporter(output: out, string: { reader.strings[$0] })
        }
    }
}
