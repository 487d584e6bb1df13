import Foundation
import SchedscopeFormat
import SchedscopeTestSupport
import Testing

extension GoldenCase {
    static let report: [GoldenCase] = [
        GoldenCase("report-tiny.html", ["report", Fixture.tiny, "-o", "-"]),
        GoldenCase("help-report.txt", ["report", "--help"]),
        GoldenCase("usage-report-columns.txt", ["report", Fixture.tiny, "-o", "x.html", "--columns", "10"], status: 64, stream: .stderr),
    ]
}

/// `schedscope report`: the page it writes, its error paths, and (when Chromium is
/// installed) the page loaded in a real browser.
@Suite("report command")
struct ReportCLITests {
    @Test(arguments: GoldenCase.report) func golden(_ golden: GoldenCase) async throws { try await golden.check() }

    @Test func writesTheFileAndSaysSo() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("report", Fixture.absolute(Fixture.demo), "-o", "demo.html", in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.hasPrefix("  wrote the report on 18,614 events to 'demo.html' ("), "\(result)")
        let html = try String(contentsOf: scratch.url.appendingPathComponent("demo.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        // The demo trace leaks three Subscriber.listen() tasks (Fixtures/README.md).
        #expect(html.contains("<td>channel receive</td><td>Subscriber.listen()</td><td class=\"n\" data-v=\"3\">3</td>"))
    }

    @Test func refusesToOverwriteTheInput() async throws {
        let result = try await schedscope("report", Fixture.tiny, "-o", Fixture.tiny)
        #expect(result.status == 64, "\(result)")
    }

    @Test func unreadableInputIsExit1AndLeavesNoFile() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("report", Fixture.absolute(Fixture.notATrace), "-o", "out.html", in: scratch.url)
        #expect(result.status == 1, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.html")))
    }

    /// A report on a trace full of hostile strings, loaded in headless Chromium by
    /// Scripts/check-report.sh: no console errors, no network, only the report's scripts,
    /// charts drawn; the screenshot lands next to the report.
    @Test(.enabled(if: ReportCLITests.chromium != nil, "chromium is not installed (apt-get install -y chromium); the browser check is skipped"))
    func loadsInHeadlessChromium() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let hostile = "<script>alert(1)</script>"
        let builder = TraceBuilder(procs: 3, producer: "\"><img src=x onerror=alert(2)>")
        for task in UInt64(1)...60 {
            let proc = UInt32(task % 3), start = task * 1_000
            builder.create(task, label: task % 2 == 0 ? hostile : "</script><b>bold", proc: proc, at: start)
            builder.start(task, proc: proc, at: start + 100)
            if task % 10 == 0 {
                builder.park(task, reason: hostile, proc: proc, at: start + 900)
            } else {
                builder.end(task, proc: proc, at: start + 900)
            }
        }
        builder.gcPause(from: 30_000, to: 33_000, reason: hostile)
        let trace = try scratch.write(builder.bytes(), to: "hostile.sctrace")
        let written = try await schedscope("report", trace, "-o", scratch.path("hostile.html"))
        #expect(written.status == 0, "\(written)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", CLIRunner.packageRoot.appendingPathComponent("Scripts/check-report.sh").path,
                             scratch.path("hostile.html"), scratch.path("hostile.png")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("4 charts"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("hostile.png")))
    }

    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
