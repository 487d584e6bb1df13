import Foundation
import Testing

/// Compares output with an expected-output ("golden") file under `Fixtures/golden/`.
///
/// With `SCHEDSCOPE_UPDATE_GOLDENS=1` in the environment, a golden that differs from the
/// output (or does not exist yet) is rewritten, and the test still fails, so that every
/// change to expected output is looked at in review before it is committed (as
/// swift-argument-parser's snapshot helpers do). A golden that already matches is left alone.
public enum GoldenFile {
    /// The environment variable that turns on rewriting.
    public static let updateVariable = "SCHEDSCOPE_UPDATE_GOLDENS"

    /// `Fixtures/golden/`.
    public static let directory = CLIRunner.fixtures.appendingPathComponent("golden", isDirectory: true)

    public static var isUpdating: Bool {
        ProcessInfo.processInfo.environment[updateVariable] == "1"
    }

    /// Records an issue unless `actual` equals the content of `Fixtures/golden/<name>`.
    public static func check(_ actual: String, matches name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name)
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if expected == actual { return }
        if isUpdating {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                Issue.record(
                    "\(expected == nil ? "Created" : "Rewrote") golden Fixtures/golden/\(name); review it (git diff Fixtures/golden), then run the tests again without \(updateVariable).",
                    sourceLocation: sourceLocation)
            } catch {
                Issue.record("Cannot write golden Fixtures/golden/\(name): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected else {
            Issue.record(
                "Golden Fixtures/golden/\(name) does not exist; run \(updateVariable)=1 swift test --filter SchedscopeCLITests to create it.",
                sourceLocation: sourceLocation)
            return
        }
        Issue.record(
            """
            Output differs from golden Fixtures/golden/\(name):
            \(firstDifference(expected: expected, actual: actual))
            If the change is intended: \(updateVariable)=1 swift test --filter SchedscopeCLITests, then review git diff Fixtures/golden.
            """,
            sourceLocation: sourceLocation)
    }

    /// The first line where the two texts differ, with a line of context each side.
    static func firstDifference(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let index = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        var lines = ["first difference at line \(index + 1) (expected \(old.count) lines, got \(new.count)):"]
        for i in max(0, index - 1)...(index + 1) {
            let before = i < old.count ? "\(old[i])" : "<no line>"
            let after = i < new.count ? "\(new[i])" : "<no line>"
            lines.append(before == after ? "    \(before)" : "  - \(before)\n  + \(after)")
        }
        return lines.joined(separator: "\n")
    }
}
