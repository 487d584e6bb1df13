import CSchedscopeExecutor
import SchedscopeModel
#if canImport(Glibc)
import Glibc
#endif

/// Jobs due at a time (`Task.sleep`'s wake-ups, when the executor is the process's default
/// executor): one thread that sleeps until the earliest deadline and then hands the job to
/// `fire`, which queues it on the executor like any job readied from outside.
///
/// Deadlines are `CLOCK_MONOTONIC` nanoseconds. A binary heap ordered by (deadline,
/// arrival), so that jobs due at the same time fire in the order they were scheduled. The
/// thread waits on a condition variable bound to `CLOCK_MONOTONIC`, so a change of the
/// wall clock moves no deadline. It lives as long as the process: a default executor is
/// never shut down.
package final class TimerQueue: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `heap` is touched only with `mutex` held; the
    // pthread objects are allocated once and never freed.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Jobs by deadline.
    private var heap = TimeOrderedHeap<UInt>()
    private let fire: @Sendable (UInt) -> Void
    private let name: String

    /// Starts the timer thread; `fire` runs on it for each job that comes due.
    package init(name: String, fire: @escaping @Sendable (UInt) -> Void) {
        self.fire = fire
        self.name = name
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            // The thread keeps the queue: `runLoop` never returns.
            Unmanaged<TimerQueue>.fromOpaque(argument!).takeRetainedValue().runLoop()
        }, box)
        precondition(created == 0, "cannot start the timer thread (\(created))")
        pthread_detach(thread)
    }

    /// Now, on the clock the deadlines use.
    package static func now() -> UInt64 { schedscope_executor_monotonic_ns() }

    /// `CLOCK_MONOTONIC` nanoseconds `delay` from now: now for a delay that is not
    /// positive, the far future for a deadline past 2⁶⁴ ns.
    package static func deadline(after delay: Duration) -> UInt64 {
        let now = Self.now()
        guard delay > .zero else { return now }
        // Both components of a positive duration are at least 0.
        let (seconds, attoseconds) = delay.components
        let whole = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let span = whole.partialValue.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        let deadline = now.addingReportingOverflow(span.partialValue)
        return whole.overflow || span.overflow || deadline.overflow ? .max : deadline.partialValue
    }

    /// Queues `job` to fire once `CLOCK_MONOTONIC` reaches `deadline`.
    package func schedule(_ job: UInt, at deadline: UInt64) {
        pthread_mutex_lock(mutex)
        // Only a new earliest deadline changes how long the thread must sleep.
        let isEarliest = heap.push(job, at: deadline)
        pthread_mutex_unlock(mutex)
        if isEarliest { pthread_cond_signal(condition) }
    }

    /// Jobs waiting for their deadline.
    package var pendingCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return heap.count
    }

    private func runLoop() -> Never {
        name.withCString { schedscope_set_thread_name($0) }
        pthread_mutex_lock(mutex)
        while true {
            guard let deadline = heap.firstTime else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            if deadline > Self.now() {
                var until = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                pthread_cond_timedwait(condition, mutex, &until)
                continue
            }
            let due = heap.popFirst()!.payload
            // Fired without the lock: queuing the job may wake a P, and `schedule` must
            // not wait for that.
            pthread_mutex_unlock(mutex)
            fire(due)
            pthread_mutex_lock(mutex)
        }
    }
}
