import Foundation
import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("leaks: parked tasks at the end, by reason and label, by region, starved, uncertain")
struct LeakAnalysisTests {
    private func report(
        _ b: TraceBuilder, window: AnalysisWindow = .whole, options: LeakOptions = LeakOptions(), ignore: String? = nil
    ) throws -> LeakReport {
        var analysis = LeakAnalysis(window: window, options: options)
        let strings = try streamWithStrings(b) { analysis.consume($0) }
        let pattern = try ignore.map { try NSRegularExpression(pattern: $0) }
        return analysis.finish(strings: strings, ignoring: pattern.map { regex in
            { text in regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
        })
    }

    /// Task 1 parks for good at 100 (created 10); task 2 at 300 (created 20); task 3 ends;
    /// task 6 was alive before the trace and parks at 50; task 7 (runtime) parks at 90;
    /// task 4 is created at 800 and never starts (starved); task 5 parks at 950. Ends at 1000.
    private func history() -> TraceBuilder {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(7, label: "sweeper", runtime: true, proc: 1, at: 5)
        b.create(1, label: "Subscriber.listen()", proc: 0, at: 10)
        b.create(2, label: "Worker", proc: 0, at: 20)
        b.create(3, label: "Worker", proc: 0, at: 30)
        b.start(1, proc: 0, at: 40).park(1, reason: "channel receive", proc: 0, at: 100)
        b.park(6, reason: "sleep", proc: 1, at: 50)
        b.start(3, proc: 1, at: 60).end(3, proc: 1, at: 70)
        b.start(7, proc: 1, at: 80).park(7, reason: "gc idle", proc: 1, at: 90)
        b.start(2, proc: 0, at: 100).park(2, reason: "mutex", proc: 0, at: 300)
        b.create(4, label: "Late", proc: 0, at: 800)
        b.create(5, label: "Worker", proc: 0, at: 850).start(5, proc: 0, at: 900).park(5, reason: "mutex", proc: 0, at: 950)
        b.log(at: 1000)
        return b
    }

    @Test func candidatesGroupsAndStarved() throws {
        let r = try report(history())
        #expect(r.candidates.map(\.task.rawValue) == [6, 1, 2, 5], "longest parked first")
        #expect(r.candidates.map(\.parkedNanoseconds) == [950, 900, 700, 50])
        #expect(r.candidates.map(\.reason) == ["sleep", "channel receive", "mutex", "mutex"])
        #expect(r.candidates.map(\.label) == ["", "Subscriber.listen()", "Worker", "Worker"])
        #expect(r.candidates.map(\.createdAt) == [nil, 10, 20, 850])
        #expect(r.candidates.allSatisfy { $0.region == nil && $0.judgedAt == 1000 && !$0.uncertain })
        #expect(r.groups == [
            .init(reason: "mutex", label: "Worker", count: 2, maxParkedNanoseconds: 700, minParkedNanoseconds: 50),
            .init(reason: "channel receive", label: "Subscriber.listen()", count: 1, maxParkedNanoseconds: 900, minParkedNanoseconds: 900),
            .init(reason: "sleep", label: "", count: 1, maxParkedNanoseconds: 950, minParkedNanoseconds: 950),
        ])
        #expect(r.starved.map(\.task.rawValue) == [4] && r.starved[0].runnableNanoseconds == 200 && r.starved[0].createdAt == 800)
        #expect(r.runtimeCandidatesExcluded == 1 && r.runtimeTasksExcluded == 1)
        #expect(r.regions == [.init(region: nil, count: 4)])
    }

    @Test func minAgeIgnoreAndRuntime() throws {
        let aged = try report(history(), options: LeakOptions(minAge: 100))
        #expect(aged.candidates.map(\.task.rawValue) == [6, 1, 2] && aged.starved.count == 1)
        let older = try report(history(), options: LeakOptions(minAge: 201))
        #expect(older.candidates.count == 3 && older.starved.isEmpty)
        #expect(try report(history(), options: LeakOptions(minAge: 951)).candidates.isEmpty)

        let ignored = try report(history(), ignore: "^Subscriber|mutex")
        #expect(ignored.candidates.map(\.task.rawValue) == [6] && ignored.ignored == 3)
        #expect(ignored.groups.map(\.reason) == ["sleep"])

        let runtime = try report(history(), options: LeakOptions(includeRuntime: true))
        #expect(runtime.candidates.map(\.task.rawValue) == [6, 7, 1, 2, 5], "task 7 parked at 90, 910 ns before the end")
        #expect(runtime.runtimeCandidatesExcluded == 0 && runtime.runtimeTasksExcluded == 0)
    }

    @Test func windowEndIsTheVerdictTime() throws {
        // At 400 task 5 does not exist yet and task 4 is not created: three candidates.
        let r = try report(history(), window: AnalysisWindow(to: 400))
        #expect(r.candidates.map(\.task.rawValue) == [6, 1, 2])
        #expect(r.candidates.map(\.parkedNanoseconds) == [350, 300, 100])
        #expect(r.starved.isEmpty && r.end == 400)
    }

    /// Root task 1 begins region A, creates task 2 (parks for good), begins B inside A,
    /// creates task 3 (parks for good), ends A before B (overlap), creates task 4 (ends) and
    /// task 5 (never started), ends B. A process-wide region "suite" (begun by no task)
    /// holds task 6; task 7 is created after it ends.
    private func regions() -> TraceBuilder {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.append(Event(kind: .regionBegin, timestamp: 0, thread: ThreadID(100), argument1: UInt64(b.string("suite").rawValue)))
        b.create(1, label: "root", proc: 0, at: 1).start(1, proc: 0, at: 10).regionBegin("A", task: 1, proc: 0, at: 11)
        b.create(2, parent: 1, label: "leaky", proc: 0, at: 12)
        b.start(2, proc: 1, at: 20).park(2, reason: "channel receive", proc: 1, at: 25)
        b.regionBegin("B", task: 1, proc: 0, at: 30)
        b.create(3, parent: 1, label: "inner", proc: 0, at: 31)
        b.start(3, proc: 1, at: 40).park(3, reason: "mutex", proc: 1, at: 45)
        b.regionEnd("A", task: 1, proc: 0, at: 50)
        b.create(4, parent: 1, label: "after", proc: 0, at: 51)
        b.start(4, proc: 1, at: 60).end(4, proc: 1, at: 61)
        b.create(5, parent: 1, label: "late", proc: 0, at: 62)
        b.regionEnd("B", task: 1, proc: 0, at: 70).end(1, proc: 0, at: 71)
        b.create(6, label: "global", proc: 1, at: 80).start(6, proc: 1, at: 81).park(6, reason: "sleep", proc: 1, at: 82)
        b.append(Event(kind: .regionEnd, timestamp: 90, thread: ThreadID(100), argument1: UInt64(b.string("suite").rawValue)))
        b.create(7, label: "outside", proc: 1, at: 95).start(7, proc: 1, at: 96).park(7, reason: "sleep", proc: 1, at: 97)
        b.log(at: 100)
        return b
    }

    @Test func regionsAtTheEndOfTheTrace() throws {
        let r = try report(regions())
        #expect(r.candidates.map(\.task.rawValue) == [2, 3, 6, 7])
        #expect(r.candidates.map(\.region) == ["A", "B", "suite", nil])
        #expect(r.candidates.map(\.parkedNanoseconds) == [75, 55, 18, 3])
        #expect(r.starved.map(\.task.rawValue) == [5] && r.starved[0].region == "B" && r.starved[0].runnableNanoseconds == 38)
    }

    @Test func byRegionJudgesAtEachRegionsEnd() throws {
        let r = try report(regions(), options: LeakOptions(byRegion: true))
        #expect(r.candidates.map(\.task.rawValue) == [2, 3, 6, 7])
        #expect(r.candidates.map(\.region) == ["A", "B", "suite", nil])
        #expect(r.candidates.map(\.judgedAt) == [50, 70, 90, 100])
        #expect(r.candidates.map(\.parkedNanoseconds) == [25, 25, 8, 3])
        #expect(r.starved.map(\.task.rawValue) == [5] && r.starved[0].judgedAt == 70 && r.starved[0].runnableNanoseconds == 8)
        #expect(r.regions == [.init(region: "A", count: 1), .init(region: "B", count: 1), .init(region: "suite", count: 1), .init(region: nil, count: 1)])
        // A task judged at its region's end is judged once, even if min-age keeps others for later.
        let aged = try report(regions(), options: LeakOptions(minAge: 10, byRegion: true))
        #expect(aged.candidates.map(\.task.rawValue) == [2, 3, 6], "task 6 is 8 ns parked at suite's end, 18 at the trace's")
        #expect(aged.candidates.map(\.judgedAt) == [50, 70, 100])
        #expect(aged.candidates.map(\.region) == ["A", "B", "suite"])
        #expect(aged.starved.map(\.task.rawValue) == [5] && aged.starved[0].judgedAt == 100)
    }

    /// Root task 1 opens region "long" and creates 1,000 children there, one every 10 ns.
    /// Each child starts and parks; 60 later, the child is woken and ends, unless it is one
    /// of the leakers (every `leakEvery`-th, offset by `seed`), which stay parked. So about
    /// 60 children are alive at any time, and the region's member list must be swept of
    /// ended children again and again. Then region "next" (which reuses the freed list)
    /// gets 100 children, of which 7, 42 and 99 leak. Every parked child is a candidate of
    /// the region it was created in, judged at that region's end.
    @Test("long regions: the member lists are swept of ended tasks, and a freed list serves the next region", arguments: [(1, 7), (2, 13), (3, 50)])
    func longRegionsSweepAndReuseLists(seed: Int, leakEvery: Int) throws {
        let b = TraceBuilder(procs: 2)
        b.procStart(0, at: 0).procStart(1, at: 0)
        b.create(1, label: "root", proc: 0, at: 1).start(1, proc: 0, at: 2).regionBegin("long", task: 1, proc: 0, at: 3)
        let children = 1_000, window = 60
        func isLeaker(_ i: Int) -> Bool { (i + seed) % leakEvery == 0 }
        var parkedAtEnd = Set<UInt64>()
        for i in 0..<children {
            let id = UInt64(100 + i), time = UInt64(10 + 10 * i)
            b.create(id, parent: 1, label: "child", proc: 0, at: time)
            b.start(id, proc: 1, at: time + 1).park(id, reason: "wait", proc: 1, at: time + 2)
            parkedAtEnd.insert(id)
            if i >= window, !isLeaker(i - window) {
                let old = UInt64(100 + i - window)
                b.unpark(old, by: 1, proc: 0, at: time + 3).start(old, proc: 1, at: time + 4).end(old, proc: 1, at: time + 5)
                parkedAtEnd.remove(old)
            }
        }
        let longEnd = UInt64(10 + 10 * children)
        b.regionEnd("long", task: 1, proc: 0, at: longEnd)
        b.regionBegin("next", task: 1, proc: 0, at: longEnd + 1)
        let nextLeakers: Set<Int> = [7, 42, 99]
        for i in 0..<100 {
            let id = UInt64(10_000 + i), time = longEnd + 10 + UInt64(10 * i)
            b.create(id, parent: 1, label: "next child", proc: 0, at: time).start(id, proc: 1, at: time + 1)
            if nextLeakers.contains(i) {
                b.park(id, reason: "wait", proc: 1, at: time + 2)
            } else {
                b.end(id, proc: 1, at: time + 2)
            }
        }
        let nextEnd = longEnd + 2_000
        b.regionEnd("next", task: 1, proc: 0, at: nextEnd).end(1, proc: 0, at: nextEnd + 1).log(at: nextEnd + 10)

        var analysis = LeakAnalysis(options: LeakOptions(byRegion: true))
        var mostHeld = 0
        let strings = try streamWithStrings(b) { event in
            analysis.consume(event)
            mostHeld = max(mostHeld, analysis.heldRegionMembers)
        }
        let r = analysis.finish(strings: strings)
        let judged = Dictionary(uniqueKeysWithValues: r.candidates.map { ($0.task.rawValue, $0) })
        let expectedNext = Set(nextLeakers.map { UInt64(10_000 + $0) })
        #expect(Set(judged.keys) == parkedAtEnd.union(expectedNext))
        for id in parkedAtEnd {
            #expect(judged[id]?.region == "long" && judged[id]?.judgedAt == longEnd, "child \(id)")
        }
        for id in expectedNext {
            #expect(judged[id]?.region == "next" && judged[id]?.judgedAt == nextEnd, "child \(id)")
        }
        // Never more than twice the live members plus one sweep's worth: without sweeps the
        // list of "long" would hold all 1,000 children by its end.
        let mostAlive = window + children / leakEvery + 1
        #expect(mostHeld <= 2 * mostAlive + 64, "\(mostHeld) ids held for at most \(mostAlive) live members")
    }

    @Test func lostEventsMakeLaterVerdictsUncertain() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0)
        b.create(1, proc: 0, at: 0).start(1, proc: 0, at: 10).park(1, reason: "io", proc: 0, at: 100)
        b.lost(12, at: 150)
        b.create(2, proc: 0, at: 160).start(2, proc: 0, at: 170).park(2, reason: "io", proc: 0, at: 200)
        b.create(3, proc: 0, at: 210)
        b.log(at: 300)
        let r = try report(b)
        #expect(r.candidates.map(\.task.rawValue) == [1, 2])
        #expect(r.candidates.map(\.uncertain) == [true, false])
        #expect(r.starved.map(\.uncertain) == [false])
        #expect(r.lostEvents == 12)
    }

    @Test func runningTasksAndEmptyTraces() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 0).log(at: 10_000)
        let r = try report(b)
        #expect(r.candidates.isEmpty && r.starved.isEmpty, "a task running through the whole trace is no leak")
        let empty = try report(TraceBuilder(procs: 1))
        #expect(empty.candidates.isEmpty && empty.groups.isEmpty && empty.regions.isEmpty && empty.end == 0)
    }

    @Test func eventsLeftOutByAFilterStillMoveTheEnd() throws {
        let b = TraceBuilder(procs: 1)
        b.procStart(0, at: 0).create(1, proc: 0, at: 0).start(1, proc: 0, at: 10).park(1, reason: "io", proc: 0, at: 20)
        b.create(2, proc: 0, at: 30).start(2, proc: 0, at: 40).end(2, proc: 0, at: 500)
        var analysis = LeakAnalysis()
        let strings = try streamWithStrings(b) { event in
            // As `--task 1` does: task 2's events are left out, but the trace goes on to 500.
            if event.task == TaskID(2) { analysis.skip(event) } else { analysis.consume(event) }
        }
        let r = analysis.finish(strings: strings)
        #expect(r.end == 500 && r.candidates.map(\.parkedNanoseconds) == [480])
        var windowed = LeakAnalysis(window: AnalysisWindow(to: 300))
        _ = try streamWithStrings(b) { event in
            if event.task == TaskID(2) { windowed.skip(event) } else { windowed.consume(event) }
        }
        #expect(windowed.finish(strings: strings).candidates.map(\.parkedNanoseconds) == [280], "nothing moves the end past --to")
    }
}
