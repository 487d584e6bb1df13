/// An open-addressing hash map from task ids to `TaskRecord`s that hands out a pointer to
/// the record, so that one probe serves a whole event (read, update, and every analysis).
///
/// Same hashing and backward-shift deletion as `IDTable`, but each key sits beside its
/// record in one 64-byte, cache-line-aligned slot: the probe that finds a task has its
/// record in the line it just loaded (separate key and record arrays cost two misses per
/// event once the table outgrows the first-level cache). The table is kept at most half
/// full, so a lookup usually ends in its home slot. A pointer from `find` or
/// `findOrInsert` is valid until the next insertion or removal.
///
/// A reference type whose storage opts out of dynamic exclusivity checks: it is owned by
/// one `TaskLifecycle` and never shared between threads.
public final class TaskTable {
    private struct Slot {
        /// The task id; 0 marks an empty slot (task 0 means "no task" and never gets a record).
        var key: UInt64
        var record: TaskRecord
    }

    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var size: Int
    @exclusivity(unchecked) private var mask: Int
    /// Grow when `count` reaches this (half of `size`).
    @exclusivity(unchecked) private var growAt: Int
    /// Live records.
    @exclusivity(unchecked) public private(set) var count = 0

    private static var empty: UInt64 { 0 }
    private static var lineBytes: Int { 64 }

    public init(capacity: Int = 256) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.size = size
        mask = size - 1
        growAt = size / 2
        slots = Self.allocateSlots(size)
    }

    deinit {
        slots.deinitialize(count: size)
        UnsafeMutableRawPointer(slots).deallocate()
    }

    /// `size` empty slots, starting on a cache-line boundary (a slot's stride is one line).
    private static func allocateSlots(_ size: Int) -> UnsafeMutablePointer<Slot> {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: size * MemoryLayout<Slot>.stride, alignment: Swift.max(lineBytes, MemoryLayout<Slot>.alignment))
        let slots = raw.bindMemory(to: Slot.self, capacity: size)
        slots.initialize(repeating: Slot(key: empty, record: TaskRecord()), count: size)
        return slots
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { OpenAddressing.slot(key, mask: mask) }

    @inline(__always)
    private func record(at i: Int) -> UnsafeMutablePointer<TaskRecord> {
        UnsafeMutableRawPointer(slots + i).advanced(by: MemoryLayout<Slot>.offset(of: \Slot.record)!)
            .assumingMemoryBound(to: TaskRecord.self)
    }

    /// The record of `task` (not 0), if it has one.
    @inline(__always)
    public func find(_ task: UInt64) -> UnsafeMutablePointer<TaskRecord>? {
        var i = slot(task)
        while true {
            let k = slots[i].key
            if k == task { return record(at: i) }
            if k == Self.empty { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// The record of `task` (not 0), made fresh (`TaskRecord()`) if it had none.
    /// - Parameter inserted: set to whether the record is new.
    @inline(__always)
    public func findOrInsert(_ task: UInt64, inserted: inout Bool) -> UnsafeMutablePointer<TaskRecord> {
        var i = slot(task)
        while true {
            let k = slots[i].key
            if k == task {
                inserted = false
                return record(at: i)
            }
            if k == Self.empty {
                // The load is checked on insertion only: nearly every event finds its task,
                // and a check before the probe cost every lookup a load and a compare.
                inserted = true
                if count &+ 1 > growAt { return growAndInsert(task) }
                slots[i] = Slot(key: task, record: TaskRecord())
                count &+= 1
                return record(at: i)
            }
            i = (i &+ 1) & mask
        }
    }

    /// Grows the table, then inserts `task` (known to be absent) with a fresh record.
    @inline(never)
    private func growAndInsert(_ task: UInt64) -> UnsafeMutablePointer<TaskRecord> {
        grow()
        var i = slot(task)
        while slots[i].key != Self.empty { i = (i + 1) & mask }
        slots[i] = Slot(key: task, record: TaskRecord())
        count += 1
        return record(at: i)
    }

    /// Removes `task`'s record, if any.
    public func remove(_ task: UInt64) {
        var i = slot(task)
        while true {
            let k = slots[i].key
            if k == Self.empty { return }
            if k == task { break }
            i = (i + 1) & mask
        }
        let slots = slots
        let hole = OpenAddressing.removeShifting(at: i, mask: mask, empty: Self.empty, key: { slots[$0].key }) { from, to in
            slots[to] = slots[from]
        }
        slots[hole].key = Self.empty
        count -= 1
    }

    /// Calls `body` with every live task and a pointer to its record, in no particular order.
    /// `body` must not insert or remove.
    public func forEach(_ body: (UInt64, UnsafeMutablePointer<TaskRecord>) throws -> Void) rethrows {
        for i in 0..<size where slots[i].key != Self.empty {
            try body(slots[i].key, record(at: i))
        }
    }

    private func grow() {
        let old = slots, oldSize = size
        size *= 2
        mask = size - 1
        growAt = size / 2
        slots = Self.allocateSlots(size)
        for i in 0..<oldSize where old[i].key != Self.empty {
            var j = slot(old[i].key)
            while slots[j].key != Self.empty { j = (j + 1) & mask }
            slots[j] = old[i]
        }
        old.deinitialize(count: oldSize)
        UnsafeMutableRawPointer(old).deallocate()
    }
}
