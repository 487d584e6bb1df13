/// Why a chunk's payload, or part of its events, could not be used.
struct ChunkProblem: Sendable {
    var kind: TraceDamage.Kind
    var message: String
    /// Whether the whole chunk is lost (payload damage) or only its tail (decode damage).
    var wholeChunk: Bool
}

/// Reads, checks and inflates chunk payloads: one per decoding thread (zlib streams and
/// buffers are not shared).
///
/// `@unchecked Sendable` invariant: a loader is used by one thread at a time — the
/// pipeline hands its worker loader only to its serial queue.
final class PayloadLoader: @unchecked Sendable {
    private let source: ByteSource
    private let inflater = Inflater()
    private var stored: [UInt8] = []

    init(source: ByteSource) { self.source = source }

    /// Loads `chunk`'s payload into `decoded` (resized to the payload's decoded length).
    /// - Returns: nil on success, or what is wrong with the payload.
    /// - Throws: an I/O error from the source.
    func load(_ chunk: ChunkLocation, into decoded: inout [UInt8]) throws(TraceFormatError) -> ChunkProblem? {
        let header = chunk.header
        let storedCount = Int(header.storedLength)
        let got = try source.read(at: chunk.payloadOffset, count: storedCount, into: &stored)
        guard got == storedCount else {
            return ChunkProblem(kind: .truncated, message: "payload cut short (\(got) of \(storedCount) bytes)", wholeChunk: true)
        }
        let crc = stored.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[0..<storedCount])) }
        guard crc == header.payloadCRC else {
            return ChunkProblem(
                kind: .corruptPayload,
                message: "payload fails its CRC (stored \(hex(header.payloadCRC)), computed \(hex(crc))); chunk skipped",
                wholeChunk: true)
        }
        let decodedCount = Int(header.decodedLength)
        // Resized in place, not replaced: chunks' decoded sizes differ, and a fresh array per
        // chunk cost an allocation and a zero fill of the whole payload each time. Shrinking
        // keeps the capacity (at most the stream's largest payload, which the merge budget
        // counts); growing zero-fills only the new tail. Every byte is overwritten below.
        if decoded.count > decodedCount {
            decoded.removeLast(decoded.count - decodedCount)
        } else if decoded.count < decodedCount {
            decoded.append(contentsOf: repeatElement(0, count: decodedCount - decoded.count))
        }
        switch header.encoding {
        case .stored:
            decoded.withUnsafeMutableBytes { out in
                stored.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<storedCount])) }
            }
            return nil
        case .zlib:
            let inflater = self.inflater
            let failure: Inflater.Failure? = decoded.withUnsafeMutableBytes { out in
                stored.withUnsafeBytes { input in
                    do throws(Inflater.Failure) {
                        try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[0..<storedCount]), into: out)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            guard let failure else { return nil }
            let what: String
            switch failure {
            case .exceedsDeclaredSize:
                what = "payload inflates past its declared \(decodedCount) bytes (decompression bomb or forged length); chunk skipped"
            case .shortOutput(let produced):
                what = "payload inflates to \(produced) bytes, header says \(decodedCount); chunk skipped"
            case .corrupt(let message):
                what = "payload does not inflate (zlib: \(message)); chunk skipped"
            }
            return ChunkProblem(kind: .malformedPayload, message: what, wholeChunk: true)
        }
    }
}
