import Foundation
import SchedscopeAnalysis
import SchedscopeExport
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("HTML report")
struct HTMLReportTests {
    static let hostile = "<script>alert(1)</script>"
    static let hostileQuote = "\"><img src=x onerror=alert(2)>"

    /// Hostile strings everywhere a trace string can reach the page: labels (legend, leak
    /// tables, tooltip data), park reasons, region names, GC pause reasons, the producer.
    static func page(limit: Int = 500) throws -> String {
        let builder = TraceBuilder(procs: 2, producer: hostileQuote)
            .create(1, label: hostile, proc: 0, at: 0)
            .create(2, label: hostileQuote, proc: 0, at: 0)
            .create(3, label: "</script><script>alert(3)</script>", proc: 0, at: 0)
            .regionBegin(hostile, task: 1, proc: 0, at: 5)
            .start(1, proc: 0, at: 10)
            .start(2, proc: 1, at: 20)
            .park(1, reason: hostile, proc: 0, at: 5_000)
            .park(2, reason: hostileQuote, proc: 1, at: 6_000)
            .start(3, proc: 0, at: 6_000)
            .gcPause(from: 7_000, to: 7_500, reason: hostile)
            .end(3, proc: 0, at: 9_000)
            .procStop(0, at: 2_000_000)
        let trace = try readTrace(builder.bytes())
        var analysis = FullAnalysis(procCount: 2, leakOptions: LeakOptions(byRegion: false))
        var timeline = ReportTimeline(procCount: 2)
        for event in trace.events {
            analysis.consume(event)
            timeline.consume(event)
        }
        timeline.finish()
        let strings = trace.strings
        return HTMLReport(title: "hostile.sctrace", info: trace.info, events: UInt64(trace.events.count),
                          report: analysis.finish(strings: strings), timeline: timeline, string: { strings[$0] },
                          candidateLimit: limit).render()
    }

    @Test func hostileStringsRenderAsText() throws {
        let html = try Self.page()
        #expect(!html.contains(Self.hostile))
        #expect(!html.contains("<img"))
        #expect(!html.contains("alert(3)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        // Only the report's own two script elements (data and code), and they close once each.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(html.components(separatedBy: "</script>").count - 1 == 2)
    }

    @Test func tooltipDataParsesAndKeepsTheLabels() throws {
        let html = try Self.page()
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let labels = try #require(object["labels"] as? [String])
        #expect(labels.contains(Self.hostile))
        #expect(labels.contains(Self.hostileQuote))
        let busy = try #require(object["busy"] as? [[Int]])
        #expect(busy.count == 2)
        #expect(busy.allSatisfy { $0.count == object["columns"] as? Int })
    }

    @Test func selfContained() throws {
        let html = try Self.page()
        for forbidden in ["http://", "https://", "src=\"", "<link", "@import", "url("] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func everySectionIsThere() throws {
        let html = try Self.page()
        for id in ["id=\"timeline\"", "id=\"heatmap\"", "id=\"latency\"", "id=\"gc\"", "id=\"leak-groups\"", "id=\"leak-tasks\"", "id=\"procs\""] {
            #expect(html.contains(id), "missing \(id)")
        }
        // Two leak candidates (tasks 1 and 2), in two groups.
        let groups = try #require(html.range(of: "id=\"leak-groups\""))
        let tasks = try #require(html.range(of: "id=\"leak-tasks\""))
        #expect(html[groups.upperBound..<tasks.lowerBound].components(separatedBy: "<tr>").count - 1 == 3)   // header + 2
    }

    @Test func candidateLimitShortensTheTaskTable() throws {
        let html = try Self.page(limit: 1)
        #expect(html.contains("the first 1 of 2"))
    }
}

extension HTMLReportTests {
    /// Forged timestamps near 2^64 (a task running from 0 to the end, a pause that long)
    /// must not overflow the timeline's or the charts' arithmetic.
    @Test func extremeTimestampsDoNotTrap() throws {
        let far = UInt64.max - 10
        let builder = TraceBuilder(procs: 1)
            .create(1, label: Self.hostile, proc: 0, at: 0)
            .start(1, proc: 0, at: 0)
            .gcPause(from: 5, to: far - 1)
            .park(1, reason: "forever", proc: 0, at: far)
        let trace = try readTrace(builder.bytes())
        // The analyses' own handling of such spans is theirs to test; they see the start only.
        var analysis = FullAnalysis(procCount: 1)
        var timeline = ReportTimeline(procCount: 1)
        for event in trace.events {
            if event.timestamp < 1_000 { analysis.consume(event) }
            timeline.consume(event)
        }
        timeline.finish()
        #expect(timeline.cells[0].reduce(0) { $0 &+ $1.busyNanoseconds } == far)
        #expect(timeline.coveredNanoseconds >= far)
        let strings = trace.strings
        let html = HTMLReport(title: "far.sctrace", info: trace.info, events: UInt64(trace.events.count),
                              report: analysis.finish(strings: strings), timeline: timeline, string: { strings[$0] }).render()
        #expect(html.hasSuffix("</html>\n"))
        let document = try ChromeDocument(exportText(builder.bytes(), chrome: true))
        #expect(document.events(phase: "X", pid: 1, tid: 1).count == 1)
    }
}
