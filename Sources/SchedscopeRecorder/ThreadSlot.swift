import CSchedscopeRecorder
import SchedscopeModel
import Synchronization

/// One thread's recorder state: a single-producer, single-consumer ring of `RawRecord`s.
///
/// The emitting thread (the producer) owns the first cache line: it writes records at
/// `head` and publishes each with a release store of `head`; it may write up to `limit`,
/// its cached view of the space the flusher has freed. The flusher (the consumer) reads
/// records from `tail` up to an acquired `head`, then releases `tail` so the producer can
/// reuse the space. Nothing on the emit path locks, allocates or waits.
///
/// A slot lives as long as its thread: it is created by the thread's first event while a
/// recording is on, re-armed (ring reset, registered with the session) by the first event
/// of each later recording, and freed after the thread exits (by the thread's TLS
/// destructor, or by the flusher once it has drained the slot).
@usableFromInline
struct ThreadSlot: ~Copyable {
    // -- Producer's cache line: written only by the owning thread. --

    /// Records written so far (the next record goes to `head & mask`). The producer stores
    /// it with release ordering after writing a record, so that a consumer that acquires
    /// it sees the record's bytes; the producer itself reads it relaxed (its own writes).
    @usableFromInline let head: Atomic<Int>
    /// The producer may write while `head < limit` without looking at `tail`: `limit` is
    /// `tail + capacity` or, until the flusher has been woken, `tail + capacity / 2`.
    @usableFromInline var limit: Int
    /// The recording epoch this slot is armed for (see `schedscope_recording_epoch`).
    @usableFromInline var epoch: UInt64
    /// `capacity` records of `RawRecord.size` bytes, 64-byte aligned.
    @usableFromInline var records: UnsafeMutableRawPointer
    /// `capacity - 1` (capacity is a power of two).
    @usableFromInline var mask: Int
    /// Whether the session reads the time-stamp counter (else CLOCK_MONOTONIC).
    @usableFromInline var usesTSC: Bool
    private var padding: (UInt64, UInt64) = (0, 0)

    // -- Consumer's cache line. --

    /// Records the flusher has consumed. The flusher stores it with release ordering after
    /// reading the records; the producer loads it with acquire ordering before reusing
    /// their space, so a record is never overwritten while it is being read.
    let tail: Atomic<Int>
    /// Events dropped because the ring was full and not yet reported by a `lost` event.
    /// Relaxed: it is a count, published with nothing else; whoever exchanges it to zero
    /// (the producer when space returns, the flusher when it closes a generation) reports it.
    let dropped: Atomic<UInt64>
    /// The id this thread's events carry (assigned at creation, unique in the process).
    let thread: ThreadID
    var capacity: Int
    /// Registered with the active session's flusher. Guarded by the registry lock.
    var registered = false
    /// The thread has exited; the flusher frees the slot once it has drained it. Guarded by
    /// the registry lock.
    var retired = false

    init(thread: ThreadID) {
        head = Atomic(0)
        limit = 0
        epoch = 0
        records = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        mask = 0
        usesTSC = false
        tail = Atomic(0)
        dropped = Atomic(0)
        self.thread = thread
        capacity = 0
    }
}

/// A pointer to a `ThreadSlot` that the registry and the flusher pass around.
///
/// Invariant (why it is `@unchecked Sendable`): the producer fields are touched only by the
/// owning thread, the ring indices only through their atomics, and `registered`/`retired`
/// only under the registry lock; the slot is freed only when no thread can reach it.
struct SlotReference: @unchecked Sendable, Hashable {
    let pointer: UnsafeMutablePointer<ThreadSlot>

    init(_ pointer: UnsafeMutablePointer<ThreadSlot>) { self.pointer = pointer }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.pointer == rhs.pointer }
    func hash(into hasher: inout Hasher) { hasher.combine(UInt(bitPattern: pointer)) }
}

extension ThreadSlot {
    /// Allocates a slot (64-byte aligned, so the two cache lines do not straddle).
    static func allocate(thread: ThreadID) -> UnsafeMutablePointer<ThreadSlot> {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<ThreadSlot>.stride, alignment: max(64, MemoryLayout<ThreadSlot>.alignment))
        let slot = raw.bindMemory(to: ThreadSlot.self, capacity: 1)
        slot.initialize(to: ThreadSlot(thread: thread))
        return slot
    }

    /// Frees a slot and its ring. The caller guarantees no thread can reach it any more.
    static func free(_ slot: UnsafeMutablePointer<ThreadSlot>) {
        slot.pointee.records.deallocate()
        slot.deinitialize(count: 1)
        UnsafeMutableRawPointer(slot).deallocate()
    }

    /// Resets the ring for a new recording: called by the owning thread under the registry
    /// lock, when no flusher can be reading the slot (it is not registered).
    mutating func arm(epoch: UInt64, capacity newCapacity: Int, usesTSC: Bool) {
        if newCapacity != capacity {
            records.deallocate()
            records = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * RawRecord.size, alignment: 64)
            capacity = newCapacity
            mask = newCapacity - 1
        }
        // Relaxed: the registry lock (taken by the flusher before it first looks at this
        // slot) publishes the reset.
        head.store(0, ordering: .relaxed)
        tail.store(0, ordering: .relaxed)
        dropped.store(0, ordering: .relaxed)
        limit = capacity / 2
        self.usesTSC = usesTSC
        self.epoch = epoch
    }
}
