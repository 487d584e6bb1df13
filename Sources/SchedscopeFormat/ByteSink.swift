// Linux only for now (Glibc's descriptors and pread); Darwin would need its own imports.
import Glibc

/// Where a writer's bytes go: a file or memory.
public final class ByteSink {
    private var fd: Int32
    /// The bytes written so far, when writing to memory.
    public private(set) var memory: [UInt8]
    private let inMemory: Bool
    public let path: String?
    /// Bytes written so far.
    public private(set) var bytesWritten: UInt64 = 0

    /// Creates (or truncates) `path`.
    public init(path: String) throws(TraceFormatError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            throw TraceFormatError(code: .ioError, path: path, reason: "cannot create the file", cause: systemMessage(errno))
        }
        fd = descriptor
        memory = []
        inMemory = false
        self.path = path
    }

    /// Collects the bytes in `memory`.
    public init() {
        fd = -1
        memory = []
        inMemory = true
        path = nil
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(TraceFormatError) {
        bytesWritten += UInt64(bytes.count)
        if inMemory {
            memory.append(contentsOf: bytes)
            return
        }
        guard fd >= 0 else {
            throw TraceFormatError(code: .ioError, path: path, reason: "write after close")
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceFormatError(code: .ioError, path: path, byteOffset: bytesWritten, reason: "write failed", cause: systemMessage(errno))
            }
            done += n
        }
    }

    public func write(_ bytes: [UInt8]) throws(TraceFormatError) {
        var failure: TraceFormatError?
        bytes.withUnsafeBytes { raw in
            do throws(TraceFormatError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Closes the file (a no-op in memory).
    public func close() throws(TraceFormatError) {
        guard fd >= 0 else { return }
        let status = Glibc.close(fd)
        fd = -1
        if status != 0 {
            throw TraceFormatError(code: .ioError, path: path, reason: "close failed", cause: systemMessage(errno))
        }
    }
}
