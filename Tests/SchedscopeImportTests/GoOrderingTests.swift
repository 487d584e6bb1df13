import SchedscopeImport
import SchedscopeModel
import Testing

/// The parser's ordering and mapping on hand-made traces: per-G sequence numbers decide
/// the order across Ms even when timestamps say otherwise; damage inside a batch is named.
@Suite struct GoOrderingTests {
    /// Two Ms, each with a P. M 100 runs goroutine 1, which wakes goroutine 2 (GoUnblock,
    /// seq 1) at tick 50; M 200 starts goroutine 2 (GoStart, seq 2) with a timestamp of
    /// tick 20 — a clock skew between threads. The start must come after the wake-up
    /// (ordered by time alone, it would come before it).
    @Test func sequenceNumbersOrderEventsAcrossThreads() throws {
        var trace = GoTraceBytes()
        trace.batch(thread: 100, time: 10, [
            GoTraceBytes.event(Go.procStatus, 0, 0, Go.running),
            GoTraceBytes.event(Go.goStatus, 0, 1, 100, Go.gRunning),
            GoTraceBytes.event(Go.goCreate, 1, 2, 1, 0),
            GoTraceBytes.event(Go.goStop, 1, 9, 0),  // goroutine 1 calls runtime.Gosched
            GoTraceBytes.event(Go.goStart, 1, 2, 1),
            GoTraceBytes.event(Go.goBlock, 1, 10, 0),
            GoTraceBytes.event(Go.goStart, 1, 1, 1),
            GoTraceBytes.event(Go.goUnblock, 30, 2, 2, 0),
        ])
        trace.batch(thread: 200, time: 5, [
            GoTraceBytes.event(Go.procStatus, 0, 1, Go.running),
            GoTraceBytes.event(Go.goStart, 15, 2, 3),
            GoTraceBytes.event(Go.goDestroy, 1),
        ])
        trace.endGeneration(strings: [9: "runtime.Gosched", 10: "chan receive", 11: "main.worker"], stacks: [1: [11]])
        let imported = try importGoTrace(bytes: trace.bytes)
        #expect(!imported.report.hasWarnings, "\(imported.report.diagnostics)")
        #expect(imported.violations.isEmpty, "\(imported.violations)")
        let ofTwo = imported.events.filter { $0.task == TaskID(2) }.map(\.kind)
        #expect(ofTwo == [.taskCreate, .taskStart, .taskPark, .taskUnpark, .taskStart, .taskEnd])
        let create = try #require(imported.events.first { $0.kind == .taskCreate && $0.task == TaskID(2) })
        #expect(imported.strings[create.label] == "main.worker")
        #expect(create.parent == TaskID(1))
        let park = try #require(imported.events.first { $0.kind == .taskPark })
        #expect(imported.strings[park.reason] == "chan receive")
        // GoStop "runtime.Gosched" is a yield, not a preemption.
        #expect(imported.events.contains { $0.kind == .taskYield && $0.task == TaskID(1) })
        // Timestamps strictly increase in the order the events were applied.
        #expect(zip(imported.events, imported.events.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
    }

    /// A P retaken from a thread blocked in a syscall (Go's ProcSteal) parks the goroutine
    /// with reason "syscall" and stops the P; it never becomes proc_steal.
    @Test func procStealIsARetakenPNotWorkStealing() throws {
        var trace = GoTraceBytes()
        trace.batch(thread: 100, time: 10, [
            GoTraceBytes.event(Go.procStatus, 0, 0, Go.running),
            GoTraceBytes.event(Go.goStatus, 0, 7, 100, Go.gRunning),
            GoTraceBytes.event(Go.goSyscallBegin, 1, 1, 0),
            GoTraceBytes.event(Go.goSyscallEndBlocked, 100),
        ])
        trace.batch(thread: 300, time: 20, [
            GoTraceBytes.event(Go.procSteal, 5, 0, 2, 100),
        ])
        trace.endGeneration()
        let imported = try importGoTrace(bytes: trace.bytes)
        #expect(!imported.report.hasWarnings, "\(imported.report.diagnostics)")
        #expect(imported.violations.isEmpty, "\(imported.violations)")
        #expect(!imported.events.contains { $0.kind == .procSteal })
        let kinds = imported.events.map(\.kind)
        #expect(kinds == [.procStart, .taskCreate, .taskStart, .taskPark, .procStop, .taskUnpark])
        let park = try #require(imported.events.first { $0.kind == .taskPark })
        #expect(imported.strings[park.reason] == "syscall")
        #expect(park.proc == ProcID(0) && park.thread == ThreadID(300))
    }

    @Test func anUnknownEventDropsTheRestOfItsBatch() throws {
        var trace = GoTraceBytes()
        trace.batch(thread: 100, time: 10, [
            GoTraceBytes.event(Go.procStatus, 0, 0, Go.running),
            [99, 1, 2, 3],
            GoTraceBytes.event(Go.procStop, 1),
        ])
        trace.endGeneration()
        let imported = try importGoTrace(bytes: trace.bytes)
        let diagnostic = try #require(imported.report.diagnostics.first)
        #expect(diagnostic.name == .unknownEvent)
        // The header (16) + batch header (1 + 1 + 1 + 1 + 1) + ProcStatus (4 bytes).
        #expect(diagnostic.byteOffset == 16 + 5 + 4)
        #expect(imported.events.map(\.kind) == [.procStart])
    }

    /// Forged huge time deltas and a 1 tick/s frequency: clamped, never a trap.
    @Test func hugeTimestampsAreClamped() throws {
        var trace = GoTraceBytes()
        trace.batch(thread: 100, time: .max / 2, [
            GoTraceBytes.event(Go.procStatus, .max / 2, 0, Go.running),
            GoTraceBytes.event(Go.procStop, .max),
            GoTraceBytes.event(Go.procStart, .max, 0, 1),
        ])
        trace.endGeneration()
        let imported = try importGoTrace(bytes: trace.bytes)
        #expect(imported.events.map(\.kind) == [.procStart, .procStop, .procStart])
        #expect(zip(imported.events, imported.events.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
    }

    /// Events no M can apply (a GoStart whose sequence number never comes) are applied
    /// anyway, with an unordered-event diagnostic: the import does not stall.
    @Test func aStalledOrderingIsForcedAndNamed() throws {
        var trace = GoTraceBytes()
        trace.batch(thread: 100, time: 10, [
            GoTraceBytes.event(Go.procStatus, 0, 0, Go.running),
            GoTraceBytes.event(Go.goStatus, 0, 5, 100, Go.gRunnable),
            GoTraceBytes.event(Go.goStart, 1, 5, 7),
        ])
        trace.endGeneration()
        let imported = try importGoTrace(bytes: trace.bytes)
        #expect(imported.report.diagnostics.map(\.name) == [.unorderedEvent])
        #expect(imported.events.map(\.kind) == [.procStart, .taskCreate, .taskStart])
    }
}
