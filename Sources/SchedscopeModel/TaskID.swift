/// A task (N): a unit of work that the scheduler runs on a P. Task ids start at 1.
///
/// A typed wrapper so that a Task id can never be passed where another kind of id
/// is expected.
public struct TaskID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    @inlinable
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// No task: used where an event has no subject task (for example a `task_unpark`
    /// issued from outside any task).
    @inlinable public static var none: TaskID { TaskID(rawValue: 0) }

    /// Whether this is a real task (not `.none`).
    @inlinable
    public var isSome: Bool { rawValue != 0 }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
