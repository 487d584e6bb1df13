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
        "Keep only events of tasks inside the region with this name (and tasks they created).", valueName: "name"))
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
        if !procs.isEmpty {
            selection.procs = Set(try numbers(procs, option: "--proc").map { ProcID(UInt32(truncatingIfNeeded: $0)) })
        }
        if !tasks.isEmpty {
            selection.tasks = Set(try numbers(tasks, option: "--task").map { TaskID($0) })
        }
        if let from = selection.from, let to = selection.to, from >= to {
            throw ValidationError("--from (\(formatDuration(from))) must be earlier than --to (\(formatDuration(to))).")
        }
        return selection
    }

    private func numbers(_ values: [String], option: String) throws -> [UInt64] {
        try values.flatMap { $0.split(separator: ",") }.map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            let digits = text.hasPrefix("P") || text.hasPrefix("p") ? String(text.dropFirst()) : text
            guard let value = UInt64(digits), option != "--proc" || value < UInt64(UInt32.max) else {
                throw ValidationError("\(option) expects numbers separated by commas; '\(text)' is not one.")
            }
            return value
        }
    }
}
