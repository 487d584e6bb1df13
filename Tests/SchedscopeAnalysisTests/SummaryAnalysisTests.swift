import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("summary: counts against known histories")
struct SummaryAnalysisTests {
    @Test func countsTasksAndLoss() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0)
        for task in 1...5 as ClosedRange<UInt64> { b.create(task, proc: 0, at: task) }
        for task in 1...3 as ClosedRange<UInt64> {
            b.start(task, proc: 0, at: 100 * task).end(task, proc: 0, at: 100 * task + 50)
        }
        b.start(4, proc: 0, at: 500).park(4, reason: "sleep", proc: 0, at: 510)
        b.lost(7, at: 600).lost(3, at: 700)
        // A task that existed before the trace: first seen when woken.
        b.unpark(9, proc: 0, at: 800)
        let bytes = b.bytes()
        var analysis = SummaryAnalysis()
        let reader = try streamTrace(bytes) { event, _ in analysis.consume(event) }
        let report = analysis.finish(info: reader.info, read: reader.report)
        #expect(report.tasksCreated == 5)
        #expect(report.tasksEnded == 3)
        #expect(report.tasksLiveAtEnd == 3)  // 4 parked, 5 never started, 9 woken
        #expect(report.lostEvents == 10)
        #expect(report.events == UInt64(b.events.count))
        #expect(report.durationNanoseconds == 800)
        #expect(report.eventsByKind[.taskStart] == 4)
        #expect(report.procsSeen == 1)
        #expect(report.read.chunksCorrupt == 0)
    }

    @Test func emptyTrace() throws {
        let bytes = TraceBuilder().bytes()
        var analysis = SummaryAnalysis()
        let reader = try streamTrace(bytes) { event, _ in analysis.consume(event) }
        let report = analysis.finish(info: reader.info, read: reader.report)
        #expect(report.events == 0)
        #expect(report.durationNanoseconds == 0)
        #expect(report.firstTimestamp == nil)
    }
}
