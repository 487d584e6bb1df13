import Foundation
import SchedscopeAnalysis
import SchedscopeImport
import SchedscopeModel
import Testing

/// The importer and the analyses against Go programs whose behaviour is known by
/// construction (Fixtures/go/*/main.go): each program wrote its own truth.json.
@Suite struct GoFixtureTests {
    @Test(arguments: ["leaks", "preempt", "gcheavy", "syscalls", "fanout", "gotest-context"])
    func importsCleanly(_ program: String) throws {
        let fixture = try GoFixture.load(program)
        #expect(fixture.violations.isEmpty, "\(fixture.violations.prefix(3))")
        #expect(!fixture.report.hasWarnings, "\(fixture.report.diagnostics)")
        #expect(fixture.report.generations >= 1)
        #expect(!fixture.report.truncated)
        #expect(fixture.info.procCount >= 1)
        // main called trace.Start: goroutine 1, the main goroutine, was running then.
        let main = fixture.events.first { $0.kind == .taskCreate && $0.task == TaskID(1) }
        #expect(main.map { fixture.strings[$0.label] } == "runtime.main")
        #expect(main.map(\.isRuntimeTask) == false)
        // Every goroutine of the program itself has a start function from the trace.
        guard program != "gcheavy" else { return }  // main allocates; it starts no goroutine
        let prefix = program == "gotest-context" ? "testing." : "main."
        let userTasks = fixture.events.filter { $0.kind == .taskCreate && fixture.strings[$0.label].hasPrefix(prefix) }
        #expect(!userTasks.isEmpty)
    }

    @Test func everyDeliberateLeakIsACandidateWithItsLabelAndReason() throws {
        let fixture = try GoFixture.load("leaks")
        let report = leakReport(fixture)
        let leaked = try #require(fixture.truth["leaked"] as? [[String: Any]])
        #expect(leaked.count == 6)
        var expected = 0
        for kind in leaked {
            let function = try #require(kind["function"] as? String)
            let reason = try #require(kind["reason"] as? String)
            let count = try #require((kind["count"] as? NSNumber)?.intValue)
            let found = report.candidates.filter { $0.label == function }
            #expect(found.count == count, "\(function): \(found.count) candidates, \(count) leaked")
            #expect(found.allSatisfy { $0.reason == reason }, "\(function): \(found.map(\.reason)), expected \(reason)")
            expected += count
        }
        // Nothing else of the program's own is a candidate, and the runtime's and the
        // tracer's goroutines are left out by default.
        let programCandidates = report.candidates.filter { $0.label.hasPrefix("main.") }
        #expect(programCandidates.count == expected)
        #expect(report.candidates.count == expected, "\(report.candidates.filter { !$0.label.hasPrefix("main.") }.map(\.label))")
    }

    @Test func goroutinesThatEndedAreNotCandidates() throws {
        let fixture = try GoFixture.load("leaks")
        let ended = try #require((fixture.truth["ended"] as? [[String: Any]])?.first)
        let function = try #require(ended["function"] as? String)
        let count = try #require((ended["count"] as? NSNumber)?.intValue)
        let workers = fixture.tasks(labelled: function)
        #expect(workers.count == count)
        #expect(fixture.count(.taskEnd, of: workers) == count)
        let report = leakReport(fixture, includeRuntime: true)
        #expect(report.candidates.allSatisfy { !workers.contains($0.task) })
    }

    /// A real `go test -trace` (the context package's tests, which pass): every test ran in
    /// a goroutine started at testing.tRunner, and every one of them ended.
    @Test func goTestGoroutinesAllEnded() throws {
        let fixture = try GoFixture.load("gotest-context")
        let tests = fixture.tasks(labelled: fixture.string("test_function"))
        #expect(!tests.isEmpty)
        #expect(fixture.count(.taskEnd, of: tests) == tests.count)
        #expect(leakReport(fixture).candidates.allSatisfy { !tests.contains($0.task) })
    }

    @Test func fanOutCountsMatch() throws {
        let fixture = try GoFixture.load("fanout")
        let parents = fixture.tasks(labelled: fixture.string("parent_function"))
        let children = fixture.tasks(labelled: fixture.string("child_function"))
        #expect(parents.count == fixture.int("parents"))
        #expect(children.count == fixture.int("parents") * fixture.int("children_per_parent"))
        // Each child's parent is one of the parents, and each parent made the same number.
        var perParent: [TaskID: Int] = [:]
        for event in fixture.events where event.kind == .taskCreate && children.contains(event.task) {
            #expect(parents.contains(event.parent))
            perParent[event.parent, default: 0] += 1
        }
        #expect(perParent.count == parents.count)
        #expect(perParent.values.allSatisfy { $0 == fixture.int("children_per_parent") })
        #expect(fixture.count(.taskEnd, of: parents.union(children)) == parents.count + children.count)
        #expect(leakReport(fixture).candidates.isEmpty)
    }

    /// trace.NewTask → a process-wide region; trace.WithRegion → a region of the goroutine
    /// that runs it; trace.Log → a log event.
    @Test func userTasksRegionsAndLogs() throws {
        let fixture = try GoFixture.load("fanout")
        let parents = fixture.tasks(labelled: fixture.string("parent_function"))
        func named(_ kind: EventKind, _ name: String) -> [Event] {
            fixture.events.filter { $0.kind == kind && fixture.strings[$0.regionName] == name }
        }
        let regionBegins = named(.regionBegin, fixture.string("region"))
        #expect(regionBegins.count == fixture.int("parents"))
        #expect(Set(regionBegins.map(\.task)) == parents)
        #expect(Set(named(.regionEnd, fixture.string("region")).map(\.task)) == parents)
        let task = named(.regionBegin, fixture.string("user_task"))
        #expect(task.count == 1 && task.first?.task == TaskID.none)
        #expect(named(.regionEnd, fixture.string("user_task")).count == 1)
        let logs = fixture.events.filter { $0.kind == .log }
        #expect(logs.count == fixture.int("parents"))
        #expect(logs.allSatisfy {
            fixture.strings[$0.logCategory] == fixture.string("log_category")
                && fixture.strings[$0.logMessage] == fixture.string("log_message") && parents.contains($0.task)
        })
    }

    @Test func goschedIsAYieldAndSpinnersArePreempted() throws {
        let fixture = try GoFixture.load("preempt")
        let yielder = fixture.tasks(labelled: fixture.string("yielder_function"))
        #expect(yielder.count == 1)
        // runtime.Gosched is GoStop "runtime.Gosched": exactly one task_yield per call.
        #expect(fixture.count(.taskYield, of: yielder) == fixture.int("gosched_calls"))
        #expect(fixture.count(.taskPreempt, of: yielder) == 0)
        let spinners = fixture.tasks(labelled: fixture.string("spinner_function"))
        #expect(spinners.count == fixture.int("spinners"))
        // More spinners than Ps, each spinning far longer than the 10 ms after which sysmon
        // preempts: every one of them is preempted.
        for spinner in spinners {
            #expect(fixture.count(.taskPreempt, of: [spinner]) >= 1, "spinner \(spinner) never preempted")
        }
        #expect(fixture.info.procCount == UInt32(fixture.int("procs")))
    }

    @Test func gcCyclesAndPausesAreSeen() throws {
        let fixture = try GoFixture.load("gcheavy")
        let cycles = fixture.int("cycles")
        #expect(cycles >= fixture.int("explicit_collections"))
        #expect(fixture.events.filter { $0.kind == .gcBegin }.count == cycles)
        #expect(fixture.events.filter { $0.kind == .gcEnd }.count == cycles)
        var analysis = GCAnalysis()
        for event in fixture.events { analysis.consume(event) }
        let report = analysis.finish(strings: fixture.strings)
        #expect(report.cycles == UInt64(cycles))
        // Every cycle stops the world twice: sweep termination and mark termination.
        let reasons = Dictionary(uniqueKeysWithValues: report.byReason.map { ($0.reason, $0.pauses) })
        #expect(reasons["GC sweep termination"] == UInt64(cycles))
        #expect(reasons["GC mark termination"] == UInt64(cycles))
    }

    @Test func everyLongSyscallLosesItsP() throws {
        let fixture = try GoFixture.load("syscalls")
        let blocker = fixture.tasks(labelled: fixture.string("function"))
        #expect(blocker.count == 1)
        let parks = fixture.events.filter { $0.kind == .taskPark && blocker.contains($0.task) }
        let syscallParks = parks.filter { fixture.strings[$0.reason] == "syscall" }
        #expect(syscallParks.count == fixture.int("syscalls"))
        // A retaken P is not work stealing.
        #expect(!fixture.events.contains { $0.kind == .procSteal })
        // Each syscall park is followed by a wake-up and a start of the blocker.
        #expect(fixture.count(.taskUnpark, of: blocker) >= fixture.int("syscalls"))
    }
}

@Suite struct GoImportPipelineTests {
    /// The background-thread import delivers exactly what the single-threaded one does,
    /// and the strings each batch refers to are there when the batch arrives.
    @Test(arguments: ["leaks", "gcheavy", "fanout"])
    func parallelImportMatchesSequential(_ program: String) throws {
        var sequential: [Event] = []
        let first = try GoTraceImporter(path: GoFixture.path(program))
        try first.forEachBatch(parallel: false) { sequential.append(contentsOf: $0) }
        var parallel: [Event] = []
        var undefined = 0
        let second = try GoTraceImporter(path: GoFixture.path(program))
        try second.forEachBatch(parallel: true) { batch in
            for event in batch {
                undefined += event.stringReferences.filter { !second.strings.isDefined($0) && $0 != .empty }.count
            }
            parallel.append(contentsOf: batch)
        }
        #expect(parallel == sequential)
        #expect(undefined == 0)
        #expect(first.strings.definedEntries.map(\.value) == second.strings.definedEntries.map(\.value))
    }

    /// When the importing thread will not start (the system's thread limit), the import
    /// runs on the calling thread: the same events, the same report.
    @Test func anImportWhoseThreadWillNotStartRunsOnTheCallingThread() throws {
        let first = try GoTraceImporter(path: GoFixture.path("fanout"))
        var sequential: [Event] = []
        try first.forEachBatch(parallel: false) { sequential.append(contentsOf: $0) }
        let second = try GoTraceImporter(path: GoFixture.path("fanout"))
        var attempts = 0
        second.threadStarter = { _ in
            attempts += 1
            return .failure(ThreadStartError(errorNumber: 11))
        }
        var fallback: [Event] = []
        try second.forEachBatch(parallel: true) { fallback.append(contentsOf: $0) }
        #expect(attempts == 1)
        #expect(fallback == sequential)
        let (one, other) = (first.report, second.report)
        #expect(other.eventsRead == one.eventsRead && other.goEventsRead == one.goEventsRead)
        #expect(other.generations == one.generations && other.batchesRead == one.batchesRead)
        #expect(other.bytesLost == one.bytesLost && other.truncated == one.truncated)
        #expect(other.diagnostics.count == one.diagnostics.count && other.goEventsDropped == one.goEventsDropped)
        #expect(first.strings.definedEntries.map(\.value) == second.strings.definedEntries.map(\.value))
    }

    /// A consumer that stops early (events --limit) stops the importing thread too.
    @Test func aConsumerThatStopsEarlyEndsTheImport() throws {
        struct Enough: Error {}
        let importer = try GoTraceImporter(path: GoFixture.path("gcheavy"))
        var seen = 0
        #expect(throws: Enough.self) {
            try importer.forEachBatch(parallel: true) { batch in
                seen += batch.count
                throw Enough()
            }
        }
        #expect(seen > 0)
    }
}
