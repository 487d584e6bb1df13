import SchedscopeModel
import Synchronization
import Testing

/// The hand-over between a producing thread (a trace reader, the Go importer) and the
/// consuming one: order, strings, and what happens when either side fails or stops.
@Suite("EventBatchPipeline: batches in order, failures handed back, a stopped consumer stops the producer")
struct EventBatchPipelineTests {
    static func event(_ index: Int) -> Event {
        Event(kind: .taskStart, timestamp: UInt64(index), thread: ThreadID(rawValue: 1), task: TaskID(rawValue: UInt64(index) + 1))
    }

    struct ProducerFailure: Error, Equatable { var afterBatches: Int }
    struct ConsumerFailure: Error {}

    @Test("every batch arrives once, in order, with the strings published beside it")
    func batchesArriveInOrder() throws {
        let pipeline = EventBatchPipeline(slots: 3, capacity: 100)
        let batches = 50
        var received: [UInt64] = []
        var labels: [String] = []
        let ran = try pipeline.run(produce: { pipeline in
            var strings = StringTable()
            for batch in 0..<batches {
                // Filled in place, in a slot the consumer may not be reading.
                let slot = try pipeline.acquire()
                let count = batch % 7 + 1
                for i in 0..<count { slot[i] = Self.event(batch * 100 + i) }
                var snapshot: StringTable?
                if batch % 10 == 0 {
                    strings.define(StringID(rawValue: UInt32(batch / 10 + 1)), "batch \(batch)")
                    snapshot = strings
                }
                pipeline.publish(count: count, strings: snapshot)
            }
        }, consume: { batch, strings in
            received.append(contentsOf: batch.map(\.timestamp))
            if let strings { labels.append(strings[StringID(rawValue: UInt32(labels.count + 1))]) }
        })
        let expected = (0..<batches).flatMap { batch in (0..<(batch % 7 + 1)).map { UInt64(batch * 100 + $0) } }
        #expect(ran)
        #expect(received == expected)
        #expect(labels == ["batch 0", "batch 10", "batch 20", "batch 30", "batch 40"])
    }

    @Test("a producing thread the system will not start: run says so and runs neither side")
    func aThreadThatWillNotStart() throws {
        let pipeline = EventBatchPipeline(slots: 2, capacity: 10)
        let produced = Mutex(false)
        var consumed = false
        let ran = try pipeline.run(starter: { _ in .failure(ThreadStartError(errorNumber: 11)) }, produce: { _ in
            produced.withLock { $0 = true }
        }, consume: { _, _ in consumed = true })
        #expect(!ran)
        #expect(!produced.withLock { $0 } && !consumed)
    }

    @Test("a producer's error reaches the consumer after the batches published before it")
    func producerErrorComesAfterItsBatches() {
        let pipeline = EventBatchPipeline(slots: 2, capacity: 10)
        var consumed = 0
        #expect(throws: ProducerFailure(afterBatches: 5)) {
            try pipeline.run(produce: { pipeline in
                for _ in 0..<5 { try pipeline.put(UnsafeBufferPointer(start: nil, count: 0), strings: nil) }
                throw ProducerFailure(afterBatches: 5)
            }, consume: { _, _ in consumed += 1 })
        }
        #expect(consumed == 5)
    }

    @Test("a consumer that throws gets its own error back, and a producer blocked on a full ring is released")
    func consumerErrorStopsTheProducer() {
        let pipeline = EventBatchPipeline(slots: 2, capacity: 4)
        let events = (0..<4).map(Self.event)
        var consumed = 0
        #expect(throws: ConsumerFailure.self) {
            // The producer would run forever: only `Stopped` from a blocked `acquire` ends it.
            try pipeline.run(produce: { pipeline in
                while true {
                    try events.withUnsafeBufferPointer { try pipeline.put($0, strings: nil) }
                }
            }, consume: { _, _ in
                consumed += 1
                if consumed == 3 { throw ConsumerFailure() }
            })
        }
        #expect(consumed == 3)
    }
}
