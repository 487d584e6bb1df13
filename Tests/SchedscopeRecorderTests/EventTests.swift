import RecorderTestWorkload
import SchedscopeModel
import SchedscopeRecorder
import Synchronization
import Testing

extension RecorderTests {
    @Suite("Events read back as emitted")
    struct EventTests {
        @Test("every event of the vocabulary reads back with its fields, P and task")
        func vocabulary() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("vocabulary.sctrace")
            let label = Recorder.intern("vocabulary.label")
            let reason = Recorder.intern("vocabulary.reason")
            let region = Recorder.intern("vocabulary.region")
            let category = Recorder.intern("vocabulary.category")
            let message = Recorder.intern("vocabulary.message")
            try Recorder.start(path: path)
            let p0 = ProcID(0), p1 = ProcID(1)
            let t1 = TaskID(1), t2 = TaskID(2)
            runOnThreads(1) { _ in
                Recorder.procStart(p0)
                Recorder.taskCreate(t1, parent: .none, label: label)
                Recorder.taskCreate(t2, parent: t1, label: label, isRuntime: true)
                Recorder.taskStart(t1, on: p0)
                Recorder.regionBegin(region)
                Recorder.log(message, category: category)
                Recorder.gcBegin(cycle: 7)
                Recorder.gcPauseBegin(reason: reason)
                Recorder.gcPauseEnd(reason: reason)
                Recorder.gcEnd(cycle: 7)
                Recorder.regionEnd(region)
                Recorder.taskPark(t1, reason: reason)
                Recorder.procSteal(p0, from: p1, count: 3)
                Recorder.taskStart(t2, on: p0)
                Recorder.taskUnpark(t1, by: t2)
                Recorder.regionBegin(region, task: t1)
                Recorder.regionEnd(region, task: t1)
                Recorder.taskYield(t2)
                Recorder.taskStart(t2, on: p0)
                Recorder.taskPreempt(t2)
                Recorder.taskStart(t2, on: p0)
                Recorder.taskEnd(t2)
                Recorder.procStop(p0)
            }
            try Recorder.stop()
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations)")
            #expect(!trace.trace.report.isDamaged)
            let events = trace.events
            typealias E = Event
            let thread = try #require(events.first?.thread)
            func event(_ kind: EventKind, proc: ProcID = p0, task: TaskID = .none, _ a1: UInt64 = 0, _ a2: UInt64 = 0,
                       flags: UInt8 = 0) -> Event {
                Event(kind: kind, timestamp: 0, thread: thread, proc: proc, task: task, argument1: a1, argument2: a2, flags: flags)
            }
            let l = UInt64(label.rawValue), r = UInt64(reason.rawValue), g = UInt64(region.rawValue)
            let expected: [Event] = [
                event(.procStart),
                event(.taskCreate, task: t1, 0, l),
                event(.taskCreate, task: t2, 1, l, flags: Event.Flags.runtimeTask),
                event(.taskStart, task: t1),
                event(.regionBegin, task: t1, g),
                event(.log, task: t1, UInt64(category.rawValue), UInt64(message.rawValue)),
                event(.gcBegin, task: t1, 7),
                event(.gcPauseBegin, task: t1, r),
                event(.gcPauseEnd, task: t1, r),
                event(.gcEnd, task: t1, 7),
                event(.regionEnd, task: t1, g),
                event(.taskPark, task: t1, r),
                event(.procSteal, 1, 3),
                event(.taskStart, task: t2),
                event(.taskUnpark, task: t1, 2),
                event(.regionBegin, task: t1, g),
                event(.regionEnd, task: t1, g),
                event(.taskYield, task: t2),
                event(.taskStart, task: t2),
                event(.taskPreempt, task: t2),
                event(.taskStart, task: t2),
                event(.taskEnd, task: t2),
                event(.procStop),
            ]
            #expect(events.count == expected.count)
            for (got, want) in zip(events, expected) {
                var stamped = want
                stamped.timestamp = got.timestamp
                #expect(got == stamped)
            }
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
            #expect(trace.strings[label] == "vocabulary.label")
            #expect(trace.strings[message] == "vocabulary.message")
            // Every kind but `lost` (the recorder's own) appears.
            #expect(Set(events.map(\.kind)) == Set(EventKind.allCases).subtracting([.lost]))
        }

        @Test("a scheduler script on several threads reads back exactly, and validates")
        func scripts() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("scripts.sctrace")
            let strings = InternedStrings(SchedulerScript.allStrings)
            try Recorder.start(path: path, options: RecorderOptions(bufferEvents: 1 << 18, procCount: 4))
            runOnThreads(4) { index in
                var script = SchedulerScript(index: index, seed: 42)
                for _ in 0..<2000 {
                    for step in script.nextRound() { step.emit(strings: strings) }
                }
            }
            let summary = try Recorder.stop()
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(5))")
            #expect(!trace.trace.report.isDamaged)
            #expect(UInt64(trace.events.count) == summary.events)
            #expect(trace.byThread.count == 4)
            for events in trace.byThread.values {
                let lost = events.filter { $0.kind == .lost }.reduce(0) { $0 + $1.lostCount }
                guard lost == 0 else { continue }  // a drop would break the script (allowed, reported)
                var script = SchedulerScript(index: Int(try #require(events.first).proc.rawValue), seed: 42)
                var expected: [SchedulerScript.Step] = []
                for _ in 0..<2000 { expected += script.nextRound() }
                #expect(events.count == expected.count)
                for (event, step) in zip(events, expected) where !step.matches(event, table: trace.strings) {
                    Issue.record("\(event) does not match \(step)")
                    break
                }
            }
            #expect(summary.decodedEventBytes > 0 && summary.storedEventBytes <= summary.decodedEventBytes)
        }

        @Test("N threads × M events: each thread's events read back in order, or are counted as lost",
              arguments: [(4, 1 << 15), (3, 64), (8, 256)])
        func concurrentThreads(threads: Int, bufferEvents: Int) throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("concurrent.sctrace")
            let perThread = 200_000
            try Recorder.start(path: path, options: RecorderOptions(bufferEvents: bufferEvents, drainInterval: .milliseconds(1)))
            runOnThreads(threads) { index in
                for n in 0..<perThread {
                    Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(1000), count: UInt64(n))
                }
            }
            let summary = try Recorder.stop()
            let trace = try RecordedTrace(path: path)
            #expect(!trace.trace.report.isDamaged)
            #expect(trace.trace.violations.isEmpty)
            #expect(trace.byThread.count == threads)
            var seenProcs = Set<ProcID>()
            for events in trace.byThread.values {
                let steals = events.filter { $0.kind == .procSteal }
                let proc = try #require(steals.first?.proc)
                #expect(seenProcs.insert(proc).inserted, "two recorder threads carry P\(proc)")
                #expect(events.allSatisfy { $0.kind == .procSteal || $0.kind == .lost })
                #expect(steals.allSatisfy { $0.proc == proc && $0.victim == ProcID(1000) })
                // In order: counts strictly increase; the gaps are exactly the lost events.
                var previous: Int64 = -1
                var gaps: UInt64 = 0
                for steal in steals {
                    let count = Int64(steal.stealCount)
                    #expect(count > previous)
                    gaps += UInt64(count - previous - 1)
                    previous = count
                }
                gaps += UInt64(Int64(perThread) - 1 - previous)
                let lost = events.filter { $0.kind == .lost }.reduce(0) { $0 + $1.lostCount }
                #expect(lost == gaps)
                #expect(UInt64(steals.count) + lost == UInt64(perThread))
            }
            #expect(summary.lostEvents == trace.lostEvents)
        }

        @Test("a full ring drops and counts, and a lost event reports the exact count")
        func exactDrops() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("drops.sctrace")
            try Recorder.start(path: path, options: RecorderOptions(bufferEvents: 64))
            runOnThreads(1) { _ in
                Recorder.procStart(ProcID(0))
                try! Recorder.flush()  // the slot is armed and empty
                Recorder.withFlusherPaused {
                    for n in 0..<100 { Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(n)) }
                }
                try! Recorder.flush()
                Recorder.procSteal(ProcID(0), from: ProcID(1), count: 100)
            }
            let summary = try Recorder.stop()
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty)
            let kinds = trace.events.map(\.kind)
            #expect(kinds == [.procStart] + Array(repeating: .procSteal, count: 64) + [.lost, .procSteal])
            #expect(trace.events.filter { $0.kind == .procSteal }.map(\.stealCount) == Array(0..<64) + [100])
            #expect(trace.lostEvents == 36)
            #expect(summary.lostEvents == 36)
        }

        @Test("the thread reports its own loss when space returns before the generation ends")
        func producerReportsLoss() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("producer-lost.sctrace")
            try Recorder.start(path: path, options: RecorderOptions(bufferEvents: 64, generationInterval: .seconds(3600)))
            runOnThreads(1) { _ in
                Recorder.procStart(ProcID(0))
                try! Recorder.flush()
                Recorder.withFlusherPaused {
                    for n in 0..<100 { Recorder.procSteal(ProcID(0), from: ProcID(1), count: UInt64(n)) }
                }
                Recorder.drainOnce()  // space returns; the drop count is still pending
                Recorder.procSteal(ProcID(0), from: ProcID(1), count: 100)
            }
            try Recorder.stop()
            let trace = try RecordedTrace(path: path)
            #expect(trace.trace.violations.isEmpty)
            #expect(trace.events.map(\.kind) == [.procStart] + Array(repeating: .procSteal, count: 64) + [.lost, .procSteal])
            #expect(trace.events.filter { $0.kind == .procSteal }.map(\.stealCount) == Array(0..<64) + [100])
            #expect(trace.lostEvents == 36)
            // Written by the thread itself: stamped with its next event's time.
            let lost = try #require(trace.events.first { $0.kind == .lost })
            #expect(lost.timestamp == trace.events.last?.timestamp)
        }

        @Test("flush() writes every event emitted before it to the file")
        func flushIsDurable() throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("flush.sctrace")
            try Recorder.start(path: path, options: RecorderOptions(generationInterval: .seconds(3600)))
            var total = 0
            for round in 1...3 {
                runOnThreads(2) { index in
                    for n in 0..<1000 { Recorder.procSteal(ProcID(UInt32(index)), from: ProcID(9), count: UInt64(n)) }
                }
                let generation = try Recorder.flush()
                total += 2000
                #expect(generation.events == 2000)
                let trace = try RecordedTrace(path: path)
                #expect(trace.events.count == total)
                #expect(trace.trace.report.generations == round)
                // Still recording: every chunk is whole, and only the end chunk is missing.
                #expect(trace.trace.report.damages.map(\.kind) == [.truncated])
                #expect(trace.trace.report.bytesLost == 0 && trace.trace.report.end == nil)
            }
            try Recorder.stop()
            let finished = try RecordedTrace(path: path)
            #expect(!finished.trace.report.isDamaged)
            #expect(finished.trace.report.end?.eventsWritten == UInt64(total))
        }
    }
}
