/// libdeflate's compressor, loaded at run time if the system has it (Debian's `libdeflate0`),
/// for the writers: `libdeflate_zlib_compress` writes a standard zlib stream (so the format
/// does not change) two to three times as fast as zlib's `deflate` at level 1. (Its CRC-32
/// serves every reader and writer through `crc32(_:)`, whatever the settings.)
///
/// An accelerator, never a dependency: without the library, or with
/// `SCHEDSCOPE_DEFLATER=zlib` in the environment, `Deflater` uses zlib. The library itself
/// is opened by `Libdeflate`.
final class LibdeflateCompressor {
    private typealias Allocate = @convention(c) (Int32) -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias ZlibCompress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int

    /// The library's entry points. `@unchecked Sendable`: C function pointers, immutable.
    private struct Functions: @unchecked Sendable {
        var allocate: Allocate
        var free: Free
        var zlibCompress: ZlibCompress
    }

    /// Loaded once; nil if the library is absent or `SCHEDSCOPE_DEFLATER=zlib` is set.
    private static let functions: Functions? = {
        guard !Libdeflate.zlibRequested(by: "SCHEDSCOPE_DEFLATER"),
              let allocate = Libdeflate.function("libdeflate_alloc_compressor", as: Allocate.self),
              let free = Libdeflate.function("libdeflate_free_compressor", as: Free.self),
              let compress = Libdeflate.function("libdeflate_zlib_compress", as: ZlibCompress.self)
        else { return nil }
        return Functions(allocate: allocate, free: free, zlibCompress: compress)
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

}
