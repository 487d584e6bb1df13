import ArgumentParser
import Foundation
import SchedscopeFormat
import SchedscopeImport
import SchedscopeModel

/// `schedscope import go GO_TRACE -o OUT.sctrace`: a foreign trace converted once, for
/// repeated analysis (every reading command also accepts a Go trace directly).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a foreign trace (a Go execution trace) to a .sctrace.",
        discussion: """
            Every analysis reads Go execution traces directly; importing once makes repeated \
            analysis faster and the file smaller. docs/IMPORT-GO.md says how each Go event \
            maps onto Schedscope's events.

              go test -trace=go.trace ./...
              schedscope import go go.trace -o run.sctrace
              schedscope leaks run.sctrace
            """,
        subcommands: [ImportGoCommand.self]
    )
}

struct ImportGoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "go",
        abstract: "Convert a Go execution trace (Go 1.22 or later) to a .sctrace.",
        discussion: """
            Reads the trace one generation at a time, orders its events across threads the \
            way Go's own reader does, maps them onto Schedscope's events and writes them. \
            Goroutines are labelled with their start function; the runtime's and the \
            tracer's own goroutines carry the runtime flag. A trace cut short keeps its \
            complete generations, with a warning (exit 1 under --strict).

              schedscope import go go.trace -o run.sctrace
              schedscope import go flight.trace -o run.sctrace --strict
            """
    )

    @Argument(help: "The Go execution trace (go test -trace, runtime/trace).", completion: .file())
    var trace: String

    @Option(name: .shortAndLong, help: "The .sctrace to write.") var output: String

    @Flag(help: "Treat any problem in the Go trace (truncation, events that do not decode or order) as an error: exit 1 and write nothing.")
    var strict = false

    func validate() throws {
        try OutputFile.checkDistinct(output: output, input: trace)
    }

    func run() throws {
        let importer: GoTraceImporter
        do {
            importer = try GoTraceImporter(path: trace)
        } catch {
            Diagnostics.error(error.description)
            throw ExitCode(1)
        }
        let source = GoTraceSource(importer)
        let session = TraceSession(path: trace, strict: strict, reader: source)
        var info = importer.info
        info.producer = String(info.producer.utf8.prefix(FormatLimits.maxProducerBytes)) ?? info.producer
        let writer: TraceWriter
        do {
            writer = try TraceWriter(path: output, info: info)
        } catch {
            Diagnostics.error(error.description.replacingOccurrences(of: "Cannot read", with: "Cannot write"))
            throw ExitCode(1)
        }
        var finished = false
        defer { if !finished { removePartialOutput() } }
        var defined = Set<StringID>([.empty])
        do {
            try source.forEachBatch { batch in
                for event in batch {
                    for id in event.stringReferences where !defined.contains(id) {
                        defined.insert(id)
                        writer.defineString(id, importer.strings[id])
                    }
                    try writer.append(event)
                }
            }
            try session.reportDamage()
            let summary = try writer.finish()
            finished = true
            let report = importer.report
            let share = report.fileSize > 0 ? Double(summary.fileBytes) / Double(report.fileSize) * 100 : 0
            Diagnostics.note("""
                imported \(formatCount(report.eventsRead)) events from \(formatCount(report.goEventsRead)) Go events \
                in \(report.generations) generation\(report.generations == 1 ? "" : "s") to '\(output)' \
                (\(formatCount(summary.fileBytes)) bytes, \(String(format: "%.0f", share)) % of the Go trace's \(formatCount(report.fileSize)))
                """)
            let dropped = report.goEventsDropped.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            if !dropped.isEmpty {
                Diagnostics.note("not mapped (docs/IMPORT-GO.md): " + dropped.map { "\($0.key) \(formatCount($0.value))" }.joined(separator: ", "))
            }
        } catch let error as TraceFormatError {
            Diagnostics.error(error.path == trace ? error.description : "Cannot write '\(output)': \(error.reason).")
            throw ExitCode(1)
        }
    }

    /// A failed import leaves no half-written trace behind; only a regular file is removed.
    private func removePartialOutput() {
        var info = stat()
        if lstat(output, &info) == 0 && info.st_mode & S_IFMT == S_IFREG { unlink(output) }
    }
}
