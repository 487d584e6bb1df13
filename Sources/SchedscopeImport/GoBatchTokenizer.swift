/// One batch as framed in the file: `[type] ([experiment]) [gen] [M] [base time] [length]`
/// then `length` bytes of events (`$GOROOT/src/internal/trace/batch.go` readBatch).
struct GoBatchFrame {
    /// A batch of the allocation/free experiment (skipped) rather than an ordinary one.
    var isExperimental: Bool
    var generation: UInt64
    /// The M (Linux thread id) that wrote it; `GoWire.noThread` for the runtime's tables.
    var thread: UInt64
    /// The timestamp (ticks) the first event's delta counts from.
    var baseTime: UInt64
    /// The payload, as indices into the `GoFileBuffer`.
    var payloadStart: Int
    var payloadEnd: Int
    /// File offset of the frame's first byte.
    var offset: UInt64

    /// The payload's first byte, which tells table and sync batches from event batches.
    func kind(_ buffer: GoFileBuffer) -> UInt8 {
        payloadStart < payloadEnd ? buffer.bytes[payloadStart] : 0
    }
}

/// The tokenizer's first layer: splits the bytes after the header into batch frames and
/// end-of-generation markers, knowing nothing of what the events mean.
struct GoBatchTokenizer {
    enum Token {
        case batch(GoBatchFrame)
        /// Go 1.26's lone `EndOfGeneration` byte between batches.
        case endOfGeneration(offset: UInt64)
        case endOfFile
        /// The file ends inside a frame that starts at `offset`.
        case truncated(offset: UInt64, message: String)
        /// A frame that cannot be delimited; nothing after it can be framed either.
        case malformed(offset: UInt64, message: String)
    }

    /// Buffer index of the next frame.
    var position: Int
    let version: Int

    /// The longest frame header: type, experiment, then four 10-byte varints.
    private static let maxHeader = 2 + 4 * 10

    mutating func next(_ buffer: GoFileBuffer) throws(GoImportError) -> Token {
        let available = try buffer.fill(to: position + Self.maxHeader)
        guard position < available else { return .endOfFile }
        let offset = buffer.fileOffset(position)
        let base = UnsafePointer(buffer.bytes)
        var cursor = position
        let type = base[cursor]
        cursor += 1
        if type == GoWire.endOfGeneration && version >= 26 {
            position = cursor
            return .endOfGeneration(offset: offset)
        }
        guard type == GoWire.eventBatch || (type == GoWire.experimentalBatch && version >= 23) else {
            return .malformed(offset: offset, message: "expected a batch (type 1) but found byte \(type)")
        }
        let isExperimental = type == GoWire.experimentalBatch
        if isExperimental {
            guard cursor < available else { return .truncated(offset: offset, message: "the file ends inside a batch header") }
            cursor += 1
        }
        var fields: [UInt64] = [0, 0, 0, 0]
        for index in 0..<4 {
            guard let value = GoVarint.read(base, &cursor, available) else {
                if buffer.fileOffset(available) >= buffer.size {
                    return .truncated(offset: offset, message: "the file ends inside a batch header")
                }
                return .malformed(offset: offset, message: "batch header field \(index + 1) is not a valid varint")
            }
            fields[index] = value
        }
        let length = fields[3]
        guard length <= GoWire.maxBatchSize else {
            return .malformed(offset: offset, message: "batch length \(length) exceeds Go's maximum of \(GoWire.maxBatchSize) bytes")
        }
        let end = cursor + Int(length)
        let present = try buffer.fill(to: end)
        guard present >= end else {
            return .truncated(offset: offset, message: "the file ends inside a batch (header says \(length) bytes, \(present - cursor) remain)")
        }
        position = end
        return .batch(GoBatchFrame(
            isExperimental: isExperimental, generation: fields[0], thread: fields[1], baseTime: fields[2],
            payloadStart: cursor, payloadEnd: end, offset: offset))
    }
}
