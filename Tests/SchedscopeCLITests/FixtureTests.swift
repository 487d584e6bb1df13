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

    /// Format 1.2 changed how events records are laid out (docs/FORMAT.md §11); a trace
    /// written before keeps reading the same.
    @Test("a format 1.1 trace reads to the same events, report and analyses as its 1.2 rewrite")
    func formatOnePointOneTraceStillReads() async throws {
        // Really the old layout: minor version 1 and events chunks of type 1, where the
        // current writer writes minor version 2 and type 4.
        let legacy = try Fixture.bytes(Fixture.legacyTiny)
        let current = try Fixture.bytes(Fixture.tiny)
        #expect(legacy[10] == 1 && legacy[11] == 0, "minor version")
        #expect(current[10] == 2 && current[11] == 0, "minor version")
        #expect(Self.chunkTypes(legacy) == [1, 2, 3])
        #expect(Self.chunkTypes(current) == [2, 3, 4])
        for arguments in [["events", "--format", "jsonl"], ["analyze", "--format", "json"], ["stats", "--by", "kind"]] {
            let old = try await schedscope(arguments + [Fixture.legacyTiny])
            let new = try await schedscope(arguments + [Fixture.tiny])
            #expect(old.status == 0 && new.status == 0, "\(old) \(new)")
            #expect(old.stderr.isEmpty, "\(old.stderr)")
            #expect(!new.stdout.isEmpty)
            #expect(old.stdout.replacingOccurrences(of: Fixture.legacyTiny, with: Fixture.tiny) == new.stdout, "\(arguments)")
        }
    }

    /// The chunk types of a trace, walking the chunk headers (docs/FORMAT.md §2–§4: the
    /// header length at byte 12; 60-byte chunk headers, the type at byte 4 and the stored
    /// payload length at byte 44).
    static func chunkTypes(_ bytes: [UInt8]) -> Set<UInt8> {
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var types: Set<UInt8> = []
        var offset = u32(12)
        while offset + 60 <= bytes.count {
            types.insert(bytes[offset + 4])
            offset += 60 + u32(offset + 44)
        }
        return types
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
