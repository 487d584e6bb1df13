import Foundation
import SchedscopeExport
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

@Suite("Chrome trace-event export")
struct ChromeTraceExporterTests {
    static let hostileLabel = "<script>alert(1)</script>"
    static let hostileReason = "chan \"recv\"\n\\ & more"

    /// Two Ps: P0 runs task 1 (100–350 ns, parks), then task 3 (400–900 ns, preempted);
    /// P1 runs task 2 (200–1200 ns, ends) after stealing; a GC pause 500–700 ns; a region.
    static func handBuilt() -> TraceBuilder {
        TraceBuilder(procs: 2)
            .procStart(0, at: 0).procStart(1, at: 0)
            .create(1, label: hostileLabel, proc: 0, at: 10)
            .create(2, label: "worker, \"quoted\"", proc: 0, at: 20)
            .create(3, label: hostileLabel, proc: 0, at: 30)
            .regionBegin("Tests/<b>bold</b>", task: 1, proc: 0, at: 90)
            .start(1, proc: 0, at: 100)
            .steal(1, from: 0, count: 1, at: 150)
            .start(2, proc: 1, at: 200)
            .park(1, reason: hostileReason, proc: 0, at: 350)
            .start(3, proc: 0, at: 400)
            .gcPause(from: 500, to: 700)
            .preempt(3, proc: 0, at: 900)
            .regionEnd("Tests/<b>bold</b>", task: 1, proc: 1, at: 1000)
            .end(2, proc: 1, at: 1200)
            .procStop(0, at: 1300).procStop(1, at: 1300)
    }

    @Test func oneTrackPerProcWithTheTasksThatRanThere() throws {
        let document = try ChromeDocument(exportText(Self.handBuilt().bytes(), chrome: true))
        let names = document.trackNames
        #expect(names[[1, 1]] == "P0")
        #expect(names[[1, 2]] == "P1")

        let p0 = document.events(phase: "X", pid: 1, tid: 1)
        #expect(p0.map { $0["name"] as? String } == [Self.hostileLabel, Self.hostileLabel])
        #expect(p0.map { nanoseconds($0["ts"]) } == [100, 400])
        #expect(p0.map { nanoseconds($0["dur"]) } == [250, 500])
        #expect(p0.map { ($0["args"] as? [String: Any])?["stop"] as? String } == ["task_park", "task_preempt"])
        #expect((p0.first?["args"] as? [String: Any])?["reason"] as? String == Self.hostileReason)

        let p1 = document.events(phase: "X", pid: 1, tid: 2)
        #expect(p1.map { $0["name"] as? String } == ["worker, \"quoted\""])
        #expect(p1.map { nanoseconds($0["dur"]) } == [1000])
    }

    @Test func instantsPauseAndRegion() throws {
        let document = try ChromeDocument(exportText(Self.handBuilt().bytes(), chrome: true))
        let instants = document.events(phase: "i")
        #expect(instants.compactMap { $0["name"] as? String }.sorted() == ["proc_steal", "task_park", "task_preempt"])
        let steal = try #require(instants.first { $0["name"] as? String == "proc_steal" })
        #expect(steal["tid"] as? Int == 2)
        #expect((steal["args"] as? [String: Any])?["victim"] as? Int == 0)

        let pauses = document.events(phase: "X", pid: 3, tid: Int(ChromeTraceExporter.RuntimeTrack.gcPauses))
        #expect(pauses.map { nanoseconds($0["ts"]) } == [500])
        #expect(pauses.map { nanoseconds($0["dur"]) } == [200])

        let begins = document.events(phase: "b"), ends = document.events(phase: "e")
        #expect(begins.map { $0["name"] as? String } == ["Tests/<b>bold</b>"])
        #expect(begins.first?["id"] as? String != nil && begins.first?["id"] as? String == ends.first?["id"] as? String)
        #expect(ends.map { nanoseconds($0["ts"]) } == [1000])

        // Each thread that held a P has a track with that P's slice.
        let held = document.events(phase: "X", pid: 2)
        #expect(held.compactMap { $0["name"] as? String }.sorted() == ["P0", "P1"])
        #expect(held.allSatisfy { nanoseconds($0["dur"]) == 1300 })
    }

    @Test func openSlicesCloseAtTheEndMarkedUnfinished() throws {
        let trace = TraceBuilder(procs: 1)
            .create(1, label: "forever", proc: 0, at: 0)
            .start(1, proc: 0, at: 1_000)
            .gcPause(from: 2_000, to: 2_500)
            .create(2, label: "late", proc: 0, at: 4_321)
        let document = try ChromeDocument(exportText(trace.bytes(), chrome: true))
        let slices = document.events(phase: "X", pid: 1, tid: 1)
        #expect(slices.count == 1)
        #expect(nanoseconds(slices.first?["dur"]) == 3_321)
        #expect((slices.first?["args"] as? [String: Any])?["unfinished"] as? Bool == true)
    }

    /// The synthetic scheduler knows how many tasks each P started and how long each was
    /// busy; the export must show exactly that.
    @Test(arguments: [(procs: 4, seed: UInt64(7)), (procs: 3, seed: UInt64(11))])
    func slicesMatchTheSyntheticGroundTruth(procs: Int, seed: UInt64) throws {
        let sink = ByteSink()
        let workload = SyntheticWorkload(procs: procs, taskLimit: 3_000, seed: seed)
        let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
        let truth = try workload.write(to: writer)
        let document = try ChromeDocument(exportText(sink.memory, chrome: true))
        for proc in 0..<procs {
            let slices = document.events(phase: "X", pid: 1, tid: proc + 1)
            #expect(UInt64(slices.count) == truth.tasksRun[proc], "P\(proc)")
            let busy = slices.reduce(UInt64(0)) { $0 + (nanoseconds($1["dur"]) ?? 0) }
            #expect(busy == truth.busyNanoseconds[proc], "P\(proc)")
        }
        let pauses = document.events(phase: "X", pid: 3, tid: Int(ChromeTraceExporter.RuntimeTrack.gcPauses))
        #expect(pauses.compactMap { nanoseconds($0["dur"]) } == truth.gcPauses)
        #expect(UInt64(document.events(phase: "i").filter { $0["name"] as? String == "proc_steal" }.count) == truth.count(EventKind.procSteal))
    }
}

extension ChromeTraceExporterTests {
    /// Perfetto identifies threads by tid: no tid may appear under two pids.
    @Test func trackIDsAreUniqueAcrossProcesses() throws {
        let builder = Self.handBuilt()
            .append(Event(kind: .taskCreate, timestamp: 1_400, thread: ThreadID(rawValue: 7), proc: ProcID(9), task: TaskID(50)))
            .append(Event(kind: .taskStart, timestamp: 1_500, thread: ThreadID(rawValue: 7), proc: ProcID(9), task: TaskID(50)))
            .append(Event(kind: .taskEnd, timestamp: 1_600, thread: ThreadID(rawValue: 7), proc: ProcID(9), task: TaskID(50)))
        let document = try ChromeDocument(exportText(builder.bytes(), chrome: true))
        var pids: [Int: Set<Int>] = [:]
        for event in document.events where event["ph"] as? String != "M" || event["tid"] as? Int != 0 {
            if let tid = event["tid"] as? Int, let pid = event["pid"] as? Int { pids[tid, default: []].insert(pid) }
        }
        #expect(pids.values.allSatisfy { $0.count == 1 }, "\(pids.filter { $0.value.count > 1 })")
        #expect(pids[0] == nil)
        // P9, beyond the header's two Ps, gets its own named track with its slice.
        let track = try #require(document.trackNames.first { $0.value == "P9" }?.key)
        #expect(track[0] == 1 && track[1] == 3)
        #expect(document.events(phase: "X", pid: 1, tid: 3).count == 1)
    }
}

extension ChromeTraceExporterTests {
    /// Viewers require the complete slices of one track to nest: two slices either do not
    /// overlap or one contains the other. On a synthetic trace none may even overlap.
    @Test func slicesOnATrackNeverOverlap() throws {
        let sink = ByteSink()
        let workload = SyntheticWorkload(procs: 4, taskLimit: 2_000, seed: 3)
        let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
        _ = try workload.write(to: writer)
        let document = try ChromeDocument(exportText(sink.memory, chrome: true))
        var tracks: [[Int]: [(UInt64, UInt64)]] = [:]
        for slice in document.events(phase: "X") {
            let start = try #require(nanoseconds(slice["ts"])), length = try #require(nanoseconds(slice["dur"]))
            tracks[[slice["pid"] as? Int ?? -1, slice["tid"] as? Int ?? -1], default: []].append((start, start + length))
        }
        #expect(tracks.count >= 4 + 4 + 2)   // Ps, threads, GC cycles and pauses
        for (track, slices) in tracks {
            let sorted = slices.sorted { $0.0 < $1.0 }
            for (previous, next) in zip(sorted, sorted.dropFirst()) {
                #expect(next.0 >= previous.1, "track \(track): \(previous) overlaps \(next)")
            }
        }
    }
}
