import Foundation
import SchedscopeExecutor
import SchedscopeTestSupport
import SchedscopeTesting
import Synchronization
import Testing

/// A continuation that nobody resumes unless asked.
final class Gate: Sendable {
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    func wait() async {
        await withCheckedContinuation { continuation in waiters.withLock { $0.append(continuation) } }
    }

    func open() {
        let pending = waiters.withLock { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for continuation in pending { continuation.resume() }
    }
}

@Suite struct LeakCheckTests {
    /// The trait on a test whose tasks all finish: it passes (a leak would fail it).
    @Test(.checksTaskLeaks) func cleanTestPasses() async {
        let executor = SchedscopeTesting.executor
        let sum = await withTaskGroup(of: Int.self) { group in
            for index in 0..<50 { group.addTask { await Task.yield(); return index } }
            return await group.reduce(0, +)
        }
        let spawned = await executor.spawn { sum * 2 }.value
        #expect(spawned == 2 * 1225)
    }

    /// `async let` children's ends are not observable; they are not leaks of the test.
    @Test(.checksTaskLeaks) func asyncLetChildrenAreNotLeaks() async {
        async let first = (0..<100).reduce(0, +)
        async let second: Int = {
            await Task.yield()
            return 1
        }()
        let sum = await first + second
        #expect(sum == 4951)
    }

    @Test func leaksAreListedWithLabelsAndStates() async throws {
        let gate = Gate()
        let executor = SchedscopeTesting.executor
        let result = await LeakCheck(grace: .milliseconds(20)).run(named: "leaker") {
            executor.spawn(name: "waits on the gate") { await gate.wait() }
            executor.spawn { await gate.wait() }
            executor.spawn { await Task.yield() }  // ends: not a leak
        }
        #expect(result.error == nil)
        let labels = result.leaked.map(\.label).sorted()
        #expect(labels.count == 2)
        #expect(labels.contains("waits on the gate"))
        #expect(labels.contains { $0.hasPrefix("SchedscopeTestingTests/LeakCheckTests.swift:") })
        #expect(result.leaked.allSatisfy { $0.state == "suspended" })
        let message = LeakCheck.message(test: "leaker", leaked: result.leaked)
        #expect(message.hasPrefix("leaker leaked 2 tasks:"))
        #expect(message.contains("'waits on the gate' suspended for"))
        gate.open()
    }

    @Test func ignoredLabelsAreNotLeaks() async {
        let gate = Gate()
        let executor = SchedscopeTesting.executor
        let result = await LeakCheck(ignoring: ["background flusher"], grace: .milliseconds(20)).run(named: "ignores") {
            executor.spawn(name: "background flusher") { await gate.wait() }
        }
        #expect(result.leaked.isEmpty)
        gate.open()
    }

    /// A task that ends shortly after the test body returns is waited for, not reported.
    @Test func tasksEndingWithinTheGraceAreNotLeaks() async {
        let executor = SchedscopeTesting.executor
        let result = await LeakCheck(grace: .seconds(30)).run(named: "late end") {
            executor.spawn { try? await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(result.leaked.isEmpty)
    }

    /// Tests running at the same time are each told their own leaks only.
    @Test func parallelChecksAttributeLeaksToTheirOwnTest() async {
        let gate = Gate()
        let executor = SchedscopeTesting.executor
        let check = LeakCheck(grace: .milliseconds(20))
        async let leaking = check.run(named: "A") {
            for _ in 0..<3 { executor.spawn(name: "A's leak") { await gate.wait() } }
        }
        async let clean = check.run(named: "B") {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<100 { group.addTask { await Task.yield() } }
            }
        }
        let (a, b) = await (leaking, clean)
        #expect(a.leaked.count == 3)
        #expect(a.leaked.allSatisfy { $0.label == "A's leak" })
        #expect(b.leaked.isEmpty)
        gate.open()
    }

    @Test func errorsOfTheBodyArePassedOn() async {
        struct Expected: Error {}
        let result = await LeakCheck().run(named: "throws") { throw Expected() }
        #expect(result.error is Expected)
    }
}

/// `schedscope record -- COMMAND` and `schedscope leaks --by-region` on the trace of
/// parallel leak-checked "tests" (`ExecutorTestChild regions`).
@Suite struct RecordedTestRunTests {
    /// Without `--executor` the leak check sees the tasks on its executor only: the plain
    /// and detached tasks of `leaksPlain()` escape it. With `--executor default|hook` the test
    /// executor is the whole process's, and they are that test's leaks, in process and in
    /// the trace.
    @Test(arguments: [nil, "default", "hook"])
    func recordThenLeaksByRegionNamesTheLeakingTests(executorMode: String?) async throws {
        let child = try CLIRunner.product("ExecutorTestChild")
        let cli = try CLIRunner.product("schedscope")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trace = directory.appendingPathComponent("run.sctrace").path

        let mode = executorMode.map { ["--executor", $0] } ?? []
        let recorded = try await cli.run(["record"] + mode + ["-o", trace, "--", child.executable.path, "regions"])
        #expect(recorded.status == 0, "\(recorded)")
        #expect(recorded.stderr.contains("schedscope: recorded \(trace): "), "\(recorded.stderr)")
        // The in-process verdicts.
        #expect(recorded.stdout.contains("clean 0 \n"), "\(recorded.stdout)")
        #expect(recorded.stdout.contains("leaksTwo 2 "), "\(recorded.stdout)")
        #expect(recorded.stdout.contains("leaksOne 1 "), "\(recorded.stdout)")
        let plainLeaks = executorMode == nil ? "leaksPlain 0 \n" : "leaksPlain 2 task|task\n"
        #expect(recorded.stdout.contains(plainLeaks), "\(recorded.stdout)")
        #expect(recorded.stdout.contains("cleanPlain 0 \n"), "\(recorded.stdout)")
        // Tasks that end inside a contended actor's job are not leaks (the regions below
        // hold none of them either).
        #expect(recorded.stdout.contains("actorLast 0 \n"), "\(recorded.stdout)")

        let validated = try await cli.run(["validate", trace])
        #expect(validated.status == 0, "\(validated)")

        let leaks = try await cli.run(["leaks", "--by-region", "--format", "json", "--limit", "0", trace])
        #expect(leaks.status == 0, "\(leaks)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(leaks.stdout.utf8)) as? [String: Any])
        // By test (in whole-process mode the trace also holds the child's own async lets,
        // outside any test: region null).
        let regions = (json["regions"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) { counts, entry in
            guard let region = entry["region"] as? String else { return }
            counts[region] = (entry["count"] as? Int) ?? -1
        }
        var expected = ["ParallelTests/leaksTwo()": 2, "ParallelTests/leaksOne()": 1]
        if executorMode != nil { expected["ParallelTests/leaksPlain()"] = 2 }
        #expect(regions == expected, "\(leaks.stdout)")
        if executorMode == nil { #expect(json["count"] as? Int == 3) }

        // The CI gate: the tests' leaks only (every region), not the child's own tasks.
        let gate = try await cli.run(["leaks", "--by-region", "--region", "*", "--fail", "--format", "json", trace])
        #expect(gate.status == 2, "\(gate)")
        let gated = try #require(try JSONSerialization.jsonObject(with: Data(gate.stdout.utf8)) as? [String: Any])
        #expect(gated["count"] as? Int == expected.values.reduce(0, +), "\(gate.stdout)")
    }

    /// `record --executor default|hook` switches a program that calls
    /// `installFromEnvironment()` into whole-process mode; in default-executor mode each
    /// yielding plain task's yields are its own `task_yield`s.
    @Test(arguments: ["default", "hook"])
    func recordWithAnExecutorModeInstallsIt(mode: String) async throws {
        let child = try CLIRunner.product("ExecutorTestChild")
        let cli = try CLIRunner.product("schedscope")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID().uuidString).sctrace").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let recorded = try await cli.run(["record", "--executor", mode, "-o", trace, "--", child.executable.path, "environment"])
        #expect(recorded.status == 0, "\(recorded)")
        #expect(recorded.stdout.contains("mode \(mode)\n"), "\(recorded.stdout)")
        #expect(!recorded.stderr.contains("no executor ran"), "\(recorded.stderr)")
        let validated = try await cli.run(["validate", trace])
        #expect(validated.status == 0, "\(validated)")
        guard mode == "default" else { return }
        let events = try await cli.run(["events", "--kind", "task_yield", "--format", "jsonl", trace])
        let yieldsByTask = events.stdout.split(separator: "\n").reduce(into: [Int: Int]()) { counts, line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            counts[object?["task"] as? Int ?? -1, default: 0] += 1
        }
        #expect(yieldsByTask.values.filter { $0 == 50 }.count == 8, "\(yieldsByTask)")
    }

    /// `--executor` on a program whose trace shows no executor: a note says what to call.
    @Test func recordWithAnExecutorModeSaysWhenNoExecutorRan() async throws {
        let cli = try CLIRunner.product("schedscope")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("noexec-\(UUID().uuidString).sctrace").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        // A "program" that writes a trace with no P in it (only task creations).
        let fixture = CLIRunner.fixtures.appendingPathComponent("demo.sctrace").path
        let recorded = try await cli.run([
            "record", "--executor", "default", "-o", trace, "--",
            cli.executable.path, "filter", fixture, "--kind", "task_create", "-o", trace,
        ])
        #expect(recorded.status == 0, "\(recorded)")
        #expect(recorded.stderr.contains("--executor default: no executor ran in \(trace)"), "\(recorded.stderr)")
        #expect(recorded.stderr.contains("installFromEnvironment()"))
    }

    /// Without the variable (or with it empty) nothing is installed; a value that names no
    /// mode is an error, and installs nothing either.
    @Test func anUnsetOrUnknownExecutorModeInstallsNothing() throws {
        #expect(try SchedscopeExecutor.install(environmentValue: nil, ExecutorConfiguration()) == nil)
        #expect(try SchedscopeExecutor.install(environmentValue: "", ExecutorConfiguration()) == nil)
        do {
            _ = try SchedscopeExecutor.install(environmentValue: "factory", ExecutorConfiguration())
            Issue.record("an unknown mode was accepted")
        } catch {
            #expect(error.description == "SCHEDSCOPE_EXECUTOR=factory names no executor mode (expected 'hook' or 'default')")
        }
    }

    @Test func recordWithoutATraceFails() async throws {
        let cli = try CLIRunner.product("schedscope")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID().uuidString).sctrace").path
        let result = try await cli.run(["record", "-o", trace, "--", "true"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("wrote no trace"))
    }

    @Test func recordPassesOnTheCommandsFailure() async throws {
        let cli = try CLIRunner.product("schedscope")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("fail-\(UUID().uuidString).sctrace").path
        let result = try await cli.run(["record", "-o", trace, "--", "sh", "-c", "exit 3"])
        #expect(result.status == 3)
    }

    @Test func recordWithoutACommandIsAUsageError() async throws {
        let cli = try CLIRunner.product("schedscope")
        let result = try await cli.run(["record", "-o", "x.sctrace"])
        #expect(result.status == 64)
    }
}

#if canImport(XCTest)
import XCTest

/// The XCTest helper on a test whose tasks all finish (a leak would fail it).
final class CheckingTaskLeaksXCTests: XCTestCase {
    func testCleanBodyPasses() async throws {
        try await checkingTaskLeaks {
            let executor = SchedscopeTesting.executor
            let values = await withTaskGroup(of: Int.self) { group in
                for index in 0..<20 { group.addTask { index } }
                return await group.reduce(0, +)
            }
            let doubled = await executor.spawn { values * 2 }.value
            XCTAssertEqual(doubled, 380)
        }
    }
}
#endif
