import Foundation
import SchedscopeTestSupport
import Testing

/// The fixtures are what Fixtures/README.md says: `synth` with those options makes them
/// byte for byte (so they can be regenerated, and a change to the writer or the workload
/// that moves them is noticed).
@Suite("Fixtures")
struct FixtureTests {
    static let recipes: [(fixture: String, options: [String])] = [
        (Fixture.demo, ["--procs", "4", "--tasks", "2000", "--seed", "1"]),
        (Fixture.tiny, ["--procs", "2", "--tasks", "40", "--seed", "3"]),
    ]

    @Test(arguments: recipes.indices)
    func synthRemakesTheFixture(index: Int) async throws {
        let (fixture, options) = Self.recipes[index]
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope(["synth", "-o", "made.sctrace"] + options, in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.isEmpty)
        GoldenFile.check(result.stderr, matches: "synth-\(URL(fileURLWithPath: fixture).deletingPathExtension().lastPathComponent).stderr.txt")
        let made = try Data(contentsOf: scratch.url.appendingPathComponent("made.sctrace"))
        #expect(made == Data(try Fixture.bytes(fixture)), "\(fixture) is stale: run Fixtures/regenerate.sh and review the goldens")
    }

    @Test func theFixturesStaySmall() throws {
        #expect(try Fixture.bytes(Fixture.demo).count < 100_000)
        #expect(try Fixture.bytes(Fixture.tiny).count < 10_000)
    }

    @Test func anotherSeedMakesAnotherTrace() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        for seed in ["3", "4"] {
            let result = try await schedscope("synth", "-o", "seed\(seed).sctrace", "--procs", "2", "--tasks", "40", "--seed", seed, in: scratch.url)
            #expect(result.status == 0, "\(result)")
        }
        let three = try Data(contentsOf: scratch.url.appendingPathComponent("seed3.sctrace"))
        let four = try Data(contentsOf: scratch.url.appendingPathComponent("seed4.sctrace"))
        #expect(three != four)
    }
}
