import CSchedscopeRecorder
import SchedscopeModel
import Synchronization

// The emit path. Every event method is `@inlinable` so that the "is a recording on?"
// check and the buffer write inline into the scheduler: as a call, recording off costs
// 1.6 ns instead of 0.3 ns (Benchmarks/RecorderBenchmarks, docs/BENCHMARKS.md).
extension Recorder {
    // MARK: - Ps

    /// P `proc` starts running on the calling thread (`proc_start`).
    @inlinable
    public static func procStart(_ proc: ProcID) {
        record(.procStart, c: proc.rawValue)
    }

    /// P `proc` stops: it goes idle, or its thread blocks (`proc_stop`).
    @inlinable
    public static func procStop(_ proc: ProcID) {
        record(.procStop, c: proc.rawValue)
    }

    /// P `thief` took `count` runnable tasks from `victim`'s run queue (`proc_steal`).
    @inlinable
    public static func procSteal(_ thief: ProcID, from victim: ProcID, count: UInt64) {
        record(.procSteal, a: count, b: UInt64(victim.rawValue), c: thief.rawValue)
    }

    // MARK: - Tasks

    /// A task exists (`task_create`).
    ///
    /// - Parameters:
    ///   - task: the new task (ids start at 1; 0 is `TaskID.none`).
    ///   - parent: the task that created it, `.none` for a root task.
    ///   - label: its creation site or name, interned with `intern(_:)`.
    ///   - isRuntime: whether it belongs to the runtime itself (analyses leave it out).
    @inlinable
    public static func taskCreate(_ task: TaskID, parent: TaskID, label: StringID, isRuntime: Bool = false) {
        record(.taskCreate, flags: isRuntime ? RawRecord.Flags.runtimeTask : 0,
               a: task.rawValue, b: parent.rawValue, c: label.rawValue)
    }

    /// `task` begins running on P `proc`, on the calling thread (`task_start`).
    @inlinable
    public static func taskStart(_ task: TaskID, on proc: ProcID) {
        record(.taskStart, a: task.rawValue, c: proc.rawValue)
    }

    /// `task` stops voluntarily and stays runnable (`task_yield`).
    @inlinable
    public static func taskYield(_ task: TaskID) {
        record(.taskYield, a: task.rawValue)
    }

    /// The scheduler stops `task`, which stays runnable (`task_preempt`).
    @inlinable
    public static func taskPreempt(_ task: TaskID) {
        record(.taskPreempt, a: task.rawValue)
    }

    /// `task` blocks (`task_park`).
    ///
    /// - Parameter reason: why, interned (`channel receive`, `mutex`, `sleep`, …).
    @inlinable
    public static func taskPark(_ task: TaskID, reason: StringID) {
        record(.taskPark, a: task.rawValue, c: reason.rawValue)
    }

    /// `task` becomes runnable again (`task_unpark`). Emit it before the task is made
    /// visible to other threads (pushed on a run queue).
    ///
    /// - Parameter waker: the task that woke it, `.none` when woken from outside a task.
    @inlinable
    public static func taskUnpark(_ task: TaskID, by waker: TaskID) {
        record(.taskUnpark, a: task.rawValue, b: waker.rawValue)
    }

    /// `task` finished (`task_end`).
    @inlinable
    public static func taskEnd(_ task: TaskID) {
        record(.taskEnd, a: task.rawValue)
    }

    // MARK: - Garbage collection

    /// Collection cycle `cycle` begins (`gc_begin`).
    @inlinable
    public static func gcBegin(cycle: UInt64) {
        record(.gcBegin, a: cycle)
    }

    /// Collection cycle `cycle` ends (`gc_end`).
    @inlinable
    public static func gcEnd(cycle: UInt64) {
        record(.gcEnd, a: cycle)
    }

    /// A stop-the-world pause begins: no task runs until `gcPauseEnd` (`gc_pause_begin`).
    @inlinable
    public static func gcPauseBegin(reason: StringID) {
        record(.gcPauseBegin, c: reason.rawValue)
    }

    /// The stop-the-world pause ends (`gc_pause_end`).
    @inlinable
    public static func gcPauseEnd(reason: StringID) {
        record(.gcPauseEnd, c: reason.rawValue)
    }

    // MARK: - Regions and logs

    /// A named span begins (`region_begin`), e.g. one test case, for the task running on
    /// the calling thread.
    @inlinable
    public static func regionBegin(_ name: StringID) {
        record(.regionBegin, c: name.rawValue)
    }

    /// A named span begins for `task` (`region_begin`).
    @inlinable
    public static func regionBegin(_ name: StringID, task: TaskID) {
        record(.regionBegin, flags: RawRecord.Flags.explicitTask, a: task.rawValue, c: name.rawValue)
    }

    /// The named span ends (`region_end`), for the task running on the calling thread.
    @inlinable
    public static func regionEnd(_ name: StringID) {
        record(.regionEnd, c: name.rawValue)
    }

    /// The named span ends for `task` (`region_end`).
    @inlinable
    public static func regionEnd(_ name: StringID, task: TaskID) {
        record(.regionEnd, flags: RawRecord.Flags.explicitTask, a: task.rawValue, c: name.rawValue)
    }

    /// A user annotation (`log`).
    ///
    /// - Parameters:
    ///   - message: the text, interned.
    ///   - category: a category, interned; `.empty` for none.
    @inlinable
    public static func log(_ message: StringID, category: StringID = .empty) {
        record(.log, a: UInt64(message.rawValue), c: category.rawValue)
    }

    // MARK: - The emit path

    /// Writes one record into the calling thread's ring: a relaxed load of the recording
    /// epoch (0: return), the thread's slot from TLS, one clock read, four stores and a
    /// release store of `head`. Anything unusual — no slot yet, a new recording, the ring
    /// at its limit — goes to `recordSlow`.
    @inlinable @inline(__always)
    static func record(_ kind: EventKind, flags: UInt8 = 0, a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0) {
        let epoch = schedscope_recording_epoch_load_relaxed()
        if epoch == 0 { return }
        guard let raw = schedscope_thread_slot() else {
            return recordSlow(kind, flags: flags, a: a, b: b, c: c)
        }
        let slot = raw.assumingMemoryBound(to: ThreadSlot.self)
        // Relaxed: `head` is this thread's own variable.
        let head = slot.pointee.head.load(ordering: .relaxed)
        guard slot.pointee.epoch == epoch, head != slot.pointee.limit else {
            return recordSlow(kind, flags: flags, a: a, b: b, c: c)
        }
        let clock = slot.pointee.usesTSC ? schedscope_rdtsc() : schedscope_monotonic_ns()
        RawRecord.store(
            at: slot.pointee.records + ((head & slot.pointee.mask) &<< RawRecord.sizeShift),
            clock: clock, kind: kind, flags: flags, a: a, b: b, c: c)
        // Release: the record's bytes are visible to a flusher that acquires `head`.
        slot.pointee.head.store(head &+ 1, ordering: .releasing)
    }

    /// The rare cases of `record`: arming the thread's slot for a recording, finding space
    /// (waking the flusher at half a ring), dropping and counting when there is none, and
    /// writing a `lost` event when space returns.
    @usableFromInline @inline(never)
    static func recordSlow(_ kind: EventKind, flags: UInt8, a: UInt64, b: UInt64, c: UInt32) {
        let epoch = schedscope_recording_epoch_load_relaxed()
        guard epoch != 0, let slot = ThreadSlots.armedSlot(epoch: epoch) else { return }
        // Relaxed: `head` is this thread's own variable.
        var head = slot.pointee.head.load(ordering: .relaxed)
        if head == slot.pointee.limit { slot.pointee.refreshLimit(head: head) }
        let space = slot.pointee.limit &- head
        if space == 0 {
            // Relaxed: a count, see `ThreadSlot.dropped`.
            slot.pointee.dropped.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let clock = slot.pointee.usesTSC ? schedscope_rdtsc() : schedscope_monotonic_ns()
        // Relaxed, all three: a count, see `ThreadSlot.dropped`.
        if slot.pointee.dropped.load(ordering: .relaxed) != 0 {
            guard space >= 2 else {
                slot.pointee.dropped.wrappingAdd(1, ordering: .relaxed)
                return
            }
            let lost = slot.pointee.dropped.exchange(0, ordering: .relaxed)
            if lost > 0 {
                RawRecord.store(
                    at: slot.pointee.records + ((head & slot.pointee.mask) &<< RawRecord.sizeShift),
                    clock: clock, kind: .lost, flags: 0, a: lost, b: 0, c: 0)
                head &+= 1
            }
        }
        RawRecord.store(
            at: slot.pointee.records + ((head & slot.pointee.mask) &<< RawRecord.sizeShift),
            clock: clock, kind: kind, flags: flags, a: a, b: b, c: c)
        // Release: as in `record`.
        slot.pointee.head.store(head &+ 1, ordering: .releasing)
    }
}

extension ThreadSlot {
    /// Recomputes `limit` from the flusher's progress. At half a ring or more in use, the
    /// flusher is woken (a semaphore post, which never blocks) and the whole ring opens up.
    mutating func refreshLimit(head: Int) {
        // Acquire: the flusher has finished reading every record before `tail`.
        let tail = self.tail.load(ordering: .acquiring)
        let half = capacity >> 1
        if head &- tail < half {
            limit = tail &+ half
        } else {
            schedscope_flusher_wake()
            limit = tail &+ capacity
        }
    }
}
