import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct LeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaks",
        abstract: "List leak candidates: tasks still parked at the end, grouped by reason and label.",
        discussion: """
            A candidate is a task not ended at the end of the range whose last state is \
            parked, for at least --min-age. Candidates are grouped by (reason, label): \
            the label (creation site) tells apart what the reason lumps together. Tasks \
            runnable but never started again are listed apart as starved. With \
            --by-region, a task created inside a region (a test case) is judged when \
            that region ends, and named by it. Verdicts after events the recorder dropped \
            are marked uncertain. --fail exits 2 when any candidate remains.

              schedscope leaks run.sctrace
              schedscope leaks run.sctrace --by-region --min-age 100ms --fail
              schedscope leaks run.sctrace --ignore '^Timer\\.' --ignore 'sleep' --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: AnalysisSelectionOptions
    @OptionGroup var leaks: LeakOptionGroup
    @OptionGroup var runtime: RuntimeOption
    @Flag(help: "Exit 2 when any candidate remains (for CI).") var fail = false
    @Option(help: "List at most this many candidates and starved tasks (0 = all); groups are always complete.") var limit = 20
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        var analysis = LeakAnalysis(window: selection.window, options: leaks.options(includeRuntime: runtime.includeRuntime))
        try selection.run(session, consume: { analysis.consume($0) }, skip: { analysis.skip($0) })
        let report = analysis.finish(strings: session.reader.strings, ignoring: try leaks.ignoring())
        let out = OutputBuffer()
        switch format {
        case .json: out.line(LeaksRendering.json(report, limit: limit).pretty)
        case .text: out.write(LeaksRendering.text(report, limit: limit))
        }
        out.flush()
        if fail && report.count > 0 { throw ExitCode(2) }
    }
}

enum LeaksRendering {
    private static func optional(_ value: UInt64?) -> JSON { value.map(JSON.uint) ?? .null }
    private static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    static func json(_ r: LeakReport, limit: Int) -> JSON {
        let candidates = limit > 0 ? Array(r.candidates.prefix(limit)) : r.candidates
        let starved = limit > 0 ? Array(r.starved.prefix(limit)) : r.starved
        return .object([
            ("schema", .string("schedscope.leaks/1")),
            ("start_ns", .uint(r.start)),
            ("end_ns", .uint(r.end)),
            ("min_age_ns", .uint(r.minAgeNanoseconds)),
            ("by_region", .bool(r.byRegion)),
            ("count", .uint(UInt64(r.count))),
            ("candidates", .array(candidates.map { c in
                .object([
                    ("task", .uint(c.task.rawValue)),
                    ("label", .string(c.label)),
                    ("reason", .string(c.reason)),
                    ("parked_ns", .uint(c.parkedNanoseconds)),
                    ("created_ns", optional(c.createdAt)),
                    ("region", optional(c.region)),
                    ("judged_ns", .uint(c.judgedAt)),
                    ("uncertain", .bool(c.uncertain)),
                ])
            })),
            ("groups", .array(r.groups.map { g in
                .object([
                    ("reason", .string(g.reason)),
                    ("label", .string(g.label)),
                    ("count", .uint(g.count)),
                    ("max_parked_ns", .uint(g.maxParkedNanoseconds)),
                    ("min_parked_ns", .uint(g.minParkedNanoseconds)),
                ])
            })),
            ("regions", .array(r.regions.map { .object([("region", optional($0.region)), ("count", .uint($0.count))]) })),
            ("starved_count", .uint(UInt64(r.starved.count))),
            ("starved", .array(starved.map { s in
                .object([
                    ("task", .uint(s.task.rawValue)),
                    ("label", .string(s.label)),
                    ("runnable_ns", .uint(s.runnableNanoseconds)),
                    ("created_ns", optional(s.createdAt)),
                    ("region", optional(s.region)),
                    ("judged_ns", .uint(s.judgedAt)),
                    ("uncertain", .bool(s.uncertain)),
                ])
            })),
            ("ignored", .uint(r.ignored)),
            ("include_runtime", .bool(r.includesRuntime)),
            ("runtime_tasks_excluded", .uint(r.runtimeTasksExcluded)),
            ("runtime_candidates_excluded", .uint(r.runtimeCandidatesExcluded)),
            ("lost_events", .uint(r.lostEvents)),
        ])
    }

    static func text(_ r: LeakReport, limit: Int) -> String {
        var lines: [String] = []
        let when = r.byRegion ? "when their region ended or at \(formatDuration(r.end))" : "at \(formatDuration(r.end))"
        let age = r.minAgeNanoseconds > 0 ? "parked for at least \(formatDuration(r.minAgeNanoseconds))" : "still parked"
        var headline = "\(AnalysisText.plural(r.count, "leak candidate")) (tasks \(age) \(when))"
        headline += " in \(AnalysisText.plural(r.groups.count, "group")) · \(formatCount(r.starved.count)) starved"
        if r.ignored > 0 { headline += " · \(formatCount(r.ignored)) ignored" }
        lines.append(headline)
        if !r.includesRuntime && r.runtimeCandidatesExcluded > 0 {
            lines.append("\(AnalysisText.plural(r.runtimeCandidatesExcluded, "runtime task")) left out (--include-runtime counts them)")
        }
        if r.lostEvents > 0 {
            let uncertain = r.candidates.filter(\.uncertain).count + r.starved.filter(\.uncertain).count
            lines.append("The recorder dropped \(formatCount(r.lostEvents)) events; \(formatCount(uncertain)) verdicts after the loss are uncertain (marked ?).")
        }
        func label(_ text: String) -> String { text.isEmpty ? "–" : text }
        func mark(_ uncertain: Bool) -> String { uncertain ? "?" : "" }
        if !r.groups.isEmpty {
            lines.append("")
            var groups = TextTable([("reason", .left), ("label", .left), ("count", .right), ("longest", .right), ("shortest", .right)])
            for g in r.groups {
                groups.add([label(g.reason), label(g.label), formatCount(g.count), formatDuration(g.maxParkedNanoseconds), formatDuration(g.minParkedNanoseconds)])
            }
            lines.append(groups.render())
            lines.append("")
            lines.append("Candidates")
            let anyUncertain = r.candidates.contains(where: \.uncertain)
            var table = TextTable([
                ("task", .left), ("label", .left), ("reason", .left), ("parked", .right), ("created", .right), ("region", .left),
            ] + (anyUncertain ? [("", .left)] : []))
            let shown = limit > 0 ? Array(r.candidates.prefix(limit)) : r.candidates
            for c in shown {
                table.add([
                    "task \(c.task)", label(c.label), label(c.reason), formatDuration(c.parkedNanoseconds),
                    c.createdAt.map(formatDuration) ?? "before", c.region ?? "–", mark(c.uncertain),
                ].prefix(anyUncertain ? 7 : 6).map { $0 })
            }
            lines.append(table.render())
            if shown.count < r.candidates.count {
                lines.append("  … \(formatCount(r.candidates.count - shown.count)) more (--limit 0 lists all)")
            }
        }
        if !r.starved.isEmpty {
            lines.append("")
            lines.append("Starved (runnable, never started again)")
            let anyUncertain = r.starved.contains(where: \.uncertain)
            var table = TextTable([("task", .left), ("label", .left), ("runnable", .right), ("created", .right), ("region", .left)]
                + (anyUncertain ? [("", .left)] : []))
            let shown = limit > 0 ? Array(r.starved.prefix(limit)) : r.starved
            for s in shown {
                table.add([
                    "task \(s.task)", label(s.label), formatDuration(s.runnableNanoseconds), s.createdAt.map(formatDuration) ?? "before",
                    s.region ?? "–", mark(s.uncertain),
                ].prefix(anyUncertain ? 6 : 5).map { $0 })
            }
            lines.append(table.render())
            if shown.count < r.starved.count {
                lines.append("  … \(formatCount(r.starved.count - shown.count)) more (--limit 0 lists all)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
