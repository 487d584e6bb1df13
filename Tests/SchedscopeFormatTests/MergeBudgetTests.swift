import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Merge budget: a generation too wide to merge is cut by thread, in thread-id order")
struct MergeBudgetTests {
    @Test("threads past the merge budget are skipped and reported, the others read")
    func wideGenerationIsCut() throws {
        // One generation of one-event chunks, each from its own thread: cheap on disk,
        // but every thread the reader merges costs it a decode window.
        let threadCount = 6_000
        var random = SplitMix64(seed: 51)
        let threads = (0..<threadCount).map { _ in random.next() >> 1 }
        var bytes = ChunkForge.fileHeader()
        for (index, thread) in threads.enumerated() {
            // A single `proc_stop` record: head (delta 0 << 5) | code 1.
            bytes += ChunkForge.chunk(
                type: ChunkLayout.eventsType, sequence: 0, thread: thread, firstTimestamp: UInt64(index),
                lastTimestamp: UInt64(index), itemCount: 1, payload: [1])
        }
        let outcome = try ReadOutcome.readAccepting(bytes)

        // docs/FORMAT.md §10: a thread needs its largest chunk (stored + decoded) plus a
        // window of 1024 events of 48 bytes; threads are admitted in id order while they fit.
        let perThread = 1 + 1 + 1_024 * 48
        let admittedCount = FormatLimits.maxMergeBytes / perThread
        try #require(admittedCount < threadCount)
        let admitted = Set(threads.sorted().prefix(admittedCount))
        #expect(Set(outcome.events.map(\.thread.rawValue)) == admitted)
        #expect(outcome.events.count == admittedCount)
        let skippedCount = threadCount - admittedCount
        #expect(outcome.report.damages.count + outcome.report.unrecordedDamages == skippedCount)
        #expect(outcome.report.damages.allSatisfy { $0.kind == .limitExceeded })
        #expect(outcome.report.bytesLost == UInt64(skippedCount * (ChunkLayout.headerSize + 1)))
        // The first skipped thread is the smallest id not admitted.
        let firstSkipped = threads.sorted()[admittedCount]
        let firstSkippedOffset = FileHeaderLayout.fixedSize + "forge".utf8.count + 4
            + threads.firstIndex(of: firstSkipped)! * (ChunkLayout.headerSize + 1)
        #expect(outcome.report.damages.first?.byteOffset == UInt64(firstSkippedOffset))
        #expect(outcome.report.damages.first?.message.hasPrefix("thread \(firstSkipped) skipped in this generation") == true)
    }
}
