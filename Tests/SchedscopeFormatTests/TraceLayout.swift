/// The framing of an intact trace, parsed by the tests themselves from docs/FORMAT.md
/// (not by the reader under test): where the file header ends and where every chunk lies.
///
/// Parsing checks the magic, both kinds of CRC (with `ReferenceCRC32`) and that the chunks
/// tile the file exactly, so a trace the writer produced is also checked against the spec.
struct TraceLayout {
    struct Chunk: Equatable {
        var index: Int
        var offset: Int
        var type: UInt8
        var encoding: UInt8
        var generation: UInt32
        var sequence: UInt32
        var thread: UInt64
        var firstTimestamp: UInt64
        var lastTimestamp: UInt64
        var itemCount: UInt32
        var storedLength: UInt32
        var decodedLength: UInt32

        var payloadOffset: Int { offset + ChunkLayout.headerSize }
        var endOffset: Int { payloadOffset + Int(storedLength) }
        var headerRange: Range<Int> { offset..<payloadOffset }
        var isEvents: Bool { type == ChunkLayout.eventsType || type == ChunkLayout.legacyEventsType }
        var isStrings: Bool { type == ChunkLayout.stringsType }
        var isEnd: Bool { type == ChunkLayout.endType }
    }

    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    let headerLength: Int
    let chunks: [Chunk]

    var eventChunks: [Chunk] { chunks.filter(\.isEvents) }
    /// Generations of the events and strings chunks (the end chunk's number is informational).
    var generations: Set<UInt32> { Set(chunks.filter { !$0.isEnd }.map(\.generation)) }
    /// The end chunk's count of events written (§8); the parser requires the end chunk.
    let eventsWritten: UInt64

    init(parsing bytes: [UInt8]) throws(Violation) {
        guard bytes.count >= FileHeaderLayout.fixedSize,
              Array(bytes[0..<8]) == FileHeaderLayout.magic
        else { throw Violation(description: "no file header") }
        let producerLength = Int(bytes.littleEndian(UInt16.self, at: FileHeaderLayout.producerLengthOffset))
        let length = Int(bytes.littleEndian(UInt32.self, at: FileHeaderLayout.headerLengthOffset))
        guard length == FileHeaderLayout.fixedSize + producerLength + 4, bytes.count >= length else {
            throw Violation(description: "header length \(length) disagrees with producer length \(producerLength)")
        }
        guard ReferenceCRC32.checksum(bytes[0..<(length - 4)]) == bytes.littleEndian(UInt32.self, at: length - 4) else {
            throw Violation(description: "file header CRC")
        }
        headerLength = length

        var chunks: [Chunk] = []
        var offset = length
        while offset < bytes.count {
            guard bytes.count - offset >= ChunkLayout.headerSize else {
                throw Violation(description: "partial chunk header at \(offset)")
            }
            guard Array(bytes[offset..<(offset + 4)]) == ChunkLayout.syncMarker else {
                throw Violation(description: "no sync marker at \(offset)")
            }
            let headerCRC = bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.headerCRCOffset)
            guard ReferenceCRC32.checksum(bytes[offset..<(offset + ChunkLayout.headerCRCOffset)]) == headerCRC else {
                throw Violation(description: "chunk header CRC at \(offset)")
            }
            let chunk = Chunk(
                index: chunks.count, offset: offset, type: bytes[offset + 4], encoding: bytes[offset + 5],
                generation: bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.generationOffset),
                sequence: bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.sequenceOffset),
                thread: bytes.littleEndian(UInt64.self, at: offset + ChunkLayout.threadOffset),
                firstTimestamp: bytes.littleEndian(UInt64.self, at: offset + ChunkLayout.firstTimestampOffset),
                lastTimestamp: bytes.littleEndian(UInt64.self, at: offset + ChunkLayout.lastTimestampOffset),
                itemCount: bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.itemCountOffset),
                storedLength: bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.storedLengthOffset),
                decodedLength: bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.decodedLengthOffset))
            guard chunk.endOffset <= bytes.count else { throw Violation(description: "chunk at \(offset) overruns the file") }
            let payloadCRC = bytes.littleEndian(UInt32.self, at: offset + ChunkLayout.payloadCRCOffset)
            guard ReferenceCRC32.checksum(bytes[chunk.payloadOffset..<chunk.endOffset]) == payloadCRC else {
                throw Violation(description: "payload CRC of the chunk at \(offset)")
            }
            chunks.append(chunk)
            offset = chunk.endOffset
        }
        // §8: a finished trace's last chunk, and only its last, is a stored 8-byte end chunk.
        guard let end = chunks.last, end.isEnd, end.encoding == ChunkLayout.storedEncoding,
              end.storedLength == 8, end.decodedLength == 8, end.itemCount == 0,
              chunks.dropLast().allSatisfy({ !$0.isEnd })
        else { throw Violation(description: "the trace does not end with exactly one end chunk") }
        eventsWritten = bytes.littleEndian(UInt64.self, at: end.payloadOffset)
        self.chunks = chunks
    }

    /// The chunk whose bytes (header or payload) contain `offset`, if any.
    func chunk(containing offset: Int) -> Chunk? {
        chunks.first { $0.offset <= offset && offset < $0.endOffset }
    }
}

/// Byte positions of the file header, as docs/FORMAT.md §2 states them.
enum FileHeaderLayout {
    static let magic: [UInt8] = Array("SCTRACE".utf8) + [0]
    static let majorVersionOffset = 8
    static let minorVersionOffset = 10
    static let headerLengthOffset = 12
    static let startWallTimeOffset = 16
    static let procCountOffset = 24
    static let clockOffset = 28
    static let flagsOffset = 29
    static let producerLengthOffset = 30
    static let fixedSize = 32
}

/// Byte positions of the 60-byte chunk header, as docs/FORMAT.md §3 states them.
enum ChunkLayout {
    static let headerSize = 60
    static let syncMarker: [UInt8] = [0xC5, 0x53, 0x43, 0x4B]
    static let typeOffset = 4
    static let encodingOffset = 5
    static let generationOffset = 8
    static let sequenceOffset = 12
    static let threadOffset = 16
    static let firstTimestampOffset = 24
    static let lastTimestampOffset = 32
    static let itemCountOffset = 40
    static let storedLengthOffset = 44
    static let decodedLengthOffset = 48
    static let payloadCRCOffset = 52
    static let headerCRCOffset = 56

    static let eventsType: UInt8 = 4
    /// Events chunks of formats 1.0 and 1.1 (record heads with 5-bit codes).
    static let legacyEventsType: UInt8 = 1
    static let stringsType: UInt8 = 2
    static let endType: UInt8 = 3
    static let storedEncoding: UInt8 = 0
    static let zlibEncoding: UInt8 = 1
}
