import Foundation
import SchedscopeAnalysis
import SchedscopeExport
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("OpenMetrics exposition")
struct OpenMetricsReportTests {
    static let hostileLabel = "Fetcher.fetch(\"x\")\\n\n<script>"
    static let hostileReason = "chan \"recv\"\\"

    /// P0 runs task 1 for 1 ms, then it parks forever (a leak); P1 runs task 2 for 3 ms
    /// after waiting 500 µs; one 250 µs GC pause. Duration 4 ms.
    static func trace() throws -> ReadTrace {
        let builder = TraceBuilder(procs: 2, producer: "test \"producer\"\nline 2")
            .create(1, label: hostileLabel, proc: 0, at: 0)
            .create(2, label: "worker", proc: 0, at: 0)
            .start(1, proc: 0, at: 0)
            .park(1, reason: hostileReason, proc: 0, at: 1_000_000)
            .start(2, proc: 1, at: 500_000)
            .gcPause(from: 2_000_000, to: 2_250_000)
            .end(2, proc: 1, at: 3_500_000)
            .procStop(0, at: 4_000_000)
        return try readTrace(builder.bytes())
    }

    static func render(_ trace: ReadTrace) -> String {
        var analysis = FullAnalysis(procCount: trace.info.procCount)
        for event in trace.events { analysis.consume(event) }
        let report = analysis.finish(strings: trace.strings)
        return OpenMetricsReport.render(report, info: trace.info, events: UInt64(trace.events.count))
    }

    @Test func followsTheTextFormatRules() throws {
        let rules = try OpenMetricsRules(Self.render(try Self.trace()))
        #expect(rules.families.count >= 20)
        #expect(rules.families.allSatisfy { $0.help != nil && $0.type != "unknown" })
    }

    @Test func hostileStringsSurviveAsLabelValues() throws {
        let rules = try OpenMetricsRules(Self.render(try Self.trace()))
        let groups = try #require(rules.family("schedscope_leak_group_candidates"))
        #expect(groups.samples == [
            .init(name: "schedscope_leak_group_candidates", labels: ["reason": Self.hostileReason, "label": Self.hostileLabel], value: 1),
        ])
        let info = try #require(rules.family("schedscope_trace"))
        #expect(info.samples.first?.labels["producer"] == "test \"producer\"\nline 2")
    }

    @Test func figuresInBaseUnits() throws {
        let rules = try OpenMetricsRules(Self.render(try Self.trace()))
        func value(_ family: String, _ labels: [String: String] = [:], sample: String? = nil) -> Double? {
            rules.family(family)?.samples.first { $0.labels == labels && $0.name == (sample ?? family) }?.value
        }
        #expect(value("schedscope_leak_candidates") == 1)
        #expect(value("schedscope_duration_seconds") == 0.004)
        #expect(value("schedscope_proc_busy_seconds", ["proc": "0"]) == 0.001)
        #expect(value("schedscope_proc_busy_seconds", ["proc": "1"]) == 0.003)
        #expect(value("schedscope_proc_utilization_ratio", ["proc": "1"]) == 0.75)
        #expect(value("schedscope_imbalance_max_over_mean") == 1.5)
        #expect(value("schedscope_gc_pause_seconds", sample: "schedscope_gc_pause_seconds_count") == 1)
        #expect(value("schedscope_gc_pause_seconds", sample: "schedscope_gc_pause_seconds_sum") == 0.00025)
        #expect(value("schedscope_gc_pause_seconds", ["quantile": "0.99"]) == 0.00025)
        #expect(value("schedscope_gc_pause_time_ratio") == 0.0625)
        #expect(value("schedscope_scheduling_latency_seconds", sample: "schedscope_scheduling_latency_seconds_count") == 2)
        #expect(value("schedscope_scheduling_latency_max_seconds") == 0.0005)
        #expect(value("schedscope_parks") == 1)
    }

    /// The checker itself rejects what the format forbids (so the tests above can fail).
    @Test(arguments: [
        "# TYPE a gauge\na 1\n",                                        // no # EOF
        "# TYPE a gauge\n\na 1\n# EOF\n",                               // blank line
        "# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n",  // unit does not match
        "# TYPE a gauge\na{l=\"x\\t\"} 1\n# EOF\n",                     // bad escape
        "# TYPE a gauge\na{l=\"x\",l=\"y\"} 1\n# EOF\n",                // duplicate label
        "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n",       // family not contiguous
        "# TYPE a summary\na{quantile=\"1.5\"} 1\n# EOF\n",             // quantile out of range
        "# TYPE a gauge\na one\n# EOF\n",                               // not a number
        "# TYPE a gauge\na 1\n# EOF\nb 1\n",                            // after # EOF
        "# TYPE a counter\na 1\n# EOF\n",                               // counter sample without _total
    ])
    func checkerRejects(text: String) {
        #expect(throws: OpenMetricsRules.Violation.self) { try OpenMetricsRules(text) }
    }

    /// prometheus_client's reference parser, when installed (pip install prometheus-client).
    @Test(.enabled(if: OpenMetricsReportTests.referenceParserAvailable, "prometheus_client is not installed"))
    func referenceParserAccepts() throws {
        let script = CLIRunner.packageRoot.appendingPathComponent("Scripts/check-openmetrics.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(Self.render(try Self.trace()).utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(message)")
    }

    static let referenceParserAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import prometheus_client.openmetrics.parser"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
