import CZlib

/// CRC-32 (ISO-HDLC, as zlib and gzip compute it) of a byte range: libdeflate's
/// PCLMUL-accelerated loop when the system has the library, zlib's otherwise. The value is
/// the same either way, so no setting chooses between them.
package func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    if let fast = Libdeflate.crc32 { return fast(0, base, bytes.count) }
    return zlibCRC32(bytes)
}

/// zlib's CRC-32 (the fallback of `crc32`, and its reference in the tests).
package func zlibCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    return UInt32(CZlib.crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
}

package func crc32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { crc32($0) }
}

/// A reusable zlib inflate stream that refuses to produce more than the declared size
/// (the decompression-bomb guard).
///
/// When the system has libdeflate (`libdeflate.so.0`), its whole-buffer zlib decompressor
/// does the work — the same format and checks (Adler-32 included), about twice zlib's
/// speed — and zlib otherwise. `backend: .zlib` forces zlib (the baseline benchmarks use it).
package final class Inflater {
    package enum Backend: Sendable {
        /// libdeflate if the system has it, zlib otherwise.
        case automatic
        case zlib
    }

    private var stream = z_stream()
    private let libdeflate: Libdeflate.Decompressor?

    package init(backend: Backend = .automatic) {
        let status = schedscope_inflateInit(&stream)
        precondition(status == Z_OK, "inflateInit failed with \(status): out of memory")
        libdeflate = backend == .automatic ? Libdeflate.Decompressor() : nil
    }

    deinit { inflateEnd(&stream) }

    /// Which library inflates.
    package var usesLibdeflate: Bool { libdeflate != nil }

    package enum Failure: Error, Equatable {
        /// The data inflates to more than the declared size.
        case exceedsDeclaredSize
        /// The data ends before the zlib stream does, or inflates to less than declared.
        case shortOutput(produced: Int)
        /// zlib rejected the data.
        case corrupt(String)
    }

    /// Inflates `input` into `output`, which must be exactly the declared decoded size.
    package func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) {
        // libdeflate for speed; on any failure zlib decodes again, so a damaged payload gets
        // zlib's precise diagnosis (failures are rare; their cost does not matter).
        if let libdeflate, libdeflate.inflate(input, into: output) { return }
        inflateReset(&stream)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        let status = CZlib.inflate(&stream, Z_FINISH)
        let produced = output.count - Int(stream.avail_out)
        switch status {
        case Z_STREAM_END:
            if produced != output.count { throw .shortOutput(produced: produced) }
        case Z_OK, Z_BUF_ERROR:
            // Z_FINISH without Z_STREAM_END: either the output is full and more would
            // follow (a bomb, or a forged size), or the input ran out first.
            if stream.avail_out == 0 { throw .exceedsDeclaredSize }
            throw .shortOutput(produced: produced)
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw .corrupt(message)
        }
    }
}
