#if canImport(Glibc)
import Glibc
#endif

/// libdeflate, loaded at run time if the system has it (Debian's `libdeflate0`): an optional
/// accelerator, never a dependency — the format and the zlib fallback stay. The library is
/// opened once here; the decompressor below, `LibdeflateCompressor` and `crc32(_:)` take
/// their entry points from it.
enum Libdeflate {
    private typealias Allocate = @convention(c) () -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias ZlibDecompress = @convention(c) (
        OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int, UnsafeMutablePointer<Int>?
    ) -> Int32
    typealias CRC32 = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32

    /// The `dlopen` handle. `@unchecked Sendable`: opened once, never closed or changed.
    private struct Library: @unchecked Sendable { let handle: UnsafeMutableRawPointer }

    private static let library: Library? = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL).map(Library.init)

    /// The library's function `name` as a `Function`, or nil if the library or the symbol is
    /// absent. `Function` must be the `@convention(c)` type of the symbol's C declaration.
    static func function<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let library, let symbol = dlsym(library.handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Whether the environment variable `name` asks for zlib (`SCHEDSCOPE_INFLATER=zlib`,
    /// `SCHEDSCOPE_DEFLATER=zlib`).
    static func zlibRequested(by name: String) -> Bool {
        getenv(name).map { String(cString: $0) == "zlib" } ?? false
    }

    /// The library's entry points. `@unchecked Sendable`: C function pointers, immutable.
    private struct Functions: @unchecked Sendable {
        var allocate: Allocate
        var free: Free
        var zlibDecompress: ZlibDecompress
    }

    /// Loaded once; nil if the library is absent or `SCHEDSCOPE_INFLATER=zlib` is set.
    private static let functions: Functions? = {
        guard !zlibRequested(by: "SCHEDSCOPE_INFLATER"),
              let allocate = function("libdeflate_alloc_decompressor", as: Allocate.self),
              let free = function("libdeflate_free_decompressor", as: Free.self),
              let decompress = function("libdeflate_zlib_decompress", as: ZlibDecompress.self)
        else { return nil }
        return Functions(allocate: allocate, free: free, zlibDecompress: decompress)
    }()

    /// `libdeflate_crc32`, if the system has the library. Not switched off by
    /// `SCHEDSCOPE_INFLATER`/`SCHEDSCOPE_DEFLATER`: it computes the same value as zlib's.
    static let crc32: CRC32? = function("libdeflate_crc32", as: CRC32.self)

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
