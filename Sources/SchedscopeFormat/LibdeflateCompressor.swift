#if canImport(Glibc)
import Glibc
#endif

/// libdeflate's compressor and CRC-32, loaded at run time if the system has them (Debian's
/// `libdeflate0`), for the writers: `libdeflate_zlib_compress` writes a standard zlib stream
/// (so the format does not change) two to three times as fast as zlib's `deflate` at level 1,
/// and `libdeflate_crc32` is PCLMUL-accelerated (the same CRC-32 as zlib's).
///
/// An accelerator, never a dependency: without the library, or with
/// `SCHEDSCOPE_DEFLATER=zlib` in the environment, `Deflater` uses zlib.
/// (The reader's side, `Libdeflate.Decompressor`, loads the same library independently;
/// `dlopen` returns the same handle to both.)
final class LibdeflateCompressor {
    private typealias Allocate = @convention(c) (Int32) -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias ZlibCompress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int
    private typealias CRC32 = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32

    /// The library's entry points. `@unchecked Sendable`: C function pointers, immutable.
    private struct Functions: @unchecked Sendable {
        var allocate: Allocate
        var free: Free
        var zlibCompress: ZlibCompress
        var crc32: CRC32
    }

    /// Loaded once; nil if the library is absent or `SCHEDSCOPE_DEFLATER=zlib` is set.
    private static let functions: Functions? = {
        if let choice = getenv("SCHEDSCOPE_DEFLATER"), String(cString: choice) == "zlib" { return nil }
        guard let handle = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL),
              let allocate = dlsym(handle, "libdeflate_alloc_compressor"),
              let free = dlsym(handle, "libdeflate_free_compressor"),
              let compress = dlsym(handle, "libdeflate_zlib_compress"),
              let crc32 = dlsym(handle, "libdeflate_crc32")
        else { return nil }
        return Functions(
            allocate: unsafeBitCast(allocate, to: Allocate.self),
            free: unsafeBitCast(free, to: Free.self),
            zlibCompress: unsafeBitCast(compress, to: ZlibCompress.self),
            crc32: unsafeBitCast(crc32, to: CRC32.self))
    }()

    /// Whether the library was found (and not switched off by `SCHEDSCOPE_DEFLATER=zlib`).
    static var isAvailable: Bool { functions != nil }

    private let handle: OpaquePointer
    private let functions: Functions

    /// A compressor at `level` (libdeflate's scale: 1 fastest … 12; zlib's 1–9 mean about
    /// the same); nil if the library is absent or cannot allocate one.
    init?(level: Int32) {
        guard let functions = Self.functions, let handle = functions.allocate(level) else { return nil }
        self.handle = handle
        self.functions = functions
    }

    deinit { functions.free(handle) }

    /// Compresses `input` as one whole zlib stream into `output`.
    /// - Returns: the bytes written, or 0 if the stream does not fit in `output`. The
    ///   compressor never writes past `output.count`, so an output one byte shorter than
    ///   the input bounds the worst case and leaves "did not pay" as the 0 answer
    ///   (libdeflate.h recommends exactly this for block-based formats).
    func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        guard output.count > 0 else { return 0 }
        return functions.zlibCompress(handle, input.baseAddress, input.count, output.baseAddress, output.count)
    }

    /// CRC-32 of `bytes` (the ISO-HDLC polynomial, as zlib's `crc32`).
    func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        functions.crc32(0, bytes.baseAddress, bytes.count)
    }
}
