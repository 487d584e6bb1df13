import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("filters: selections keep exactly what they describe")
struct EventFilterTests {
    private func kept(_ selection: EventSelection, _ build: (TraceBuilder) -> Void) throws -> [Event] {
        let b = TraceBuilder(procs: 2)
        build(b)
        var filter = EventFilter(selection)
        var out: [Event] = []
        _ = try streamTrace(b.bytes()) { event, strings in
            if filter.matches(event, strings: strings) { out.append(event) }
        }
        return out
    }

    private func twoTests(_ b: TraceBuilder) {
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, label: "root-a", proc: 0, at: 1).create(2, label: "root-b", proc: 1, at: 1)
        b.start(1, proc: 0, at: 10).regionBegin("A", task: 1, proc: 0, at: 11)
        b.start(2, proc: 1, at: 10).regionBegin("B", task: 2, proc: 1, at: 11)
        b.create(3, parent: 1, label: "child-a", proc: 0, at: 12)   // inherits A
        b.create(4, parent: 2, label: "child-b", proc: 1, at: 12)   // inherits B
        b.yield(1, proc: 0, at: 15).start(1, proc: 0, at: 16)
        b.regionEnd("A", task: 1, proc: 0, at: 20).end(1, proc: 0, at: 21)
        b.start(3, proc: 0, at: 30).end(3, proc: 0, at: 40)         // after A ended: still A's child
        b.regionEnd("B", task: 2, proc: 1, at: 20).end(2, proc: 1, at: 21)
        b.start(4, proc: 1, at: 30).end(4, proc: 1, at: 40)
    }

    @Test func regionSelectsItsTasksAndTheirChildren() throws {
        let events = try kept(EventSelection(region: "A"), twoTests)
        let tasks = Set(events.filter { $0.kind.rawValue >= EventKind.taskCreate.rawValue && $0.kind.rawValue <= EventKind.taskEnd.rawValue }.map(\.task.rawValue))
        #expect(tasks == [1, 3])
        // Task 1 is inside only between its region_begin and region_end: its end at 21 is not.
        #expect(!events.contains { $0.kind == .taskEnd && $0.task == TaskID(1) })
        #expect(events.contains { $0.kind == .taskEnd && $0.task == TaskID(3) })
        #expect(events.contains { $0.kind == .regionBegin } && events.contains { $0.kind == .regionEnd })
    }

    @Test func regionPatternsSelectEveryMatchingRegion() throws {
        func events(_ region: String) throws -> [Event] { try kept(EventSelection(region: region), twoTests) }
        let a = try events("A"), b = try events("B")
        #expect(!a.isEmpty && !b.isEmpty)
        // A pattern keeps what the regions it matches keep, together, in trace order.
        let both = (a + b).sorted { ($0.timestamp, $0.thread.rawValue) < ($1.timestamp, $1.thread.rawValue) }
        for pattern in ["*", "?"] {
            let selected = try events(pattern)
            #expect(selected.count == both.count)
            #expect(Set(selected.map(\.timestamp)) == Set(both.map(\.timestamp)))
        }
        #expect(try events("B*").count == b.count)
        #expect(try events("C*").isEmpty)
        #expect(try events("[AB]").isEmpty)  // brackets are literal
    }

    @Test func timeWindowIsHalfOpen() throws {
        let events = try kept(EventSelection(from: 11, to: 21), twoTests)
        #expect(events.allSatisfy { $0.timestamp >= 11 && $0.timestamp < 21 })
        // Two region_begin at 11, two creates at 12, a yield and a start, two region_end at 20;
        // the ends at 21 are out.
        #expect(events.count == 8)
    }

    @Test func kindsProcsAndTasks() throws {
        #expect(try kept(EventSelection(kinds: [.taskEnd]), twoTests).count == 4)
        #expect(try kept(EventSelection(procs: [ProcID(1)]), twoTests).allSatisfy { $0.proc == ProcID(1) })
        // A task selection keeps the task's own events and the creates it issued.
        let task1 = try kept(EventSelection(tasks: [TaskID(1)]), twoTests)
        #expect(task1.map(\.kind).filter { $0 == .taskCreate }.count == 2)
    }
}
