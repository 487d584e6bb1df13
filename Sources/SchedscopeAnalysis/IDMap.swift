import SchedscopeModel

/// An `IDTable` keyed by a typed id (`TaskID`, `ProcID`, `ThreadID`…), with `Dictionary`'s
/// subscript shape, for per-event analysis state.
///
/// It shares its table when copied (the table is a reference type): an analysis owns its
/// maps and is not copied while in use.
public struct IDMap<Key: RawRepresentable, Value> where Key.RawValue: FixedWidthInteger {
    private let table: IDTable<Value>

    public init(capacity: Int = 64) { table = IDTable(capacity: capacity) }

    @inline(__always)
    private func raw(_ key: Key) -> UInt64 { UInt64(truncatingIfNeeded: key.rawValue) }

    public subscript(key: Key) -> Value? {
        get { table[raw(key)] }
        nonmutating set { table[raw(key)] = newValue }
    }

    public subscript(key: Key, default value: @autoclosure () -> Value) -> Value {
        get { table[raw(key)] ?? value() }
        nonmutating set { table[raw(key)] = newValue }
    }

    @discardableResult
    public func removeValue(forKey key: Key) -> Value? { table.remove(raw(key)) }

    public var count: Int { table.count }

    /// Every entry, in no particular order.
    public var entries: [(key: Key, value: Value)] {
        table.entries.compactMap { raw, value in
            Key(rawValue: Key.RawValue(truncatingIfNeeded: raw)).map { ($0, value) }
        }
    }
}
