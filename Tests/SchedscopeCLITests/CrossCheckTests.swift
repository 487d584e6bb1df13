import SchedscopeTestSupport
import Testing

/// The numbers of summary and stats agree with the events themselves, counted here from
/// `events --format jsonl` (not by the code under test).
@Suite("Cross-checks against the events")
struct CrossCheckTests {
    static let traces = [Fixture.demo, Fixture.tiny]

    private func events(_ trace: String) async throws -> [EventLine] {
        try decodeLines(try await schedscope("events", trace, "--format", "jsonl").stdout)
    }

    private func stats(_ trace: String, by key: String) async throws -> StatsJSON {
        let result = try await schedscope("stats", trace, "--by", key, "--limit", "0", "--format", "json")
        #expect(result.status == 0, "\(result)")
        let stats = try decode(StatsJSON.self, result.stdout)
        #expect(stats.schema == "schedscope.stats/1" && stats.by == key && stats.groups.count == stats.totalGroups)
        return stats
    }

    @Test(arguments: traces)
    func summaryCountsWhatEventsPrints(trace: String) async throws {
        let all = try await events(trace)
        let result = try await schedscope("summary", trace, "--format", "json")
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        let summary = try decode(SummaryJSON.self, result.stdout)
        #expect(summary.schema == "schedscope.summary/1")
        #expect(summary.events == UInt64(all.count))
        let byKind = all.counted { $0.kind }
        #expect(summary.eventsByKind.filter { $0.value > 0 } == byKind)
        #expect(summary.eventsByKind.count == 18, "every kind is listed, with 0 when absent")
        #expect(summary.tasks.created == byKind["task_create"])
        #expect(summary.tasks.ended == byKind["task_end"])
        var live = Set<UInt64>()
        for event in all {
            switch event.kind {
            case "task_create", "task_start", "task_unpark": live.insert(event.task!)
            case "task_end": live.remove(event.task!)
            default: break
            }
        }
        #expect(summary.tasks.liveAtEnd == UInt64(live.count))
        #expect(summary.durationNanoseconds == all.last?.timestamp)
        #expect(summary.lostEvents == 0 && summary.chunks.corrupt == 0 && !summary.truncated)
        #expect(summary.procs == Set(all.compactMap(\.proc)).count, "the fixtures use every P they declare")
    }

    @Test(arguments: traces)
    func statsCountsGroupLikeTheEvents(trace: String) async throws {
        let all = try await events(trace)
        #expect(try await stats(trace, by: "kind").byKey.mapValues(\.count) == all.counted { $0.kind })
        #expect(try await stats(trace, by: "proc").byKey.mapValues(\.count) == all.counted { $0.proc.map { "P\($0)" } })
        #expect(try await stats(trace, by: "task").byKey.mapValues(\.count) == all.counted { $0.task.map { "task \($0)" } })
        #expect(try await stats(trace, by: "region").byKey.mapValues(\.count) == all.counted { $0.kind == "region_begin" ? $0.name : nil })
        let parkReasons = all.counted { $0.kind == "task_park" || $0.kind == "gc_pause_begin" ? $0.reason : nil }
        #expect(try await stats(trace, by: "reason").byKey.mapValues(\.count) == parkReasons)
        let labels = try await stats(trace, by: "label").byKey
        #expect(labels.mapValues { $0.tasks ?? 0 } == all.counted { $0.kind == "task_create" ? $0.label : nil })
    }

    /// Busy time per P: from each task_start to that task's next stop (yield, preempt,
    /// park or end), or to the last event if it never stops (docs/CLI.md).
    @Test(arguments: traces)
    func statsByProcTimeIsBusyTime(trace: String) async throws {
        let all = try await events(trace)
        var running: [UInt64: (proc: UInt32, since: UInt64)] = [:]
        var busy: [String: UInt64] = [:]
        for event in all {
            guard let task = event.task else { continue }
            switch event.kind {
            case "task_start":
                running[task] = (event.proc!, event.timestamp)
            case "task_yield", "task_preempt", "task_park", "task_end":
                if let run = running.removeValue(forKey: task) { busy["P\(run.proc)", default: 0] += event.timestamp - run.since }
            default:
                break
            }
        }
        for (_, run) in running { busy["P\(run.proc)", default: 0] += all.last!.timestamp - run.since }
        let stats = try await stats(trace, by: "proc")
        #expect(stats.byKey.compactMapValues(\.timeNanoseconds) == busy)
        // The same intervals, seen from the events that open them.
        let byKind = try await self.stats(trace, by: "kind").byKey
        #expect(byKind["task_start"]?.timeNanoseconds == busy.values.reduce(0, +))
    }

    /// Region time: from region_begin to the matching region_end of the same task.
    @Test(arguments: traces)
    func statsByRegionTimeIsTimeInside(trace: String) async throws {
        let all = try await events(trace)
        var open: [String: UInt64] = [:]
        var inside: [String: UInt64] = [:]
        for event in all where event.kind.hasPrefix("region_") {
            let key = "\(event.task ?? 0)/\(event.name!)"
            if event.kind == "region_begin" {
                open[key] = event.timestamp
            } else if let since = open.removeValue(forKey: key) {
                inside[event.name!, default: 0] += event.timestamp - since
            }
        }
        #expect(open.isEmpty)
        #expect(try await stats(trace, by: "region").byKey.compactMapValues(\.timeNanoseconds) == inside)
    }

    @Test(arguments: traces)
    func cleanTracesValidate(trace: String) async throws {
        let result = try await schedscope("validate", trace, "--format", "json")
        #expect(result.status == 0, "\(result)")
        let report = try decode(ValidateJSON.self, result.stdout)
        #expect(report.schema == "schedscope.validate/1")
        #expect(report.valid && report.damage.isEmpty && report.violationCount == 0)
        #expect(report.events == UInt64(try await events(trace).count))
    }
}
