#if canImport(Glibc)
import Glibc
#endif

/// Why the recorder could not start, write, or do what was asked.
///
/// A write error during a recording does not reach the emitting threads: recording stops,
/// the error is kept in `Recorder.failure`, and `Recorder.stop()` throws it. Messages say
/// what failed, where, and what happens next, e.g.
/// `Cannot write 'run.sctrace': write failed at byte 40960 (No space left on device); recording stopped, the 12 chunks written before remain readable.`
public struct RecorderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// `start` was called while a recording is in progress.
        case alreadyRecording = "already-recording"
        /// `stop`, `flush` or `dump` was called with no recording in progress.
        case notRecording = "not-recording"
        /// `dump(to:)` was called on a recording that writes to a file, not a flight recording.
        case notFlightRecording = "not-flight-recording"
        /// The trace file could not be created.
        case cannotCreateFile = "cannot-create-file"
        /// Writing the trace failed (disk full, closed descriptor, I/O error).
        case writeFailed = "write-failed"
        /// An option is out of range.
        case invalidOptions = "invalid-options"
        /// The flusher thread could not be started.
        case cannotStartThread = "cannot-start-thread"
    }

    /// What kind of failure this is.
    public var code: Code
    /// The trace file concerned, when there is one.
    public var path: String?
    /// The file offset at which a write failed.
    public var byteOffset: UInt64?
    /// What went wrong, as a sentence fragment without the path.
    public var reason: String
    /// The system's text for the underlying error (`strerror`), if any.
    public var cause: String?

    /// Creates an error.
    public init(code: Code, path: String? = nil, byteOffset: UInt64? = nil, reason: String, cause: String? = nil) {
        self.code = code
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
        self.cause = cause
    }

    /// The message for people: what failed, where, and what was expected or happens next.
    public var description: String {
        var text = path.map { "Cannot write '\($0)': " } ?? ""
        text += reason
        if let cause { text += " (\(cause))" }
        if !text.hasSuffix(".") { text += "." }
        return text
    }

    /// The system's message for an `errno` value.
    static func systemMessage(_ number: Int32) -> String {
        guard let text = strerror(number) else { return "errno \(number)" }
        return String(cString: text)
    }
}
