/// A logical processor (P): a slot with a local run queue that runs one task at a time.
///
/// A typed wrapper so that a Proc id can never be passed where another kind of id
/// is expected.
public struct ProcID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// No P: used for events emitted by a thread that holds no P.
    @inlinable public static var none: ProcID { ProcID(rawValue: UInt32.max) }

    /// Whether this is a real P (not `.none`).
    @inlinable
    public var isSome: Bool { rawValue != UInt32.max }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
