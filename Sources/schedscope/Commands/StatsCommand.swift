import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

extension StatsKey: ExpressibleByArgument {}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Aggregate events into groups with a count and a time each.",
        discussion: """
            --by kind    events per kind; time spent in the interval each event opens
            --by proc    events per P; busy time
            --by task    events per task; running time (the top --limit tasks)
            --by reason  parks and GC pauses per reason; time parked or paused
            --by label   tasks and their events per label; running time
            --by region  regions per name; time inside them

            Only the selected events count. Intervals still open at the end are closed at \
            the last selected event.

              schedscope stats run.sctrace --by reason
              schedscope stats run.sctrace --by label --region 'ParserTests/test3'
              schedscope stats run.sctrace --by proc --from 10ms --to 20ms --format json
            """
    )

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(help: "Group by: kind, proc, task, reason, label or region.") var by: StatsKey
    @Option(help: "Show at most this many groups (0 = all).") var limit = 25
    @Option(help: "Output format: text or json.") var format: ReportFormat = .text

    func run() throws {
        let session = try TraceSession.open(input)
        var analysis = StatsAnalysis(by: by)
        var total: UInt64 = 0
        let selection = try self.selection.selection()
        if selection.selectsEverything {
            try session.runBatches { batch in
                analysis.consume(batch)
                total += UInt64(batch.count)
            }
        } else {
            try session.run(selection) { event in
                analysis.consume(event)
                total += 1
            }
        }
        let rows = analysis.finish(strings: session.reader.strings)
        let shown = limit > 0 ? Array(rows.prefix(limit)) : rows
        let out = OutputBuffer()
        switch format {
        case .json:
            let json = JSON.object([
                ("schema", .string("schedscope.stats/1")),
                ("by", .string(by.rawValue)),
                ("time_meaning", .string(by.timeMeaning)),
                ("events", .uint(total)),
                ("total_groups", .uint(UInt64(rows.count))),
                ("groups", .array(shown.map { row in
                    var members: [(String, JSON)] = [("key", .string(row.key)), ("count", .uint(row.count))]
                    members.append(("time_ns", row.timeNanoseconds.map(JSON.uint) ?? .null))
                    if let tasks = row.tasks { members.append(("tasks", .uint(tasks))) }
                    return .object(members)
                })),
            ])
            out.line(json.pretty)
        case .text:
            out.line("\(formatCount(total)) events in \(formatCount(rows.count)) groups by \(by.rawValue); time = \(by.timeMeaning)")
            var columns: [(String, TextTable.Alignment)] = [(by.rawValue, .left)]
            if by == .label { columns.append(("tasks", .right)) }
            columns += [("count", .right), ("time", .right), ("mean", .right)]
            var table = TextTable(columns)
            for row in shown {
                var cells = [row.key]
                if let tasks = row.tasks { cells.append(formatCount(tasks)) }
                cells.append(formatCount(row.count))
                if let time = row.timeNanoseconds {
                    let denominator = row.tasks ?? row.count
                    cells.append(formatDuration(time))
                    cells.append(denominator > 0 ? formatDuration(time / denominator) : "–")
                } else {
                    cells += ["–", "–"]
                }
                table.add(cells)
            }
            out.line(rows.isEmpty ? "  (no groups)" : table.render())
            if shown.count < rows.count {
                out.line("  … \(formatCount(rows.count - shown.count)) more groups (--limit 0 shows all)")
            }
        }
    }
}
