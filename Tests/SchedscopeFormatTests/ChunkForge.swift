/// Builds and edits chunks byte by byte from docs/FORMAT.md, to make the forged, foreign
/// and future inputs a well-behaved writer never produces.
enum ChunkForge {
    /// A complete chunk (header and payload) with correct CRCs unless told otherwise.
    static func chunk(
        type: UInt8, encoding: UInt8 = ChunkLayout.storedEncoding, generation: UInt32 = 0, sequence: UInt32 = 0,
        thread: UInt64 = 0, firstTimestamp: UInt64 = 0, lastTimestamp: UInt64 = 0, itemCount: UInt32,
        decodedLength: UInt32? = nil, payload: [UInt8]
    ) -> [UInt8] {
        var bytes = ChunkLayout.syncMarker
        bytes.append(type)
        bytes.append(encoding)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(generation)
        bytes.appendLittleEndian(sequence)
        bytes.appendLittleEndian(thread)
        bytes.appendLittleEndian(firstTimestamp)
        bytes.appendLittleEndian(lastTimestamp)
        bytes.appendLittleEndian(itemCount)
        bytes.appendLittleEndian(UInt32(payload.count))
        bytes.appendLittleEndian(decodedLength ?? UInt32(payload.count))
        bytes.appendLittleEndian(ReferenceCRC32.checksum(payload))
        bytes.appendLittleEndian(ReferenceCRC32.checksum(bytes))
        return bytes + payload
    }

    /// The end chunk of §4: a stored chunk of type 3 holding the `u64` count of events written.
    static func endChunk(eventsWritten: UInt64, generation: UInt32 = 0) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendLittleEndian(eventsWritten)
        return chunk(type: ChunkLayout.endType, generation: generation, itemCount: 0, payload: payload)
    }

    /// A strings payload: `id · length · UTF-8 bytes` per entry.
    static func stringsPayload(_ entries: [(id: UInt64, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes.appendUnsignedLEB128(entry.id)
            bytes.appendUnsignedLEB128(UInt64(entry.value.utf8.count))
            bytes.append(contentsOf: entry.value.utf8)
        }
        return bytes
    }

    /// A file header with a correct CRC.
    static func fileHeader(
        major: UInt16 = 1, minor: UInt16 = 0, producer: String = "forge", procCount: UInt32 = 4,
        startWallTime: UInt64 = 1_700_000_000_000_000_000, clock: UInt8 = 2
    ) -> [UInt8] {
        let producerBytes = Array(producer.utf8)
        var bytes = FileHeaderLayout.magic
        bytes.appendLittleEndian(major)
        bytes.appendLittleEndian(minor)
        bytes.appendLittleEndian(UInt32(FileHeaderLayout.fixedSize + producerBytes.count + 4))
        bytes.appendLittleEndian(startWallTime)
        bytes.appendLittleEndian(procCount)
        bytes.append(clock)
        bytes.append(0)
        bytes.appendLittleEndian(UInt16(producerBytes.count))
        bytes.append(contentsOf: producerBytes)
        bytes.appendLittleEndian(ReferenceCRC32.checksum(bytes))
        return bytes
    }

    /// Recomputes the header CRC of the chunk at `offset` after a field was edited, so the
    /// edit reaches the reader's field checks instead of its CRC check.
    static func resealHeader(in bytes: inout [UInt8], chunkAt offset: Int) {
        let crc = ReferenceCRC32.checksum(bytes[offset..<(offset + ChunkLayout.headerCRCOffset)])
        bytes.setLittleEndian(crc, at: offset + ChunkLayout.headerCRCOffset)
    }

    /// Sets a header field of the chunk at `offset` and reseals the header.
    static func forge<Field: FixedWidthInteger>(_ value: Field, atField field: Int, in bytes: inout [UInt8], chunkAt offset: Int) {
        bytes.setLittleEndian(value, at: offset + field)
        resealHeader(in: &bytes, chunkAt: offset)
    }
}
