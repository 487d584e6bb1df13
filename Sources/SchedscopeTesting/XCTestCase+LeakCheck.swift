#if canImport(XCTest)
import XCTest

extension XCTestCase {
    /// Runs `body` on `SchedscopeTesting.executor` as a region named after this test and
    /// fails the test (`XCTFail`) when tasks it created are still alive at its end.
    ///
    /// ```swift
    /// func testFetch() async throws {
    ///     try await checkingTaskLeaks { try await client.fetch() }
    /// }
    /// ```
    public func checkingTaskLeaks(ignoring: [String] = [], grace: Duration = .milliseconds(200),
                                  file: StaticString = #filePath, line: UInt = #line,
                                  _ body: @escaping @Sendable () async throws -> Void) async throws {
        let name = self.name
        let result = await LeakCheck(ignoring: ignoring, grace: grace).run(named: name, body)
        if !result.leaked.isEmpty {
            XCTFail(LeakCheck.message(test: name, leaked: result.leaked), file: file, line: line)
        }
        if let error = result.error { throw error }
    }
}
#endif
