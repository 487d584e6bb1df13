/// An open-addressing hash map from task id to `Value`, for one shard of the task table
/// (used under the shard's lock; not thread-safe itself).
///
/// Why not `Dictionary`: every operation of the tracker is a probe on the executor's hot
/// path (three per job), and `Dictionary` hashes its key with SipHash on each subscript —
/// the tracker's read-modify-write of one entry hashed three times. Here a task id is
/// hashed by one multiplication (ids are sequential, Fibonacci hashing spreads them), an
/// operation probes once and then works on the slot's index, and deletion shifts the
/// following entries back (linear probing, no tombstones), so the table never needs
/// cleaning. It grows at 3/4 full and shrinks at 1/8, so its memory follows the live tasks.
struct TaskSlots<Value>: ~Copyable {
    private struct Slot {
        /// 0: empty (task ids are never 0: the runtime gives 0 to jobs that are no task).
        var key: UInt64
        var value: Value
    }

    private var slots: UnsafeMutablePointer<Slot>
    private var capacity: Int
    private(set) var count = 0
    /// The capacity it never shrinks below (a power of two): a table whose load comes and
    /// goes in waves (a fan-out in batches) would otherwise reallocate at every wave.
    private let minimumCapacity: Int

    init(minimumCapacity: Int = 16) {
        precondition(minimumCapacity >= 2 && minimumCapacity & (minimumCapacity - 1) == 0, "a power of two")
        self.minimumCapacity = minimumCapacity
        capacity = minimumCapacity
        slots = Self.allocate(capacity)
    }

    deinit {
        for index in 0..<capacity where slots[index].key != 0 { (slots + index).deinitialize(count: 1) }
        slots.deallocate()
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        // Only the keys are initialized in empty slots (a raw store: `Value` is not there).
        let raw = UnsafeMutableRawPointer(slots)
        for index in 0..<capacity {
            raw.storeBytes(of: 0 as UInt64, toByteOffset: index * MemoryLayout<Slot>.stride + MemoryLayout<Slot>.offset(of: \.key)!, as: UInt64.self)
        }
        return slots
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        // Fibonacci hashing: the top bits of the product, as many as the capacity needs.
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The index of `key`'s slot, if present.
    @inline(__always)
    func index(of key: UInt64) -> Int? {
        let mask = capacity - 1
        var index = home(key)
        while true {
            let found = slots[index].key
            if found == key { return index }
            if found == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// The value at `index` (from `index(of:)`, valid until the next insert or removal).
    @inline(__always)
    func value(at index: Int) -> Value { slots[index].value }

    /// Changes the value at `index` in place.
    @inline(__always)
    mutating func update<Result>(at index: Int, _ body: (inout Value) -> Result) -> Result {
        body(&slots[index].value)
    }

    /// Adds `key` (not present).
    mutating func insert(_ key: UInt64, _ value: Value) {
        precondition(key != 0, "task id 0 is not a task")
        if (count + 1) * 4 > capacity * 3 { resize(to: capacity * 2) }
        let mask = capacity - 1
        var index = home(key)
        while slots[index].key != 0 { index = (index + 1) & mask }
        (slots + index).initialize(to: Slot(key: key, value: value))
        count += 1
    }

    /// Removes the entry at `index` (from `index(of:)`).
    mutating func remove(at index: Int) {
        (slots + index).deinitialize(count: 1)
        count -= 1
        // Backward-shift deletion: move each following entry of the run into the hole if
        // its home is not between the hole and itself (cyclically), so lookups, which stop
        // at the first empty slot, still find it.
        let mask = capacity - 1
        var hole = index
        var next = (hole + 1) & mask
        while slots[next].key != 0 {
            let start = home(slots[next].key)
            let distanceToNext = (next - start) & mask
            let distanceToHole = (hole - start) & mask
            if distanceToHole < distanceToNext {
                (slots + hole).moveInitialize(from: slots + next, count: 1)
                hole = next
            }
            next = (next + 1) & mask
        }
        markEmpty(hole)
        if capacity > minimumCapacity && count * 8 < capacity { resize(to: capacity / 2) }
    }

    /// Removes `key`; whether it was present.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> Bool {
        guard let index = index(of: key) else { return false }
        remove(at: index)
        return true
    }

    /// Calls `body` with every entry, in no particular order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for index in 0..<capacity where slots[index].key != 0 { body(slots[index].key, slots[index].value) }
    }

    @inline(__always)
    private func markEmpty(_ index: Int) {
        UnsafeMutableRawPointer(slots + index).storeBytes(of: 0 as UInt64, toByteOffset: MemoryLayout<Slot>.offset(of: \.key)!, as: UInt64.self)
    }

    private mutating func resize(to newCapacity: Int) {
        let old = slots
        let oldCapacity = capacity
        slots = Self.allocate(newCapacity)
        capacity = newCapacity
        let mask = newCapacity - 1
        for index in 0..<oldCapacity where old[index].key != 0 {
            var target = home(old[index].key)
            while slots[target].key != 0 { target = (target + 1) & mask }
            (slots + target).moveInitialize(from: old + index, count: 1)
        }
        old.deallocate()
    }
}
