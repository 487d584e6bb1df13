import ArgumentParser
import Foundation
import SchedscopeAnalysis
import SchedscopeModel

/// The common filters of every command that reads events.
struct SelectionOptions: ParsableArguments {
    @Option(name: .customLong("kind"), help: ArgumentHelp(
        "Keep only these event kinds (comma-separated), e.g. task_park,task_unpark.", valueName: "kind,..."))
    var kinds: [String] = []

    @Option(name: .customLong("proc"), help: ArgumentHelp("Keep only events on these Ps (comma-separated numbers).", valueName: "p,..."))
    var procs: [String] = []

    @Option(name: .customLong("task"), help: ArgumentHelp(
        "Keep only events about these tasks (subject, parent of a create, or waker).", valueName: "t,..."))
    var tasks: [String] = []

    @Option(help: ArgumentHelp(
        "Keep only events of tasks inside the region with this name ('*' and '?' are wildcards: 'ParserTests/*') and tasks they created.", valueName: "name"))
    var region: String?

    @Option(help: ArgumentHelp("Keep events at or after this time since the trace start; \(Duration.help).", valueName: "dur"))
    var from: Duration?

    @Option(help: ArgumentHelp("Keep events before this time since the trace start; \(Duration.help).", valueName: "dur"))
    var to: Duration?

    func validate() throws {
        _ = try selection()
    }

    /// The selection these options describe.
    func selection() throws -> EventSelection {
        var selection = EventSelection(region: region, from: from?.nanoseconds, to: to?.nanoseconds)
        let kindNames = kinds.flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }
        if !kindNames.isEmpty {
            var set = Set<EventKind>()
            for name in kindNames {
                guard let kind = EventKind(name: name) else {
                    throw ValidationError(
                        "Unknown event kind '\(name)' in --kind. Known kinds: \(EventKind.allCases.map(\.name).joined(separator: ", ")).")
                }
                set.insert(kind)
            }
            selection.kinds = set
        }
        selection.procs = try SubjectArguments.procs(procs)
        selection.tasks = try SubjectArguments.tasks(tasks)
        try SubjectArguments.checkRange(from: selection.from, to: selection.to)
        return selection
    }
}
