/// An OS thread (M) that emitted events.
///
/// A typed wrapper so that a Thread id can never be passed where another kind of id
/// is expected.
public struct ThreadID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The thread id used for events that no particular thread emitted (imports, synthesis).
    @inlinable public static var unknown: ThreadID { ThreadID(rawValue: 0) }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
