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

/// What a payload holds, which decides how zlib compresses it.
package enum DeflateContent: Sendable {
    /// An events payload: varint records.
    case events
    /// Anything else (strings payloads: text).
    case text
}

/// Compresses chunk payloads, one writer's worth (not thread-safe), each payload as one
/// complete zlib stream, and computes the chunks' CRC-32.
///
/// libdeflate's whole-buffer compressor when it is loaded (`LibdeflateCompressor`; two to
/// three times zlib's speed at level 1 on trace chunks, docs/BENCHMARKS.md), zlib's reusable
/// `deflate` streams otherwise. Either way a payload that does not shrink is reported as such
/// and the writer stores it: the output buffer is one byte shorter than the input, which
/// also bounds the work and the memory of the worst case.
///
/// With zlib, events payloads are compressed with the Huffman-only strategy and text with
/// the default one. Why: varint records hold almost no repeated strings for LZ77 to find
/// (its matches make a chunk 0.1 % smaller), but looking for them makes zlib's level 1 three
/// times slower, and the short matches it finds make the stream about a third slower to
/// inflate, for libdeflate and zlib alike (docs/BENCHMARKS.md, "zlib's Huffman-only
/// strategy for events chunks"). The largest `memLevel` halves the Huffman blocks per chunk
/// (one table each to send and to rebuild). Labels and other strings do repeat, so text
/// keeps the default strategy. libdeflate has no such switch; its level 1 finds few and
/// long matches, and its streams inflate as fast as Huffman-only ones.
package final class Deflater {
    private let libdeflate: LibdeflateCompressor?
    private let level: Int32
    /// zlib's streams, set up only when libdeflate is not used: one for events payloads,
    /// made at once, and one for text, made when first needed.
    private var eventStream = z_stream()
    private var textStream = z_stream()
    private let usesZlibStream: Bool
    private var hasTextStream = false
    /// Reused for every payload; grown to the largest payload seen.
    private var output: UnsafeMutableRawBufferPointer

    /// zlib's `memLevel` and strategy for events payloads (see the type's comment).
    private static let eventMemoryLevel: Int32 = 9

    /// A compressor at `level` (1–9; the format recommends 1).
    package init(level: Int32, library: DeflateLibrary = .automatic) {
        self.level = level
        libdeflate = library == .automatic ? LibdeflateCompressor(level: level) : nil
        usesZlibStream = libdeflate == nil
        if usesZlibStream {
            let status = schedscope_deflateInit2(&eventStream, level, Self.eventMemoryLevel, Z_HUFFMAN_ONLY)
            precondition(status == Z_OK, "deflateInit2 failed with \(status): out of memory")
        }
        output = .allocate(byteCount: 64 << 10, alignment: 16)
    }

    deinit {
        if usesZlibStream { deflateEnd(&eventStream) }
        if hasTextStream { deflateEnd(&textStream) }
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
        _ input: UnsafeRawBufferPointer, content: DeflateContent = .events,
        _ body: (UnsafeRawBufferPointer?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard input.count > 1 else { return try body(nil) }
        if output.count < input.count - 1 {
            output.deallocate()
            output = .allocate(byteCount: input.count, alignment: 16)
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: output[0..<(input.count - 1)])
        let produced = libdeflate.map { $0.compress(input, into: room) } ?? zlibCompress(input, content: content, into: room)
        return try body(produced > 0 ? UnsafeRawBufferPointer(rebasing: output[0..<produced]) : nil)
    }

    /// `withCompressed`, copied into an array (for tests and one-off payloads).
    package func compress(_ input: UnsafeRawBufferPointer, content: DeflateContent = .events) -> [UInt8]? {
        withCompressed(input, content: content) { $0.map { Array($0) } }
    }

    /// zlib's deflate of `input` into `output` with the stream for `content`; 0 if it does
    /// not fit.
    private func zlibCompress(
        _ input: UnsafeRawBufferPointer, content: DeflateContent, into output: UnsafeMutableRawBufferPointer
    ) -> Int {
        switch content {
        case .events: return Self.deflate(input, into: output, with: &eventStream)
        case .text:
            if !hasTextStream {
                let status = schedscope_deflateInit(&textStream, level)
                precondition(status == Z_OK, "deflateInit failed with \(status): out of memory")
                hasTextStream = true
            }
            return Self.deflate(input, into: output, with: &textStream)
        }
    }

    private static func deflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, with stream: inout z_stream
    ) -> Int {
        deflateReset(&stream)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        // Z_STREAM_END only if the whole stream fit; Z_OK or Z_BUF_ERROR mean it did not.
        guard CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END else { return 0 }
        return output.count - Int(stream.avail_out)
    }
}
