#if canImport(Glibc)
import Glibc
#endif

/// A value of `SCHEDSCOPE_EXECUTOR` that names no mode.
public struct ExecutorEnvironmentError: Error, CustomStringConvertible {
    /// The value found.
    public var value: String

    public var description: String {
        "SCHEDSCOPE_EXECUTOR=\(value) names no executor mode (expected \(SchedscopeExecutor.environmentModes))"
    }
}

extension SchedscopeExecutor {
    /// The environment variable `installFromEnvironment()` reads (`schedscope record
    /// --executor` sets it).
    public static let environmentVariable = "SCHEDSCOPE_EXECUTOR"

    /// The values `SCHEDSCOPE_EXECUTOR` may take.
    static let environmentModes = "'hook' or 'default'"

    /// Whole-process mode behind a flag: installs the mode `SCHEDSCOPE_EXECUTOR` names —
    /// `hook` (`installGlobally()`) or `default` (`installAsDefaultExecutor()`, the
    /// experimental SPI that also sees yields and sleeps) — or nothing when it is unset or
    /// empty, so that the same program runs on Swift's own executor unless recorded with
    /// `schedscope record --executor hook|default`. Call it first thing in `main`, after
    /// `Recorder.startFromEnvironment()`:
    ///
    /// ```swift
    /// try Recorder.startFromEnvironment()
    /// try SchedscopeExecutor.installFromEnvironment()
    /// ```
    ///
    /// - Parameter configuration: Ps, names, tracking, for the executor it installs.
    /// - Returns: the installed executor, or nil when the variable asks for none.
    /// - Throws: `ExecutorEnvironmentError` for any other value (nothing is installed).
    @available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
    @discardableResult
    public static func installFromEnvironment(_ configuration: ExecutorConfiguration = ExecutorConfiguration())
        throws(ExecutorEnvironmentError) -> SchedscopeExecutor? {
        try install(environmentValue: getenv(environmentVariable).map { String(cString: $0) }, configuration)
    }

    /// `installFromEnvironment()` for the variable's value (nil: unset).
    @available(macOS 26.4, iOS 26.4, watchOS 26.4, tvOS 26.4, visionOS 26.4, *)
    package static func install(environmentValue value: String?, _ configuration: ExecutorConfiguration)
        throws(ExecutorEnvironmentError) -> SchedscopeExecutor? {
        switch value {
        case nil, "": return nil
        case "hook": return installGlobally(configuration)
        case "default": return installAsDefaultExecutor(configuration)
        case let other?: throw ExecutorEnvironmentError(value: other)
        }
    }
}
