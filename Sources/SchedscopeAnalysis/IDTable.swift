/// An open-addressing hash map from 64-bit ids to values, for per-task and per-thread
/// state on an analysis's per-event path.
///
/// Swift's `Dictionary` and `Set` hash with SipHash and a per-process seed, which cost
/// 2× a flat array per lookup there; ids are not adversarial keys in the hashing sense
/// (a forged trace can only make one analysis slower, never wrong), so a multiplicative
/// hash with linear probing is enough. Deletion shifts entries back (`OpenAddressing`), so
/// there are no tombstones and lookups stay short however many tasks come and go.
///
/// A reference type, so that writes skip copy-on-write checks: an analysis that owns one
/// must not share it.
///
/// The stored properties opt out of dynamic exclusivity checks: each access would otherwise
/// cost a thread-local lookup on the per-event path, and the table is not shared.
///
/// The lookups are `@inlinable`, so that a table used from another module (the report's
/// timeline) is specialized there: called generically, every access looked up the type's
/// metadata at run time.
public final class IDTable<Value> {
    @exclusivity(unchecked) @usableFromInline var keys: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) @usableFromInline var values: UnsafeMutablePointer<Value?>
    @exclusivity(unchecked) @usableFromInline var size: Int
    @exclusivity(unchecked) @usableFromInline var mask: Int
    @exclusivity(unchecked) @usableFromInline var entryCount = 0
    public var count: Int { entryCount }
    /// `UInt64.max` marks an empty slot; that id is stored apart.
    @exclusivity(unchecked) @usableFromInline var maxKeyValue: Value?

    @inlinable static var empty: UInt64 { .max }

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.size = size
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Self.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: nil, count: size)
        mask = size - 1
    }

    deinit {
        keys.deallocate()
        values.deinitialize(count: size)
        values.deallocate()
    }

    @inlinable @inline(__always)
    func slot(_ key: UInt64) -> Int { OpenAddressing.slot(key, mask: mask) }

    @inlinable
    public subscript(key: UInt64) -> Value? {
        get {
            if key == Self.empty { return maxKeyValue }
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            if let newValue { insert(key, newValue) } else { remove(key) }
        }
    }

    @inlinable
    public func contains(_ key: UInt64) -> Bool { self[key] != nil }

    /// Sets `key` to `value`. - Returns: whether the key is new.
    @inlinable @discardableResult
    public func insert(_ key: UInt64, _ value: Value) -> Bool {
        if key == Self.empty {
            let new = maxKeyValue == nil
            maxKeyValue = value
            if new { entryCount += 1 }
            return new
        }
        let (i, new) = claim(key)
        values[i] = value
        return new
    }

    /// Applies `body` to `key`'s value, made `initial()` first if `key` is new: one probe
    /// where reading the value and setting it back took two.
    @inlinable
    public func update(_ key: UInt64, default initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        if key == Self.empty {
            if maxKeyValue == nil {
                maxKeyValue = initial()
                entryCount += 1
            }
            body(&maxKeyValue!)
            return
        }
        let (i, new) = claim(key)
        if new { values[i] = initial() }
        body(&values[i]!)
    }

    /// The slot of `key` (not `empty`), taken for it if it had none (its value then still
    /// to be set): one probe for `insert` and `update` alike.
    @inlinable
    func claim(_ key: UInt64) -> (slot: Int, new: Bool) {
        if (entryCount + 1) * 4 > size * 3 { grow() }
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return (i, false) }
            if k == Self.empty {
                keys[i] = key
                entryCount += 1
                return (i, true)
            }
            i = (i + 1) & mask
        }
    }

    /// Removes `key`. - Returns: its value, if it was present.
    @inlinable @discardableResult
    public func remove(_ key: UInt64) -> Value? {
        if key == Self.empty {
            defer { if maxKeyValue != nil { entryCount -= 1 }; maxKeyValue = nil }
            return maxKeyValue
        }
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == Self.empty { return nil }
            if k == key { break }
            i = (i + 1) & mask
        }
        let removed = values[i]
        let hole = OpenAddressing.removeShifting(at: i, keys: keys, values: values, mask: mask, empty: Self.empty)
        values[hole] = nil
        entryCount -= 1
        return removed
    }

    /// Every entry, in no particular order.
    public var entries: [(key: UInt64, value: Value)] {
        var out: [(UInt64, Value)] = []
        out.reserveCapacity(count)
        for i in 0..<size where keys[i] != Self.empty {
            if let value = values[i] { out.append((keys[i], value)) }
        }
        if let maxKeyValue { out.append((Self.empty, maxKeyValue)) }
        return out
    }

    @usableFromInline
    func grow() {
        let oldKeys = keys, oldValues = values, oldSize = size
        size *= 2
        mask = size - 1
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Self.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: nil, count: size)
        entryCount = maxKeyValue == nil ? 0 : 1
        for i in 0..<oldSize where oldKeys[i] != Self.empty {
            if let value = oldValues[i] { insert(oldKeys[i], value) }
        }
        oldKeys.deallocate()
        oldValues.deinitialize(count: oldSize)
        oldValues.deallocate()
    }
}
