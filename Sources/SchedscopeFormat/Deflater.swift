import CZlib

/// Which library compresses a writer's chunks. Both write standard zlib streams (FORMAT.md,
/// encoding 1), so the choice never shows in the file's format, only in its bytes and speed.
public enum DeflateLibrary: Sendable, Equatable {
    /// libdeflate when the system has it (`libdeflate.so.0`, and `SCHEDSCOPE_DEFLATER` is
    /// not `zlib`), zlib otherwise.
    case automatic
    /// zlib's `deflate`: what every writer does when libdeflate is absent.
    case zlib
}

/// Compresses chunk payloads, one writer's worth (not thread-safe), each payload as one
/// complete zlib stream, and computes the chunks' CRC-32.
///
/// libdeflate's whole-buffer compressor when it is loaded (`LibdeflateCompressor`; two to
/// three times zlib's speed at level 1 on trace chunks, docs/BENCHMARKS.md), zlib's reusable
/// `deflate` stream otherwise. Either way a payload that does not shrink is reported as such
/// and the writer stores it: the output buffer is one byte shorter than the input, which
/// also bounds the work and the memory of the worst case.
package final class Deflater {
    private let libdeflate: LibdeflateCompressor?
    /// zlib's stream, set up only when libdeflate is not used.
    private var stream = z_stream()
    private let usesZlibStream: Bool
    /// Reused for every payload; grown to the largest payload seen.
    private var output: UnsafeMutableRawBufferPointer

    /// A compressor at `level` (1–9; the format recommends 1).
    package init(level: Int32, library: DeflateLibrary = .automatic) {
        libdeflate = library == .automatic ? LibdeflateCompressor(level: level) : nil
        usesZlibStream = libdeflate == nil
        if usesZlibStream {
            let status = schedscope_deflateInit(&stream, level)
            precondition(status == Z_OK, "deflateInit failed with \(status): out of memory")
        }
        output = .allocate(byteCount: 64 << 10, alignment: 16)
    }

    deinit {
        if usesZlibStream { deflateEnd(&stream) }
        output.deallocate()
    }

    /// Whether libdeflate compresses (false: zlib).
    package var usesLibdeflate: Bool { libdeflate != nil }

    /// Whether `.automatic` finds libdeflate in this process.
    package static var libdeflateIsAvailable: Bool { LibdeflateCompressor.isAvailable }

    /// Compresses `input` as one complete zlib stream and passes it to `body` (valid only
    /// during the call), or nil if the result would not be smaller than the input (the
    /// caller then stores the payload as it is).
    package func withCompressed<Result, Failure: Error>(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard input.count > 1 else { return try body(nil) }
        if output.count < input.count - 1 {
            output.deallocate()
            output = .allocate(byteCount: input.count, alignment: 16)
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: output[0..<(input.count - 1)])
        let produced = libdeflate.map { $0.compress(input, into: room) } ?? zlibCompress(input, into: room)
        return try body(produced > 0 ? UnsafeRawBufferPointer(rebasing: output[0..<produced]) : nil)
    }

    /// `withCompressed`, copied into an array (for tests and one-off payloads).
    package func compress(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        withCompressed(input) { $0.map { Array($0) } }
    }

    /// zlib's deflate of `input` into `output`; 0 if it does not fit.
    private func zlibCompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        deflateReset(&stream)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        // Z_STREAM_END only if the whole stream fit; Z_OK or Z_BUF_ERROR mean it did not.
        guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return 0 }
        return output.count - Int(stream.avail_out)
    }
}
