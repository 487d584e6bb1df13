import Foundation
import SchedscopeTestSupport
import Testing

/// One line of `events --format jsonl`, with the arguments the analyses use.
private struct Line: Decodable {
    var ts: UInt64
    var kind: String
    var proc: UInt32?
    var task: UInt64?
    var label: String?
    var reason: String?
    var victim: UInt32?
    var count: UInt64?
    enum CodingKeys: String, CodingKey { case kind, proc, task, label, reason, victim, count, ts = "ts_ns" }
}

/// JSON text with sorted keys, for comparing two objects.
private func canonical(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

private func objectOf(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// The analyses' numbers agree with the events themselves, recomputed here from
/// `events --format jsonl` (not by the code under test), and the commands behave as
/// docs/CLI.md says (exit codes, filters, one pass equal to each command).
@Suite("Analyses end to end")
struct AnalysisCLITests {
    static let traces = [Fixture.demo, Fixture.tiny]

    private func lines(_ trace: String) async throws -> [Line] {
        let text = try await schedscope("events", trace, "--format", "jsonl").stdout
        return try JSONDecoder().decode([Line].self, from: Data(("[" + text.split(separator: "\n").joined(separator: ",") + "]").utf8))
    }

    private func json(_ arguments: String...) async throws -> [String: Any] {
        let result = try await schedscope(arguments + ["--format", "json"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        return try objectOf(result.stdout)
    }

    @Test(arguments: traces)
    func imbalanceCountsWhatTheEventsSay(trace: String) async throws {
        let events = try await lines(trace)
        var running: [UInt64: (proc: UInt32, since: UInt64)] = [:]
        var busy: [UInt32: UInt64] = [:], runs: [UInt32: UInt64] = [:], stealsIn: [UInt32: UInt64] = [:], stealsOut: [UInt32: UInt64] = [:]
        for e in events {
            switch e.kind {
            case "task_start":
                running[e.task!] = (e.proc!, e.ts)
                runs[e.proc!, default: 0] += 1
            case "task_yield", "task_preempt", "task_park", "task_end":
                if let run = running.removeValue(forKey: e.task!) { busy[run.proc, default: 0] += e.ts - run.since }
            case "proc_steal":
                stealsIn[e.proc!, default: 0] += e.count!
                stealsOut[e.victim!, default: 0] += e.count!
            default: break
            }
        }
        for (_, run) in running { busy[run.proc, default: 0] += events.last!.ts - run.since }
        let report = try await json("imbalance", trace)
        #expect(report["schema"] as? String == "schedscope.imbalance/1")
        let procs = try #require(report["procs"] as? [[String: Any]])
        for p in procs {
            let proc = UInt32(p["proc"] as! Int)
            #expect(p["busy_ns"] as? UInt64 == busy[proc, default: 0], "P\(proc)")
            #expect(p["tasks_run"] as? UInt64 == runs[proc, default: 0])
            #expect(p["steals_in"] as? UInt64 == stealsIn[proc, default: 0])
            #expect(p["steals_out"] as? UInt64 == stealsOut[proc, default: 0])
        }
        #expect(report["duration_ns"] as? UInt64 == events.last!.ts)
    }

    @Test(arguments: traces)
    func preemptionGCAndLatencyCountWhatTheEventsSay(trace: String) async throws {
        let events = try await lines(trace)
        let kinds = events.counted { $0.kind }
        let preemption = try await json("preemption", trace)
        #expect(preemption["preemptions"] as? UInt64 == kinds["task_preempt"])
        #expect(preemption["yields"] as? UInt64 == kinds["task_yield"])
        #expect(preemption["parks"] as? UInt64 == kinds["task_park"])
        #expect(preemption["ends"] as? UInt64 == kinds["task_end"])

        let gc = try await json("gc", trace)
        var open: UInt64?
        var pauses: [UInt64] = []
        for e in events {
            if e.kind == "gc_pause_begin" { open = e.ts }
            if e.kind == "gc_pause_end", let begin = open { pauses.append(e.ts - begin); open = nil }
        }
        #expect(gc["cycles"] as? UInt64 == kinds["gc_begin"])
        #expect(gc["pauses"] as? Int == pauses.count)
        #expect(gc["pause_total_ns"] as? UInt64 == pauses.reduce(0, +))
        #expect(gc["pause_max_ns"] as? UInt64 == pauses.max())

        // Runnable (create, unpark of a parked task, yield, preempt) → next start.
        var since: [UInt64: UInt64] = [:]
        var parked = Set<UInt64>()
        var latencies: [UInt64] = []
        for e in events {
            guard let task = e.task else { continue }
            switch e.kind {
            case "task_create", "task_yield", "task_preempt": since[task] = e.ts
            case "task_park": parked.insert(task)
            case "task_unpark": if parked.remove(task) != nil { since[task] = e.ts }
            case "task_start": if let t = since.removeValue(forKey: task) { latencies.append(e.ts - t) }
            default: break
            }
        }
        latencies.sort()
        let latency = try await json("latency", trace)
        #expect(latency["count"] as? Int == latencies.count)
        #expect(latency["max_ns"] as? UInt64 == latencies.last)
        for (key, percent) in [("p50_ns", 50), ("p90_ns", 90), ("p99_ns", 99)] {
            let exact = latencies[max(1, (latencies.count * percent + 99) / 100) - 1]
            let reported = try #require(latency[key] as? UInt64)
            #expect(reported >= exact && reported - exact <= exact / 256, "\(key): \(reported) vs \(exact)")
        }
    }

    @Test(arguments: traces)
    func leakCandidatesAreTheTasksLastSeenParking(trace: String) async throws {
        let events = try await lines(trace)
        var last: [UInt64: Line] = [:]
        var labels: [UInt64: String] = [:]
        for e in events where e.kind.hasPrefix("task_") {
            if e.kind == "task_end" { last[e.task!] = nil } else { last[e.task!] = e }
            if e.kind == "task_create" { labels[e.task!] = e.label }
        }
        let parked = last.values.filter { $0.kind == "task_park" }.sorted { $0.task! < $1.task! }
        let leaks = try await json("leaks", trace, "--limit", "0")
        let candidates = try #require(leaks["candidates"] as? [[String: Any]]).sorted { ($0["task"] as! UInt64) < ($1["task"] as! UInt64) }
        #expect(leaks["count"] as? Int == parked.count)
        #expect(candidates.map { $0["task"] as? UInt64 } == parked.map(\.task))
        #expect(candidates.map { $0["reason"] as? String } == parked.map(\.reason))
        #expect(candidates.map { $0["label"] as? String } == parked.map { labels[$0.task!] })
        #expect(candidates.map { $0["parked_ns"] as? UInt64 } == parked.map { events.last!.ts - $0.ts })
    }

    @Test func analyzeIsEveryCommandInOnePass() async throws {
        let all = try await json("analyze", Fixture.demo, "--window", "5ms", "--by-region", "--min-age", "1ms")
        #expect(all["schema"] as? String == "schedscope.analyze/1")
        #expect(all["events"] as? Int == 18_614)
        let expected: [(String, [String])] = [
            ("imbalance", ["imbalance", Fixture.demo, "--window", "5ms"]),
            ("preemption", ["preemption", Fixture.demo]),
            ("latency", ["latency", Fixture.demo]),
            ("gc", ["gc", Fixture.demo]),
            ("leaks", ["leaks", Fixture.demo, "--by-region", "--min-age", "1ms"]),
        ]
        for (member, arguments) in expected {
            let alone = try objectOf(try await schedscope(arguments + ["--format", "json"]).stdout)
            let inAnalyze = try #require(all[member] as? [String: Any])
            #expect(try canonical(inAnalyze) == canonical(alone), "analyze.\(member) differs from \(arguments[0])")
        }
    }

    @Test func leaksFailExitsTwoOnlyWithCandidates() async throws {
        let failing = try await schedscope("leaks", Fixture.demo, "--fail")
        #expect(failing.status == 2 && failing.stdout.hasPrefix("3 leak candidates"), "\(failing)")
        let passing = try await schedscope("leaks", Fixture.tiny, "--fail")
        #expect(passing.status == 0 && passing.stdout.hasPrefix("0 leak candidates"), "\(passing)")
        let aged = try await schedscope("leaks", Fixture.demo, "--min-age", "1s", "--fail")
        #expect(aged.status == 0, "\(aged)")
    }

    @Test func rangeAndSubjectFilters() async throws {
        // A range: durations and counts follow it; the window is cut from --from.
        let imbalance = try await json("imbalance", Fixture.demo, "--from", "10ms", "--to", "20ms", "--window", "2ms")
        #expect(imbalance["start_ns"] as? Int == 10_000_000 && imbalance["end_ns"] as? Int == 20_000_000)
        let windows = try #require(imbalance["windows"] as? [String: Any])
        #expect(windows["count"] as? Int == 5)
        for p in try #require(imbalance["procs"] as? [[String: Any]]) {
            #expect((p["busy_ns"] as? UInt64 ?? .max) <= 10_000_000)
        }
        // stats --by proc closes intervals at the selected events; imbalance clips them to
        // the range, so it is at least as large (it counts tasks already running at 10 ms).
        let stats = try await schedscope("stats", Fixture.demo, "--by", "proc", "--from", "10ms", "--to", "20ms", "--format", "json")
        let groups = try #require(try objectOf(stats.stdout)["groups"] as? [[String: Any]])
        let statsBusy = groups.reduce(UInt64(0)) { $0 + ($1["time_ns"] as? UInt64 ?? 0) }
        let busy = try #require(imbalance["procs"] as? [[String: Any]]).reduce(UInt64(0)) { $0 + ($1["busy_ns"] as? UInt64 ?? 0) }
        #expect(busy >= statsBusy && busy - statsBusy < 4 * 5_000_000)

        let one = try await json("imbalance", Fixture.demo, "--proc", "2")
        #expect((one["procs"] as? [[String: Any]])?.map { $0["proc"] as? Int } == [2])

        // One test case's leaks: its candidate only.
        let region = try await json("leaks", Fixture.demo, "--region", "SchedulerTests/test9")
        let candidates = try #require(region["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["task"] as? Int } == [677])
        #expect(candidates.first?["region"] as? String == "SchedulerTests/test9")

        // One task: judged at the trace's end, not at its own last event.
        let task = try await json("leaks", Fixture.demo, "--task", "677")
        let only = try #require(task["candidates"] as? [[String: Any]])
        #expect(only.map { $0["task"] as? Int } == [677])
        #expect(only.first?["parked_ns"] as? Int == 37_756_782 && task["end_ns"] as? Int == 53_840_202)
        #expect(task["starved_count"] as? Int == 0, "its children's creation is not its own")
    }

    @Test func damagedTracesWarnOrFailUnderStrict() async throws {
        let warned = try await schedscope("analyze", Fixture.corruptChunk)
        #expect(warned.status == 0 && warned.stderr.hasPrefix("warning:"), "\(warned)")
        let strict = try await schedscope("gc", Fixture.truncated, "--strict")
        #expect(strict.status == 1 && strict.stdout.isEmpty && strict.stderr.hasPrefix("error:"), "\(strict)")
        let missing = try await schedscope("leaks", "no-such.sctrace", "--fail")
        #expect(missing.status == 1, "an unreadable trace is exit 1, not a gate")
    }
}
