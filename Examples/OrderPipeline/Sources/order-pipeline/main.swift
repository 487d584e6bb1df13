// Runs the order pipeline on SchedscopeExecutor and records it:
//
//   schedscope record -o orders.sctrace -- swift run order-pipeline
//   schedscope leaks orders.sctrace
//
// 60 orders of 3 items; the price replies of orders 17, 34 and 51 are lost, and a metrics
// flusher and a retry backoff are leaked on purpose: the leak analysis must find those 5
// tasks (each lost order's 3 price lookups wait in its task group, inside it).
import OrderPipeline
import SchedscopeExecutor
import SchedscopeRecorder

let recording = (try? Recorder.startFromEnvironment()) ?? false
let executor = SchedscopeExecutor(ExecutorConfiguration(name: "orders"))
let items = ["keyboard", "mouse", "monitor", "cable", "dock"]
let orders = (1...60).map { id in Order(id: id, items: (0..<3).map { items[(id + $0) % items.count] }) }
let pipeline = OrderPipeline(
    executor: executor,
    prices: LegacyPriceService(lostReplies: [17, 34, 51]),
    inventory: Inventory(stock: Dictionary(uniqueKeysWithValues: items.map { ($0, 40) })))
let result = await pipeline.run(orders, withDeliberateLeaks: true)
print("fulfilled \(result.fulfilled), rejected \(result.rejected), charged \(result.charged)")
// Let every queued job run (the leaked tasks reach their suspension) before the trace ends.
executor.shutdown()
if recording {
    let summary = try Recorder.stop()
    print("recorded \(summary.events) events")
}
