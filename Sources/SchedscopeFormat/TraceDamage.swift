/// A problem a reader found and survived: the data it affected is skipped and counted,
/// never trusted, and reading goes on.
public struct TraceDamage: Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// The file ends inside a chunk (or its header): the tail is lost.
        case truncated
        /// A chunk header failed its check; bytes were skipped up to the next sync marker.
        case corruptChunkHeader = "corrupt-chunk-header"
        /// A chunk's payload failed its CRC.
        case corruptPayload = "corrupt-payload"
        /// A payload passed its CRC but does not decode: it does not inflate to exactly its
        /// declared size (a decompression bomb, a forged length), or its records or entries
        /// are malformed (a forged or buggy producer).
        case malformedPayload = "malformed-payload"
        /// A chunk of an earlier generation appeared after a later one.
        case outOfOrderChunk = "out-of-order-chunk"
        /// A chunk type or encoding from a newer format version.
        case unknownChunk = "unknown-chunk"
        /// The file header's CRC failed; its values may be wrong.
        case corruptFileHeader = "corrupt-file-header"
        /// A resource cap was reached (strings, merge memory); data past it is skipped.
        case limitExceeded = "limit-exceeded"
    }

    public var kind: Kind
    /// Byte offset in the file where the damage starts.
    public var byteOffset: UInt64
    /// The chunk's ordinal (0-based, counting every chunk header found), when known.
    public var chunkIndex: Int?
    /// Bytes of the file that could not be used because of this damage.
    public var bytesLost: UInt64
    public var message: String

    public init(kind: Kind, byteOffset: UInt64, chunkIndex: Int?, bytesLost: UInt64, message: String) {
        self.kind = kind
        self.byteOffset = byteOffset
        self.chunkIndex = chunkIndex
        self.bytesLost = bytesLost
        self.message = message
    }

    public var description: String {
        let chunk = chunkIndex.map { "chunk \($0) at " } ?? ""
        return "\(chunk)byte \(byteOffset): \(message)"
    }
}
