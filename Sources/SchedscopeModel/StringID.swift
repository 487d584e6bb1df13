/// An interned string (label, park reason, region name, log text); id 0 is the empty string.
///
/// A typed wrapper so that a String id can never be passed where another kind of id
/// is expected.
public struct StringID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The empty string, defined in every trace.
    @inlinable public static var empty: StringID { StringID(rawValue: 0) }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
