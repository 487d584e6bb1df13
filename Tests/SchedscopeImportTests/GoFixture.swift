import Foundation
import SchedscopeAnalysis
import SchedscopeImport
import SchedscopeModel
import SchedscopeTestSupport

/// A Go program's trace under Fixtures/go/, imported completely, and the ground truth the
/// program wrote about itself.
struct GoFixture {
    var events: [Event]
    var strings: StringTable
    var report: GoImportReport
    var info: TraceInfo
    var violations: [Violation]
    var truth: [String: Any]

    static func path(_ program: String) -> String {
        CLIRunner.fixtures.appendingPathComponent("go/\(program)/trace.out").path
    }

    static func load(_ program: String) throws -> GoFixture {
        let imported = try importGoTrace(path(program))
        let truthURL = CLIRunner.fixtures.appendingPathComponent("go/\(program)/truth.json")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: truthURL)) as? [String: Any] ?? [:]
        return GoFixture(events: imported.events, strings: imported.strings, report: imported.report,
                         info: imported.info, violations: imported.violations, truth: truth)
    }

    /// The tasks created with `label`.
    func tasks(labelled label: String) -> Set<TaskID> {
        Set(events.filter { $0.kind == .taskCreate && strings[$0.label] == label }.map(\.task))
    }

    func count(_ kind: EventKind, of tasks: Set<TaskID>) -> Int {
        events.filter { $0.kind == kind && tasks.contains($0.task) }.count
    }

    func int(_ key: String) -> Int { (truth[key] as? NSNumber)?.intValue ?? -1 }
    func string(_ key: String) -> String { truth[key] as? String ?? "" }
}

struct ImportedGoTrace {
    var events: [Event]
    var strings: StringTable
    var report: GoImportReport
    var info: TraceInfo
    var violations: [Violation]
}

/// Imports a Go trace in memory and runs the `TraceValidator` over what it produced.
func importGoTrace(_ path: String) throws -> ImportedGoTrace {
    try importGoTrace(GoTraceImporter(path: path))
}

/// Imports Go trace bytes held in memory.
func importGoTrace(bytes: [UInt8]) throws -> ImportedGoTrace {
    try importGoTrace(GoTraceImporter(bytes: bytes, name: "test.trace"))
}

func importGoTrace(_ importer: GoTraceImporter) throws -> ImportedGoTrace {
    var events: [Event] = []
    var validator = TraceValidator()
    try importer.forEach { event in
        events.append(event)
        validator.consume(event, strings: importer.strings)
    }
    validator.finish()
    return ImportedGoTrace(events: events, strings: importer.strings, report: importer.report,
                           info: importer.info, violations: validator.violations)
}

/// Runs `analysis` over `events` (analyses are sinks fed one event at a time).
func leakReport(_ fixture: GoFixture, includeRuntime: Bool = false) -> LeakReport {
    var analysis = LeakAnalysis(options: LeakOptions(includeRuntime: includeRuntime))
    for event in fixture.events { analysis.consume(event) }
    return analysis.finish(strings: fixture.strings)
}
