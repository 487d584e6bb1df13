import ArgumentParser
import Foundation
import SchedscopeAnalysis
import SchedscopeModel

/// The filters of every analysis: the subject (`--proc --task --region`) and the time
/// range (`--from --to`). No `--kind`: an analysis needs every kind of event.
struct AnalysisSelectionOptions: ParsableArguments {
    @Option(name: .customLong("proc"), help: ArgumentHelp("Only these Ps (comma-separated numbers).", valueName: "p,..."))
    var procs: [String] = []

    @Option(name: .customLong("task"), help: ArgumentHelp(
        "Only these tasks (their own events, the creation of their children, the wake-ups they did).", valueName: "t,..."))
    var tasks: [String] = []

    @Option(help: ArgumentHelp(
        "Only the tasks inside the region with this name ('*' and '?' are wildcards: 'ParserTests/*') and tasks they created.", valueName: "name"))
    var region: String?

    @Option(help: ArgumentHelp("Start of the range to report on, since the trace start; \(Duration.help).", valueName: "dur"))
    var from: Duration?

    @Option(help: ArgumentHelp("End of the range to report on (exclusive); \(Duration.help).", valueName: "dur"))
    var to: Duration?

    func validate() throws {
        _ = try selection()
    }

    /// The events to read: the subject filters and `--to`. Events before `--from` are read
    /// too, so that the analyses know each task's state when the range opens.
    func selection() throws -> EventSelection {
        var selection = EventSelection(region: region, to: to?.nanoseconds)
        selection.procs = try SubjectArguments.procs(procs)
        selection.tasks = try SubjectArguments.tasks(tasks)
        try SubjectArguments.checkRange(from: from?.nanoseconds, to: to?.nanoseconds)
        return selection
    }

    /// Streams every event before `--to` to `consume` if the subject filters select it, and to
    /// `skip` otherwise (so that the range still ends at the trace's last event). With
    /// `--task`, task events (create, start, stops, unpark) count only for the named
    /// tasks: the shared filter also keeps the creation of their children and the wake-ups
    /// they did, which would make those other tasks look runnable forever.
    ///
    /// `consumeBatch`, when given, takes whole batches when nothing is filtered out (the
    /// common case, and the fast one: no call per event).
    func run(
        _ session: TraceSession, consume: (Event) -> Void, skip: (Event) -> Void,
        consumeBatch: ((UnsafeBufferPointer<Event>) -> Void)? = nil
    ) throws {
        var subject = try selection()
        subject.to = nil
        let end = to?.nanoseconds ?? .max
        guard !subject.selectsEverything else {
            if end == .max, let consumeBatch {
                try session.runBatches(consumeBatch)
            } else if end == .max {
                try session.run(EventSelection(), consume)
            } else {
                try session.run(EventSelection()) { event in if event.timestamp < end { consume(event) } }
            }
            return
        }
        var filter = EventFilter(subject)
        let reader = session.reader
        let tasks = subject.tasks
        try session.run(EventSelection()) { event in
            guard event.timestamp < end else { return }
            guard filter.matches(event, string: { reader.strings[$0] }) else { return skip(event) }
            if let tasks, event.kind.rawValue >= EventKind.taskCreate.rawValue, event.kind.rawValue <= EventKind.taskEnd.rawValue,
               !tasks.contains(event.task) {
                return skip(event)
            }
            consume(event)
        }
    }

    /// The range the analyses report on.
    var window: AnalysisWindow {
        AnalysisWindow(from: from?.nanoseconds ?? 0, to: to?.nanoseconds)
    }
}

/// `--include-runtime`.
struct RuntimeOption: ParsableArguments {
    @Flag(help: "Count the runtime's own tasks (created with the runtime flag), which are left out by default.")
    var includeRuntime = false
}

/// The options of `leaks` (and `analyze`).
struct LeakOptionGroup: ParsableArguments {
    @Option(help: ArgumentHelp("Report only tasks parked (or runnable) at least this long; \(Duration.help).", valueName: "dur"))
    var minAge = Duration(nanoseconds: 0)

    @Option(help: ArgumentHelp(
        "Leave out tasks whose label or park reason matches this regular expression (repeatable).", valueName: "regex"))
    var ignore: [String] = []

    @Flag(help: "Judge each task when the region (test case) it was created in ends, and name the region.")
    var byRegion = false

    func validate() throws {
        _ = try patterns()
    }

    func patterns() throws -> [NSRegularExpression] {
        try ignore.map { pattern in
            do {
                return try NSRegularExpression(pattern: pattern)
            } catch {
                throw ValidationError("--ignore '\(pattern)' is not a valid regular expression.")
            }
        }
    }

    /// The predicate for `LeakAnalysis.finish(ignoring:)`, or nil without `--ignore`.
    func ignoring() throws -> ((String) -> Bool)? {
        let patterns = try patterns()
        guard !patterns.isEmpty else { return nil }
        return { text in
            let range = NSRange(text.startIndex..., in: text)
            return patterns.contains { $0.firstMatch(in: text, range: range) != nil }
        }
    }

    func options(includeRuntime: Bool) -> LeakOptions {
        LeakOptions(minAge: minAge.nanoseconds, byRegion: byRegion, includeRuntime: includeRuntime)
    }
}

extension Duration {
    /// `--window` of `imbalance` and `analyze`.
    static let defaultImbalanceWindow = Duration(nanoseconds: 10_000_000)
}

/// Helpers shared by the analyses' text output.
enum AnalysisText {
    static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }
    static func cv(_ value: Double) -> String { String(format: "%.3f", value) }

    static func rate(_ value: Double) -> String {
        value >= 100 ? formatCount(UInt64(value.rounded())) : String(format: value >= 10 ? "%.1f" : "%.2f", value)
    }

    static func range(start: UInt64, end: UInt64) -> String {
        "\(formatRange(start, end)) (\(formatDuration(end - start)))"
    }

    /// A line of the header block: a name padded to 13 columns, then the value.
    static func row(_ name: String, _ value: String) -> String {
        name.padding(toLength: 13, withPad: " ", startingAt: 0) + value
    }

    static func plural(_ count: some BinaryInteger, _ word: String, _ plural: String? = nil) -> String {
        "\(formatCount(count)) \(count == 1 ? word : plural ?? word + "s")"
    }
}
