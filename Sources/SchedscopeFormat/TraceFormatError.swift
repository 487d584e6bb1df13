/// A trace that cannot be read or written at all (as opposed to `TraceDamage`, which a
/// reader survives). Messages follow the house style: what failed, where, what was expected.
public struct TraceFormatError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case fileNotFound = "file-not-found"
        case isDirectory = "is-a-directory"
        case ioError = "io-error"
        case emptyFile = "empty-file"
        case notATrace = "not-a-trace"
        case unsupportedVersion = "unsupported-version"
        case corruptHeader = "corrupt-header"
        case invalidArgument = "invalid-argument"
    }

    public var code: Code
    /// The file concerned, when there is one.
    public var path: String?
    /// Byte offset in the file, when the error has a position.
    public var byteOffset: UInt64?
    /// What went wrong, as a sentence fragment without the path.
    public var reason: String
    /// The underlying system error text, if any.
    public var cause: String?

    public init(code: Code, path: String?, byteOffset: UInt64? = nil, reason: String, cause: String? = nil) {
        self.code = code
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
        self.cause = cause
    }

    public var description: String {
        var text = path.map { "Cannot read '\($0)': " } ?? ""
        text += reason
        if let cause { text += " (\(cause))" }
        if !text.hasSuffix(".") { text += "." }
        return text
    }
}
