/// The live goroutines' parser state by goroutine id: an open-addressing hash table with
/// linear probing and backward-shift deletion. The parser looks a goroutine up several
/// times per event, and Swift's `Dictionary` (SipHash, copy-on-write checks) cost more
/// than the rest of the event's work.
///
/// Id 0 is never a goroutine (Go numbers them from 1): it marks empty slots, and lookups
/// and stores of 0 do nothing.
///
/// - Complexity: O(1) expected per operation; memory proportional to the live goroutines
///   (the table doubles at half full and never shrinks below its peak).
final class GoroutineTable {
    typealias Goroutine = GoTraceParser.Goroutine

    // The table belongs to one parser on one thread.
    private var keys: UnsafeMutablePointer<UInt64>
    private var values: UnsafeMutablePointer<Goroutine>
    private var capacity: Int
    private var shift: UInt64
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity { size *= 2 }
        self.capacity = size
        shift = UInt64(64 - size.trailingZeroBitCount)
        keys = .allocate(capacity: size)
        keys.initialize(repeating: 0, count: size)
        values = .allocate(capacity: size)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Fibonacci hashing: goroutine ids are mostly consecutive, the multiply spreads them.
    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always)
    private func find(_ key: UInt64) -> Int? {
        var index = home(key)
        let mask = capacity - 1
        while true {
            let found = keys[index]
            if found == key { return index }
            if found == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// The stored state of goroutine `key`, to read or change in place; valid until the
    /// next store of a new goroutine or removal.
    @inline(__always)
    func pointer(_ key: UInt64) -> UnsafeMutablePointer<Goroutine>? {
        guard key != 0, let index = find(key) else { return nil }
        return values + index
    }

    subscript(key: UInt64) -> Goroutine? {
        @inline(__always) get {
            guard key != 0, let index = find(key) else { return nil }
            return values[index]
        }
        set {
            guard key != 0 else { return }
            if let value = newValue { store(key, value) } else { remove(key) }
        }
    }

    private func store(_ key: UInt64, _ value: Goroutine) {
        if let index = find(key) {
            values[index] = value
            return
        }
        if (count + 1) * 2 > capacity { grow() }
        var index = home(key)
        let mask = capacity - 1
        while keys[index] != 0 { index = (index + 1) & mask }
        keys[index] = key
        (values + index).initialize(to: value)
        count += 1
    }

    private func remove(_ key: UInt64) {
        guard var hole = find(key) else { return }
        keys[hole] = 0
        count -= 1
        // Backward shift: move later members of the probe run into the hole when their
        // home slot does not lie (cyclically) between the hole and where they sit.
        let mask = capacity - 1
        var index = hole
        while true {
            index = (index + 1) & mask
            let key = keys[index]
            if key == 0 { return }
            let wanted = home(key)
            let stays = hole <= index ? (wanted > hole && wanted <= index) : (wanted > hole || wanted <= index)
            if stays { continue }
            keys[hole] = key
            values[hole] = values[index]
            keys[index] = 0
            hole = index
        }
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldCapacity = capacity
        capacity *= 2
        shift -= 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        count = 0
        for index in 0..<oldCapacity where oldKeys[index] != 0 {
            store(oldKeys[index], oldValues[index])
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}
