import Foundation
import SchedscopeExecutor
import Synchronization
import Testing

/// The timer thread behind `Task.sleep` in `executorFactory` mode, with plain numbers for
/// jobs: due jobs fire in deadline order (ties in the order scheduled), never before their
/// deadline, and a later, earlier deadline wakes the thread.
@Suite struct TimerQueueTests {
    final class Fired: Sendable {
        let jobs = Mutex<[(job: UInt, at: UInt64)]>([])
        let done = DispatchSemaphore(value: 0)
        let expected: Int
        init(expected: Int) { self.expected = expected }

        func record(_ job: UInt) {
            let now = TimerQueue.now()
            let count = jobs.withLock { jobs in
                jobs.append((job, now))
                return jobs.count
            }
            if count == expected { done.signal() }
        }
    }

    @Test func dueJobsFireInDeadlineOrderAndNeverEarly() throws {
        let fired = Fired(expected: 5)
        let queue = TimerQueue(name: "test-timer") { fired.record($0) }
        let start = TimerQueue.now()
        // Scheduled out of order; 3 and 4 share a deadline; 5 is already due.
        let deadlines: [UInt: UInt64] = [
            1: start + 40_000_000, 2: start + 25_000_000, 3: start + 10_000_000, 4: start + 10_000_000, 5: start,
        ]
        for job: UInt in [1, 2, 3, 4, 5] { queue.schedule(job, at: deadlines[job]!) }
        #expect(fired.done.wait(timeout: .now() + 10) == .success)
        let order = fired.jobs.withLock { $0 }
        #expect(order.map(\.job) == [5, 3, 4, 2, 1])
        for (job, at) in order { #expect(at >= deadlines[job]!, "job \(job) fired early") }
        #expect(queue.pendingCount == 0)
    }

    @Test func anEarlierDeadlineWakesTheThreadSleepingOnALaterOne() throws {
        let fired = Fired(expected: 1)
        let queue = TimerQueue(name: "test-timer") { fired.record($0) }
        let start = TimerQueue.now()
        queue.schedule(1, at: start + 3_600_000_000_000)  // an hour away: the thread sleeps on it
        queue.schedule(2, at: start + 5_000_000)
        #expect(fired.done.wait(timeout: .now() + 10) == .success)
        #expect(fired.jobs.withLock { $0.map(\.job) } == [2])
        #expect(queue.pendingCount == 1)
    }

    @Test(arguments: [
        (Duration.seconds(-1), UInt64(0)), (.zero, 0), (.nanoseconds(1), 1), (.seconds(2), 2_000_000_000),
        (.milliseconds(1) + .nanoseconds(7), 1_000_007),
    ])
    func deadlinesAreNowPlusTheDelay(delay: Duration, nanoseconds: UInt64) {
        let before = TimerQueue.now()
        let deadline = TimerQueue.deadline(after: delay)
        let after = TimerQueue.now()
        #expect(deadline >= before + nanoseconds && deadline <= after + nanoseconds)
    }

    @Test func aDeadlinePastTheClocksRangeIsTheFarFuture() {
        #expect(TimerQueue.deadline(after: .seconds(Int64.max)) == .max)
        #expect(TimerQueue.deadline(after: .seconds(18_446_744_000)) == .max)
    }
}
