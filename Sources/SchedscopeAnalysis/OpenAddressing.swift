/// What `IDTable` and `TaskTable` share: the multiplicative hash that picks a key's home
/// slot, and backward-shift deletion, which keeps linear probing free of tombstones.
@usableFromInline
enum OpenAddressing {
    /// The home slot of `key` in a table of `mask + 1` slots (a power of two).
    @inlinable @inline(__always)
    static func slot(_ key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Empties slot `i` of a table, moving later entries of its probe run back into the
    /// hole so that every remaining key stays reachable from its home slot.
    /// - Returns: the slot left empty at the end (its key is set to `empty`; the caller
    ///   clears its value if values need clearing).
    @inlinable @inline(__always)
    static func removeShifting<Value>(
        at i: Int, keys: UnsafeMutablePointer<UInt64>, values: UnsafeMutablePointer<Value>, mask: Int, empty: UInt64
    ) -> Int {
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != empty {
            let home = slot(keys[j], mask: mask)
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                keys[hole] = keys[j]
                values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        keys[hole] = empty
        return hole
    }
}
