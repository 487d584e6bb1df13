import SchedscopeFormat
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// The merge chooses the next thread by a branch-free scan of the threads' next timestamps up to
/// `GenerationMerger.maxScannedThreads` (16) threads and by a heap above that. Both must
/// deliver what the format promises (docs/FORMAT.md §9): time order, ties to the smaller
/// thread id, each thread's events in its own order, every event once. The expected order
/// here is not a merge at all: a stable sort of every event written, by (timestamp,
/// thread id) — the same thing when each thread's clock never goes back and generations
/// follow one another in time, as in these traces.
@Suite("Merge order: a stable sort by (timestamp, thread id), with few threads and many")
struct MergeOrderTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// Threads writing in each generation, in order.
        var threadsPerGeneration: [Int]
        var eventsPerThread: ClosedRange<Int>
        /// Where the first generation's clock starts.
        var startTime: UInt64
        /// Timestamps are multiples of this apart, and a thread's clock stands still on
        /// about one event in three: most timestamps are shared by several threads.
        var tick: UInt64
        /// Each thread starts up to this many ticks after its generation does.
        var startSpread: UInt64 = 20
        var seed: UInt64

        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "one thread", threadsPerGeneration: [1], eventsPerThread: 5_000...5_000, startTime: 1_000, tick: 10, seed: 1),
        // One thread starts thousands of ticks before the other: its first run crosses
        // block (2,048 events) and batch (16,384) ends; then the two clocks tie often.
        Case(name: "two long threads", threadsPerGeneration: [2], eventsPerThread: 36_000...48_000, startTime: 0, tick: 3, startSpread: 32_000, seed: 15),
        Case(name: "three threads, from time 0", threadsPerGeneration: [3], eventsPerThread: 1...300, startTime: 0, tick: 1, seed: 3),
        Case(name: "16 threads: the most the scan takes", threadsPerGeneration: [16], eventsPerThread: 1...700, startTime: 5_000, tick: 7, seed: 4),
        Case(name: "17 threads: the fewest the heap takes", threadsPerGeneration: [17], eventsPerThread: 1...700, startTime: 5_000, tick: 7, seed: 5),
        Case(name: "40 threads, then 5, then 23, then 1", threadsPerGeneration: [40, 5, 23, 1], eventsPerThread: 1...250, startTime: 1 << 40, tick: 2, seed: 6),
        // The scan's bound is a timestamp less one; here timestamps end at the top of the
        // range, so a wrong bound wraps.
        Case(name: "12 threads ending at UInt64.max", threadsPerGeneration: [12], eventsPerThread: 1...400, startTime: UInt64.max - 2_000, tick: 5, seed: 7),
        // The scan compares the keys in groups of four (up to 4, 8, 12 or 16 threads, the
        // rest of the group holding the largest key), and closes the running thread's slot
        // with the largest key too: every group size, and ties at that key.
        Case(name: "4 threads ending at UInt64.max", threadsPerGeneration: [4], eventsPerThread: 1...400, startTime: UInt64.max - 2_000, tick: 5, seed: 9),
        Case(name: "5 threads", threadsPerGeneration: [5], eventsPerThread: 1...700, startTime: 5_000, tick: 7, seed: 10),
        Case(name: "8 threads ending at UInt64.max", threadsPerGeneration: [8], eventsPerThread: 1...400, startTime: UInt64.max - 2_000, tick: 5, seed: 11),
        Case(name: "9 threads, then 13, then 10", threadsPerGeneration: [9, 13, 10], eventsPerThread: 1...500, startTime: 5_000, tick: 7, seed: 12),
        Case(name: "15 threads ending at UInt64.max", threadsPerGeneration: [15], eventsPerThread: 1...400, startTime: UInt64.max - 2_000, tick: 5, seed: 13),
        Case(name: "30 threads ending at UInt64.max", threadsPerGeneration: [30], eventsPerThread: 1...400, startTime: UInt64.max - 2_000, tick: 5, seed: 8),
    ]

    /// Writes `testCase`'s trace; returns its bytes and every event in the order written.
    static func trace(_ testCase: Case) -> (bytes: [UInt8], written: [Event]) {
        var random = SplitMix64(seed: testCase.seed)
        let builder = TraceBuilder(procs: 8)
        // Thread ids at the ends of the range and scattered, written in no particular order,
        // so that ties are decided by the id, not by which thread came first.
        var ids: [UInt64] = [UInt64.max, 0, 1 << 63]
        while ids.count < testCase.threadsPerGeneration.max()! {
            let id = random.next() >> UInt64.random(in: 0..<60, using: &random)
            if !ids.contains(id) { ids.append(id) }
        }
        var task: UInt64 = 1
        var generationStart = testCase.startTime
        for (generation, threadCount) in testCase.threadsPerGeneration.enumerated() {
            if generation > 0 { builder.endGeneration() }
            var latest = generationStart
            for thread in ids.prefix(threadCount).shuffled(using: &random) {
                // Threads start and end at different times.
                let events = Int.random(in: testCase.eventsPerThread, using: &random)
                var time = generationStart + testCase.tick * UInt64.random(in: 0...testCase.startSpread, using: &random)
                for _ in 0..<events {
                    builder.start(task, proc: UInt32(thread % 8), at: time, thread: thread)
                    task += 1
                    latest = max(latest, time)
                    if !random.oneIn(3), time <= UInt64.max - testCase.tick { time += testCase.tick }
                }
            }
            // The next generation starts after every event of this one.
            generationStart = latest == UInt64.max ? latest : latest + 1
        }
        return (builder.bytes(), builder.events)
    }

    @Test("each thread count reads as the stable sort of its events, on one thread and in parallel", arguments: cases, [false, true])
    func matchesStableSort(testCase: Case, parallel: Bool) throws {
        let (bytes, written) = Self.trace(testCase)
        let expected = written.sorted { a, b in
            (a.timestamp, a.thread.rawValue) < (b.timestamp, b.thread.rawValue)
        }
        let outcome = try ReadOutcome.read(bytes, parallel: parallel)
        #expect(!outcome.report.isDamaged)
        #expect(outcome.events.count == expected.count)
        if let first = zip(outcome.events, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            let got = outcome.events[first], want = expected[first]
            Issue.record("""
                event \(first) of \(expected.count) differs: got task \(got.task.rawValue) at \(got.timestamp) \
                on thread \(got.thread.rawValue), expected task \(want.task.rawValue) at \(want.timestamp) \
                on thread \(want.thread.rawValue)
                """)
        }
    }

    @Test("the cases reach the code they are for: both selection paths, ties across threads, runs past a block and a batch")
    func casesCoverWhatTheyClaim() throws {
        let threadCounts = Self.cases.flatMap(\.threadsPerGeneration)
        #expect(threadCounts.contains(1) && threadCounts.contains(16) && threadCounts.contains(17))
        for testCase in Self.cases where testCase.threadsPerGeneration.count == 1 && testCase.threadsPerGeneration[0] > 1 {
            let (_, written) = Self.trace(testCase)
            let sorted = written.sorted { ($0.timestamp, $0.thread.rawValue) < ($1.timestamp, $1.thread.rawValue) }
            let pairs = zip(sorted, sorted.dropFirst())
            // Ties between threads: the tie rule decides some of the order.
            let crossThreadTies = pairs.filter { $0.timestamp == $1.timestamp && $0.thread != $1.thread }.count
            #expect(crossThreadTies > sorted.count / 20, "\(testCase): \(crossThreadTies) ties")
            if testCase.name == "two long threads" {
                var longest = 1, run = 1
                for (previous, event) in pairs {
                    run = previous.thread == event.thread ? run + 1 : 1
                    longest = max(longest, run)
                }
                #expect(longest > TraceReader.batchSize, "one thread emits more than a batch (and a block) in a row")
            }
        }
    }
}
