/// The fixed 60-byte header in front of every chunk (docs/FORMAT.md §3).
///
/// ```
/// 0   4  sync marker C5 53 43 4B      4  1  type   5  1  encoding   6  2  reserved (0)
/// 8   4  generation                   12 4  sequence
/// 16  8  thread                       24 8  first timestamp   32 8  last timestamp
/// 40  4  item count                   44 4  stored length     48 4  decoded length
/// 52  4  CRC-32 of the stored payload 56 4  CRC-32 of header bytes 0 ..< 56
/// ```
package struct ChunkHeader: Equatable, Sendable {
    package static let size = 60
    package static let syncMarker: [UInt8] = [0xC5, 0x53, 0x43, 0x4B]

    package enum ChunkType: UInt8, Sendable {
        /// Events whose record heads have 5-bit codes (formats 1.0 and 1.1): still read,
        /// no longer written.
        case legacyEvents = 1
        case strings = 2
        /// The last chunk of a finished trace (format 1.1): says the producer got to the end.
        case end = 3
        /// Events whose record heads have short codes (format 1.2): what writers write.
        case events = 4

        /// Whether the chunk holds events (of either layout).
        package var isEvents: Bool { self == .events || self == .legacyEvents }

        /// How the records of an events chunk lay out their heads.
        package var recordLayout: RecordLayout { self == .legacyEvents ? .fiveBitCodes : .shortCodes }
    }

    package enum Encoding: UInt8, Sendable {
        case stored = 0
        case zlib = 1
    }

    package var type: ChunkType
    package var encoding: Encoding
    package var generation: UInt32
    /// Per-thread sequence number for event chunks; a trace-wide counter for string chunks.
    package var sequence: UInt32
    package var thread: UInt64
    package var firstTimestamp: UInt64
    package var lastTimestamp: UInt64
    /// Events (event chunks) or strings (string chunks) in the payload.
    package var itemCount: UInt32
    package var storedLength: UInt32
    package var decodedLength: UInt32
    package var payloadCRC: UInt32

    /// The memberwise initializer, for writers in other modules of the package (the recorder).
    package init(
        type: ChunkType, encoding: Encoding, generation: UInt32, sequence: UInt32, thread: UInt64,
        firstTimestamp: UInt64, lastTimestamp: UInt64, itemCount: UInt32, storedLength: UInt32,
        decodedLength: UInt32, payloadCRC: UInt32
    ) {
        self.type = type
        self.encoding = encoding
        self.generation = generation
        self.sequence = sequence
        self.thread = thread
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.itemCount = itemCount
        self.storedLength = storedLength
        self.decodedLength = decodedLength
        self.payloadCRC = payloadCRC
    }

    package func encode() -> [UInt8] {
        var out = ByteWriter(capacity: Self.size)
        out.append(contentsOf: Self.syncMarker)
        out.append(type.rawValue)
        out.append(encoding.rawValue)
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(generation)
        out.appendLittleEndian(sequence)
        out.appendLittleEndian(thread)
        out.appendLittleEndian(firstTimestamp)
        out.appendLittleEndian(lastTimestamp)
        out.appendLittleEndian(itemCount)
        out.appendLittleEndian(storedLength)
        out.appendLittleEndian(decodedLength)
        out.appendLittleEndian(payloadCRC)
        out.appendLittleEndian(crc32(out.bytes))
        return out.bytes
    }

    package enum Failure: Error, Equatable {
        case noSyncMarker
        case checksumMismatch
        /// The header is intact but a field breaks a rule; the string says which.
        case invalid(String)
        /// The header is intact but of a type or encoding this reader does not know.
        case unknownType(UInt8)
        case unknownEncoding(UInt8)
    }

    /// Decodes and checks a header. `bytes` must hold at least `size` bytes.
    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> ChunkHeader {
        guard bytes[0] == syncMarker[0], bytes[1] == syncMarker[1],
              bytes[2] == syncMarker[2], bytes[3] == syncMarker[3]
        else { throw .noSyncMarker }
        let stored = bytes.loadLittleEndian(UInt32.self, at: 56)
        guard crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<56])) == stored else { throw .checksumMismatch }
        guard let type = ChunkType(rawValue: bytes[4]) else { throw .unknownType(bytes[4]) }
        guard let encoding = Encoding(rawValue: bytes[5]) else { throw .unknownEncoding(bytes[5]) }
        let header = ChunkHeader(
            type: type, encoding: encoding,
            generation: bytes.loadLittleEndian(UInt32.self, at: 8),
            sequence: bytes.loadLittleEndian(UInt32.self, at: 12),
            thread: bytes.loadLittleEndian(UInt64.self, at: 16),
            firstTimestamp: bytes.loadLittleEndian(UInt64.self, at: 24),
            lastTimestamp: bytes.loadLittleEndian(UInt64.self, at: 32),
            itemCount: bytes.loadLittleEndian(UInt32.self, at: 40),
            storedLength: bytes.loadLittleEndian(UInt32.self, at: 44),
            decodedLength: bytes.loadLittleEndian(UInt32.self, at: 48),
            payloadCRC: bytes.loadLittleEndian(UInt32.self, at: 52)
        )
        if let problem = header.limitViolation { throw .invalid(problem) }
        return header
    }

    /// The first rule a header breaks, if any (checked before anything is allocated).
    package var limitViolation: String? {
        let cap = FormatLimits.maxChunkPayloadBytes
        if Int(storedLength) > cap { return "stored length \(storedLength) exceeds the \(cap)-byte cap" }
        if Int(decodedLength) > cap { return "decoded length \(decodedLength) exceeds the \(cap)-byte cap" }
        if encoding == .stored && storedLength != decodedLength {
            return "stored chunk with stored length \(storedLength) ≠ decoded length \(decodedLength)"
        }
        if Int(itemCount) > FormatLimits.maxEventsPerChunk { return "item count \(itemCount) exceeds the cap" }
        if type == .end && (encoding != .stored || storedLength != UInt32(EndChunk.payloadSize) || itemCount != 0) {
            return "end chunk is not a stored \(EndChunk.payloadSize)-byte payload with item count 0"
        }
        // Every event takes at least one byte, every string at least two.
        let minimumBytes = type.isEvents ? UInt64(itemCount) : 2 * UInt64(itemCount)
        if minimumBytes > UInt64(decodedLength) {
            return "\(itemCount) items cannot fit in \(decodedLength) decoded bytes"
        }
        if firstTimestamp > lastTimestamp && type.isEvents && itemCount > 0 {
            return "first timestamp \(firstTimestamp) is after last timestamp \(lastTimestamp)"
        }
        return nil
    }
}
