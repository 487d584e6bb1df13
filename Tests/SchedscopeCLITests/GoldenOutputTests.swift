import SchedscopeTestSupport
import Testing

/// Every command's output on the fixtures, compared with `Fixtures/golden/`.
/// `SCHEDSCOPE_UPDATE_GOLDENS=1` rewrites what changed (and fails, for review).
@Suite("Goldens")
struct GoldenOutputTests {
    @Test(arguments: GoldenCase.summary) func summary(_ golden: GoldenCase) async throws { try await check(golden) }
    @Test(arguments: GoldenCase.events) func events(_ golden: GoldenCase) async throws { try await check(golden) }
    @Test(arguments: GoldenCase.stats) func stats(_ golden: GoldenCase) async throws { try await check(golden) }
    @Test(arguments: GoldenCase.validate) func validate(_ golden: GoldenCase) async throws { try await check(golden) }
    @Test(arguments: GoldenCase.help) func help(_ golden: GoldenCase) async throws { try await check(golden) }
    @Test(arguments: GoldenCase.usageErrors) func usageErrors(_ golden: GoldenCase) async throws { try await check(golden) }

    private func check(_ golden: GoldenCase, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await schedscope(golden.arguments)
        #expect(result.status == golden.status, "\(result)", sourceLocation: sourceLocation)
        switch golden.stream {
        case .stdout:
            GoldenFile.check(result.stdout, matches: golden.golden, sourceLocation: sourceLocation)
            if let stderrGolden = golden.stderrGolden {
                GoldenFile.check(result.stderr, matches: stderrGolden, sourceLocation: sourceLocation)
            } else {
                #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
            }
        case .stderr:
            GoldenFile.check(result.stderr, matches: golden.golden, sourceLocation: sourceLocation)
            #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
        }
    }
}
