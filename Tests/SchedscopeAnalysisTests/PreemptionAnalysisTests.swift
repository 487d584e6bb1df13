import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("preemption: stops by kind, rates and the most-preempted")
struct PreemptionAnalysisTests {
    /// Task 1 ("spin"): runs 0…100, preempted; 200…300 preempted; 400…500 ends.
    /// Task 2 ("io"): 100…150 parks; unparked; 300…350 yields; 350…400 preempted; 500…600 ends.
    /// Task 3 ("gc worker", runtime): 150…200 yields; 600…700 preempted; 700…800 ends.
    private func history() -> TraceBuilder {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0)
        b.create(1, label: "spin", proc: 0, at: 0).create(2, label: "io", proc: 0, at: 0)
        b.create(3, label: "gc worker", runtime: true, proc: 0, at: 0)
        b.start(1, proc: 0, at: 0).preempt(1, proc: 0, at: 100)
        b.start(2, proc: 0, at: 100).park(2, reason: "io", proc: 0, at: 150)
        b.start(3, proc: 0, at: 150).yield(3, proc: 0, at: 200)
        b.unpark(2, proc: 0, at: 200)
        b.start(1, proc: 0, at: 200).preempt(1, proc: 0, at: 300)
        b.start(2, proc: 0, at: 300).yield(2, proc: 0, at: 350)
        b.start(2, proc: 0, at: 350).preempt(2, proc: 0, at: 400)
        b.start(1, proc: 0, at: 400).end(1, proc: 0, at: 500)
        b.start(2, proc: 0, at: 500).end(2, proc: 0, at: 600)
        b.start(3, proc: 0, at: 600).preempt(3, proc: 0, at: 700)
        b.start(3, proc: 0, at: 700).end(3, proc: 0, at: 800)
        b.procStop(0, at: 1000)
        return b
    }

    private func report(_ b: TraceBuilder, window: AnalysisWindow = .whole, includeRuntime: Bool = false) throws -> PreemptionReport {
        var analysis = PreemptionAnalysis(window: window, includeRuntime: includeRuntime)
        let strings = try streamWithStrings(b) { analysis.consume($0) }
        return analysis.finish(strings: strings)
    }

    @Test func runtimeTasksAreLeftOutAndCounted() throws {
        let r = try report(history())
        #expect(r.preemptions == 3 && r.yields == 1 && r.parks == 1 && r.ends == 2 && r.stops == 7)
        #expect(r.busyNanoseconds == 300 + 250)
        #expect(r.perBusySecond.isClose(to: 3e9 / 550))
        #expect(r.perWallSecond.isClose(to: 3e9 / 1000))
        #expect(r.fractionOfStops.isClose(to: 3.0 / 7))
        #expect(r.runtimeTasksExcluded == 1 && r.runtimeStopsExcluded == 3 && !r.includesRuntime)
        #expect(r.topTasks == [.init(task: TaskID(1), label: "spin", preemptions: 2), .init(task: TaskID(2), label: "io", preemptions: 1)])
        #expect(r.topLabels == [.init(label: "spin", preemptions: 2), .init(label: "io", preemptions: 1)])
    }

    @Test func includeRuntimeCountsThem() throws {
        let r = try report(history(), includeRuntime: true)
        #expect(r.preemptions == 4 && r.yields == 2 && r.parks == 1 && r.ends == 3)
        #expect(r.busyNanoseconds == 800)
        #expect(r.runtimeTasksExcluded == 0 && r.runtimeStopsExcluded == 0 && r.includesRuntime)
        #expect(r.topTasks.map(\.task) == [TaskID(1), TaskID(2), TaskID(3)], "ties go to the lower task id")
        #expect(r.topLabels.map(\.label) == ["spin", "gc worker", "io"], "ties go to the label in alphabetical order")
    }

    @Test func windowCountsStopsInsideAndClipsBusy() throws {
        // [250, 650): stops at 300 (preempt 1), 350 (yield 2), 400 (preempt 2), 500 (end 1), 600 (end 2).
        let r = try report(history(), window: AnalysisWindow(from: 250, to: 650))
        #expect(r.preemptions == 2 && r.yields == 1 && r.parks == 0 && r.ends == 2)
        #expect(r.busyNanoseconds == 50 + 50 + 50 + 100 + 100)
        #expect(r.perWallSecond.isClose(to: 2e9 / 400))
        #expect(r.runtimeStopsExcluded == 0, "task 3's stops at 700 and 800 are outside")
    }

    @Test func taskRunningAtTheEndAndEmptyTrace() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 10).preempt(1, proc: 0, at: 20)
        b.start(1, proc: 0, at: 30).log(at: 100)
        let r = try report(b)
        #expect(r.preemptions == 1 && r.stops == 1 && r.fractionOfStops == 1)
        #expect(r.busyNanoseconds == 10 + 70, "a task still running counts until the end")
        #expect(r.topTasks.map(\.preemptions) == [1])

        let empty = try report(TraceBuilder(procs: 1))
        #expect(empty.stops == 0 && empty.perBusySecond == 0 && empty.perWallSecond == 0 && empty.fractionOfStops == 0)
        #expect(empty.topTasks.isEmpty && empty.topLabels.isEmpty)
    }

    @Test func topTasksKeepsTheTenMostPreempted() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0)
        var t: UInt64 = 0
        for task in UInt64(1)...15 {
            b.create(task, label: "t\(task)", proc: 0, at: t)
            // Task n is preempted n % 7 times.
            for _ in 0..<(task % 7) {
                b.start(task, proc: 0, at: t).preempt(task, proc: 0, at: t + 1)
                t += 2
            }
            b.start(task, proc: 0, at: t).end(task, proc: 0, at: t + 1)
            t += 2
        }
        let r = try report(b)
        var expected: [(task: UInt64, count: UInt64)] = []
        for task in UInt64(1)...15 where task % 7 > 0 { expected.append((task, task % 7)) }
        expected.sort { a, b in a.count != b.count ? a.count > b.count : a.task < b.task }
        let top = Array(expected.prefix(10))
        #expect(r.topTasks.map { $0.task.rawValue } == top.map { $0.task })
        #expect(r.topTasks.map { $0.preemptions } == top.map { $0.count })
        #expect(r.preemptions == (UInt64(1)...15).reduce(0) { $0 + $1 % 7 })
    }
}

extension TraceBuilder {
    /// A `log` event on a thread of its own (it moves the trace's end without touching tasks).
    @discardableResult
    func log(at time: UInt64) -> Self {
        append(Event(kind: .log, timestamp: time, thread: ThreadID(99), argument1: UInt64(string("note").rawValue),
                     argument2: UInt64(string("end").rawValue)))
    }
}
