import Foundation
import SchedscopeTestSupport
import Testing

/// `filter` writes a trace that every command reads, holding exactly the selected events.
@Suite("Filter round trip")
struct FilterRoundTripTests {
    @Test func aKindFilterKeepsExactlyThoseEvents() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let all = try decodeLines(try await schedscope("events", Fixture.demo, "--format", "jsonl").stdout)
        let parks = all.filter { $0.kind == "task_park" }
        #expect(parks.count > 100)

        let filter = try await schedscope("filter", Fixture.absolute(Fixture.demo), "-o", "parks.sctrace", "--kind", "task_park", in: scratch.url)
        #expect(filter.status == 0, "\(filter)")
        #expect(filter.stderrLines.count == 1)
        #expect(filter.stderrLines.first?.hasPrefix("  wrote \(grouped(parks.count)) of \(grouped(all.count)) events to 'parks.sctrace'") == true, "\(filter)")

        let summary = try await schedscope("summary", "parks.sctrace", "--format", "json", in: scratch.url)
        #expect(summary.status == 0 && summary.stderr.isEmpty, "\(summary)")
        let report = try decode(SummaryJSON.self, summary.stdout)
        #expect(report.events == UInt64(parks.count))
        #expect(report.eventsByKind.filter { $0.value > 0 } == ["task_park": UInt64(parks.count)])
        #expect(report.chunks.corrupt == 0 && !report.truncated)

        // Event for event, with their strings, the same as in the original.
        let kept = try decodeLines(try await schedscope("events", "parks.sctrace", "--format", "jsonl", in: scratch.url).stdout)
        #expect(kept == parks)

        // The filtered trace is intact; only its state machine is incomplete (no starts).
        let validate = try decode(ValidateJSON.self, try await schedscope("validate", "parks.sctrace", "--format", "json", in: scratch.url).stdout)
        #expect(validate.damage.isEmpty)
        #expect(validate.events == UInt64(parks.count))
    }

    /// The same filters select the same events whether `filter` or `events` applies them.
    @Test(arguments: [
        ["--to", "9ms"],
        ["--proc", "2,3", "--kind", "task_start,task_end"],
        ["--task", "42,43"],
        ["--region", "NetworkTests/test11"],
    ])
    func filterAndEventsAgree(filters: [String]) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let direct = try await schedscope(["events", Fixture.demo, "--format", "jsonl"] + filters)
        let filter = try await schedscope(["filter", Fixture.absolute(Fixture.demo), "-o", "out.sctrace"] + filters, in: scratch.url)
        #expect(filter.status == 0, "\(filter)")
        let roundTrip = try await schedscope("events", "out.sctrace", "--format", "jsonl", in: scratch.url)
        #expect(!direct.stdout.isEmpty)
        // Events of different threads with the same timestamp may come out in another order:
        // the reader breaks such ties by the order in which threads' chunks appear in the file,
        // and the filtered file's chunks are laid out anew. Compare them as sets, and the order
        // of timestamps.
        #expect(roundTrip.stdoutLines.sorted() == direct.stdoutLines.sorted())
        let times = try decodeLines(roundTrip.stdout).map(\.timestamp)
        #expect(times == times.sorted())
    }

    /// A slice from `--from` is a trace that begins mid-run, as a flight recording's dump
    /// does, and like the dump it opens again the ranges open where it begins.
    @Test("a time slice opens again, at its start, the regions, GC cycles and pauses open there, and validates")
    func aTimeSliceOpensAgainWhatIsOpenAtItsStart() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let from: UInt64 = 10_000_000, to: UInt64 = 30_000_000
        let all = try decodeLines(try await schedscope("events", Fixture.demo, "--format", "jsonl").stdout)

        // What is open at `from`, from the whole trace's events.
        var openRegions: [String: Int] = [:]
        var openCycles = 0, openPauses = 0
        for event in all where event.timestamp < from {
            let region = "\(event.task ?? 0) \(event.name ?? "")"
            switch event.kind {
            case "region_begin": openRegions[region, default: 0] += 1
            case "region_end": openRegions[region, default: 0] -= 1
            case "gc_begin": openCycles += 1
            case "gc_end": openCycles -= 1
            case "gc_pause_begin": openPauses += 1
            case "gc_pause_end": openPauses -= 1
            default: break
            }
        }
        openRegions = openRegions.filter { $0.value > 0 }
        #expect(!openRegions.isEmpty, "the slice should start inside some test's region")

        let filter = try await schedscope(
            "filter", Fixture.absolute(Fixture.demo), "-o", "slice.sctrace", "--from", "10ms", "--to", "30ms", in: scratch.url)
        #expect(filter.status == 0, "\(filter)")
        let kept = try decodeLines(try await schedscope("events", "slice.sctrace", "--format", "jsonl", in: scratch.url).stdout)
        let begins: Set = ["region_begin", "gc_begin", "gc_pause_begin"]
        let prologue = kept.prefix { $0.thread == 0 && $0.timestamp == from && begins.contains($0.kind) }
        #expect(prologue.filter { $0.kind == "region_begin" }.counted { "\($0.task ?? 0) \($0.name ?? "")" } == openRegions.mapValues(UInt64.init))
        #expect(prologue.filter { $0.kind == "gc_begin" }.count == openCycles)
        #expect(prologue.filter { $0.kind == "gc_pause_begin" }.count == openPauses)
        let expectedNote = "  wrote \(grouped(kept.count)) of \(grouped(all.count)) events to 'slice.sctrace'"
        #expect(filter.stderr.hasPrefix(expectedNote) && filter.stderr.contains("\(prologue.count) of them open again"), "\(filter)")

        // The rest is the slice's own events, as `events --from --to` lists them.
        let direct = all.filter { $0.timestamp >= from && $0.timestamp < to }
        #expect(kept.dropFirst(prologue.count).counted { "\($0)" } == direct.counted { "\($0)" })

        let validate = try await schedscope("validate", "slice.sctrace", "--format", "json", in: scratch.url)
        #expect(validate.status == 0, "\(validate)")
        #expect(try decode(ValidateJSON.self, validate.stdout).valid)
    }

    @Test func filterOfTheFilteredTraceIsStable() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let demo = Fixture.absolute(Fixture.demo)
        #expect(try await schedscope("filter", demo, "-o", "a.sctrace", "--proc", "1", in: scratch.url).status == 0)
        #expect(try await schedscope("filter", "a.sctrace", "-o", "b.sctrace", "--proc", "1", in: scratch.url).status == 0)
        let a = try await schedscope("events", "a.sctrace", in: scratch.url)
        let b = try await schedscope("events", "b.sctrace", in: scratch.url)
        #expect(a.stdout == b.stdout && !a.stdout.isEmpty)
    }

    @Test func theFilteredSummaryMatchesItsGolden() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let filter = try await schedscope(
            "filter", Fixture.absolute(Fixture.demo), "-o", "parks.sctrace", "--kind", "task_park,task_unpark", "--from", "10ms", "--to", "30ms",
            in: scratch.url)
        #expect(filter.status == 0, "\(filter)")
        GoldenFile.check(filter.stderr, matches: "filter-parks.stderr.txt")
        let summary = try await schedscope("summary", "parks.sctrace", in: scratch.url)
        GoldenFile.check(summary.stdout, matches: "filter-parks-summary.txt")
    }

    @Test(arguments: ["./demo.sctrace", "link.sctrace"])
    func refusesToOverwriteItsInput(output: String) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let original = try Fixture.bytes(Fixture.demo)
        _ = try scratch.write(original, to: "demo.sctrace")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.sctrace"), withDestinationPath: "demo.sctrace")
        let result = try await schedscope("filter", "demo.sctrace", "-o", output, "--kind", "task_park", in: scratch.url)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderrLines.first == "Error: -o must name a different file than the input ('\(output)' and 'demo.sctrace' are the same file).")
        #expect(try Data(contentsOf: scratch.url.appendingPathComponent("demo.sctrace")) == Data(original))
    }

    private func grouped(_ count: Int) -> String {
        count.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
    }
}
