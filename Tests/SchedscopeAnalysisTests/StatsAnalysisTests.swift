import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// A two-P history whose every interval is known by construction.
private func knownHistory() -> TraceBuilder {
    let b = TraceBuilder(procs: 2)
    b.procStart(0, at: 0).procStart(1, at: 0)
    b.create(1, label: "worker", proc: 0, at: 10)
    b.create(2, label: "worker", proc: 0, at: 20)
    b.create(3, label: "io", proc: 1, at: 30)
    b.start(1, proc: 0, at: 100)                     // task 1 runs 100…400 (300)
    b.start(3, proc: 1, at: 150)                     // task 3 runs 150…250 (100)
    b.park(3, reason: "mutex", proc: 1, at: 250)     // parked 250…600 (350)
    b.start(2, proc: 1, at: 300)                     // task 2 runs 300…700 (400)
    b.park(1, reason: "channel receive", proc: 0, at: 400) // parked 400…900 (500)
    b.unpark(3, by: 2, proc: 1, at: 600)
    b.end(2, proc: 1, at: 700)
    b.start(3, proc: 1, at: 750)                     // runnable 600…750; runs 750…800 (50)
    b.end(3, proc: 1, at: 800)
    b.unpark(1, proc: 0, at: 900)
    b.start(1, proc: 0, at: 950)                     // runs 950…1000 (50)
    b.end(1, proc: 0, at: 1000)
    b.procStop(1, at: 1000).procStop(0, at: 1000)
    return b
}

@Suite("stats: counts and times against known intervals")
struct StatsAnalysisTests {
    private func rows(_ key: StatsKey) throws -> [String: StatsRow] {
        let bytes = knownHistory().bytes()
        var analysis = StatsAnalysis(by: key)
        let reader = try streamTrace(bytes) { event, _ in analysis.consume(event) }
        return Dictionary(uniqueKeysWithValues: analysis.finish(strings: reader.strings).map { ($0.key, $0) })
    }

    @Test func busyTimePerProc() throws {
        let byProc = try rows(.proc)
        #expect(byProc["P0"]?.timeNanoseconds == 300 + 50)
        #expect(byProc["P1"]?.timeNanoseconds == 100 + 400 + 50)
    }

    @Test func parkedTimePerReason() throws {
        let byReason = try rows(.reason)
        #expect(byReason["mutex"]?.count == 1)
        #expect(byReason["mutex"]?.timeNanoseconds == 350)
        #expect(byReason["channel receive"]?.timeNanoseconds == 500)
    }

    @Test func runningTimePerTaskAndLabel() throws {
        let byTask = try rows(.task)
        #expect(byTask["task 1"]?.timeNanoseconds == 350)
        #expect(byTask["task 2"]?.timeNanoseconds == 400)
        #expect(byTask["task 3"]?.timeNanoseconds == 150)
        let byLabel = try rows(.label)
        #expect(byLabel["worker"]?.tasks == 2)
        #expect(byLabel["worker"]?.timeNanoseconds == 750)
        #expect(byLabel["io"]?.timeNanoseconds == 150)
    }

    @Test func intervalTimePerKind() throws {
        let byKind = try rows(.kind)
        // Running: every task_start until the task's next stop.
        #expect(byKind["task_start"]?.timeNanoseconds == 300 + 100 + 400 + 50 + 50)
        #expect(byKind["task_park"]?.timeNanoseconds == 350 + 500)
        // Runnable after unpark: 600…750 and 900…950.
        #expect(byKind["task_unpark"]?.timeNanoseconds == 150 + 50)
        // Runnable after create: 10…100, 20…300, 30…150.
        #expect(byKind["task_create"]?.timeNanoseconds == 90 + 280 + 120)
        #expect(byKind["proc_start"]?.timeNanoseconds == 2000)
        #expect(byKind["task_end"]?.count == 3)
    }
}
