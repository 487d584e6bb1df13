import SchedscopeTestSupport
import Testing

/// One command line whose output is compared with a golden file in `Fixtures/golden/`.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    enum Stream: Sendable { case stdout, stderr }

    /// The golden file's name: `<command>-<variant>.<txt|json|jsonl>`.
    var golden: String
    var arguments: [String]
    var status: Int32 = 0
    /// The stream the golden holds; the other one must be empty, except that a stdout case
    /// may name a second golden for what it prints on stderr (damage warnings).
    var stream = Stream.stdout
    var stderrGolden: String?

    var testDescription: String { "\(golden): schedscope \(arguments.joined(separator: " "))" }

    init(_ golden: String, _ arguments: [String], status: Int32 = 0, stream: Stream = .stdout, stderrGolden: String? = nil) {
        self.golden = golden
        self.arguments = arguments
        self.status = status
        self.stream = stream
        self.stderrGolden = stderrGolden
    }
}

extension GoldenCase {
    static let summary: [GoldenCase] = [
        GoldenCase("summary-demo.txt", ["summary", Fixture.demo]),
        GoldenCase("summary-demo.json", ["summary", Fixture.demo, "--format", "json"]),
        GoldenCase("summary-tiny.txt", ["summary", Fixture.tiny]),
        GoldenCase("summary-window.json", ["summary", Fixture.demo, "--from", "10ms", "--to", "20ms", "--format", "json"]),
        GoldenCase("summary-parks-on-p1.txt", ["summary", Fixture.demo, "--kind", "task_park,task_unpark", "--proc", "1"]),
        GoldenCase(
            "summary-truncated.txt", ["summary", Fixture.truncated],
            stderrGolden: "summary-truncated.stderr.txt"),
        GoldenCase(
            "summary-corrupt-chunk.json", ["summary", Fixture.corruptChunk, "--format", "json"],
            stderrGolden: "summary-corrupt-chunk.stderr.txt"),
    ]

    static let events: [GoldenCase] = [
        GoldenCase("events-demo-head.txt", ["events", Fixture.demo, "--limit", "40"]),
        GoldenCase("events-task-42.txt", ["events", Fixture.demo, "--task", "42"]),
        GoldenCase("events-tiny-region.txt", ["events", Fixture.tiny, "--region", "CacheTests/test1"]),
        GoldenCase(
            "events-parks-window.jsonl",
            ["events", Fixture.demo, "--kind", "task_park,task_unpark", "--proc", "1", "--from", "10ms", "--to", "12ms", "--format", "jsonl"]),
        GoldenCase("events-tiny-gc.jsonl", ["events", Fixture.tiny, "--kind", "gc_begin,gc_end,gc_pause_begin,gc_pause_end", "--format", "jsonl"]),
    ]

    static let stats: [GoldenCase] = ["kind", "proc", "task", "reason", "label", "region"].flatMap { key in
        [
            GoldenCase("stats-\(key).txt", ["stats", Fixture.demo, "--by", key]),
            GoldenCase("stats-\(key).json", ["stats", Fixture.demo, "--by", key, "--limit", "10", "--format", "json"]),
        ]
    }

    static let validate: [GoldenCase] = [
        GoldenCase("validate-demo.txt", ["validate", Fixture.demo]),
        GoldenCase("validate-demo.json", ["validate", Fixture.demo, "--format", "json"]),
        GoldenCase("validate-truncated.txt", ["validate", Fixture.truncated, "--limit", "5"], status: 2),
        GoldenCase("validate-truncated.json", ["validate", Fixture.truncated, "--limit", "5", "--format", "json"], status: 2),
        GoldenCase("validate-corrupt-chunk.txt", ["validate", Fixture.corruptChunk, "--limit", "5"], status: 2),
        GoldenCase("validate-corrupt-chunk.json", ["validate", Fixture.corruptChunk, "--limit", "5", "--format", "json"], status: 2),
    ]

    static let help: [GoldenCase] = [GoldenCase("help-root.txt", ["--help"])]
        + ["summary", "events", "filter", "stats", "validate", "synth", "record"].map { GoldenCase("help-\($0).txt", [$0, "--help"]) }

    static let usageErrors: [GoldenCase] = [
        GoldenCase("usage-unknown-kind.txt", ["events", Fixture.demo, "--kind", "task_run"], status: 64, stream: .stderr),
        GoldenCase("usage-bad-duration.txt", ["events", Fixture.demo, "--from", "10"], status: 64, stream: .stderr),
        GoldenCase("usage-from-after-to.txt", ["summary", Fixture.demo, "--from", "20ms", "--to", "10ms"], status: 64, stream: .stderr),
        GoldenCase("usage-missing-by.txt", ["stats", Fixture.demo], status: 64, stream: .stderr),
        GoldenCase("usage-unknown-command.txt", ["summarize", Fixture.demo], status: 64, stream: .stderr),
    ]
}

extension GoldenCase {
    /// Runs the command line and compares its exit status and output with the golden(s).
    func check(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await schedscope(arguments)
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        switch stream {
        case .stdout:
            GoldenFile.check(result.stdout, matches: golden, sourceLocation: sourceLocation)
            if let stderrGolden {
                GoldenFile.check(result.stderr, matches: stderrGolden, sourceLocation: sourceLocation)
            } else {
                #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
            }
        case .stderr:
            GoldenFile.check(result.stderr, matches: golden, sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        }
    }
}
