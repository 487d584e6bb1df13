/// The bytes of a chunk payload being encoded, written through a pointer: the encoder
/// checks room once per event (`reserve`), then writes the event's varints unchecked, where
/// appending to an array checked uniqueness and capacity at every byte.
///
/// A value type with copy-on-write storage: a copy of an encoder never shares its bytes.
package struct PayloadBuffer {
    /// Owns the memory. Its properties are constants: reading them needs no exclusivity check.
    private final class Storage {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        deinit { base.deallocate() }
    }

    private var storage: Storage
    /// Bytes written so far.
    package private(set) var count = 0

    package init(capacity: Int) {
        storage = Storage(capacity: max(capacity, 64))
    }

    /// Makes room for `bytes` more bytes (and sole ownership) and returns where the next byte
    /// goes; after writing, `commit(_:)` the returned pointer advanced past the last byte.
    @inline(__always)
    package mutating func reserve(_ bytes: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(storage.capacity - count < bytes || !isKnownUniquelyReferenced(&storage)) {
            reallocate(minimumFree: bytes)
        }
        return storage.base + count
    }

    /// Sets the end of the payload to `end`, a pointer from `reserve` advanced by at most
    /// the bytes reserved.
    @inline(__always)
    package mutating func commit(_ end: UnsafeMutablePointer<UInt8>) {
        count = end - storage.base
    }

    package mutating func removeAll() { count = 0 }

    /// The payload, valid during `body`.
    package func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: storage.base, count: count))
    }

    /// A copy of the payload.
    package var bytes: [UInt8] { withBytes { Array($0) } }

    private mutating func reallocate(minimumFree: Int) {
        var capacity = storage.capacity
        while capacity - count < minimumFree { capacity *= 2 }
        let replacement = Storage(capacity: capacity)
        replacement.base.update(from: storage.base, count: count)
        storage = replacement
    }

    // MARK: - Writing at a cursor (unchecked: the caller reserved the room)

    /// Unsigned LEB128 of `value` at `cursor` (at most 10 bytes); returns the next position.
    @inline(__always)
    package static func putVarint(_ value: UInt64, at cursor: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var v = value
        var next = cursor
        while v >= 0x80 {
            next.pointee = UInt8(truncatingIfNeeded: v) | 0x80
            next += 1
            v >>= 7
        }
        next.pointee = UInt8(truncatingIfNeeded: v)
        return next + 1
    }

    /// Unsigned LEB128 of the 66-bit value `zigzag << 2 | selector` (a task-id argument,
    /// `TaskIDRegisters`): at most 10 bytes, the 10th holding bits 63–65.
    @inline(__always)
    package static func putTaskID(
        zigzag: UInt64, selector: UInt64, at cursor: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        // Ids within 2⁶¹ of their base (all but forged ones) fit in 64 bits.
        if _fastPath(zigzag >> 62 == 0) { return putVarint(zigzag << 2 | selector, at: cursor) }
        var low = zigzag << 2 | selector
        var high = zigzag >> 62
        var next = cursor
        while high != 0 || low >= 0x80 {
            next.pointee = UInt8(truncatingIfNeeded: low) | 0x80
            next += 1
            low = low >> 7 | high << 57
            high >>= 7
        }
        next.pointee = UInt8(truncatingIfNeeded: low)
        return next + 1
    }
}
