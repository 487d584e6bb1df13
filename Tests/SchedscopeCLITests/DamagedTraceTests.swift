import Foundation
import SchedscopeTestSupport
import Testing

/// A damaged trace is read up to the damage, with a warning on stderr that says where,
/// and exits 0; `--strict` makes the damage an error (exit 1); validate fails it (exit 2).
@Suite("Damaged traces")
struct DamagedTraceTests {
    /// The reading commands that honour `--strict`.
    static let commands: [[String]] = [
        ["summary"], ["events"], ["events", "--limit", "5"], ["stats", "--by", "proc"], ["filter", "-o", "out.sctrace"],
    ]

    @Test func theFixturesAreDamagedAsTheReadmeSays() throws {
        let demo = try Fixture.bytes(Fixture.demo)
        let truncated = try Fixture.bytes(Fixture.truncated)
        let corrupt = try Fixture.bytes(Fixture.corruptChunk)
        let chunks = ChunkMap(demo).chunks
        // The last chunk is the end chunk (FORMAT.md §4); the one before it holds events.
        let lastEvents = try #require(chunks.dropLast().last)
        #expect(truncated.count < demo.count && Array(demo.prefix(truncated.count)) == truncated, "a prefix of demo.sctrace")
        #expect(lastEvents.payloadRange.contains(truncated.count), "cut inside the last events chunk's payload")

        #expect(corrupt.count == demo.count)
        let changed = corrupt.indices.filter { corrupt[$0] != demo[$0] }
        #expect(changed.count == 1)
        #expect(changed.allSatisfy { chunks[2].payloadRange.contains($0) }, "one byte of chunk 2's payload")
    }

    @Test func aTruncatedTraceWarnsWithTheByteOffsetAndExitsZero() async throws {
        let offset = try #require(ChunkMap(Fixture.bytes(Fixture.demo)).chunks.dropLast().last).offset
        let result = try await schedscope("summary", Fixture.truncated, "--format", "json")
        #expect(result.status == 0, "\(result)")
        let summary = try decode(SummaryJSON.self, result.stdout)
        #expect(summary.truncated)
        #expect(summary.chunks.corrupt == 0)
        let lines = result.stderrLines
        #expect(lines.first?.hasPrefix("warning: '\(Fixture.truncated)': the trace is truncated") == true, "\(result)")
        #expect(lines.contains { $0.contains("byte \(offset): chunk is truncated") }, "\(result)")
    }

    /// Runs `command` on `trace` in a scratch directory (where filter writes its output).
    private func run(_ command: [String], _ trace: String, _ extra: String...) async throws -> CLIResult {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope([command[0], Fixture.absolute(trace)] + extra + command.dropFirst(), in: scratch.url)
        if command[0] == "filter" {
            #expect(FileManager.default.fileExists(atPath: scratch.path("out.sctrace")) == (result.status == 0), "\(result)")
        }
        return result
    }

    @Test(arguments: commands)
    func strictMakesTruncationAnError(command: [String]) async throws {
        let result = try await run(command, Fixture.truncated, "--strict")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix("error: Cannot read '\(Fixture.absolute(Fixture.truncated))': the trace is truncated") == true, "\(result)")
        #expect(result.stderrLines.contains { $0.contains("chunk is truncated") }, "\(result)")
    }

    @Test(arguments: commands)
    func strictMakesACorruptChunkAnError(command: [String]) async throws {
        let result = try await run(command, Fixture.corruptChunk, "--strict")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix("error: Cannot read '\(Fixture.absolute(Fixture.corruptChunk))': 1 chunk corrupt") == true, "\(result)")
    }

    @Test(arguments: commands)
    func withoutStrictDamageIsAWarning(command: [String]) async throws {
        let result = try await run(command, Fixture.corruptChunk)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderrLines.first?.hasPrefix("warning: '\(Fixture.absolute(Fixture.corruptChunk))': 1 chunk corrupt") == true, "\(result)")
    }

    @Test func aCorruptChunkIsCountedSkippedAndLocated() async throws {
        let chunk = ChunkMap(try Fixture.bytes(Fixture.demo)).chunks[2]
        let summary = try await schedscope("summary", Fixture.corruptChunk, "--format", "json")
        #expect(summary.status == 0, "\(summary)")
        let report = try decode(SummaryJSON.self, summary.stdout)
        #expect(report.chunks.corrupt == 1)
        #expect(!report.truncated)
        #expect(summary.stderrLines.contains { $0.contains("chunk 2 at byte \(chunk.offset): payload fails its CRC") }, "\(summary)")

        // The events of every other chunk survive: fewer than in the clean trace, but most.
        let clean = try decode(SummaryJSON.self, try await schedscope("summary", Fixture.demo, "--format", "json").stdout)
        #expect(report.events < clean.events && report.events > clean.events / 2)

        let validate = try await schedscope("validate", Fixture.corruptChunk, "--format", "json")
        #expect(validate.status == 2, "\(validate)")
        let found = try decode(ValidateJSON.self, validate.stdout)
        #expect(!found.valid)
        #expect(found.damage.map(\.kind) == ["corrupt-payload"])
        #expect(found.damage.first?.byteOffset == UInt64(chunk.offset))
        #expect(found.damage.first?.chunk == 2)
    }

    @Test func validateFailsADamagedTraceEvenWithoutViolations() async throws {
        // Cut the clean tiny trace inside its header: nothing survives, but it is a trace.
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        _ = try scratch.write(Array(try Fixture.bytes(Fixture.tiny).prefix(20)), to: "cut.sctrace")
        let validate = try await schedscope("validate", "cut.sctrace", in: scratch.url)
        #expect(validate.status == 2, "\(validate)")
        #expect(validate.stdout.contains("the file ends inside the file header (20 of 32 bytes present)"), "\(validate)")

        let summary = try await schedscope("summary", "cut.sctrace", "--format", "json", in: scratch.url)
        #expect(summary.status == 0, "\(summary)")
        #expect(try decode(SummaryJSON.self, summary.stdout).events == 0)
        #expect(summary.stderrLines.first == "warning: 'cut.sctrace': the trace is truncated, 20 of 20 bytes lost; results cover the 0 events that survive.")
    }

    @Test func aValidHeaderFollowedByGarbageIsSurvived() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let demo = try Fixture.bytes(Fixture.demo)
        let headerLength = ChunkMap(demo).chunks[0].offset
        _ = try scratch.write(Array(demo.prefix(headerLength)) + Array(repeating: 0xA5, count: 5000), to: "garbage.sctrace")
        let result = try await schedscope("summary", "garbage.sctrace", in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderrLines.contains { $0.contains("byte \(headerLength): no chunk sync marker") }, "\(result)")
        let strict = try await schedscope("events", "garbage.sctrace", "--strict", in: scratch.url)
        #expect(strict.status == 1, "\(strict)")
    }

    @Test func aFailedFilterRemovesOnlyARegularFileItWrote() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let target = try scratch.write(Array("keep me".utf8), to: "target")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.sctrace"), withDestinationPath: target)
        let result = try await schedscope("filter", Fixture.absolute(Fixture.truncated), "--strict", "-o", "link.sctrace", in: scratch.url)
        #expect(result.status == 1, "\(result)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.sctrace"))) == target)
    }
}
