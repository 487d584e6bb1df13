import SchedscopeTestSupport
import Testing

extension GoldenCase {
    static let analyses: [GoldenCase] = [
        GoldenCase("imbalance-demo.txt", ["imbalance", Fixture.demo]),
        GoldenCase("imbalance-demo.json", ["imbalance", Fixture.demo, "--format", "json"]),
        GoldenCase("imbalance-window.txt", ["imbalance", Fixture.demo, "--window", "2ms", "--from", "10ms", "--to", "20ms"]),
        GoldenCase("preemption-demo.txt", ["preemption", Fixture.demo]),
        GoldenCase("preemption-demo.json", ["preemption", Fixture.demo, "--format", "json"]),
        GoldenCase("latency-demo.txt", ["latency", Fixture.demo]),
        GoldenCase("latency-demo.json", ["latency", Fixture.demo, "--format", "json"]),
        GoldenCase("gc-demo.txt", ["gc", Fixture.demo]),
        GoldenCase("gc-demo.json", ["gc", Fixture.demo, "--format", "json"]),
        GoldenCase("leaks-demo.txt", ["leaks", Fixture.demo]),
        GoldenCase("leaks-demo.json", ["leaks", Fixture.demo, "--format", "json"]),
        GoldenCase("leaks-by-region.txt", ["leaks", Fixture.demo, "--by-region", "--min-age", "1ms"]),
        GoldenCase("leaks-fail.txt", ["leaks", Fixture.demo, "--ignore", "^Cache", "--fail"], status: 2),
        GoldenCase("leaks-ignored.json", ["leaks", Fixture.demo, "--ignore", "Subscriber", "--fail", "--format", "json"]),
        GoldenCase("leaks-truncated.txt", ["leaks", Fixture.truncated], stderrGolden: "leaks-truncated.stderr.txt"),
        GoldenCase("analyze-demo.txt", ["analyze", Fixture.demo]),
        GoldenCase("analyze-tiny.json", ["analyze", Fixture.tiny, "--format", "json"]),
    ]

    static let analysisHelp: [GoldenCase] = ["imbalance", "preemption", "latency", "gc", "leaks", "analyze"].map {
        GoldenCase("help-\($0).txt", [$0, "--help"])
    }

    static let analysisUsageErrors: [GoldenCase] = [
        GoldenCase("usage-bad-ignore.txt", ["leaks", Fixture.demo, "--ignore", "("], status: 64, stream: .stderr),
        GoldenCase("usage-zero-window.txt", ["imbalance", Fixture.demo, "--window", "0ms"], status: 64, stream: .stderr),
        GoldenCase("usage-kind-on-analysis.txt", ["gc", Fixture.demo, "--kind", "task_park"], status: 64, stream: .stderr),
    ]
}

/// The analyses' output on the fixtures, compared with `Fixtures/golden/`.
/// `SCHEDSCOPE_UPDATE_GOLDENS=1` rewrites what changed (and fails, for review).
@Suite("Goldens: analyses")
struct AnalysisGoldenTests {
    @Test(arguments: GoldenCase.analyses) func analyses(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.analysisHelp) func help(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.analysisUsageErrors) func usageErrors(_ golden: GoldenCase) async throws { try await golden.check() }
}
