import ArgumentParser

/// The trace argument and how strictly damage is treated.
struct TraceInput: ParsableArguments {
    @Argument(help: "The trace to read: a .sctrace, or a Go execution trace (the format is sniffed).", completion: .file())
    var trace: String

    @Flag(help: "Treat any damage (truncation, corrupt chunks) as an error: exit 1 instead of reading what survives.")
    var strict = false
}

/// `--format text|json`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
