import Foundation
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// Timestamps near 2⁶⁴ ns and counts near 2⁶⁴ are legal in the format, and a forged trace
/// can make them add up past 2⁶⁴: three tasks running (or waiting, or inside a region) on
/// three Ps from the start to the end of time, steals of 2⁶⁴ − 1 tasks, lost counts as
/// large. Every command must analyse such a trace — sums saturate — instead of dying on an
/// overflow trap (before the fix, `analyze`, `preemption`, `imbalance`, `stats`, `diff`
/// and `report` did).
@Suite("Hostile numbers: times and counts that add past 2⁶⁴ crash no command")
struct HostileNumberTests {
    enum Shape: String, CaseIterable, Sendable { case running, waiting, counts, backwards }

    static func trace(_ shape: Shape) -> [UInt8] {
        let builder = TraceBuilder(procs: 3)
        let top = UInt64.max - 1
        if shape == .backwards {
            // The merge orders events within a generation; a forged trace's next generation
            // can start far earlier. Then a P's intervals overlap (and add past 2⁶⁴), a P
            // stops before it started, pauses overlap, and a region ends that never began.
            let half = UInt64(1) << 63
            builder.procStart(0, at: half).create(1, proc: 0, at: half).start(1, proc: 0, at: half + 1)
            builder.gcPause(from: half + 2, to: top - 10)
            builder.preempt(1, proc: 0, at: top - 5)
            builder.endGeneration()
            builder.procStop(0, at: 3, thread: 7)
            builder.start(1, proc: 0, at: 4, thread: 7).preempt(1, proc: 0, at: top - 6, thread: 7)
            builder.gcPause(from: 5, to: half + 9, thread: 101)
            builder.regionEnd("never begun", task: 1, proc: 0, at: 6, thread: 7)
            return builder.bytes()
        }
        if shape == .counts {
            builder.procStart(0, at: 0).procStart(1, at: 0)
            builder.steal(0, from: 1, count: .max, at: 1).steal(0, from: 1, count: .max, at: 2)
            builder.steal(1, from: 0, count: .max, at: 3)
            builder.create(.max, label: "a", proc: 0, at: 4).start(.max, proc: 0, at: 5).preempt(.max, proc: 0, at: 6)
            builder.lost(.max, at: 7).lost(.max, at: 8)
            return builder.bytes()
        }
        for proc in UInt32(0)..<3 {
            let task = UInt64(proc) + 1
            builder.procStart(proc, at: 0)
            builder.create(task, label: "a", proc: proc, at: 1)
            switch shape {
            case .running:
                builder.start(task, proc: proc, at: 2)
                builder.regionBegin("r", task: task, proc: proc, at: 3)
                builder.regionEnd("r", task: task, proc: proc, at: top - 2)
                builder.preempt(task, proc: proc, at: top - 1)
            case .waiting, .counts, .backwards:
                builder.start(task, proc: proc, at: top - 1)
                builder.park(task, reason: "r", proc: proc, at: top)
            }
            builder.lost(.max, at: top, thread: UInt64(proc) + 1)
        }
        if shape == .running { builder.gcPause(from: 6, to: top - 3) }
        return builder.bytes()
    }

    static let commands: [[String]] = [
        ["summary"], ["validate"], ["analyze"], ["analyze", "--by-region", "--format", "json"], ["imbalance"],
        ["imbalance", "--window", "1ns"], ["latency"], ["preemption"], ["gc"], ["leaks"], ["events", "--format", "jsonl"],
        ["stats", "--by", "kind"], ["stats", "--by", "task"], ["stats", "--by", "label"], ["stats", "--by", "reason"],
        ["stats", "--by", "region"], ["stats", "--by", "proc"],
    ]

    @Test("every analysis, export and diff runs to its end", arguments: Shape.allCases)
    func noCommandCrashes(shape: Shape) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write(Self.trace(shape), to: "\(shape).sctrace")
        var runs = Self.commands.map { [$0[0], path] + $0.dropFirst() }
        runs.append(["diff", path, path])
        runs.append(["report", path, "-o", scratch.path("report.html")])
        runs.append(["export", "csv", path, "-o", scratch.path("out.csv")])
        runs.append(["export", "chrome", path, "-o", scratch.path("out.json")])
        runs.append(["filter", path, "--from", "1ns", "-o", scratch.path("window.sctrace")])
        for arguments in runs {
            let result = try await schedscope(arguments)
            // 0 clean, 1 damage or violations, 2 a finding (--fail): anything else is a crash.
            #expect(result.status <= 2, "\(arguments.joined(separator: " ")): \(result)")
        }
    }

    /// P `p` starts, creates task `p + 1` and runs it, for `count` Ps (the builder declares 0).
    static func manyProcs(_ count: Int) -> [UInt8] {
        let builder = TraceBuilder(procs: 0)
        for p in 0..<count {
            let t = UInt64(p) * 100, proc = UInt32(p), task = UInt64(p + 1)
            builder.procStart(proc, at: t).create(task, proc: proc, at: t).start(task, proc: proc, at: t + 5)
        }
        return builder.bytes()
    }

    @Test("a trace naming more Ps than the analyses follow: a warning on stderr, the first 1,024 Ps in the JSON")
    func procsPastTheLimit() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write(Self.manyProcs(1_030), to: "many-procs.sctrace")
        let warning = "warning: '\(path)' names more than 1,024 Ps; the analyses follow the first 1,024 and leave the others out of the per-P figures (12 events and 6 latency samples on them)"
        for command in ["analyze", "report"] {
            let arguments = command == "report" ? [command, path, "-o", scratch.path("r.html")] : [command, path]
            let result = try await schedscope(arguments)
            #expect(result.status == 0 && result.stderrLines.contains(warning), "\(result)")
        }
        let json = try await schedscope("imbalance", path, "--format", "json")
        #expect(json.status == 0 && json.stdout.components(separatedBy: "\"proc\":").count - 1 == 1_024, "\(json.stderr)")
        // Within the limit: no warning.
        let within = try scratch.write(Self.manyProcs(1_024), to: "within.sctrace")
        let quiet = try await schedscope("analyze", within)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
    }
}
