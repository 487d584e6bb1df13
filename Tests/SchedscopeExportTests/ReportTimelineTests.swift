import SchedscopeExport
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

@Suite("Report timeline")
struct ReportTimelineTests {
    static func timeline(_ builder: TraceBuilder, columns: Int = 64, initial: UInt64 = 64) throws -> (ReportTimeline, ReadTrace) {
        let trace = try readTrace(builder.bytes())
        var timeline = ReportTimeline(procCount: trace.info.procCount, maxColumns: columns, initialColumnNanoseconds: initial)
        for event in trace.events { timeline.consume(event) }
        timeline.finish()
        return (timeline, trace)
    }

    /// P0 runs "a" 0–6,000 ns and "b" 6,000–8,000; P1 runs "b" 1,000–2,000; a pause
    /// 3,000–3,500. 64 columns starting at 64 ns must widen to 128 ns (8,000 > 64 · 64).
    @Test func columnsWidenAndKeepEveryNanosecond() throws {
        let builder = TraceBuilder(procs: 2)
            .create(1, label: "a", proc: 0, at: 0).create(2, label: "b", proc: 0, at: 0).create(3, label: "b", proc: 0, at: 0)
            .start(1, proc: 0, at: 0)
            .start(3, proc: 1, at: 1_000).end(3, proc: 1, at: 2_000)
            .gcPause(from: 3_000, to: 3_500)
            .yield(1, proc: 0, at: 6_000)
            .start(2, proc: 0, at: 6_000).end(2, proc: 0, at: 8_000)
        let (timeline, trace) = try Self.timeline(builder)
        #expect(timeline.columnNanoseconds == 128)
        #expect(timeline.usedColumns == 63)   // ⌈8,000 / 128⌉
        #expect(timeline.cells[0].reduce(0) { $0 + $1.busyNanoseconds } == 8_000)
        #expect(timeline.cells[1].reduce(0) { $0 + $1.busyNanoseconds } == 1_000)
        #expect(timeline.pauseNanoseconds.reduce(0, +) == 500)
        // Column 0 (0–128 ns) is all "a"; column 60 (7,680–7,808 ns) all "b".
        let a = trace.strings.firstID(of: "a"), b = trace.strings.firstID(of: "b")
        #expect(timeline.cells[0][0].dominantLabel == a)
        #expect(timeline.cells[0][0].busyNanoseconds == 128)
        #expect(timeline.cells[0][60].dominantLabel == b)
        #expect(timeline.cells[1][0].busyNanoseconds == 0)
        #expect(timeline.busyByLabel[try #require(a)] == 6_000)
        #expect(timeline.busyByLabel[try #require(b)] == 3_000)
    }

    /// A column where "a" runs 70 % and "b" 30 % names "a" after the columns merge.
    @Test func dominantLabelSurvivesMerging() throws {
        let builder = TraceBuilder(procs: 1)
            .create(1, label: "a", proc: 0, at: 0).create(2, label: "b", proc: 0, at: 0)
            .start(2, proc: 0, at: 0).park(2, reason: "r", proc: 0, at: 300)
            .start(1, proc: 0, at: 300).park(1, reason: "r", proc: 0, at: 1_000)
            .procStop(0, at: 4_000)
        let (timeline, trace) = try Self.timeline(builder, columns: 4, initial: 100)
        #expect(timeline.columnNanoseconds == 1_600)
        #expect(timeline.cells[0][0].busyNanoseconds == 1_000)
        #expect(timeline.cells[0][0].dominantLabel == trace.strings.firstID(of: "a"))
    }

    /// Busy time per P and pause time add up to the synthetic scheduler's ground truth,
    /// and the number of columns stays within [max/2, max].
    @Test func synthGroundTruth() throws {
        let sink = ByteSink()
        let workload = SyntheticWorkload(procs: 4, taskLimit: 3_000, seed: 9)
        let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
        let truth = try workload.write(to: writer)
        let trace = try readTrace(sink.memory)
        var timeline = ReportTimeline(procCount: 4, maxColumns: 256)
        for event in trace.events { timeline.consume(event) }
        timeline.finish()
        for proc in 0..<4 {
            #expect(timeline.cells[proc].reduce(0) { $0 + $1.busyNanoseconds } == truth.busyNanoseconds[proc], "P\(proc)")
            let steals = trace.events.filter { $0.kind == .procSteal && $0.proc == ProcID(UInt32(proc)) }.count
            #expect(timeline.cells[proc].reduce(0) { $0 + Int($1.steals) } == steals, "P\(proc)")
        }
        #expect(timeline.pauseNanoseconds.reduce(0, +) == truth.gcPauses.reduce(0, +))
        #expect((128...256).contains(timeline.usedColumns))
        #expect(timeline.columnNanoseconds * UInt64(timeline.usedColumns) >= truth.endTimestamp)
    }

    /// A forged P number far past the header's does not make rows for every P below it.
    @Test func forgedProcIsIgnored() throws {
        let builder = TraceBuilder(procs: 1)
            .create(1, proc: 0, at: 0)
            .append(Event(kind: .taskStart, timestamp: 10, thread: ThreadID(rawValue: 1), proc: ProcID(3_000_000_000), task: TaskID(1)))
            .append(Event(kind: .taskEnd, timestamp: 20, thread: ThreadID(rawValue: 1), proc: ProcID(3_000_000_000), task: TaskID(1)))
        let (timeline, _) = try Self.timeline(builder)
        #expect(timeline.cells.count == 1)
    }
}
