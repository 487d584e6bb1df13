/// A mistake in how `diff` was asked to compare: an unknown metric, a bad limit, a bad
/// line in a threshold file. The CLI reports it as a usage error (exit 64).
public struct DiffSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
