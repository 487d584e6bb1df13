import SchedscopeModel

/// One event as the emit path leaves it in a thread's ring: 32 fixed bytes, no encoding.
///
/// ```
/// 0   8  clock reading (raw: TSC ticks or CLOCK_MONOTONIC ns, see `RecorderClock`)
/// 8   8  a  (subject task, cycle, count, message)
/// 16  8  b  (parent, waker, victim)
/// 24  4  c  (P, string id)
/// 28  1  kind (`EventKind.rawValue`)
/// 29  1  flags (`RawRecord.Flags`)
/// 30  2  unused
/// ```
/// The flusher turns records into `Event`s, adding the thread's P and running task.
@usableFromInline
enum RawRecord {
    /// Bytes per record; a power of two so that an index becomes an offset by a shift.
    @usableFromInline static let size = 32
    @usableFromInline static let sizeShift = 5

    /// Bits of the flags byte.
    @usableFromInline
    enum Flags {
        /// `task_create` of a runtime task (`Event.Flags.runtimeTask`).
        @usableFromInline static let runtimeTask: UInt8 = 1
        /// `region_begin`/`region_end` name their task in `a` (otherwise: the running task).
        @usableFromInline static let explicitTask: UInt8 = 2
    }

    @inlinable @inline(__always)
    static func store(
        at pointer: UnsafeMutableRawPointer, clock: UInt64, kind: EventKind, flags: UInt8,
        a: UInt64, b: UInt64, c: UInt32
    ) {
        pointer.storeBytes(of: clock, as: UInt64.self)
        pointer.storeBytes(of: a, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: b, toByteOffset: 16, as: UInt64.self)
        let last = UInt64(c) | UInt64(kind.rawValue) &<< 32 | UInt64(flags) &<< 40
        pointer.storeBytes(of: last, toByteOffset: 24, as: UInt64.self)
    }

    /// A record read back by the flusher.
    struct Loaded {
        var clock: UInt64
        var a: UInt64
        var b: UInt64
        var c: UInt32
        var kind: UInt8
        var flags: UInt8
    }

    static func load(from pointer: UnsafeRawPointer) -> Loaded {
        let last = pointer.load(fromByteOffset: 24, as: UInt64.self)
        return Loaded(
            clock: pointer.load(as: UInt64.self),
            a: pointer.load(fromByteOffset: 8, as: UInt64.self),
            b: pointer.load(fromByteOffset: 16, as: UInt64.self),
            c: UInt32(truncatingIfNeeded: last),
            kind: UInt8(truncatingIfNeeded: last &>> 32),
            flags: UInt8(truncatingIfNeeded: last &>> 40))
    }
}
