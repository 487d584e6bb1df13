import SchedscopeModel
import Synchronization
import Testing
@testable import SchedscopeExecutor

/// The events a stepped scheduler reports, in order.
final class CollectingSink: SchedulerEventSink, @unchecked Sendable {
    // Invariant: used from the test's one thread only.
    enum Event: Equatable {
        case start(Int), stop(Int), steal(thief: Int, victim: Int, count: Int)
    }
    var events: [Event] = []
    func procStart(_ proc: Int) { events.append(.start(proc)) }
    func procStop(_ proc: Int) { events.append(.stop(proc)) }
    func procSteal(thief: Int, victim: Int, count: Int) { events.append(.steal(thief: thief, victim: victim, count: count)) }
}

/// The queue and stealing rules, driven step by step on one thread with a seeded random
/// source (no threads, no clock): Go's runq semantics, checked against their definition.
@Suite struct SteppedSchedulerTests {
    @Test func localQueueIsFIFO() {
        let queue = LocalRunQueue()
        for item in 1...10 { queue.push(UInt(item)) { _ in Issue.record("no overflow expected") } }
        #expect(queue.count == 10)
        var popped: [UInt] = []
        while let item = queue.pop() { popped.append(item) }
        #expect(popped == (1...10).map { UInt($0) })
        #expect(queue.isEmpty)
    }

    /// A full ring sends its oldest half away and keeps the new item at its tail, so that
    /// the overflow and the ring together are still in the order the items came.
    @Test func fullQueueMovesItsOlderHalfToOverflowAndKeepsTheNewItem() {
        let queue = LocalRunQueue()
        var overflow: [UInt] = []
        for item in 1...256 { queue.push(UInt(item)) { overflow.append(contentsOf: $0) } }
        #expect(overflow.isEmpty)
        #expect(!queue.overflowed)
        let overflowed = queue.push(257) { overflow.append(contentsOf: $0) }
        #expect(overflowed)
        #expect(queue.overflowed)
        #expect(overflow == (1...128).map { UInt($0) })
        var rest: [UInt] = []
        while let item = queue.pop() { rest.append(item) }
        #expect(rest == (129...257).map { UInt($0) })
    }

    /// Handing a burst over takes the ring in order, then `next` (the newest), and leaves
    /// the queue empty and no longer marked as overflowed.
    @Test func handOffBurstTakesTheRingThenNext() {
        let queue = LocalRunQueue()
        for item in 1...300 { queue.pushNext(UInt(item)) { _ in } }
        #expect(queue.overflowed)
        var handed: [UInt] = []
        let count = queue.handOffBurst { handed.append(contentsOf: $0) }
        // 1…128 overflowed at the 257th push; 129…299 were in the ring, 300 in `next`.
        #expect(handed == (129...300).map { UInt($0) })
        #expect(count == handed.count)
        #expect(queue.isEmpty)
        #expect(!queue.overflowed)
        #expect(queue.handOffBurst { _ in Issue.record("nothing left to hand over") } == 0)
    }

    @Test(arguments: [1, 2, 3, 5, 8, 100, 256])
    func stealTakesHalfRoundedUpAndRunsTheLast(size: Int) {
        let victim = LocalRunQueue()
        let thief = LocalRunQueue()
        for item in 1...size { victim.push(UInt(item)) { _ in } }
        let (job, taken) = thief.steal(from: victim)
        let expectedTaken = size - size / 2
        #expect(taken == expectedTaken)
        #expect(job == UInt(expectedTaken))
        var thiefItems: [UInt] = []
        while let item = thief.pop() { thiefItems.append(item) }
        #expect(thiefItems == (0..<expectedTaken - 1).map { UInt($0 + 1) })
        var victimItems: [UInt] = []
        while let item = victim.pop() { victimItems.append(item) }
        #expect(victimItems == (expectedTaken..<size).map { UInt($0 + 1) })
    }

    /// `next` runs before the ring; a newer `next` pushes the older one to the ring's tail.
    @Test func nextRunsFirstAndIsDisplacedToTheTail() {
        let queue = LocalRunQueue()
        for item in 1...3 { queue.push(UInt(item)) { _ in } }
        queue.pushNext(10) { _ in }
        queue.pushNext(11) { _ in }
        #expect(queue.count == 4)  // 1, 2, 3, 10 in the ring; 11 in `next`
        var popped: [UInt] = []
        while let item = queue.pop() { popped.append(item) }
        #expect(popped == [11, 1, 2, 3, 10])
    }

    /// A thief takes a victim's `next` job only when asked to, and only when its ring is empty.
    @Test func nextIsStolenOnlyWhenAllowed() {
        let sink = CollectingSink()
        let scheduler = Scheduler(procCount: 2, sink: sink)
        scheduler.push(7, toProc: 0, asNext: true)
        var random = SplitMix64(seed: 1)
        #expect(scheduler.steal(for: 1, random: &random) == nil)
        #expect(scheduler.hasQueuedWork)
        #expect(scheduler.steal(for: 1, random: &random, includingNext: true) == 7)
        #expect(sink.events == [.steal(thief: 1, victim: 0, count: 1)])
        #expect(!scheduler.hasQueuedWork)
    }

    /// Only work in a ring or the global queue is worth waking another P for.
    @Test func pushSaysWhenWakingHelps() {
        let scheduler = Scheduler(procCount: 2, sink: CollectingSink())
        #expect(scheduler.push(1, toProc: 0, asNext: true) == false)
        #expect(scheduler.push(2, toProc: 0, asNext: true) == true)  // 1 moved to the ring
        #expect(scheduler.push(3, toProc: nil) == true)
    }

    @Test func stealFromEmptyQueueTakesNothing() {
        let (job, taken) = LocalRunQueue().steal(from: LocalRunQueue())
        #expect(job == nil)
        #expect(taken == 0)
    }

    /// Work pushed on P0 only; the other Ps find it by stealing; every job is taken exactly
    /// once, each steal takes half (rounded up) of what its victim held, and a seed replays
    /// the same steals.
    @Test(arguments: [UInt64(1), 2, 3, 42])
    func stealingSpreadsWorkAndReplays(seed: UInt64) {
        func play() -> (events: [CollectingSink.Event], taken: [UInt], sizesBeforeSteal: [Int]) {
            let sink = CollectingSink()
            let scheduler = Scheduler(procCount: 4, sink: sink)
            for job in 1...200 { scheduler.push(UInt(job), toProc: 0) }
            var random = SplitMix64(seed: seed)
            var ticks = [UInt64](repeating: 0, count: 4)
            var taken: [UInt] = []
            var sizes: [Int] = []
            // Round-robin steps: each P takes one job (local, global, else steal).
            var idleRounds = 0
            while idleRounds < 2 {
                var progressed = false
                for proc in 0..<4 {
                    let before = scheduler.localQueues.map(\.count)
                    if let job = scheduler.nextLocalOrGlobal(for: proc, tick: &ticks[proc]) {
                        taken.append(job)
                        progressed = true
                    } else if let job = scheduler.steal(for: proc, random: &random) {
                        if case let .steal(_, victim, _)? = sink.events.last { sizes.append(before[victim]) }
                        taken.append(job)
                        progressed = true
                    }
                }
                idleRounds = progressed ? 0 : idleRounds + 1
            }
            return (sink.events, taken, sizes)
        }
        let first = play()
        #expect(first.taken.sorted() == (1...200).map { UInt($0) })
        let steals = first.events.compactMap { event -> (Int, Int, Int)? in
            if case let .steal(thief, victim, count) = event { return (thief, victim, count) }
            return nil
        }
        #expect(steals.count >= 3, "P1, P2 and P3 each had to steal")
        for ((thief, victim, count), size) in zip(steals, first.sizesBeforeSteal) {
            #expect(thief != victim)
            #expect(count == size - size / 2)
        }
        let second = play()
        #expect(second.events == first.events)
        #expect(second.taken == first.taken)
    }

    /// A burst of children from one running task — a task-group fan-out, which never
    /// suspends while it adds children — is run oldest first by every P once the spawner's
    /// job returns. The Swift runtime removes a finished group child by walking the group's
    /// children from the oldest, so a child finishing while k older ones are still queued
    /// costs k steps: this test counts those steps for every child (children finish as soon
    /// as they are taken here) and bounds each by one ring (256), whatever the burst's size.
    /// Go's policy (the spawner's P keeps its newest jobs and runs them, `next` first, ahead
    /// of the older half it overflowed to the global queue) made the spawner's P finish
    /// ~257 newest children each past the whole backlog: O(N²) for a fan-out of N.
    @Test(arguments: [UInt64(1), 7])
    func aBurstIsTakenOldestFirstOnceItsSpawnerReturns(seed: UInt64) {
        let children = 3_000
        let scheduler = Scheduler(procCount: 2, sink: CollectingSink())
        var random = SplitMix64(seed: seed)
        var ticks: [UInt64] = [0, 0]
        // The runtime's list of live children, oldest first, as positions in `alive`.
        var alive = [Bool](repeating: true, count: children + 1)
        var firstAlive = 1
        var longestWalk = 0
        func finish(_ child: UInt) {
            let index = Int(child)
            #expect(alive[index], "child \(index) ran twice")
            // The walk from the head: every older child still in the list.
            longestWalk = max(longestWalk, alive[firstAlive..<index].lazy.filter { $0 }.count)
            alive[index] = false
            while firstAlive <= children, !alive[firstAlive] { firstAlive += 1 }
        }
        func takeOne(on proc: Int) -> Bool {
            guard let job = scheduler.nextLocalOrGlobal(for: proc, tick: &ticks[proc])
                ?? scheduler.steal(for: proc, random: &random) else { return false }
            finish(job)
            return true
        }
        // P0 runs the spawner: each child readied by the running task becomes P0's `next`
        // (as the executor pushes it). P1 runs one child per three spawned, so a backlog
        // of about 2,000 builds up.
        for child in 1...children {
            scheduler.push(UInt(child), toProc: 0, asNext: true)
            if child % 3 == 0 { _ = takeOne(on: 1) }
        }
        _ = scheduler.jobReturned(on: 0)  // the spawner suspends (waits for its group)
        var idleRounds = 0
        while idleRounds < 2 {
            var progressed = false
            for proc in 0..<2 where takeOne(on: proc) { progressed = true }
            idleRounds = progressed ? 0 : idleRounds + 1
        }
        #expect(firstAlive == children + 1, "every child ran")
        #expect(longestWalk <= Int(LocalRunQueue.capacity))
    }

    /// A P whose own queue never empties still runs global work: it looks there first every
    /// 61st job (Go's rule).
    @Test func globalQueueIsNotStarvedByABusyLocalQueue() {
        let scheduler = Scheduler(procCount: 2, sink: CollectingSink())
        scheduler.push(1_000_000, toProc: nil)
        var tick: UInt64 = 0
        var step = 0
        var globalTakenAt: Int?
        for job in 1...5 { scheduler.push(UInt(job), toProc: 0) }
        while step < 200, globalTakenAt == nil {
            step += 1
            guard let job = scheduler.nextLocalOrGlobal(for: 0, tick: &tick) else { break }
            if job == 1_000_000 { globalTakenAt = step } else { scheduler.push(job, toProc: 0) }  // requeue: never empty
        }
        #expect(globalTakenAt == Int(Scheduler<CollectingSink>.globalCheckInterval))
    }

    /// An empty local queue refills from the global queue with a fair share.
    @Test func emptyLocalQueueTakesAFairShareOfTheGlobalQueue() {
        let scheduler = Scheduler(procCount: 4, sink: CollectingSink())
        for job in 1...41 { scheduler.push(UInt(job), toProc: nil) }
        var tick: UInt64 = 0
        let job = scheduler.nextLocalOrGlobal(for: 2, tick: &tick)
        #expect(job == 1)
        // After taking one, 40 remain: share = 40 / 4 + 1 = 11 move to P2's queue.
        #expect(scheduler.localQueues[2].count == 11)
        #expect(scheduler.globalQueue.count == 29)
    }
}

@Suite("Worker thread names")
struct WorkerThreadNameTests {
    @Test("NAME-P<n> fits Linux's 15 bytes with the P number kept", arguments: [
        ("schedscope", 0, "schedscope-P0"),
        ("schedscope-test", 3, "schedscope-t-P3"),
        ("schedscope-test", 12, "schedscope--P12"),
        ("ünïcødé-executor", 1, "ünïcødé--P1"),
    ])
    func namesKeepTheProcNumber(name: String, proc: Int, expected: String) {
        let threadName = Worker.threadName(name, proc: proc)
        #expect(threadName == expected)
        #expect(threadName.utf8.count <= 15)
    }
}
