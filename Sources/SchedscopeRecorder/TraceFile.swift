#if canImport(Glibc)
import Glibc
#endif

/// The file a recording writes to: a descriptor, written with plain `write` calls so that
/// everything written survives a killed process (it is in the kernel's page cache).
///
/// Used by one thread at a time (under the session's flusher lock).
final class TraceFile {
    private var fd: Int32
    private let ownsDescriptor: Bool
    /// The path, for messages (nil for a descriptor handed in).
    let path: String?
    /// Bytes written so far.
    private(set) var bytesWritten: UInt64 = 0

    /// Creates (or truncates) `path`.
    init(creating path: String) throws(RecorderError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let number = errno
            throw RecorderError(
                code: .cannotCreateFile, path: path, reason: "cannot create the trace file",
                cause: RecorderError.systemMessage(number))
        }
        fd = descriptor
        ownsDescriptor = true
        self.path = path
    }

    /// Writes to an open descriptor, which stays open (the caller owns it).
    init(descriptor: Int32) {
        fd = descriptor
        ownsDescriptor = false
        path = nil
    }

    deinit { if ownsDescriptor && fd >= 0 { _ = Glibc.close(fd) } }

    /// A name for messages.
    var displayName: String { path ?? "descriptor \(fd)" }

    func write(_ bytes: UnsafeRawBufferPointer) throws(RecorderError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, base, remaining)
            if n < 0 {
                let number = errno
                if number == EINTR { continue }
                throw RecorderError(
                    code: .writeFailed, path: displayName, byteOffset: bytesWritten,
                    reason: "write failed at byte \(bytesWritten)", cause: RecorderError.systemMessage(number))
            }
            if n == 0 {
                throw RecorderError(
                    code: .writeFailed, path: displayName, byteOffset: bytesWritten,
                    reason: "write made no progress at byte \(bytesWritten)")
            }
            base += n
            remaining -= n
            bytesWritten += UInt64(n)
        }
    }

    func write(_ bytes: [UInt8]) throws(RecorderError) {
        var failure: RecorderError?
        bytes.withUnsafeBytes { raw in
            do throws(RecorderError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Closes the file if the recorder opened it.
    func close() throws(RecorderError) {
        guard ownsDescriptor, fd >= 0 else { return }
        let status = Glibc.close(fd)
        let number = errno
        fd = -1
        if status != 0 {
            throw RecorderError(
                code: .writeFailed, path: displayName, byteOffset: bytesWritten,
                reason: "closing the trace file failed", cause: RecorderError.systemMessage(number))
        }
    }
}
