import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

@Suite("validate: every rule is caught, clean histories pass")
struct TraceValidatorTests {
    private func rules(_ build: (TraceBuilder) -> Void) throws -> Set<Violation.Rule> {
        let b = TraceBuilder(procs: 2)
        build(b)
        return Set(try readTrace(b.bytes()).violations.map(\.rule))
    }

    @Test func cleanHistoryHasNoViolations() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).start(1, proc: 0, at: 2)
            b.park(1, reason: "mutex", proc: 0, at: 3).unpark(1, proc: 0, at: 4)
            b.start(1, proc: 0, at: 5).yield(1, proc: 0, at: 6).start(1, proc: 0, at: 7).end(1, proc: 0, at: 8)
            b.procStop(0, at: 9)
        }
        #expect(found.isEmpty)
    }

    @Test func startWhileRunningIsIllegal() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).procStart(1, at: 0).create(1, proc: 0, at: 1)
            b.start(1, proc: 0, at: 2).start(1, proc: 1, at: 3)
        }
        #expect(found == [.illegalTransition])
    }

    /// A task may be born blocked (Go's GoCreateBlocked, a goroutine waiting when the trace
    /// starts): parked straight from creation; but it cannot yield or end before running.
    @Test func aCreatedTaskMayParkButNotStop() throws {
        let parked = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).park(1, reason: "chan receive", proc: 0, at: 2)
            b.unpark(1, proc: 0, at: 3).start(1, proc: 0, at: 4).end(1, proc: 0, at: 5)
        }
        #expect(parked.isEmpty)
        let yielded = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).yield(1, proc: 0, at: 2)
        }
        #expect(yielded == [.illegalTransition])
        let parkedTwice = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).park(1, reason: "mutex", proc: 0, at: 2)
            b.park(1, reason: "mutex", proc: 0, at: 3)
        }
        #expect(parkedTwice == [.illegalTransition])
    }

    @Test func twoTasksOnOneProc() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).create(2, proc: 0, at: 1)
            b.start(1, proc: 0, at: 2).start(2, proc: 0, at: 3)
        }
        #expect(found == [.procBusy])
    }

    @Test func unparkOfRunnableTask() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).unpark(1, proc: 0, at: 2)
        }
        #expect(found == [.illegalTransition])
    }

    @Test func timeGoingBackwardsOnAThread() throws {
        let found = try rules { b in
            b.procStart(0, at: 100).procStop(0, at: 50)
        }
        #expect(found.contains(.timeGoesBackwards))
    }

    /// The validator keeps the threads met last in 16 slots by their ids' low bits and the
    /// others in a map: a thread pushed out of its slot (40 threads here, 30 of them sharing
    /// one slot) must still be caught going backwards, with its own latest time, and no other.
    @Test("a thread's time going backwards is caught among many threads that share slots")
    func timeGoingBackwardsAmongManyThreads() {
        var validator = TraceValidator()
        let strings = StringTable()
        let threads = (0..<30).map { UInt64($0) * 16 + 5 } + (0..<10).map { UInt64($0) + 1_000 }
        func lost(_ thread: UInt64, _ time: UInt64) -> Event {
            Event(kind: .lost, timestamp: time, thread: ThreadID(rawValue: thread), argument1: 1)
        }
        var time: UInt64 = 0
        for round in 0..<5 {
            for thread in threads {
                time += 1
                validator.consume(lost(thread, time), strings: strings)
                if round == 2 && thread == threads[7] {
                    // The same time again is not backwards.
                    validator.consume(lost(thread, time), strings: strings)
                }
            }
        }
        let latest = time - UInt64(threads.count) + 8  // threads[7]'s time in the last round
        validator.consume(lost(threads[7], latest - 1), strings: strings)
        validator.consume(lost(threads[3], time + 1), strings: strings)
        #expect(validator.violations.map(\.rule) == [.timeGoesBackwards])
        #expect(validator.violations.first?.thread == ThreadID(rawValue: threads[7]))
        #expect(validator.violations.first?.message.hasSuffix("previous \(latest)") == true)
    }

    @Test func useAfterEnd() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).create(1, proc: 0, at: 1).start(1, proc: 0, at: 2).end(1, proc: 0, at: 3)
            b.start(1, proc: 0, at: 4)
        }
        #expect(found.contains(.duplicateTask))
    }

    @Test func unbalancedRanges() throws {
        let found = try rules { b in
            b.regionEnd("test", task: 0, proc: 0, at: 1)
            b.append(Event(kind: .gcPauseEnd, timestamp: 2, thread: ThreadID(100)))
        }
        #expect(found == [.unbalancedRange])
    }

    @Test func procStateErrors() throws {
        let found = try rules { b in
            b.procStart(0, at: 0).procStart(0, at: 1)
        }
        #expect(found == [.procState])
    }
}
