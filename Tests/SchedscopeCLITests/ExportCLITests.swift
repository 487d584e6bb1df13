import Foundation
import SchedscopeTestSupport
import Testing

extension GoldenCase {
    static let export: [GoldenCase] = [
        GoldenCase("export-tiny.csv", ["export", "csv", Fixture.tiny, "-o", "-"]),
        GoldenCase("export-tiny-chrome.json", ["export", "chrome", Fixture.tiny, "-o", "-"]),
        GoldenCase("export-parks-window.csv", ["export", "csv", Fixture.demo, "-o", "-", "--kind", "task_park", "--proc", "1", "--from", "10ms", "--to", "12ms"]),
        GoldenCase("help-export-chrome.txt", ["export", "chrome", "--help"]),
        GoldenCase("help-export-csv.txt", ["export", "csv", "--help"]),
        GoldenCase("analyze-demo-openmetrics.txt", ["analyze", Fixture.demo, "--format", "openmetrics"]),
    ]
}

/// `schedscope export`: the files it writes, checked against what other commands read from
/// the same trace, and its error paths.
@Suite("export command")
struct ExportCLITests {
    @Test(arguments: GoldenCase.export) func golden(_ golden: GoldenCase) async throws { try await golden.check() }

    /// One track per P, and on each as many task slices as `events` shows task starts there.
    @Test func chromeHasOneTrackPerProcWithEveryTaskRun() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("export", "chrome", Fixture.absolute(Fixture.demo), "-o", "demo.json", in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.hasPrefix("  wrote 18,614 events to 'demo.json' ("), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url.appendingPathComponent("demo.json"))) as? [String: Any])
        let events = try #require(object["traceEvents"] as? [[String: Any]])

        let summary = try decode(SummaryJSON.self, try await schedscope("summary", Fixture.demo, "--format", "json").stdout)
        let procTracks = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "thread_name" && $0["pid"] as? Int == 1 }
        #expect(procTracks.count == summary.procs)
        for proc in 0..<summary.procs {
            let starts = try await schedscope("events", Fixture.demo, "--kind", "task_start", "--proc", String(proc)).stdoutLines.count
            let slices = events.filter { $0["ph"] as? String == "X" && $0["pid"] as? Int == 1 && $0["tid"] as? Int == proc + 1 }
            #expect(slices.count == starts, "P\(proc)")
            #expect(starts > 0)
        }
    }

    @Test func csvHasOneRowPerSelectedEvent() async throws {
        let lines = try await schedscope("events", Fixture.demo, "--kind", "task_park,task_unpark", "--format", "jsonl").stdoutLines
        let csv = try await schedscope("export", "csv", Fixture.demo, "-o", "-", "--kind", "task_park,task_unpark")
        #expect(csv.status == 0 && csv.stderr.isEmpty, "\(csv)")
        let rows = csv.stdout.components(separatedBy: "\r\n").dropLast()
        #expect(rows.count == lines.count + 1)
        #expect(csv.stdout.hasSuffix("\r\n"))
    }

    @Test func refusesToOverwriteTheInput() async throws {
        let result = try await schedscope("export", "csv", Fixture.tiny, "-o", Fixture.tiny)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("-o must name a different file than the input"), "\(result)")
    }

    @Test func unwritableOutputIsAnError() async throws {
        let result = try await schedscope("export", "chrome", Fixture.tiny, "-o", "/nonexistent-dir/out.json")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("Cannot write '/nonexistent-dir/out.json'"), "\(result)")
    }

    @Test func unreadableInputLeavesNoOutput() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("export", "csv", Fixture.absolute(Fixture.notATrace), "-o", "out.csv", in: scratch.url)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("not-a-trace.txt"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.csv")))
    }

    @Test func strictDamageRemovesThePartialOutput() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("export", "chrome", Fixture.absolute(Fixture.truncated), "-o", "out.json", "--strict", in: scratch.url)
        #expect(result.status == 1, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.json")))
    }
}

extension ExportCLITests {
    /// A truncated trace exports what survives as a complete document, with a warning.
    @Test func truncatedTraceStillGivesValidJSON() async throws {
        let result = try await schedscope("export", "chrome", Fixture.truncated, "-o", "-")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("warning: 'Fixtures/damaged/truncated.sctrace'"), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["traceEvents"] as? [Any])?.isEmpty == false)
    }
}
