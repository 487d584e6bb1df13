import Foundation

/// The simplest task executor: one thread draining a locked FIFO. Not a contender: it
/// measures what task-executor-preference mode costs in the Swift runtime itself (the
/// preference is kept as a task status record, consulted on every hop), so that the
/// executor's own share of a preference-mode figure can be told apart.
final class OneThreadTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Invariant: `queue` is touched only under `mutex`.
    private var queue: [UnownedJob] = []
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let thread = Thread { [unowned self] in self.loop() }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(mutex)
        queue.append(job)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    private func loop() {
        var batch: [UnownedJob] = []
        while true {
            pthread_mutex_lock(mutex)
            while queue.isEmpty { pthread_cond_wait(condition, mutex) }
            swap(&batch, &queue)
            pthread_mutex_unlock(mutex)
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
