import Testing

/// A Swift Testing trait that runs each test on `SchedscopeTesting.executor`, marks it as a
/// region named after the test, and fails it when tasks it created are still alive at its
/// end (labels, states and ages in the message). Tasks that run elsewhere (a plain
/// `Task {}`, `Task.detached`) are seen only when the test process runs under `schedscope
/// record --executor default` (or `hook`): see `SchedscopeTesting.executor`.
///
/// ```swift
/// @Test(.checksTaskLeaks) func fetchesUser() async throws { … }
/// @Suite(.checksTaskLeaks(ignoring: ["ConnectionPool.swift"])) struct ClientTests { … }
/// ```
public struct LeakCheckTrait: TestTrait, SuiteTrait, TestScoping {
    public var check: LeakCheck

    public var isRecursive: Bool { true }

    /// Each test case gets its own scope (a suite only passes the trait on).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let name = test.id.description
        // The body is @Sendable but not @escaping: the check awaits it before returning, so
        // extending its lifetime to the executor's task is sound.
        let result = await withoutActuallyEscaping(function) { body in
            await check.run(named: name, body)
        }
        if !result.leaked.isEmpty {
            Issue.record(Comment(rawValue: LeakCheck.message(test: name, leaked: result.leaked)))
        }
        if let error = result.error { throw error }
    }
}

extension Trait where Self == LeakCheckTrait {
    /// Fails the test when tasks it created outlive it (see `LeakCheckTrait`).
    public static var checksTaskLeaks: Self { LeakCheckTrait(check: LeakCheck()) }

    /// Fails the test when tasks it created outlive it, except tasks whose label contains
    /// one of `ignoring`; `grace` is how long their ends are waited for.
    public static func checksTaskLeaks(ignoring: [String] = [], grace: Duration = .milliseconds(200)) -> Self {
        LeakCheckTrait(check: LeakCheck(ignoring: ignoring, grace: grace))
    }
}
