import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

/// Writes a workload to memory and reads it back, validated.
private func generate(_ workload: SyntheticWorkload) throws -> (ReadTrace, SyntheticTruth) {
    let sink = ByteSink()
    let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions)
    let truth = try workload.write(to: writer)
    return (try readTrace(sink.memory), truth)
}

private func suite(seed: UInt64 = 5, _ change: (inout SyntheticWorkload) -> Void = { _ in }) -> SyntheticWorkload {
    var workload = SyntheticWorkload(procs: 4, seed: seed, leakEvery: 20, gcInterval: 500_000, testLimit: 40)
    change(&workload)
    return workload
}

/// The knobs `diff`'s tests inject regressions with do what they say, and leave legal traces.
@Suite("synth: regression knobs")
struct RegressionKnobTests {
    @Test func testLimitFixesTheSuiteAndItsLeaks() throws {
        for seed: UInt64 in [1, 2, 3] {
            let (trace, truth) = try generate(suite(seed: seed))
            #expect(trace.violations.isEmpty)
            #expect(truth.regions.count == 40)  // one region per test case
            #expect(truth.leakedTasks.count == 2)  // tests 19 and 39 leak
            #expect(Set(truth.leakedTasks.map(\.region)) == ["SchedulerTests/test4", "SchedulerTests/test9"])
        }
    }

    @Test func starvedProcRunsNothingInItsWindow() throws {
        let window: Range<UInt64> = 5_000_000..<15_000_000
        let (trace, _) = try generate(suite { $0.starvation = .init(proc: 1, from: window.lowerBound, to: window.upperBound) })
        #expect(trace.violations.isEmpty)
        let starts = trace.events.filter { $0.kind == .taskStart }
        #expect(!starts.contains { $0.proc == ProcID(1) && window.lowerBound <= $0.timestamp && $0.timestamp < window.upperBound })
        // The other Ps keep working meanwhile, and P1 works before and after.
        #expect(starts.contains { $0.proc != ProcID(1) && window.contains($0.timestamp) })
        #expect(starts.contains { $0.proc == ProcID(1) && $0.timestamp < window.lowerBound })
        #expect(starts.contains { $0.proc == ProcID(1) && $0.timestamp >= window.upperBound })
    }

    /// The first pause happens before anything the scale changes, so it is the same draw.
    @Test func pauseScaleLengthensEveryPause() throws {
        let (plainTrace, plain) = try generate(suite())
        let (scaledTrace, scaled) = try generate(suite { $0.gcPauseScale = 2 })
        #expect(plainTrace.violations.isEmpty && scaledTrace.violations.isEmpty)
        #expect(scaled.gcPauses.first == plain.gcPauses.first.map { $0 * 2 })
        #expect(scaled.gcPauses.min()! >= 20_000)  // drawn from 10 µs up, doubled
    }

    @Test func extraLeaksAddTasksToTheGroupOrANewOne() throws {
        let (_, plain) = try generate(suite())
        let (sameTrace, same) = try generate(suite { $0.extraLeaks = 2 })
        let (_, other) = try generate(suite { $0.extraLeaks = 1; $0.extraLeakLabel = "Watcher.observe()" })
        #expect(sameTrace.violations.isEmpty)
        #expect(same.leakedTasks.count == plain.leakedTasks.count + 2)
        #expect(Set(same.leakedTasks.map(\.label)) == ["Subscriber.listen()"])
        #expect(other.leakedTasks.filter { $0.label == "Watcher.observe()" }.count == 1)
        #expect(other.leakedTasks.first { $0.label == "Watcher.observe()" }?.region == "ParserTests/test0")
    }

    /// A task cannot start sooner than the delay after it became runnable.
    @Test func extraStartDelayDelaysEveryStart() throws {
        let delay: UInt64 = 100_000
        let (trace, _) = try generate(suite { $0.extraStartDelay = delay })
        #expect(trace.violations.isEmpty)
        var runnableSince: [TaskID: UInt64] = [:]
        var checked = 0
        for event in trace.events {
            switch event.kind {
            case .taskCreate, .taskUnpark, .taskYield, .taskPreempt: runnableSince[event.task] = event.timestamp
            case .taskStart:
                if let since = runnableSince.removeValue(forKey: event.task) {
                    #expect(event.timestamp - since >= delay, "task \(event.task.rawValue)")
                    checked += 1
                }
            default: break
            }
        }
        #expect(checked > 100)
    }
}
