#if canImport(Glibc)
import Glibc
#endif

/// libdeflate, loaded at run time if the system has it (Debian's `libdeflate0`): an optional
/// accelerator, never a dependency — the format and the zlib fallback stay.
enum Libdeflate {
    private typealias Allocate = @convention(c) () -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias ZlibDecompress = @convention(c) (
        OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int, UnsafeMutablePointer<Int>?
    ) -> Int32
    typealias CRC32 = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32

    /// The library's entry points. `@unchecked Sendable`: C function pointers, immutable.
    private struct Functions: @unchecked Sendable {
        var allocate: Allocate
        var free: Free
        var zlibDecompress: ZlibDecompress
    }

    /// Loaded once; nil if the library is absent or `SCHEDSCOPE_INFLATER=zlib` is set.
    private static let functions: Functions? = {
        if let choice = getenv("SCHEDSCOPE_INFLATER"), String(cString: choice) == "zlib" { return nil }
        guard let handle = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL),
              let allocate = dlsym(handle, "libdeflate_alloc_decompressor"),
              let free = dlsym(handle, "libdeflate_free_decompressor"),
              let decompress = dlsym(handle, "libdeflate_zlib_decompress")
        else { return nil }
        return Functions(
            allocate: unsafeBitCast(allocate, to: Allocate.self),
            free: unsafeBitCast(free, to: Free.self),
            zlibDecompress: unsafeBitCast(decompress, to: ZlibDecompress.self))
    }()

    /// `libdeflate_crc32`, if the system has the library. Not switched off by
    /// `SCHEDSCOPE_INFLATER`/`SCHEDSCOPE_DEFLATER`: it computes the same value as zlib's.
    static let crc32: CRC32? = {
        guard let handle = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL),
              let symbol = dlsym(handle, "libdeflate_crc32")
        else { return nil }
        return unsafeBitCast(symbol, to: CRC32.self)
    }()

    /// Whether libdeflate was found.
    static var isAvailable: Bool { functions != nil }

    /// One decompressor (not thread-safe; one per decoding thread, like a zlib stream).
    final class Decompressor {
        private let handle: OpaquePointer
        private let functions: Functions

        init?() {
            guard let functions = Libdeflate.functions, let handle = functions.allocate() else { return nil }
            self.handle = handle
            self.functions = functions
        }

        deinit { functions.free(handle) }

        /// Inflates one whole zlib stream into exactly `output`.
        /// - Returns: false unless the stream was valid and filled `output` exactly.
        func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
            var produced = 0
            // libdeflate_result 0 is success; it never writes past `output.count`.
            let result = functions.zlibDecompress(
                handle, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
            return result == 0 && produced == output.count
        }

    }
}
