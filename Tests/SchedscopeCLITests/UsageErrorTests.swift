import SchedscopeTestSupport
import Testing

/// Bad command lines exit 64, print nothing on stdout, and say what was wrong on stderr.
/// (The messages of the common ones are goldens: GoldenCase.usageErrors.)
@Suite("Usage errors")
struct UsageErrorTests {
    @Test(arguments: [
        ["summary"],
        ["summary", Fixture.tiny, "--format", "yaml"],
        ["events", Fixture.tiny, "--format", "json"],
        ["events", Fixture.tiny, "--kind", "task_start,bogus"],
        ["events", Fixture.tiny, "--proc", "x"],
        ["events", Fixture.tiny, "--proc", "4294967295"],
        ["events", Fixture.tiny, "--task", "-1"],
        ["events", Fixture.tiny, "--limit", "-1"],
        ["stats", Fixture.tiny, "--by", "thread"],
        ["filter", Fixture.tiny],
        ["filter", Fixture.tiny, "-o", Fixture.tiny],
        ["validate", Fixture.tiny, "--kind", "task_start"],
        ["synth"],
        ["synth", "-o", "x.sctrace", "--procs", "0"],
        ["synth", "-o", "x.sctrace", "--tasks", "0"],
        ["synth", "-o", "x.sctrace", "--gc-interval", "soon"],
        ["summary", Fixture.tiny, "--bogus"],
    ])
    func exits64(arguments: [String]) async throws {
        let result = try await schedscope(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix("Error: ") == true, "\(result)")
        #expect(result.stderr.contains("Usage: schedscope"), "\(result)")
    }

    @Test func theUnknownKindMessageListsTheKnownKinds() async throws {
        let result = try await schedscope("summary", Fixture.tiny, "--kind", "task_run")
        let line = try #require(result.stderrLines.first)
        for kind in ["proc_start", "task_park", "gc_pause_end", "region_begin", "log", "lost"] {
            #expect(line.contains(kind))
        }
    }

    @Test func helpIsNotAnError() async throws {
        for arguments in [[], ["--help"], ["help"], ["help", "stats"], ["stats", "-h"]] {
            let result = try await schedscope(arguments)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("OVERVIEW: "), "\(result)")
            #expect(result.stderr.isEmpty, "\(result)")
        }
    }
}
