/// Where a trace's chunks lie, read straight from the bytes as docs/FORMAT.md lays them
/// out (the file header's length at byte 12; 60-byte chunk headers with the stored payload
/// length at byte 44), so that tests can say where damage is without asking the reader.
struct ChunkMap {
    struct Chunk: Equatable {
        var offset: Int
        var payloadLength: Int
        var payloadRange: Range<Int> { (offset + 60)..<(offset + 60 + payloadLength) }
    }

    var chunks: [Chunk] = []

    init(_ bytes: [UInt8]) {
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var offset = u32(12)
        while offset + 60 <= bytes.count {
            let chunk = Chunk(offset: offset, payloadLength: u32(offset + 44))
            chunks.append(chunk)
            offset = chunk.payloadRange.upperBound
        }
    }
}
