/// A chunk whose header checked out, and where it lies in the file.
package struct ChunkLocation: Sendable {
    /// File offset of the chunk header.
    package var offset: UInt64
    /// Ordinal of the chunk among all chunk headers found (0-based).
    package var index: Int
    package var header: ChunkHeader

    package var payloadOffset: UInt64 { offset + UInt64(ChunkHeader.size) }
    package var endOffset: UInt64 { payloadOffset + UInt64(header.storedLength) }
}

/// Walks a file's chunk headers in order, skipping payloads, and recovers from damage:
/// a header that fails its check is reported and the scanner resynchronizes on the next
/// sync marker whose header checks out; a chunk cut by the end of the file is reported as
/// truncation.
package struct ChunkScanner {
    private let source: ByteSource
    package private(set) var position: UInt64
    /// The ordinal the next chunk header found gets.
    package private(set) var nextIndex: Int
    /// Where scanning stops: the file's end, or the start of the next segment's first chunk
    /// (`TraceSegmentPlan`), which is a valid header, so a resynchronization never runs past it.
    private let limit: UInt64
    private var headerBuffer = [UInt8](repeating: 0, count: ChunkHeader.size)

    /// - Parameters:
    ///   - index: the ordinal of the chunk at `start` (a segment's first chunk counts the
    ///     chunk headers before it, so damage names the same chunk as a whole-file read).
    ///   - limit: stop before this offset; nil: at the end of the file.
    package init(source: ByteSource, start: UInt64, index: Int = 0, limit: UInt64? = nil) {
        self.source = source
        position = start
        nextIndex = index
        self.limit = min(limit ?? source.size, source.size)
    }

    /// The next chunk with a valid header, or nil at the end of the file (or the limit).
    package mutating func next(report: inout ReadReport) throws(TraceFormatError) -> ChunkLocation? {
        while position < limit {
            let remaining = source.size - position
            let offset = position
            let headerBytes = try readHeader(at: offset)
            if headerBytes < ChunkHeader.size {
                report.record(TraceDamage(
                    kind: .truncated, byteOffset: offset, chunkIndex: nextIndex, bytesLost: remaining,
                    message: "the file ends inside a chunk header (\(remaining) of \(ChunkHeader.size) bytes present)"))
                position = source.size
                return nil
            }
            let decoded = headerBuffer.withUnsafeBytes { raw in Result { () throws(ChunkHeader.Failure) in try ChunkHeader.decode(raw) } }
            switch decoded {
            case .success(let header):
                let location = ChunkLocation(offset: offset, index: nextIndex, header: header)
                nextIndex += 1
                if location.endOffset > source.size {
                    let present = source.size - location.payloadOffset
                    report.record(TraceDamage(
                        kind: .truncated, byteOffset: offset, chunkIndex: location.index, bytesLost: remaining,
                        message: "chunk is truncated (header says \(header.storedLength) bytes, \(present) remain)"))
                    position = source.size
                    return nil
                }
                position = location.endOffset
                return location
            case .failure(.unknownType(let type)), .failure(.unknownEncoding(let type)):
                // The header's CRC held, so its length can be trusted: skip just this chunk.
                let stored = headerBuffer.withUnsafeBytes { UInt64($0.loadLittleEndian(UInt32.self, at: 44)) }
                let end = offset + UInt64(ChunkHeader.size) + stored
                if end > source.size {
                    report.record(TraceDamage(
                        kind: .truncated, byteOffset: offset, chunkIndex: nextIndex, bytesLost: remaining,
                        message: "chunk of unknown type or encoding \(type) is truncated (header says \(stored) bytes, \(remaining - UInt64(ChunkHeader.size)) remain)"))
                    position = source.size
                    return nil
                }
                report.record(TraceDamage(
                    kind: .unknownChunk, byteOffset: offset, chunkIndex: nextIndex, bytesLost: end - offset,
                    message: "chunk of unknown type or encoding \(type) skipped (written by a newer format version?)"))
                nextIndex += 1
                position = end
            case .failure(let failure):
                let what: String
                switch failure {
                case .noSyncMarker: what = "no chunk sync marker (expected C5 53 43 4B)"
                case .checksumMismatch: what = "chunk header fails its CRC"
                case .invalid(let rule): what = "chunk header is invalid: \(rule)"
                default: what = "chunk header is unreadable"
                }
                let resume = try resynchronize(after: offset)
                report.record(TraceDamage(
                    kind: .corruptChunkHeader, byteOffset: offset, chunkIndex: nextIndex, bytesLost: resume - offset,
                    message: "\(what); skipped \(resume - offset) bytes to " +
                        (resume < source.size ? "the next chunk at byte \(resume)" : "the end of the file")))
                report.chunksCorrupt += 1
                nextIndex += 1
                position = resume
            }
        }
        return nil
    }

    private mutating func readHeader(at offset: UInt64) throws(TraceFormatError) -> Int {
        try source.read(at: offset, count: ChunkHeader.size, into: &headerBuffer)
    }

    /// The offset of the first valid chunk header at or after `offset`, or nil: where to
    /// start reading when the file header's own length cannot be trusted.
    package mutating func firstValidHeader(from offset: UInt64) throws(TraceFormatError) -> UInt64? {
        let found = try headerChecksOut(at: offset) ? offset : resynchronize(after: offset)
        return found < source.size ? found : nil
    }

    /// The offset of the first valid chunk header after `offset`, or the file size.
    private mutating func resynchronize(after offset: UInt64) throws(TraceFormatError) -> UInt64 {
        let blockSize = 64 << 10
        var block = [UInt8](repeating: 0, count: blockSize)
        var blockStart = offset + 1
        let marker = ChunkHeader.syncMarker
        while blockStart < source.size {
            let count = try source.read(at: blockStart, count: blockSize, into: &block)
            if count < marker.count { break }
            var i = 0
            while i + marker.count <= count {
                if block[i] == marker[0] && block[i + 1] == marker[1] && block[i + 2] == marker[2] && block[i + 3] == marker[3] {
                    let candidate = blockStart + UInt64(i)
                    if try headerChecksOut(at: candidate) { return candidate }
                }
                i += 1
            }
            // Overlap by the marker length so a marker split across blocks is found.
            blockStart += UInt64(count - (marker.count - 1))
            if count < blockSize { break }
        }
        return source.size
    }

    private mutating func headerChecksOut(at offset: UInt64) throws(TraceFormatError) -> Bool {
        guard try readHeader(at: offset) == ChunkHeader.size else { return false }
        return headerBuffer.withUnsafeBytes { raw in
            switch Result(catching: { () throws(ChunkHeader.Failure) in try ChunkHeader.decode(raw) }) {
            case .success: true
            case .failure(.unknownType), .failure(.unknownEncoding): true
            case .failure: false
            }
        }
    }
}

/// The order rules a whole-file read applies to the chunks it meets (FORMAT.md §5, §9): an
/// end chunk stands apart, a chunk of a generation older than the current one is skipped,
/// and a chunk of another generation begins a new one. The read itself and the planning of
/// a segmented read (`TraceReader+Segments`) walk the chunks by the same rules.
struct GenerationOrder {
    enum Place {
        /// The end chunk (§4).
        case end
        /// Of a generation older than `current`: skipped.
        case outOfOrder(current: UInt32)
        /// The first chunk of a new generation (the first generation included).
        case startsGeneration
        /// Another chunk of the current generation.
        case inGeneration
    }

    /// The generation being read.
    private(set) var current: UInt32?

    /// Where `chunk` falls; a chunk that starts a generation makes it current.
    mutating func place(_ chunk: ChunkLocation) -> Place {
        if chunk.header.type == .end { return .end }
        let generation = chunk.header.generation
        if let current, generation < current { return .outOfOrder(current: current) }
        guard generation != current else { return .inGeneration }
        current = generation
        return .startsGeneration
    }
}
