#if canImport(Glibc)
import Glibc
#endif
import SchedscopeModel

/// Hands batches of imported events from the importing thread to the consuming one
/// through a small ring of buffers, so that the import (decoding, ordering, mapping) and
/// the analyses run on two cores at once. A batch that follows new strings carries a
/// snapshot of the string table, so the consumer never reads the table the importer is
/// growing.
final class GoBatchPipeline: @unchecked Sendable {
    // Invariant: every stored property below is read and written with `mutex` held,
    // except the slot buffers, each owned by one side at a time (filled by the producer
    // before `put` publishes it, read by the consumer until `release` hands it back).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let slots: [UnsafeMutablePointer<Event>]
    private var counts: [Int]
    private var snapshots: [StringTable?]
    private let capacity: Int
    private var head = 0
    private var filled = 0
    private var producerFinished = false
    private var consumerStopped = false
    private var failure: (any Error)?

    /// Thrown to the producer when the consumer has stopped reading.
    struct Stopped: Error {}

    init(slots count: Int, capacity: Int) {
        self.capacity = capacity
        slots = (0..<count).map { _ in UnsafeMutablePointer<Event>.allocate(capacity: capacity) }
        counts = Array(repeating: 0, count: count)
        snapshots = Array(repeating: nil, count: count)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        for slot in slots { slot.deallocate() }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Producer: copies `batch` into a free slot, waiting for one.
    /// - Throws: `Stopped` if the consumer has stopped reading.
    func put(_ batch: UnsafeBufferPointer<Event>, strings: StringTable?) throws {
        precondition(batch.count <= capacity)
        let index: Int = try locked {
            while filled == slots.count && !consumerStopped { pthread_cond_wait(changed, mutex) }
            if consumerStopped { throw Stopped() }
            return (head + filled) % slots.count
        }
        if let base = batch.baseAddress { slots[index].update(from: base, count: batch.count) }
        locked {
            counts[index] = batch.count
            snapshots[index] = strings
            filled += 1
            pthread_cond_broadcast(changed)
        }
    }

    /// Producer: no more batches; `error` if the import failed.
    func finish(_ error: (any Error)?) {
        locked {
            producerFinished = true
            failure = error
            pthread_cond_broadcast(changed)
        }
    }

    /// Consumer: the next batch and, if the strings changed, their new table; nil at the end.
    /// - Throws: the producer's error, once every batch before it was taken.
    func take() throws -> (UnsafeBufferPointer<Event>, StringTable?)? {
        try locked {
            while filled == 0 && !producerFinished { pthread_cond_wait(changed, mutex) }
            if filled == 0 {
                if let failure { throw failure }
                return nil
            }
            let snapshot = snapshots[head]
            snapshots[head] = nil
            return (UnsafeBufferPointer(start: slots[head], count: counts[head]), snapshot)
        }
    }

    /// Consumer: done with the batch `take` returned.
    func release() {
        locked {
            head = (head + 1) % slots.count
            filled -= 1
            pthread_cond_broadcast(changed)
        }
    }

    /// Consumer: stops reading; a waiting producer is released with `Stopped`.
    func stop() {
        locked {
            consumerStopped = true
            pthread_cond_broadcast(changed)
        }
    }
}

/// Runs `body` on a new POSIX thread; `join` waits for it.
struct GoImportThread: ~Copyable {
    private var thread = pthread_t()

    // The closure is handed to exactly one thread, which releases it.
    private final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(_ body: @escaping () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    consuming func join() {
        pthread_join(thread, nil)
    }
}

/// Whether a machine has a core to spare for a background importer.
let processorCount = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
