#if canImport(Glibc)
import Glibc
#endif

/// A mutex and one condition variable on it: the hand-overs between a reader's threads
/// (`EventBatchPipeline`, a segmented read's workers) wait for a change of shared state and
/// announce theirs. POSIX primitives, allocated once and never moved.
package final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    /// Runs `body` with the mutex held.
    package func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Inside `locked`: releases the mutex until another thread calls `broadcast`, then
    /// takes it again (callers re-check their condition: wake-ups may be spurious).
    package func wait() { pthread_cond_wait(changed, mutex) }

    /// Inside `locked`: wakes every waiting thread.
    package func broadcast() { pthread_cond_broadcast(changed) }
}
