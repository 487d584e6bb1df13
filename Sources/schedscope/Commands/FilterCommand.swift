import ArgumentParser
import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import Foundation

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Write a new, smaller trace with only the events that match the filters.",
        discussion: """
            The output is a valid trace with the same header; strings are copied with \
            their ids. Every other command reads it. A time slice (--from, with or \
            without --to, and no other filter) opens again at its start the regions, GC \
            cycles and pauses open there, and validates. Filtering out some of a task's \
            events leaves its state machine incomplete, which validate will point out.

              schedscope filter run.sctrace -o slow-part.sctrace --from 1.2s --to 1.5s
              schedscope filter run.sctrace -o one-test.sctrace --region 'ParserTests/test3'
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(name: .shortAndLong, help: "The trace to write.") var output: String

    func validate() throws {
        try OutputFile.checkDistinct(output: output, input: input.trace)
    }

    /// A failed filter leaves no half-written trace behind; only a regular file is removed
    /// (never a device such as `-o /dev/null`, nor what a symbolic link points to).
    private func removePartialOutput() {
        var info = stat()
        if lstat(output, &info) == 0 && info.st_mode & S_IFMT == S_IFREG { unlink(output) }
    }

    func run() throws {
        let session = try TraceSession.open(input)
        let reader = session.reader
        var info = reader.info
        info.producer = String((info.producer + " | filtered").utf8.prefix(FormatLimits.maxProducerBytes)) ?? info.producer
        let writer: TraceWriter
        do {
            writer = try TraceWriter(path: output, info: info)
        } catch {
            Diagnostics.error(error.description.replacingOccurrences(of: "Cannot read", with: "Cannot write"))
            throw ExitCode(1)
        }
        var defined = Set<StringID>([.empty])
        var kept: UInt64 = 0
        var reopened = 0
        var finished = false
        defer { if !finished { removePartialOutput() } }
        func write(_ event: Event) throws {
            for id in event.stringReferences where !defined.contains(id) {
                defined.insert(id)
                writer.defineString(id, reader.strings[id])
            }
            try writer.append(event)
            kept += 1
        }
        do {
            var selected = try selection.selection()
            if let from = selected.from, selected.isTimeWindowOnly {
                // A time slice opens again, at its start, the regions, GC cycles and pauses
                // open there (on thread 0, as a flight recording's dump does), so that it
                // validates and `leaks --by-region` still names the regions.
                selected.from = nil
                var open = OpenRanges()
                var opened = false
                func openAgain() throws {
                    opened = true
                    let begins = open.prologue(at: from)
                    for begin in begins { try write(begin) }
                    reopened = begins.count
                }
                try session.run(selected) { event in
                    if event.timestamp < from { return open.apply(event) }
                    if !opened { try openAgain() }
                    try write(event)
                }
                if !opened { try openAgain() }
            } else {
                try session.run(selected, write)
            }
            let summary = try writer.finish()
            finished = true
            let opened = reopened > 0 ? "; \(formatCount(reopened)) of them open again the regions, GC cycles and pauses open at --from" : ""
            Diagnostics.note("wrote \(formatCount(kept)) of \(formatCount(reader.report.eventsRead)) events to '\(output)' (\(formatCount(summary.fileBytes)) bytes)\(opened)")
        } catch let error as TraceFormatError {
            Diagnostics.error("Cannot write '\(output)': \(error.reason).")
            throw ExitCode(1)
        }
    }
}
