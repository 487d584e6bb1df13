/// An open-addressing hash map from task ids to `TaskRecord`s that hands out a pointer to
/// the record: where `TaskTable` keeps the tasks that left its direct-mapped slots.
///
/// Same hashing and backward-shift deletion as `IDTable`. A pointer from `find` or
/// `findOrInsert` is valid until the next insertion or removal.
///
/// A reference type whose storage opts out of dynamic exclusivity checks: it is owned by
/// one `TaskTable` and never shared between threads.
final class HashedTaskTable {
    @exclusivity(unchecked) private var keys: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var values: UnsafeMutablePointer<TaskRecord>
    @exclusivity(unchecked) private var size: Int
    @exclusivity(unchecked) private var mask: Int
    /// Grow when `count` reaches this (three quarters of `size`).
    @exclusivity(unchecked) private var growAt: Int
    /// Live records.
    @exclusivity(unchecked) private(set) var count = 0

    /// Task 0 means "no task" and never gets a record, so 0 marks an empty slot.
    private static var empty: UInt64 { 0 }

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.size = size
        mask = size - 1
        growAt = size / 4 * 3
        (keys, values) = Self.emptyStorage(size)
    }

    /// `size` empty slots: every key `empty`, every record fresh.
    private static func emptyStorage(_ size: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<TaskRecord>) {
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        keys.initialize(repeating: empty, count: size)
        let values = UnsafeMutablePointer<TaskRecord>.allocate(capacity: size)
        values.initialize(repeating: TaskRecord(), count: size)
        return (keys, values)
    }

    deinit {
        keys.deallocate()
        values.deinitialize(count: size)
        values.deallocate()
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { OpenAddressing.slot(key, mask: mask) }

    /// The record of `task` (not 0), if it has one.
    @inline(__always)
    func find(_ task: UInt64) -> UnsafeMutablePointer<TaskRecord>? {
        var i = slot(task)
        while true {
            let k = keys[i]
            if k == task { return values + i }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    /// The record of `task` (not 0), made fresh (`TaskRecord()`) if it had none.
    /// - Parameter inserted: set to whether the record is new.
    @inline(__always)
    func findOrInsert(_ task: UInt64, inserted: inout Bool) -> UnsafeMutablePointer<TaskRecord> {
        var i = slot(task)
        while true {
            let k = keys[i]
            if k == task {
                inserted = false
                return values + i
            }
            if k == Self.empty {
                // The load is checked on insertion only: nearly every event finds its task,
                // and a check before the probe cost every lookup a load and a compare.
                if count &+ 1 > growAt {
                    inserted = true
                    return growAndInsert(task)
                }
                keys[i] = task
                values[i] = TaskRecord()
                count += 1
                inserted = true
                return values + i
            }
            i = (i + 1) & mask
        }
    }

    /// Grows the table, then inserts `task` (known to be absent) with a fresh record.
    @inline(never)
    private func growAndInsert(_ task: UInt64) -> UnsafeMutablePointer<TaskRecord> {
        grow()
        var i = slot(task)
        while keys[i] != Self.empty { i = (i + 1) & mask }
        keys[i] = task
        values[i] = TaskRecord()
        count += 1
        return values + i
    }

    /// Removes `task`'s record, if any.
    func remove(_ task: UInt64) {
        var i = slot(task)
        while true {
            let k = keys[i]
            if k == Self.empty { return }
            if k == task { break }
            i = (i + 1) & mask
        }
        _ = OpenAddressing.removeShifting(at: i, keys: keys, values: values, mask: mask, empty: Self.empty)
        count -= 1
    }

    /// Calls `body` with every live task and a pointer to its record, in no particular order.
    /// `body` must not insert or remove.
    func forEach(_ body: (UInt64, UnsafeMutablePointer<TaskRecord>) throws -> Void) rethrows {
        for i in 0..<size where keys[i] != Self.empty {
            try body(keys[i], values + i)
        }
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldSize = size
        size *= 2
        mask = size - 1
        growAt = size / 4 * 3
        (keys, values) = Self.emptyStorage(size)
        for i in 0..<oldSize where oldKeys[i] != Self.empty {
            var j = slot(oldKeys[i])
            while keys[j] != Self.empty { j = (j + 1) & mask }
            keys[j] = oldKeys[i]
            values[j] = oldValues[i]
        }
        oldKeys.deallocate()
        oldValues.deinitialize(count: oldSize)
        oldValues.deallocate()
    }
}
