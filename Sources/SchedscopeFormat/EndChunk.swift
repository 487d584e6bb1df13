/// The end chunk (docs/FORMAT.md §4, format 1.1): the last thing a producer writes when it
/// finishes a trace. Without it, a trace cut exactly between two chunks (a killed recorder,
/// a full disk) would look complete; with it, a reader can say the trace is unfinished.
///
/// A stored chunk of type 3 whose 8-byte payload is the number of events the producer
/// wrote (`u64`, little-endian), so a reader can also say how many it did not get.
package enum EndChunk {
    package static let payloadSize = 8

    /// The whole chunk, header included. `generation`: the number after the last
    /// generation written (informational; readers ignore it).
    package static func encode(generation: UInt32, eventsWritten: UInt64) -> [UInt8] {
        var payload = ByteWriter(capacity: payloadSize)
        payload.appendLittleEndian(eventsWritten)
        let header = ChunkHeader(
            type: .end, encoding: .stored, generation: generation, sequence: 0, thread: 0,
            firstTimestamp: 0, lastTimestamp: 0, itemCount: 0, storedLength: UInt32(payloadSize),
            decodedLength: UInt32(payloadSize), payloadCRC: crc32(payload.bytes))
        return header.encode() + payload.bytes
    }
}

/// What a trace's end chunk says (`ReadReport.end`).
public struct TraceEnd: Sendable, Equatable {
    /// Where the end chunk starts.
    public var byteOffset: UInt64
    /// Events the producer wrote, by its own count.
    public var eventsWritten: UInt64
}
