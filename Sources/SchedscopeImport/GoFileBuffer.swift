#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a Go trace from one file offset on, read on demand. The importer keeps one
/// generation in it at a time (Go's tables come after the events that use them) and
/// discards a generation's bytes once it is parsed, so memory follows the largest
/// generation, not the file.
final class GoFileBuffer {
    let path: String
    let size: UInt64
    /// -1 for a buffer made from bytes in memory (all of them buffered from the start).
    private let descriptor: Int32
    /// The buffered bytes; `bytes[0]` is the file's byte `start`.
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Valid bytes in `bytes`.
    private(set) var count = 0
    /// The file offset of `bytes[0]`.
    private(set) var start: UInt64 = 0
    /// The most bytes one generation may occupy; a larger one is a limit diagnostic.
    static let maxBuffered = 1 << 30
    private static let readSize = 1 << 20

    init(path: String) throws(GoImportError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GoImportError(.io, path: path, String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw GoImportError(.io, path: path, String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT != S_IFDIR else {
            close(fd)
            throw GoImportError(.io, path: path, "it is a directory")
        }
        descriptor = fd
        size = UInt64(max(0, info.st_size))
        capacity = Self.readSize
        bytes = .allocate(capacity: capacity)
    }

    /// A buffer over bytes already in memory; `name` stands for the path in messages.
    init(bytes source: [UInt8], name: String) {
        path = name
        descriptor = -1
        size = UInt64(source.count)
        capacity = max(1, source.count)
        bytes = .allocate(capacity: capacity)
        source.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { bytes.initialize(from: base, count: source.count) }
        }
        count = source.count
    }

    deinit {
        bytes.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    /// The file offset of buffer index `index`.
    @inline(__always) func fileOffset(_ index: Int) -> UInt64 { start + UInt64(index) }

    /// Makes `bytes[0..<end]` valid if the file has them.
    /// - Returns: how many bytes are valid (less than `end` at the end of the file).
    /// - Throws: an I/O error, or a limit error past `maxBuffered`.
    @discardableResult
    func fill(to end: Int) throws(GoImportError) -> Int {
        while count < end && descriptor >= 0 {
            let remaining = size - start - UInt64(count)
            if remaining == 0 { break }
            let want = min(Int(min(remaining, UInt64(Int.max))), max(Self.readSize, end - count))
            if count + want > capacity {
                guard count + want <= Self.maxBuffered else {
                    throw GoImportError(.io, path: path, byteOffset: start,
                                        "a generation larger than \(Self.maxBuffered >> 20) MiB (the importer's cap)")
                }
                var newCapacity = capacity
                while newCapacity < count + want { newCapacity *= 2 }
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
                grown.update(from: bytes, count: count)
                bytes.deallocate()
                bytes = grown
                capacity = newCapacity
            }
            let got = pread(descriptor, bytes + count, want, off_t(start + UInt64(count)))
            if got < 0 {
                if errno == EINTR { continue }
                throw GoImportError(.io, path: path, byteOffset: start + UInt64(count), String(cString: strerror(errno)))
            }
            if got == 0 { break }
            count += got
        }
        return count
    }

    /// Drops the bytes before buffer index `index`; later indices shift down by `index`.
    func discard(before index: Int) {
        guard index > 0 else { return }
        let kept = count - index
        if kept > 0 { bytes.update(from: bytes + index, count: kept) }
        count = kept
        start += UInt64(index)
    }
}
