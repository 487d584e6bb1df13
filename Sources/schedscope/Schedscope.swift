import ArgumentParser
import SchedscopeFormat

@main
struct Schedscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedscope",
        abstract: "Record what a task scheduler does and explain it afterwards.",
        discussion: """
            Reads Schedscope traces (.sctrace): per-thread, zlib-compressed streams of \
            scheduler events (procs, tasks, GC pauses, regions). Every reading command also \
            reads Go execution traces (go test -trace, runtime/trace; Go 1.22 or later).

            Start with a summary, then narrow down:
              schedscope synth -o demo.sctrace --procs 8 --tasks 100000
              schedscope summary demo.sctrace
              schedscope stats demo.sctrace --by reason
              schedscope events demo.sctrace --kind task_park --from 10ms --to 12ms
              schedscope analyze demo.sctrace
              schedscope leaks demo.sctrace --by-region --fail
              schedscope leaks go.trace

            Exit codes: 0 success · 1 the input could not be read · 2 a check failed \
            (validate found problems, leaks --fail found candidates, diff found a \
            regression) · 64 bad usage. A \
            damaged trace is read up to the damage, with a warning on stderr; --strict \
            makes damage an error (exit 1).
            """,
        version: "schedscope 0.1.0 (trace format \(FileHeader.majorVersion).\(FileHeader.minorVersion))",
        subcommands: [
            SummaryCommand.self, EventsCommand.self, FilterCommand.self, StatsCommand.self,
            ImbalanceCommand.self, PreemptionCommand.self, LatencyCommand.self, GCCommand.self,
            LeaksCommand.self, AnalyzeCommand.self, DiffCommand.self, ValidateCommand.self, SynthCommand.self,
            RecordCommand.self, ImportCommand.self, ExportCommand.self, ReportCommand.self,
        ]
    )
}
