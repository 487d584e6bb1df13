import Foundation
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// `events` writes its lines as bytes (`EventLines`); these check them with an independent
/// reader — Foundation's JSON parser for JSON Lines, lines written out by hand for text —
/// on strings that need escaping, every kind, a P-less event and an undefined string id.
@Suite("events: lines with strings that need escaping, every kind, no P, an unknown string")
struct EventLinesTests {
    static let awkward = [
        "plain", "", "two words", "say \"hi\"", "back\\slash", "line\nbreak", "tab\there", "bell\u{07}",
        "del\u{7F}", "sep\u{2028}arator", "café ☕️", "🧵 thread",
    ]

    /// One task per awkward label and park reason, regions named with them, a GC pause,
    /// a steal, a lost count, a runtime task, a log line, and an event whose label id was
    /// never defined.
    static func trace() -> (bytes: [UInt8], events: [Event], strings: [UInt32: String]) {
        let builder = TraceBuilder(procs: 2)
        var strings: [UInt32: String] = [:]
        var time: UInt64 = 1_000
        for (index, text) in awkward.enumerated() {
            let task = UInt64(index + 1), proc = UInt32(index % 2)
            builder.create(task, parent: task > 1 ? task - 1 : 0, label: text, runtime: index == 3, proc: proc, at: time)
            builder.start(task, proc: proc, at: time + 10)
            builder.regionBegin(text, task: task, proc: proc, at: time + 20)
            builder.regionEnd(text, task: task, proc: proc, at: time + 30)
            builder.park(task, reason: text, proc: proc, at: time + 40)
            builder.unpark(task, by: 7, proc: proc, at: time + 50)
            builder.start(task, proc: proc, at: time + 60)
            builder.end(task, proc: proc, at: time + 70)
            strings[builder.string(text).rawValue] = text
            time += 100
        }
        builder.steal(1, from: 0, count: 3, at: time)
        builder.gcPause(from: time + 5, to: time + 9, reason: "sweep \"now\"")
        strings[builder.string("sweep \"now\"").rawValue] = "sweep \"now\""
        builder.lost(12, at: time + 11)
        builder.append(Event(kind: .log, timestamp: time + 12, thread: ThreadID(rawValue: 9), proc: .none,
                             argument1: UInt64(builder.string("cat").rawValue), argument2: UInt64(builder.string("msg\t1").rawValue)))
        strings[builder.string("cat").rawValue] = "cat"
        strings[builder.string("msg\t1").rawValue] = "msg\t1"
        // A label id the trace never defines: printed as a placeholder.
        builder.append(Event(kind: .taskCreate, timestamp: time + 13, thread: ThreadID(rawValue: 1), proc: ProcID(0),
                             task: TaskID(500), argument2: 4_000))
        // A second later: the seconds column.
        builder.lost(1, at: 1_000_002_160)
        let bytes = builder.bytes()
        return (bytes, builder.events.sorted { ($0.timestamp, $0.thread) < ($1.timestamp, $1.thread) }, strings)
    }

    static func text(_ id: UInt64, _ strings: [UInt32: String]) -> String {
        strings[UInt32(truncatingIfNeeded: id)] ?? "<string #\(id)?>"
    }

    @Test("every JSON line parses, and carries the event's fields and its strings unchanged")
    func jsonLinesParse() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (bytes, events, strings) = Self.trace()
        let path = try scratch.write(bytes, to: "awkward.sctrace")
        let result = try await schedscope("events", path, "--format", "jsonl")
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == events.count)
        for (line, event) in zip(lines, events) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["ts_ns"] as? UInt64 == event.timestamp, "\(line)")
            #expect(object["kind"] as? String == event.kind.name, "\(line)")
            #expect(object["thread"] as? UInt64 == event.thread.rawValue, "\(line)")
            if event.proc.isSome {
                #expect(object["proc"] as? UInt64 == UInt64(event.proc.rawValue), "\(line)")
            } else {
                #expect(object["proc"] is NSNull, "\(line)")
            }
            switch event.kind {
            case .taskCreate:
                #expect(object["label"] as? String == Self.text(event.argument2, strings), "\(line)")
                #expect(object["parent"] as? UInt64 == event.argument1, "\(line)")
                #expect((object["runtime"] as? Bool) == (event.isRuntimeTask ? true : nil), "\(line)")
            case .taskPark, .gcPauseBegin, .gcPauseEnd:
                #expect(object["reason"] as? String == Self.text(event.argument1, strings), "\(line)")
            case .regionBegin, .regionEnd:
                #expect(object["name"] as? String == Self.text(event.argument1, strings), "\(line)")
            case .taskUnpark:
                #expect(object["by"] as? UInt64 == event.argument1, "\(line)")
            case .procSteal:
                #expect(object["victim"] as? UInt64 == event.argument1 && object["count"] as? UInt64 == event.argument2, "\(line)")
            case .lost:
                #expect(object["count"] as? UInt64 == event.argument1, "\(line)")
            case .log:
                #expect(object["category"] as? String == "cat" && object["message"] as? String == "msg\t1", "\(line)")
            default:
                break
            }
            if event.task.isSome { #expect(object["task"] as? UInt64 == event.task.rawValue, "\(line)") }
        }
    }

    @Test("text lines: aligned columns, strings quoted only when they need it")
    func textLines() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write(Self.trace().bytes, to: "awkward.sctrace")
        let result = try await schedscope("events", path)
        #expect(result.status == 0, "\(result)")
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        for expected in [
            "0.000001000  M1   P0   task_create     task=1 parent=0 label=plain",
            "0.000001100  M2   P1   task_create     task=2 parent=1 label=\"\"",
            "0.000001240  M1   P0   task_park       task=3 reason=\"two words\"",
            "0.000001330  M2   P1   region_end      task=4 name=\"say \\\"hi\\\"\"",
            "0.000001300  M2   P1   task_create     task=4 parent=3 label=\"say \\\"hi\\\"\" runtime=true",
            "0.000001400  M1   P0   task_create     task=5 parent=4 label=\"back\\\\slash\"",
            "0.000001500  M2   P1   task_create     task=6 parent=5 label=\"line\\nbreak\"",
            "0.000001740  M2   P1   task_park       task=8 reason=\"bell\\u0007\"",
            "0.000001800  M1   P0   task_create     task=9 parent=8 label=\"del\u{7F}\"",
            "0.000001900  M2   P1   task_create     task=10 parent=9 label=sep\u{2028}arator",  // plain in text; JSON escapes it
            "0.000002000  M1   P0   task_create     task=11 parent=10 label=\"café ☕️\"",
            "0.000002100  M2   P1   task_create     task=12 parent=11 label=\"🧵 thread\"",
            "0.000002050  M1   P0   task_unpark     task=11 by=7",
            "0.000002170  M2   P1   task_end        task=12",
            "1.000002160  M100 -    lost            count=1",
            "0.000002200  M2   P1   proc_steal      victim=0 count=3",
            "0.000002211  M100 -    lost            count=12",
            "0.000002212  M9   -    log             category=cat message=\"msg\\t1\"",
            "0.000002213  M1   P0   task_create     task=500 parent=0 label=\"<string #4000?>\"",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
    }
}
