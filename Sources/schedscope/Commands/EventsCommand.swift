import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print events in time order, one per line, as text or JSON Lines.",
        discussion: """
            Text columns: time since the trace start (seconds, ns precision), thread (M), \
            P, kind, then the kind's arguments. JSON Lines carry the same fields with \
            raw integers (ns) and resolved strings, for jq, DuckDB or pandas.

              schedscope events run.sctrace --task 42
              schedscope events run.sctrace --kind task_park --format jsonl | jq .reason
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(help: "Output format: text or jsonl.") var format: Format = .text
    @Option(help: "Stop after this many events (0 = no limit, as for stats and validate).") var limit: UInt64 = 0

    func run() throws {
        let session = try TraceSession.open(input)
        let reader = session.reader
        let out = OutputBuffer()
        var lines = EventLines(format: format == .text ? .text : .jsonl)
        var printed: UInt64 = 0
        let limit = self.limit == 0 ? .max : self.limit
        struct Done: Error {}
        do {
            try session.run(try selection.selection()) { event in
                guard printed < limit else { throw Done() }
                out.append { lines.write(event, strings: reader.strings, to: &$0) }
                printed += 1
            }
        } catch is Done {
            // Stopped early: still report the damage seen so far (and fail under --strict).
            out.flush()
            try session.reportDamage(stoppedEarly: true)
        }
    }
}
