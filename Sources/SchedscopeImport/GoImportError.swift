/// Why a Go trace could not be imported at all (as opposed to a `GoImportDiagnostic`, a
/// problem survived).
public struct GoImportError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The file cannot be opened or read.
        case io
        /// The file does not start with a Go trace header.
        case notAGoTrace = "not-a-go-trace"
        /// A Go trace of a format version this importer does not read.
        case unsupportedVersion = "unsupported-version"
        /// A problem under `strict`: the first diagnostic, made fatal.
        case strict
    }

    public var code: Code
    public var path: String
    public var byteOffset: UInt64?
    public var reason: String

    public init(_ code: Code, path: String, byteOffset: UInt64? = nil, _ reason: String) {
        self.code = code
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
    }

    public var description: String {
        let place = byteOffset.map { " at byte \($0)" } ?? ""
        return "Cannot import '\(path)'\(place): \(reason)."
    }
}
