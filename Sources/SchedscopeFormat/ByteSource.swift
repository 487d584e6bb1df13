// Linux only for now (Glibc's descriptors and pread); Darwin would need its own imports.
import Glibc

/// Random-access bytes a reader pulls from: a file (through `pread`, so memory does not grow
/// with the file) or a buffer in memory.
public final class ByteSource: @unchecked Sendable {
    // Invariant: `fd` and `memory` are set once in init and never mutated; `pread` is
    // thread-safe, so concurrent reads are fine.
    private let fd: Int32
    private let memory: [UInt8]?
    /// Total size in bytes.
    public let size: UInt64
    /// The path, for messages; nil for memory.
    public let path: String?
    /// Bytes of a memory source whose reads fail as a disk's can (tests of I/O errors).
    private let unreadable: Range<UInt64>?

    /// Opens `path` for reading.
    /// - Throws: `TraceFormatError` with `.fileNotFound`, `.isDirectory` or `.ioError`.
    public init(path: String) throws(TraceFormatError) {
        var info = stat()
        if stat(path, &info) != 0 {
            let errorNumber = errno
            if errorNumber == ENOENT {
                throw TraceFormatError(code: .fileNotFound, path: path, reason: "no such file")
            }
            throw TraceFormatError(code: .ioError, path: path, reason: "cannot stat the file", cause: systemMessage(errorNumber))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw TraceFormatError(code: .isDirectory, path: path, reason: "it is a directory, expected a trace file")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            throw TraceFormatError(code: .ioError, path: path, reason: "cannot open the file", cause: systemMessage(errno))
        }
        fd = descriptor
        memory = nil
        unreadable = nil
        self.path = path
        var end = lseek(descriptor, 0, SEEK_END)
        if end < 0 { end = 0 }
        size = UInt64(end)
    }

    /// Wraps bytes already in memory.
    public convenience init(bytes: [UInt8], name: String? = nil) {
        self.init(bytes: bytes, name: name, unreadable: nil)
    }

    /// Wraps bytes in memory, of which `unreadable` (if any) fail to read with an I/O
    /// error (tests).
    package init(bytes: [UInt8], name: String? = nil, unreadable: Range<UInt64>?) {
        fd = -1
        memory = bytes
        size = UInt64(bytes.count)
        path = name
        self.unreadable = unreadable
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; fewer only at the end of the source.
    /// - Throws: `.ioError` if the operating system fails the read.
    public func read(at offset: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(TraceFormatError) -> Int {
        precondition(count <= buffer.count, "buffer smaller than the requested count")
        guard offset < size, count > 0 else { return 0 }
        let wanted = Int(min(UInt64(count), size - offset))
        if let memory {
            if let unreadable, unreadable.overlaps(offset..<offset + UInt64(wanted)) {
                throw TraceFormatError(code: .ioError, path: path, byteOffset: offset, reason: "read failed", cause: "injected")
            }
            memory.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + Int(offset), byteCount: wanted)
            }
            return wanted
        }
        var done = 0
        while done < wanted {
            let n = pread(fd, buffer.baseAddress! + done, wanted - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw TraceFormatError(code: .ioError, path: path, byteOffset: offset, reason: "read failed", cause: systemMessage(errno))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}

extension ByteSource {
    /// Reads up to `count` bytes at `offset` into the start of `array` (grown if needed).
    public func read(at offset: UInt64, count: Int, into array: inout [UInt8]) throws(TraceFormatError) -> Int {
        if array.count < count { array = [UInt8](repeating: 0, count: count) }
        // Array's closures rethrow untyped errors, so carry the typed one out by hand.
        var failure: TraceFormatError?
        let n = array.withUnsafeMutableBytes { raw -> Int in
            do throws(TraceFormatError) { return try read(at: offset, count: count, into: raw) } catch { failure = error; return 0 }
        }
        if let failure { throw failure }
        return n
    }
}

/// The operating system's text for an `errno` value.
package func systemMessage(_ errorNumber: Int32) -> String {
    guard let text = strerror(errorNumber) else { return "errno \(errorNumber)" }
    return String(cString: text)
}
