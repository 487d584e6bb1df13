import Foundation
import SchedscopeTestSupport
import Testing

extension Fixture {
    /// `synth --tests 40 --seed 1 --leak-every 20` and `--seed 2 --leak-every 10`
    /// (Fixtures/README.md): HEAD leaks twice as many tasks, in two tests that did not leak.
    static let diffBase = "Fixtures/diff/base.sctrace"
    static let diffHead = "Fixtures/diff/head.sctrace"
}

extension GoldenCase {
    static let diff: [GoldenCase] = [
        GoldenCase("diff-fixtures.md", ["diff", Fixture.diffBase, Fixture.diffHead, "--format", "markdown"], status: 2,
                   stderrGolden: "diff-one-run.stderr.txt"),
        GoldenCase("diff-fixtures.txt", ["diff", Fixture.diffBase, Fixture.diffHead], status: 2, stderrGolden: "diff-one-run.stderr.txt"),
        GoldenCase("diff-same.txt", ["diff", Fixture.demo, Fixture.demo, "--threshold", "latency.p99_ns=+10%"],
                   stderrGolden: "diff-one-run.stderr.txt"),
        GoldenCase("help-diff.txt", ["diff", "--help"]),
        GoldenCase("usage-diff-unknown-metric.txt", ["diff", Fixture.demo, Fixture.demo, "--threshold", "latency.p99=+10%"],
                   status: 64, stream: .stderr),
        GoldenCase("usage-diff-bad-limit.txt", ["diff", Fixture.demo, Fixture.demo, "--threshold", "gc.pause_max_ns=5"],
                   status: 64, stream: .stderr),
        GoldenCase("usage-diff-one-trace.txt", ["diff", Fixture.demo], status: 64, stream: .stderr),
    ]
}

@Suite("diff: end to end")
struct DiffCLITests {
    @Test(arguments: GoldenCase.diff) func goldens(_ golden: GoldenCase) async throws { try await golden.check() }

    /// Nothing regressed: the same trace on both sides, as text, Markdown and JSON.
    @Test(arguments: ["text", "markdown", "json"])
    func identicalTracesExitZero(format: String) async throws {
        let result = try await schedscope("diff", Fixture.demo, Fixture.demo, "--format", format)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderrLines == [
            "warning: one trace a side: timing metrics are judged on their limits alone, and one run is weak evidence; record several runs of each and pass them with --base … --head … for a statistical test.",
        ])
    }

    /// The demo trace leaks 3 tasks; tiny leaks none: tiny → demo adds leaks (exit 2),
    /// demo → tiny removes them (no leak rule trips; timing limits are turned off so
    /// that only leaks decide).
    @Test func leaksAddedExitTwoAndRemovedDoNot() async throws {
        let added = try await schedscope("diff", Fixture.tiny, Fixture.demo, "--format", "json")
        #expect(added.status == 2, "\(added)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])
        let regressions = try #require(object["regressions"] as? [String])
        #expect(regressions.contains("leaks.count"))
        #expect(regressions.contains("leaks.new_groups"))
        let groups = try #require(object["new_leak_groups"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups.first?["label"] as? String == "Subscriber.listen()")
        #expect(groups.first?["reason"] as? String == "channel receive")
        #expect(groups.first?["count"] as? Int == 3)

        let timingOff = DiffCLITests.timingMetrics.flatMap { ["--threshold", "\($0)=none"] }
        let removed = try await schedscope(["diff", Fixture.demo, Fixture.tiny] + timingOff)
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout.contains("Verdict      no regression"))
    }

    static let timingMetrics = [
        "imbalance.max_over_mean", "imbalance.idle_while_runnable_fraction", "preemption.per_busy_second",
        "latency.p99_ns", "gc.pause_p95_ns", "gc.pause_max_ns",
    ]

    /// DESIGN.md §6: the keys `diff --format json` must have.
    @Test func jsonHasTheDesignKeys() async throws {
        let result = try await schedscope("diff", Fixture.diffBase, Fixture.diffHead, "--format", "json")
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "schedscope.diff/1")
        #expect(object["regressed"] as? Bool == true)
        #expect(object["new_leak_groups"] is [Any])
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        #expect(!metrics.isEmpty)
        for metric in metrics {
            for key in ["name", "base", "head", "delta", "limit", "regressed"] {
                #expect(metric.keys.contains(key), "\(metric["name"] ?? "?") has no \(key)")
            }
        }
        let leaks = try #require(metrics.first { $0["name"] as? String == "leaks.count" })
        // Ground truth: the fixtures were written with 2 and 4 leaked tasks (Fixtures/README.md).
        #expect(leaks["base"] as? Int == 2)
        #expect(leaks["head"] as? Int == 4)
        #expect(leaks["regressed"] as? Bool == true)
        for key in DiffCLITests.keys(object) {
            #expect(CLIDocumentTests.document.contains("`\(key)`"), "docs/CLI.md does not document the key '\(key)' of schedscope.diff/1")
        }
    }

    /// Five runs a side in directories, written by synth; HEAD collects twice as often
    /// (`--gc-interval 1ms`), which doubles gc.pauses (a context count) and makes the
    /// Markdown show the statistics columns.
    @Test func repeatedRunsInDirectories() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        for side in ["base", "head"] {
            try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent(side), withIntermediateDirectories: true)
        }
        for seed in 1...5 {
            let base = try await schedscope("synth", "-o", scratch.path("base/run\(seed).sctrace"), "--tests", "20", "--seed", "\(seed)")
            let head = try await schedscope(
                "synth", "-o", scratch.path("head/run\(seed).sctrace"), "--tests", "20", "--seed", "\(seed + 5)", "--gc-interval", "1ms")
            #expect(base.status == 0 && head.status == 0)
        }
        let result = try await schedscope(["diff", "--base", "base", "--head", "head", "--format", "markdown"], in: scratch.url)
        #expect(result.stderr.isEmpty, "\(result)")
        GoldenFile.check(result.stdout, matches: "diff-runs.md")
        #expect(result.status == (result.stdout.contains("❌") ? 2 : 0))

        // The JSON of a statistical comparison: every key documented, the test's figures present.
        let json = try await schedscope(["diff", "--base", "base", "--head", "head", "--format", "json"], in: scratch.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        let pauses = try #require(metrics.first { $0["name"] as? String == "gc.pauses" })
        #expect(pauses["evidence"] as? String == "mann_whitney")
        #expect((pauses["head_values"] as? [Double])?.count == 5)
        #expect((pauses["shift"] as? [String: Any])?["estimate"] is Double)
        for key in DiffCLITests.keys(object) {
            #expect(CLIDocumentTests.document.contains("`\(key)`"), "docs/CLI.md does not document the key '\(key)' of schedscope.diff/1")
        }

        // Three runs a side: too few for the test, with a warning that says how many are enough.
        let few = try await schedscope(
            ["diff", "--base", "base/run1.sctrace", "base/run2.sctrace", "base/run3.sctrace",
             "--head", "head/run1.sctrace", "head/run2.sctrace", "head/run3.sctrace"], in: scratch.url)
        #expect(few.stderrLines.count == 1)
        #expect(few.stderr.contains("3 BASE and 3 HEAD runs are too few") && few.stderr.contains("4 runs a side are enough"), "\(few)")
    }

    @Test func configFileSetsLimitsAndReportsBadLinesWithTheirNumber() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let good = try scratch.write(Array("""
            # no timing gates: leaks only
            imbalance.max_over_mean = none
            imbalance.idle_while_runnable_fraction = none
            preemption.per_busy_second = none
            latency.p99_ns = none
            gc.pause_p95_ns = none
            gc.pause_max_ns = none
            leaks.count = 5    # up to five more leaked tasks
            leaks.new_regions = none

            """.utf8), to: "limits.conf")
        let passes = try await schedscope("diff", Fixture.diffBase, Fixture.diffHead, "--config", good)
        #expect(passes.status == 0, "\(passes)")
        // --threshold comes after the file.
        let tighter = try await schedscope("diff", Fixture.diffBase, Fixture.diffHead, "--config", good, "--threshold", "leaks.count=1")
        #expect(tighter.status == 2, "\(tighter)")
        #expect(tighter.stdout.contains("REGRESSED: leaks.count\n"), "\(tighter)")

        let bad = try scratch.write(Array("# limits\nlatency.p99_ns = +10%\ngc.pause_max = 2ms\n".utf8), to: "bad.conf")
        let result = try await schedscope("diff", Fixture.diffBase, Fixture.diffHead, "--config", bad)
        #expect(result.status == 64)
        #expect(result.stderrLines.first == "Error: \(bad):3: unknown metric 'gc.pause_max', did you mean 'gc.pause_max_ns'? (schedscope diff --help lists them)")
    }

    @Test(arguments: [
        (["diff", Fixture.demo, "Fixtures/no-such.sctrace"], Int32(1), "error: Cannot read 'Fixtures/no-such.sctrace'"),
        (["diff", Fixture.notATrace, Fixture.demo], 1, "error: Cannot read 'Fixtures/damaged/not-a-trace.txt'"),
        (["diff", "--base", "Fixtures/golden", "--head", Fixture.demo], 1,
         "error: Cannot read 'Fixtures/golden': the directory holds no .sctrace file."),
        (["diff", Fixture.demo, Fixture.demo, Fixture.demo], 64, "Error: Expected two traces, BASE and HEAD, not 3."),
        (["diff", Fixture.demo, Fixture.demo, "--base", Fixture.demo], 64, "Error: Give BASE and HEAD either as two arguments"),
        (["diff", "--base", Fixture.demo], 64, "Error: --base and --head go together"),
        (["diff", Fixture.demo, Fixture.demo, "--alpha", "1.5"], 64, "Error: --alpha must be between 0 and 1"),
        (["diff", Fixture.demo, Fixture.demo, "--config", "Fixtures/no-such.conf"], 64,
         "Error: Cannot read threshold file 'Fixtures/no-such.conf'"),
        (["diff", Fixture.demo, Fixture.truncated, "--strict"], 1, "error: Cannot read 'Fixtures/damaged/truncated.sctrace'"),
    ])
    func exitCodes(arguments: [String], status: Int32, message: String) async throws {
        let result = try await schedscope(arguments)
        #expect(result.status == status, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix(message) == true, "\(result)")
        if status != 0 && status != 2 { #expect(result.stdout.isEmpty) }
    }

    /// Examples/ci/gate.sh as CI runs it: re-runs of one suite pass (exit 0, the Markdown
    /// report written), a candidate that leaks more fails (exit 2) and the report names it.
    @Test func ciExampleGatesOnTheDiff() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let binary = try CLIRunner.product("schedscope").executable.path
        let env = CLIRunner(executable: URL(fileURLWithPath: "/usr/bin/env"))
        func gate(_ candidate: String, markdown: String) async throws -> CLIResult {
            try await env.run([
                "SCHEDSCOPE=\(binary)", "WORK=\(scratch.path("work-\(candidate)"))", "RUNS=4", "TESTS=40", "CANDIDATE=\(candidate)",
                "bash", "Examples/ci/gate.sh", "--markdown", scratch.path(markdown), "--config", "Examples/ci/diff-limits.conf",
            ])
        }
        let same = try await gate("same", markdown: "same.md")
        #expect(same.status == 0, "\(same)")
        #expect(same.stderrLines.last == "schedscope diff: no regression", "\(same)")
        #expect(try String(contentsOfFile: scratch.path("same.md"), encoding: .utf8).hasPrefix("### schedscope diff: ✅ no regression"))

        let leaky = try await gate("leaky", markdown: "leaky.md")
        #expect(leaky.status == 2, "\(leaky)")
        #expect(leaky.stdout.contains("REGRESSED: leaks.count"), "\(leaky)")
        let report = try String(contentsOfFile: scratch.path("leaky.md"), encoding: .utf8)
        #expect(report.hasPrefix("### schedscope diff: ❌"), "\(report)")
        #expect(report.contains("`leaks.count`"))
    }

    /// Colour only at a terminal: `script` gives the command one; regressed lines (and
    /// only they) are red, and NO_COLOR turns it off.
    @Test func colourOnlyOnATerminal() async throws {
        let binary = try CLIRunner.product("schedscope").executable.path
        let command = "\(binary) diff \(Fixture.diffBase) \(Fixture.diffHead) 2>/dev/null"
        // env -u: the test runner's own NO_COLOR must not decide.
        let script = CLIRunner(executable: URL(fileURLWithPath: "/usr/bin/env"))
        let terminal = try await script.run(["-u", "NO_COLOR", "script", "-qec", command, "/dev/null"])
        #expect(terminal.status == 2, "\(terminal)")
        let red = "\u{1B}[1;31m"
        // A terminal ends lines with \r\n, which Swift counts as one character.
        let lines = terminal.stdout.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
        let coloured = lines.filter { $0.contains(red) }
        #expect(coloured.count == 4, "\(coloured)")  // three metrics and the new regions' heading
        #expect(coloured.allSatisfy { $0.contains("REGRESSED") && $0.contains("\u{1B}[0m") })

        let plain = try await script.run(["NO_COLOR=1", "script", "-qec", command, "/dev/null"])
        #expect(plain.status == 2)
        #expect(!plain.stdout.contains("\u{1B}["))
    }

    /// Inputs that would cost without bound are refused before any work: more than 1,000
    /// runs a side (the shift's interval sorts n² differences), a threshold file over 1 MiB.
    @Test func oversizedInputsAreUsageErrors() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("many"), withIntermediateDirectories: true)
        for run in 1...1001 {
            try FileManager.default.createSymbolicLink(
                atPath: scratch.path("many/run\(run).sctrace"), withDestinationPath: Fixture.absolute(Fixture.tiny))
        }
        let many = try await schedscope("diff", "--base", scratch.path("many"), "--head", Fixture.tiny)
        #expect(many.status == 64)
        #expect(many.stderrLines == ["error: BASE has 1001 traces; diff compares at most 1000 runs a side."])

        let huge = try scratch.write([UInt8](repeating: 0x23, count: (1 << 20) + 1), to: "huge.conf")
        let config = try await schedscope("diff", Fixture.tiny, Fixture.tiny, "--config", huge)
        #expect(config.status == 64)
        #expect(config.stderrLines.first == "Error: Threshold file '\(huge)' is 1,048,577 bytes; expected a few lines (at most 1,048,576 bytes)")
    }

    /// A damaged trace is compared from what survives, with the reader's warning.
    @Test func damagedTraceIsComparedWithAWarning() async throws {
        let result = try await schedscope("diff", Fixture.demo, Fixture.truncated)
        #expect(result.status == 0 || result.status == 2)
        #expect(result.stderr.contains("warning: 'Fixtures/damaged/truncated.sctrace': the trace is truncated"), "\(result)")
    }

    /// The keys as docs/CLI.md writes them (`metrics[]`, then the keys of its objects).
    static func keys(_ value: Any, prefix: String = "") -> Set<String> {
        var found = Set<String>()
        guard let object = value as? [String: Any] else { return found }
        for (key, child) in object {
            if child is [String: Any] {
                found.formUnion(keys(child, prefix: prefix + key + "."))
            } else if let array = child as? [Any] {
                found.insert(prefix + key + "[]")
                for element in array { found.formUnion(keys(element)) }
            } else {
                found.insert(prefix + key)
            }
        }
        return found
    }
}

/// `diff` analyses its traces side by side, one per core: what it prints about them must
/// still come in the order of the traces, and a trace that cannot be read must stop it there.
@Suite("diff: traces analysed side by side")
struct DiffSideBySideTests {
    @Test("damage warnings in the order of the traces; an unreadable trace fails the run with its own message")
    func messagesInOrder() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var paths: [String] = []
        for seed in 1...4 {
            let path = scratch.path("t\(seed).sctrace")
            let made = try await schedscope("synth", "-o", path, "--tests", "10", "--seed", "\(seed)")
            #expect(made.status == 0, "\(made)")
            paths.append(path)
        }
        for damaged in [paths[0], paths[3]] {
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: damaged)))
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        }
        let result = try await schedscope("diff", "--base", paths[0], paths[1], "--head", paths[2], paths[3])
        let warnings = result.stderrLines.filter { $0.hasPrefix("warning: '") }  // about a trace's damage
        #expect(warnings.count == 2, "\(result)")
        #expect(warnings.first?.contains("t1.sctrace") == true && warnings.last?.contains("t4.sctrace") == true, "\(warnings)")
        #expect(!result.stdout.isEmpty)

        let missing = scratch.path("missing.sctrace")
        let failed = try await schedscope("diff", "--base", paths[1], missing, paths[1], "--head", paths[2])
        #expect(failed.status == 1)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderrLines.first?.contains("missing.sctrace") == true, "\(failed)")
        #expect(failed.stderrLines.filter { $0.hasPrefix("error:") }.count == 1, "\(failed)")
    }
}
