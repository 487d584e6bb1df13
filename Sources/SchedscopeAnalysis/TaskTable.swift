/// A map from task ids to `TaskRecord`s that hands out a pointer to the record, so that one
/// lookup serves a whole event (read, update, and every analysis).
///
/// Task ids are handed out in sequence by schedulers and recorders alike, and the tasks an
/// event names are nearly always recent ones. So a task lives first in a direct-mapped
/// array of slots indexed by its id's low bits, each slot one cache line holding the id
/// and its record: the recent tasks' slots sit side by side, in few lines that stay in the
/// first-level cache, and finding one is a compare, not a hash and a probe. A task whose
/// slot a newer id needs (one still alive `recentSlots` ids later: a leaked or long-lived
/// task) moves to an open-addressing hash table (`HashedTaskTable`), as does any task of a
/// trace whose ids are not sequential; a lookup that misses its slot looks there. (With
/// every task hashed, the live tasks were spread over the whole table, and the key and
/// record loads of the lookup were a quarter of the analyses' time on a one-core profile.)
///
/// A pointer from `find` or `findOrInsert` is valid until the next insertion or removal.
///
/// A reference type whose storage opts out of dynamic exclusivity checks: it is owned by
/// one `TaskLifecycle` and never shared between threads.
public final class TaskTable {
    private struct Slot {
        /// The task id; 0 marks an empty slot (task 0 means "no task" and never gets a record).
        var key: UInt64
        var record: TaskRecord
    }

    @exclusivity(unchecked) private var recent: UnsafeMutablePointer<Slot>
    private let recentMask: Int
    /// Live records in `recent`.
    @exclusivity(unchecked) private var recentCount = 0
    /// Tasks moved out of `recent`.
    private let older: HashedTaskTable
    /// The highest id ever moved to `older`: a higher id is not there, so a new task of a
    /// trace whose ids grow (nearly every new task) costs no probe of the hashed table, whose
    /// lines are rarely in cache.
    @exclusivity(unchecked) private var olderHighest: UInt64 = 0

    private static var empty: UInt64 { 0 }
    private static var lineBytes: Int { 64 }

    /// - Parameters:
    ///   - capacity: the hashed table's initial capacity (it grows as needed).
    ///   - recentSlots: direct-mapped slots (rounded up to a power of two): how far apart in
    ///     sequence two live ids may be before the older one moves to the hashed table.
    public init(capacity: Int = 256, recentSlots: Int = 1024) {
        var size = 1
        while size < recentSlots { size <<= 1 }
        recentMask = size - 1
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: size * MemoryLayout<Slot>.stride, alignment: max(Self.lineBytes, MemoryLayout<Slot>.alignment))
        recent = raw.bindMemory(to: Slot.self, capacity: size)
        recent.initialize(repeating: Slot(key: Self.empty, record: TaskRecord()), count: size)
        older = HashedTaskTable(capacity: capacity)
    }

    deinit {
        recent.deinitialize(count: recentMask + 1)
        UnsafeMutableRawPointer(recent).deallocate()
    }

    /// Live records.
    public var count: Int { recentCount + older.count }

    @inline(__always)
    private func recentSlot(_ task: UInt64) -> UnsafeMutablePointer<Slot> {
        recent + (Int(truncatingIfNeeded: task) & recentMask)
    }

    @inline(__always)
    private static func record(_ slot: UnsafeMutablePointer<Slot>) -> UnsafeMutablePointer<TaskRecord> {
        UnsafeMutableRawPointer(slot).advanced(by: MemoryLayout<Slot>.offset(of: \Slot.record)!)
            .assumingMemoryBound(to: TaskRecord.self)
    }

    /// The record of `task` (not 0), if it has one.
    @inline(__always)
    public func find(_ task: UInt64) -> UnsafeMutablePointer<TaskRecord>? {
        let slot = recentSlot(task)
        if slot.pointee.key == task { return Self.record(slot) }
        return task > olderHighest || older.count == 0 ? nil : older.find(task)
    }

    /// The record of `task` (not 0), made fresh (`TaskRecord()`) if it had none.
    /// - Parameter inserted: set to whether the record is new.
    @inline(__always)
    public func findOrInsert(_ task: UInt64, inserted: inout Bool) -> UnsafeMutablePointer<TaskRecord> {
        let slot = recentSlot(task)
        if slot.pointee.key == task {
            inserted = false
            return Self.record(slot)
        }
        return findOlderOrInsert(task, slot, inserted: &inserted)
    }

    /// `findOrInsert` when `task` is not in its slot: it is in the hashed table, or new. A
    /// new task takes its slot, moving the slot's task (if any) to the hashed table.
    @inline(never)
    private func findOlderOrInsert(
        _ task: UInt64, _ slot: UnsafeMutablePointer<Slot>, inserted: inout Bool
    ) -> UnsafeMutablePointer<TaskRecord> {
        if task <= olderHighest, older.count > 0, let record = older.find(task) {
            inserted = false
            return record
        }
        inserted = true
        if slot.pointee.key == Self.empty {
            recentCount += 1
        } else {
            var moved = false
            older.findOrInsert(slot.pointee.key, inserted: &moved).pointee = slot.pointee.record
            olderHighest = max(olderHighest, slot.pointee.key)
        }
        slot.pointee = Slot(key: task, record: TaskRecord())
        return Self.record(slot)
    }

    /// Removes `task`'s record, if any.
    @inline(__always)
    public func remove(_ task: UInt64) {
        let slot = recentSlot(task)
        if slot.pointee.key == task {
            slot.pointee.key = Self.empty
            recentCount -= 1
        } else if task <= olderHighest, older.count > 0 {
            older.remove(task)
        }
    }

    /// Calls `body` with every live task and a pointer to its record, in no particular order.
    /// `body` must not insert or remove.
    public func forEach(_ body: (UInt64, UnsafeMutablePointer<TaskRecord>) throws -> Void) rethrows {
        for i in 0...recentMask where recent[i].key != Self.empty {
            try body(recent[i].key, Self.record(recent + i))
        }
        try older.forEach(body)
    }
}
