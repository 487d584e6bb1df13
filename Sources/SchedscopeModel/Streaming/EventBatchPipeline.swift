#if canImport(Glibc)
import Glibc
#endif

/// Hands batches of events from a producing thread (a reader merging decoded chunks, an
/// importer ordering a foreign trace) to the consuming one through a small ring of
/// buffers, so that producing and consuming (the analyses) run on two cores at once.
///
/// The producer fills a slot in place (`acquire`, then `publish`), so a batch is never
/// copied on the way. A batch published after new strings carries a snapshot of the
/// string table, so the consumer never reads a table the producer is growing.
package final class EventBatchPipeline: @unchecked Sendable {
    // Invariant: every stored property below is read and written with `lock` held,
    // except the slot buffers, each owned by one side at a time (filled by the producer
    // between `acquire` and `publish`, read by the consumer between `take` and `release`).
    private let lock = ConditionLock()
    private let slots: [UnsafeMutablePointer<Event>]
    private var counts: [Int]
    private var snapshots: [StringTable?]
    /// Events per slot.
    package let capacity: Int
    private var head = 0
    private var filled = 0
    private var producerFinished = false
    private var consumerStopped = false
    private var failure: (any Error)?

    /// Thrown to the producer when the consumer has stopped reading.
    package struct Stopped: Error {}

    package init(slots count: Int, capacity: Int) {
        precondition(count > 0 && capacity > 0)
        self.capacity = capacity
        slots = (0..<count).map { _ in UnsafeMutablePointer<Event>.allocate(capacity: capacity) }
        counts = Array(repeating: 0, count: count)
        snapshots = Array(repeating: nil, count: count)
    }

    deinit {
        for slot in slots { slot.deallocate() }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T { try lock.locked(body) }

    /// Runs `produce` on a background thread, handing this thread each batch it publishes
    /// (with the strings snapshot that came with it), until the producer finishes, fails,
    /// or `consume` throws — then the producer is stopped at its next `acquire`. Returns
    /// once the background thread has ended.
    /// - Returns: false, having run neither closure, if the thread could not be started.
    /// - Throws: the consumer's error, else the producer's.
    package func run(
        starter: ThreadStarter = startThread,
        produce: @escaping @Sendable (EventBatchPipeline) throws -> Void,
        consume: (UnsafeBufferPointer<Event>, StringTable?) throws -> Void
    ) throws -> Bool {
        guard let thread = BackgroundThread(starter: starter, {
            var failure: (any Error)?
            do {
                try produce(self)
            } catch is Stopped {
            } catch {
                failure = error
            }
            self.finish(failure)
        }) else { return false }
        var consumerFailure: (any Error)?
        do {
            while let (batch, snapshot) = try take() {
                defer { release() }
                try consume(batch, snapshot)
            }
        } catch {
            consumerFailure = error
            stop()
        }
        thread.join()
        if let consumerFailure { throw consumerFailure }
        return true
    }

    /// Producer: the next free slot (`capacity` events) to fill, waiting for one. The slot
    /// is the producer's until `publish`; call `acquire` again only after publishing.
    /// - Throws: `Stopped` if the consumer has stopped reading.
    package func acquire() throws -> UnsafeMutablePointer<Event> {
        try locked {
            while filled == slots.count && !consumerStopped { lock.wait() }
            if consumerStopped { throw Stopped() }
            return slots[(head + filled) % slots.count]
        }
    }

    /// Producer: hands the slot `acquire` returned, holding `count` events, to the consumer.
    package func publish(count: Int, strings: StringTable?) {
        precondition(count <= capacity)
        locked {
            let index = (head + filled) % slots.count
            counts[index] = count
            snapshots[index] = strings
            filled += 1
            lock.broadcast()
        }
    }

    /// Producer: copies `batch` into a free slot and publishes it.
    package func put(_ batch: UnsafeBufferPointer<Event>, strings: StringTable?) throws {
        precondition(batch.count <= capacity)
        let slot = try acquire()
        if let base = batch.baseAddress { slot.update(from: base, count: batch.count) }
        publish(count: batch.count, strings: strings)
    }

    /// Producer: no more batches; `error` if producing failed.
    package func finish(_ error: (any Error)?) {
        locked {
            producerFinished = true
            failure = error
            lock.broadcast()
        }
    }

    /// Consumer: the next batch and, if the strings changed, their new table; nil at the end.
    /// - Throws: the producer's error, once every batch before it was taken.
    package func take() throws -> (UnsafeBufferPointer<Event>, StringTable?)? {
        try locked {
            while filled == 0 && !producerFinished { lock.wait() }
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
    package func release() {
        locked {
            head = (head + 1) % slots.count
            filled -= 1
            lock.broadcast()
        }
    }

    /// Consumer: stops reading; a waiting producer is released with `Stopped`.
    package func stop() {
        locked {
            consumerStopped = true
            lock.broadcast()
        }
    }
}
