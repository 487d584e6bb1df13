import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Merge budget: a thread too costly to merge is skipped for its generation, the rest is read")
struct MergeBudgetTests {
    /// An events chunk of `count` one-byte `proc_stop` records (head (1 << 3) | 7, the long
    /// form of code 1),
    /// zlib-compressed when that makes it smaller.
    static func procStops(count: Int, thread: UInt64, generation: UInt32, timestamp: UInt64) -> [UInt8] {
        let payload = [UInt8](repeating: 0x0F, count: count)
        let compressed = payload.withUnsafeBytes { Deflater(level: 9).compress($0) }
        return ChunkForge.chunk(
            type: ChunkLayout.eventsType, encoding: compressed == nil ? ChunkLayout.storedEncoding : ChunkLayout.zlibEncoding,
            generation: generation, thread: thread, firstTimestamp: timestamp, lastTimestamp: timestamp,
            itemCount: UInt32(count), decodedLength: UInt32(count), payload: compressed ?? payload)
    }

    @Test("a thread whose merge would exceed the budget is skipped and reported; other threads and generations are read")
    func costlyThreadIsSkipped() throws {
        // docs/FORMAT.md §10: a thread needs its largest decoded payload plus the blocks of
        // events it holds; with a 64 KiB budget, a 100,000-byte payload is too costly on its own.
        let budget = 64 << 10
        let tooMany = 100_000
        var bytes = ChunkForge.fileHeader()
        bytes += Self.procStops(count: 3, thread: 12, generation: 0, timestamp: 10)
        let costlyOffset = bytes.count
        let costly = Self.procStops(count: tooMany, thread: 9, generation: 0, timestamp: 20)
        bytes += costly
        bytes += Self.procStops(count: 2, thread: 5, generation: 0, timestamp: 30)
        bytes += Self.procStops(count: 4, thread: 9, generation: 1, timestamp: 40)

        let reader = try TraceReader(source: ByteSource(bytes: bytes))
        reader.mergeBudget = budget
        var eventsByThread: [UInt64: Int] = [:]
        try reader.forEach { eventsByThread[$0.thread.rawValue, default: 0] += 1 }

        #expect(eventsByThread == [12: 3, 5: 2, 9: 4])
        let damage = try #require(reader.report.damages.first)
        #expect(reader.report.damages.count == 1)
        #expect(damage.kind == .limitExceeded)
        #expect(damage.byteOffset == UInt64(costlyOffset))
        #expect(damage.chunkIndex == 1)
        #expect(damage.bytesLost == UInt64(costly.count))
        #expect(damage.message.hasPrefix("thread 9 skipped in this generation: merging it would exceed the 65536-byte merge budget"))
        #expect(reader.report.chunksCorrupt == 0)
        #expect(reader.report.chunksRead == 3)
    }

    @Test("a generation of thousands of threads is merged whole, ties by thread id")
    func wideGenerationIsRead() throws {
        let threadCount = 6_000
        var random = SplitMix64(seed: 51)
        let threads = (0..<threadCount).map { _ in random.next() >> 1 }
        var bytes = ChunkForge.fileHeader()
        for (index, thread) in threads.enumerated() {
            // Every third thread shares a timestamp with its neighbours.
            bytes += ChunkForge.chunk(
                type: ChunkLayout.eventsType, thread: thread, firstTimestamp: UInt64(index / 3),
                lastTimestamp: UInt64(index / 3), itemCount: 1, payload: [0x0F])  // proc_stop
        }
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(!outcome.report.isDamaged)
        let expected = threads.enumerated()
            .map { index, thread in (timestamp: UInt64(index / 3), thread: thread) }
            .sorted { ($0.timestamp, $0.thread) < ($1.timestamp, $1.thread) }
        #expect(outcome.events.map(\.thread.rawValue) == expected.map(\.thread))
    }
}
