import SchedscopeTestSupport
import Testing

/// `--from` / `--to`: a half-open window [from, to) of time since the trace start.
@Suite("Time windows")
struct TimeWindowTests {
    /// The window in nanoseconds, and spellings of it in different units.
    static let windows: [(from: String, to: String, range: Range<UInt64>)] = [
        ("10ms", "12ms", 10_000_000..<12_000_000),
        ("0.01s", "12000us", 10_000_000..<12_000_000),
        ("1.5ms", "2500000ns", 1_500_000..<2_500_000),
        ("0s", "100µs", 0..<100_000),
        ("50ms", "1m", 50_000_000..<60_000_000_000),
    ]

    @Test(arguments: windows.indices)
    func eventsInTheWindowAreExactlyThoseInRange(index: Int) async throws {
        let window = Self.windows[index]
        let all = try decodeLines(try await schedscope("events", Fixture.demo, "--format", "jsonl").stdout)
        let expected = all.filter { window.range.contains($0.timestamp) }
        #expect(!expected.isEmpty)

        let result = try await schedscope("events", Fixture.demo, "--from", window.from, "--to", window.to, "--format", "jsonl")
        #expect(result.status == 0, "\(result)")
        #expect(try decodeLines(result.stdout) == expected)

        let summary = try decode(SummaryJSON.self, try await schedscope(
            "summary", Fixture.demo, "--from", window.from, "--to", window.to, "--format", "json").stdout)
        #expect(summary.events == UInt64(expected.count))
        #expect(summary.durationNanoseconds == window.range.upperBound - window.range.lowerBound)
        #expect(summary.eventsByKind.filter { $0.value > 0 } == expected.counted { $0.kind })
    }

    @Test func fromIsInclusiveAndToIsExclusive() async throws {
        let all = try decodeLines(try await schedscope("events", Fixture.tiny, "--format", "jsonl").stdout)
        // An event alone at its timestamp, in the middle of the trace.
        let counts = all.counted { $0.timestamp }
        let event = try #require(all.dropFirst(all.count / 2).first { counts[$0.timestamp] == 1 })
        let at = "\(event.timestamp)ns"

        let from = try decodeLines(try await schedscope("events", Fixture.tiny, "--from", at, "--format", "jsonl").stdout)
        #expect(from.first == event)
        let to = try decodeLines(try await schedscope("events", Fixture.tiny, "--to", at, "--format", "jsonl").stdout)
        #expect(to.last != event && to.count == all.firstIndex(of: event))
    }

    @Test func aWindowPastTheEndSelectsNothing() async throws {
        let result = try await schedscope("summary", Fixture.tiny, "--from", "1h", "--format", "json")
        #expect(result.status == 0, "\(result)")
        #expect(try decode(SummaryJSON.self, result.stdout).events == 0)
        let events = try await schedscope("events", Fixture.tiny, "--from", "1h")
        #expect(events.status == 0 && events.stdout.isEmpty)
    }

    @Test(arguments: [
        ["--from", "10"], ["--from", "10 ms"], ["--to", "5d"], ["--from", "-1ms"], ["--to", "ms"], ["--from", "1e30s"],
        ["--from", "2ms", "--to", "2ms"], ["--from", "3ms", "--to", "2ms"], ["--from", "0.002s", "--to", "2000us"],
    ])
    func badWindowsAreUsageErrors(arguments: [String]) async throws {
        let result = try await schedscope(["events", Fixture.tiny] + arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.first?.hasPrefix("Error: ") == true, "\(result)")
    }
}
