import Foundation
import OrderPipeline
import SchedscopeTestSupport
import SchedscopeTesting
import Testing

/// The example's tests run with the leak-check trait: a test that leaves a task behind
/// fails, naming it.
@Suite(.checksTaskLeaks)
struct OrderPipelineTests {
    static let items = ["keyboard", "mouse", "monitor"]

    static func pipeline(lostReplies: Set<Int> = [], stock: Int = 100) -> OrderPipeline {
        OrderPipeline(
            executor: SchedscopeTesting.executor,
            prices: LegacyPriceService(lostReplies: lostReplies),
            inventory: Inventory(stock: Dictionary(uniqueKeysWithValues: items.map { ($0, stock) })))
    }

    @Test func fulfilsEveryOrderAndChargesTheirPrices() async {
        let orders = (1...20).map { Order(id: $0, items: Self.items) }
        let result = await Self.pipeline().run(orders)
        // keyboard 8, mouse 5, monitor 7 letters: 100 per letter.
        #expect(result == PipelineResult(fulfilled: 20, rejected: 0, charged: 20 * 2000))
    }

    @Test func rejectsOrdersBeyondTheStock() async {
        let orders = (1...10).map { Order(id: $0, items: ["mouse"]) }
        let result = await Self.pipeline(stock: 4).run(orders)
        #expect(result.fulfilled == 4)
        #expect(result.rejected == 6)
    }
}

/// The deliberate leaks, caught in process (what the trait would report) and in the trace
/// recorded end to end by `schedscope record`.
@Suite struct OrderPipelineLeakTests {
    @Test func theLeakCheckFindsTheDeliberateLeaks() async {
        let orders = (1...6).map { Order(id: $0, items: OrderPipelineTests.items) }
        let result = await LeakCheck(grace: .milliseconds(50)).run(named: "deliberate") {
            _ = await OrderPipelineTests.pipeline(lostReplies: [2, 5]).run(orders, withDeliberateLeaks: true)
        }
        let labels = result.leaked.map(\.label)
        // 2 orders, each with its 3 price lookups (task group children), a flusher, a retry.
        #expect(labels.filter { $0 == "order 2" || $0 == "order 5" }.count == 2)
        #expect(labels.filter { $0 == "task group child" }.count == 6)
        #expect(labels.contains("metrics flusher"))
        #expect(labels.contains("retry backoff"))
        #expect(result.leaked.count == 10)
    }

    @Test func recordedRunShowsTheLeaksInTheTrace() async throws {
        let cli = try CLIRunner.product("schedscope")
        let example = try CLIRunner.product("order-pipeline")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID().uuidString).sctrace").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let run = try await cli.run(["record", "-o", trace, "--", example.executable.path])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("fulfilled 57, rejected 0"), "\(run.stdout)")
        #expect(try await cli.run(["validate", trace]).status == 0)
        let leaks = try await cli.run(["leaks", "--format", "json", "--limit", "0", trace])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(leaks.stdout.utf8)) as? [String: Any])
        let labels = (json["candidates"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        // 3 lost orders + their 9 price lookups + the flusher + the retry.
        #expect(labels.count == 14, "\(labels)")
        #expect(Set(labels.filter { $0.hasPrefix("order ") }) == ["order 17", "order 34", "order 51"])
        #expect(labels.filter { $0 == "task group child" }.count == 9)
        #expect(labels.contains("metrics flusher") && labels.contains("retry backoff"))
    }
}
