import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Count events by kind, tasks created, ended and live, and what was lost.",
        discussion: """
            The first thing to run on a trace: how long it is, how many Ps and threads, \
            events per kind, tasks created/ended/still alive at the end, dropped events \
            (lost), and whether the file was damaged.

              schedscope summary run.sctrace
              schedscope summary run.sctrace --from 1s --to 2s --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        let window = try selection.selection()
        var analysis = SummaryAnalysis()
        if window.selectsEverything {
            // Segments on every core when the trace splits; else one read.
            let joined = try session.reduceSegments(read: { segment, index in
                var part = SummaryAnalysis(followsEarlierSegment: index > 0)
                try segment.forEachBatch { part.consume($0) }
                return part
            }, merge: { $0.append($1) })
            if let joined {
                analysis = joined
            } else {
                try session.runBatches { analysis.consume($0) }
            }
        } else {
            try session.run(window) { analysis.consume($0) }
        }
        let report = analysis.finish(info: session.reader.info, read: session.reader.report, window: window)
        let out = OutputBuffer()
        switch format {
        case .json: out.line(SummaryRendering.json(report).pretty)
        case .text: out.write(SummaryRendering.text(report, path: input.trace, filtered: !window.selectsEverything))
        }
    }
}

enum SummaryRendering {
    static func json(_ report: SummaryReport) -> JSON {
        .object([
            ("schema", .string("schedscope.summary/1")),
            ("producer", .string(report.info.producer)),
            ("clock", .string(report.info.clock.name)),
            ("start_wall_time_ns", .uint(report.info.startWallTimeNanoseconds)),
            ("duration_ns", .uint(report.durationNanoseconds)),
            ("procs", .uint(UInt64(report.info.procCount))),
            ("procs_seen", .uint(UInt64(report.procsSeen))),
            ("threads", .uint(UInt64(report.threadsSeen))),
            ("events", .uint(report.events)),
            ("events_by_kind", .object(EventKind.allCases.map { ($0.name, .uint(report.eventsByKind[$0] ?? 0)) })),
            ("tasks", .object([
                ("created", .uint(report.tasksCreated)),
                ("ended", .uint(report.tasksEnded)),
                ("live_at_end", .uint(report.tasksLiveAtEnd)),
            ])),
            ("lost_events", .uint(report.lostEvents)),
            ("chunks", .object([
                ("read", .uint(UInt64(report.read.chunksRead))),
                ("corrupt", .uint(UInt64(report.read.chunksCorrupt))),
            ])),
            ("generations", .uint(UInt64(report.read.generations))),
            ("truncated", .bool(report.read.truncated)),
            ("bytes", .uint(report.read.fileSize)),
            ("bytes_lost", .uint(report.read.bytesLost)),
        ])
    }

    static func text(_ report: SummaryReport, path: String, filtered: Bool = false) -> String {
        var lines: [String] = []
        let read = report.read
        func row(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + value)
        }
        row("Trace", "\(path) — \(report.info.producer.isEmpty ? "unknown producer" : report.info.producer)")
        row("Started", "\(formatWallTime(report.info.startWallTimeNanoseconds)) (\(report.info.clock.name) clock)")
        row("Duration", formatDuration(report.durationNanoseconds))
        row("Procs", "\(report.info.procCount) declared, \(report.procsSeen) seen · \(report.threadsSeen) thread\(report.threadsSeen == 1 ? "" : "s")")
        let perSecond = report.durationNanoseconds > 0
            ? " · \(formatCount(UInt64(Double(report.events) * 1e9 / Double(report.durationNanoseconds)))) per second" : ""
        row("Events", formatCount(report.events) + perSecond)
        row("Tasks", "\(formatCount(report.tasksCreated)) created · \(formatCount(report.tasksEnded)) ended · \(formatCount(report.tasksLiveAtEnd)) live at end")
        row("Lost", report.lostEvents == 0 ? "no events lost" : "\(formatCount(report.lostEvents)) events dropped by the recorder")
        var integrity = "\(formatCount(read.chunksRead)) chunk\(read.chunksRead == 1 ? "" : "s") read in \(formatCount(read.generations)) generation\(read.generations == 1 ? "" : "s")"
        integrity += read.chunksCorrupt > 0 ? " · \(formatCount(read.chunksCorrupt)) corrupt" : " · none corrupt"
        if read.truncated { integrity += " · truncated" }
        if read.bytesLost > 0 { integrity += " · \(formatCount(read.bytesLost)) bytes lost" }
        row("Integrity", integrity)
        // Bytes per event only describes the whole file, not a selection of its events.
        row("Size", "\(formatCount(read.fileSize)) bytes" + (report.events > 0 && !filtered
            ? String(format: " · %.2f bytes/event", Double(read.fileSize) / Double(report.events)) : ""))
        lines.append("")
        lines.append("Events by kind")
        var table = TextTable([("kind", .left), ("count", .right), ("share", .right)])
        for kind in EventKind.allCases {
            let count = report.eventsByKind[kind] ?? 0
            guard count > 0 else { continue }
            table.add([kind.name, formatCount(count), formatPercent(Double(count) / Double(max(report.events, 1)))])
        }
        lines.append(report.events == 0 ? "  (no events)" : table.render())
        return lines.joined(separator: "\n") + "\n"
    }
}
