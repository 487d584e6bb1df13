import Foundation
import SchedscopeTestSupport
import Testing

/// docs/CLI.md describes every command and every key of every JSON output, so that adding
/// one without documenting it fails here.
@Suite("docs/CLI.md")
struct CLIDocumentTests {
    static let document: String = {
        let url = CLIRunner.packageRoot.appendingPathComponent("docs/CLI.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func documentsEverySubcommand() async throws {
        let help = try await schedscope("--help").stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:").last)
        let names = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return String(name)
        }.filter { $0 != "See" }
        #expect(names.count >= 6)
        for name in names {
            #expect(Self.document.contains("\n## \(name)\n"), "docs/CLI.md has no section '## \(name)'")
        }
    }

    @Test(arguments: [
        ["summary", Fixture.demo, "--format", "json"],
        ["stats", Fixture.demo, "--by", "label", "--format", "json"],
        ["validate", Fixture.corruptChunk, "--format", "json"],
        ["imbalance", Fixture.demo, "--format", "json"],
        ["preemption", Fixture.demo, "--format", "json"],
        ["latency", Fixture.demo, "--format", "json"],
        ["gc", Fixture.demo, "--format", "json"],
        ["leaks", Fixture.demo, "--by-region", "--format", "json"],
        ["analyze", Fixture.tiny, "--format", "json"],
    ])
    func documentsEveryJSONKey(arguments: [String]) async throws {
        let output = try await schedscope(arguments).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let schema = try #require(object["schema"] as? String)
        #expect(Self.document.contains("`\(schema)`"), "docs/CLI.md does not name the schema \(schema)")
        for key in keys(object) {
            #expect(Self.document.contains("`\(key)`"), "docs/CLI.md does not document the key '\(key)' of \(schema)")
        }
    }

    @Test func documentsEveryJSONLinesKey() async throws {
        let lines = try await schedscope("events", Fixture.demo, "--format", "jsonl").stdoutLines
        var keys = Set<String>()
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            keys.formUnion(object.keys)
        }
        for key in keys {
            #expect(Self.document.contains("`\(key)`"), "docs/CLI.md does not document the events key '\(key)'")
        }
    }

    /// The keys of an object as docs/CLI.md writes them: nested objects' keys as
    /// `tasks.created`, arrays as `groups[]` and the keys of their objects by themselves;
    /// not below the objects keyed by data (kinds, rules).
    private func keys(_ value: Any, prefix: String = "") -> Set<String> {
        var found = Set<String>()
        if let object = value as? [String: Any] {
            for (key, child) in object {
                if ["imbalance", "preemption", "latency", "gc", "leaks"].contains(key), prefix.isEmpty,
                   (object["schema"] as? String) == "schedscope.analyze/1" {
                    // analyze's members are the other commands' objects, documented in their sections.
                    found.insert(key)
                } else if child is [String: Any] && key != "events_by_kind" && key != "violations_by_rule" {
                    found.formUnion(keys(child, prefix: prefix + key + "."))
                } else if let array = child as? [Any] {
                    found.insert(prefix + key + "[]")
                    for element in array { found.formUnion(keys(element)) }
                } else {
                    found.insert(prefix + key)
                }
            }
        }
        return found
    }
}
