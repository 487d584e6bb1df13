import ArgumentParser
import SchedscopeAnalysis
import SchedscopeModel

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print events in time order, one per line, as text or JSON Lines.",
        discussion: """
            Text columns: time since the trace start (seconds, ns precision), thread (M), \
            P, kind, then the kind's arguments. JSON Lines carry the same fields with \
            raw integers (ns) and resolved strings, for jq, DuckDB or pandas.

              schedscope events run.sctrace --task 42
              schedscope events run.sctrace --kind task_park --format jsonl | jq .reason
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }

    @OptionGroup var input: TraceInput
    @OptionGroup var selection: SelectionOptions
    @Option(help: "Output format: text or jsonl.") var format: Format = .text
    @Option(help: "Stop after this many events (0 = no limit, as for stats and validate).") var limit: UInt64 = 0

    func run() throws {
        let session = try TraceSession.open(input)
        let reader = session.reader
        let out = OutputBuffer()
        var printed: UInt64 = 0
        let limit = self.limit == 0 ? .max : self.limit
        struct Done: Error {}
        do {
            try session.run(try selection.selection()) { event in
                guard printed < limit else { throw Done() }
                switch format {
                case .text: out.line(EventRendering.text(event, strings: reader.strings))
                case .jsonl: out.line(EventRendering.json(event, strings: reader.strings).compact)
                }
                printed += 1
            }
        } catch is Done {
            // Stopped early: still report the damage seen so far (and fail under --strict).
            out.flush()
            try session.reportDamage(stoppedEarly: true)
        }
    }
}

enum EventRendering {
    static func text(_ event: Event, strings: StringTable) -> String {
        let proc = event.proc.isSome ? "P\(event.proc)" : "-"
        var line = formatTimestamp(event.timestamp) + "  " + pad("M\(event.thread)", 4) + " " + pad(proc, 4) + " " + event.kind.name
        let arguments = self.arguments(event, strings: strings)
        if !arguments.isEmpty {
            line += String(repeating: " ", count: max(1, 16 - event.kind.name.count)) + arguments.map { key, value in "\(key)=\(value.textValue)" }.joined(separator: " ")
        }
        return line
    }

    static func json(_ event: Event, strings: StringTable) -> JSON {
        var members: [(String, JSON)] = [
            ("ts_ns", .uint(event.timestamp)),
            ("kind", .string(event.kind.name)),
            ("thread", .uint(event.thread.rawValue)),
            ("proc", event.proc.isSome ? .uint(UInt64(event.proc.rawValue)) : .null),
        ]
        for (key, value) in arguments(event, strings: strings) { members.append((key, value.json)) }
        return .object(members)
    }

    enum Value {
        case number(UInt64)
        case text(String)
        case flag(Bool)

        var textValue: String {
            switch self {
            case .number(let value): String(value)
            case .text(let value): quote(value)
            case .flag(let value): String(value)
            }
        }

        var json: JSON {
            switch self {
            case .number(let value): .uint(value)
            case .text(let value): .string(value)
            case .flag(let value): .bool(value)
            }
        }
    }

    /// The event's arguments by their stable names (DESIGN.md §4).
    static func arguments(_ event: Event, strings: StringTable) -> [(String, Value)] {
        var out: [(String, Value)] = []
        switch event.kind {
        case .taskCreate, .taskStart, .taskYield, .taskPreempt, .taskPark, .taskUnpark, .taskEnd, .regionBegin, .regionEnd:
            if event.task.isSome { out.append(("task", .number(event.task.rawValue))) }
        default:
            break
        }
        switch event.kind {
        case .procSteal:
            out.append(("victim", .number(UInt64(event.victim.rawValue))))
            out.append(("count", .number(event.stealCount)))
        case .taskCreate:
            out.append(("parent", .number(event.parent.rawValue)))
            out.append(("label", .text(strings[event.label])))
            if event.isRuntimeTask { out.append(("runtime", .flag(true))) }
        case .taskPark:
            out.append(("reason", .text(strings[event.reason])))
        case .taskUnpark:
            out.append(("by", .number(event.waker.rawValue)))
        case .gcBegin, .gcEnd:
            out.append(("cycle", .number(event.cycle)))
        case .gcPauseBegin, .gcPauseEnd:
            out.append(("reason", .text(strings[event.reason])))
        case .regionBegin, .regionEnd:
            out.append(("name", .text(strings[event.regionName])))
        case .log:
            out.append(("category", .text(strings[event.logCategory])))
            out.append(("message", .text(strings[event.logMessage])))
        case .lost:
            out.append(("count", .number(event.lostCount)))
        default:
            break
        }
        return out
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Quotes a string for text output when it contains spaces, quotes or controls.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F }
        if plain { return value }
        var out = ""
        JSON.escape(value, into: &out)
        return out
    }
}
