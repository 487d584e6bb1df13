import CSchedscopeRecorder
import SchedscopeModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The threads that emit into the recording in progress, and how their slots are armed.
///
/// Taken by an emitting thread only on its slow path (its first event of a recording, and
/// its exit), and by the flusher to list the slots; never for an ordinary event, and never
/// while anyone writes to disk.
struct Registry {
    /// The epoch of the recording that threads may join, 0 when none.
    var activeEpoch: UInt64 = 0
    /// Ring capacity for the recording in progress.
    var bufferEvents = 1 << 15
    /// Whether the recording in progress reads the time-stamp counter.
    var usesTSC = false
    /// The slots armed for the recording in progress, in arming order.
    var slots: [SlotReference] = []
    /// The next thread id to hand out (ids are never reused in a process).
    var nextThreadID: UInt64 = 1
    /// Slots allocated and not yet freed (for tests).
    var liveSlots = 0
}

let registry = Mutex(Registry())

/// The TLS key whose destructor retires a thread's slot when the thread exits.
private let slotDestructorKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { raw in
        guard let raw else { return }
        ThreadSlots.retire(raw.assumingMemoryBound(to: ThreadSlot.self))
    }
    precondition(status == 0, "pthread_key_create failed (\(status)): the process is out of TLS keys")
    return key
}()

/// The slow path of the emit path: creating, arming and retiring slots.
enum ThreadSlots {
    /// The calling thread's slot armed for `epoch`, or nil if that recording is over.
    static func armedSlot(epoch: UInt64) -> UnsafeMutablePointer<ThreadSlot>? {
        let slot: UnsafeMutablePointer<ThreadSlot>
        if let raw = schedscope_thread_slot() {
            slot = raw.assumingMemoryBound(to: ThreadSlot.self)
        } else {
            let thread = registry.withLock { registry in
                defer {
                    registry.nextThreadID += 1
                    registry.liveSlots += 1
                }
                return ThreadID(rawValue: registry.nextThreadID)
            }
            slot = ThreadSlot.allocate(thread: thread)
            schedscope_set_thread_slot(UnsafeMutableRawPointer(slot))
            pthread_setspecific(slotDestructorKey, UnsafeMutableRawPointer(slot))
        }
        if slot.pointee.epoch == epoch { return slot }
        let armed = registry.withLock { registry -> Bool in
            guard registry.activeEpoch == epoch, !slot.pointee.registered else { return false }
            slot.pointee.arm(epoch: epoch, capacity: registry.bufferEvents, usesTSC: registry.usesTSC)
            slot.pointee.registered = true
            registry.slots.append(SlotReference(slot))
            return true
        }
        return armed ? slot : nil
    }

    /// Called when a thread exits: its slot is freed now if no recording reads it, else
    /// marked for the flusher to free once drained.
    static func retire(_ slot: UnsafeMutablePointer<ThreadSlot>) {
        schedscope_set_thread_slot(nil)
        registry.withLock { registry in
            if slot.pointee.registered {
                slot.pointee.retired = true
            } else {
                ThreadSlot.free(slot)
                registry.liveSlots -= 1
            }
        }
    }

    /// Unregisters every slot at the end of a recording, freeing those of exited threads.
    static func releaseAll() {
        registry.withLock { registry in
            registry.activeEpoch = 0
            for slot in registry.slots {
                slot.pointer.pointee.registered = false
                if slot.pointer.pointee.retired {
                    ThreadSlot.free(slot.pointer)
                    registry.liveSlots -= 1
                }
            }
            registry.slots.removeAll()
        }
    }
}
