import SchedscopeModel
import Synchronization
import Testing

/// `OrderedWorkPool` runs indexed work on a few threads and hands the outputs back in index
/// order (segmented reads, `diff`'s traces): the outputs must come in order whatever order
/// the work finishes in, no index may start more than `window` past the one the caller has
/// reached, and a caller that stops early must get its threads back.
@Suite("OrderedWorkPool: outputs in order, a bounded window, an early stop")
struct OrderedWorkPoolTests {
    /// Work of very uneven length (a few to tens of thousands of steps, by a fixed
    /// pseudo-random pattern), so that later indexes often finish before earlier ones.
    static func work(_ index: Int) -> UInt64 {
        var x = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        let steps = Int((x >> 40) % 40_000) + 10
        for _ in 0..<steps { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
        return x
    }

    @Test("200 indexes on 4 threads with a window of 3: every output, in order, none started too early")
    func inOrderWithinWindow() throws {
        let taken = Mutex(0)
        let startedTooEarly = Mutex<[Int]>([])
        let window = 3
        let pool = try #require(OrderedWorkPool(count: 200, threads: 4, window: window) { index in
            // The caller may not have counted the output it just took: one more is allowed.
            let reached = taken.withLock { $0 }
            if index > reached + window { startedTooEarly.withLock { $0.append(index) } }
            return (index, Self.work(index))
        })
        defer { pool.finish() }
        for index in 0..<200 {
            let (got, value) = pool.take(index)
            #expect(got == index)
            #expect(value == Self.work(index))
            taken.withLock { $0 = index + 1 }
        }
        #expect(startedTooEarly.withLock { $0 }.isEmpty)
    }

    @Test("a caller that stops after 10 of 1,000 gets its threads back, and the work stops near where it was")
    func earlyStop() throws {
        let started = Atomic(0)
        let pool = try #require(OrderedWorkPool(count: 1_000, threads: 3, window: 4) { index in
            started.add(1, ordering: .relaxed)
            return Self.work(index)
        })
        for index in 0..<10 { _ = pool.take(index) }
        pool.finish()
        // At most the window past the last index taken, plus the ones running when it stopped.
        #expect(started.load(ordering: .relaxed) <= 10 + 4 + 3)
    }
}
