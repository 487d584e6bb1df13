import SchedscopeTestSupport
import Testing

/// Every command's output on the fixtures, compared with `Fixtures/golden/`.
/// `SCHEDSCOPE_UPDATE_GOLDENS=1` rewrites what changed (and fails, for review).
@Suite("Goldens")
struct GoldenOutputTests {
    @Test(arguments: GoldenCase.summary) func summary(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.events) func events(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.stats) func stats(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.validate) func validate(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.help) func help(_ golden: GoldenCase) async throws { try await golden.check() }
    @Test(arguments: GoldenCase.usageErrors) func usageErrors(_ golden: GoldenCase) async throws { try await golden.check() }
}
