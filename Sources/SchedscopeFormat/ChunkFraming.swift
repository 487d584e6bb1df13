import SchedscopeModel

/// How a writer wraps payloads into chunks (docs/FORMAT.md §3, §4 and §7): the chunk header
/// around a payload, compressed when that makes it smaller and stored otherwise, and strings
/// cut into chunks. `TraceWriter` and the recorder's flusher both write through it.
package enum ChunkFraming {
    /// A strings chunk closes once it holds this many bytes of strings (each entry counted
    /// with 8 bytes of id and length), which keeps it far below the payload cap.
    package static let stringChunkBytes = 256 << 10

    /// Hands `body` the header of a chunk holding `payload` and the payload as stored: as
    /// one zlib stream when `deflater` makes it smaller, as it is otherwise.
    package static func frame<Result, Failure: Error>(
        _ payload: UnsafeRawBufferPointer, type: ChunkHeader.ChunkType, generation: UInt32, sequence: UInt32,
        thread: UInt64 = 0, firstTimestamp: UInt64 = 0, lastTimestamp: UInt64 = 0, itemCount: UInt32,
        deflater: Deflater?, _ body: (ChunkHeader, UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        func framed(_ compressed: UnsafeRawBufferPointer?) throws(Failure) -> Result {
            let stored = compressed ?? payload
            let header = ChunkHeader(
                type: type, encoding: compressed == nil ? .stored : .zlib, generation: generation,
                sequence: sequence, thread: thread, firstTimestamp: firstTimestamp, lastTimestamp: lastTimestamp,
                itemCount: itemCount, storedLength: UInt32(stored.count), decodedLength: UInt32(payload.count),
                payloadCRC: crc32(stored))
            return try body(header, stored)
        }
        guard let deflater else { return try framed(nil) }
        return try deflater.withCompressed(payload, content: type == .strings ? .text : .events, framed)
    }

    /// `frame` for the events chunk an encoder holds.
    package static func frame<Result, Failure: Error>(
        _ encoder: ThreadChunkEncoder, generation: UInt32, deflater: Deflater?,
        _ body: (ChunkHeader, UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try encoder.payload.withBytes { (payload) throws(Failure) in
            try frame(
                payload, type: .events, generation: generation, sequence: encoder.nextSequence,
                thread: encoder.thread.rawValue, firstTimestamp: encoder.firstTimestamp,
                lastTimestamp: encoder.maxTimestamp, itemCount: encoder.eventCount, deflater: deflater, body)
        }
    }

    /// `strings` cut into the batches of one strings chunk each, in order.
    package static func stringBatches(_ strings: [(StringID, String)]) -> [ArraySlice<(StringID, String)>] {
        var batches: [ArraySlice<(StringID, String)>] = []
        var start = 0
        while start < strings.count {
            var end = start
            var bytes = 0
            while end < strings.count && (end == start || bytes < stringChunkBytes) {
                bytes += strings[end].1.utf8.count + 8
                end += 1
            }
            batches.append(strings[start..<end])
            start = end
        }
        return batches
    }
}
