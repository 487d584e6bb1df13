/// Hard caps that every length, count and id read from a file is checked against before
/// it is used, so that a forged field yields an error instead of an allocation.
public enum FormatLimits {
    /// Largest payload of one chunk, as stored (compressed) or decoded.
    public static let maxChunkPayloadBytes = 4 << 20
    /// Largest number of events in one chunk.
    public static let maxEventsPerChunk = 4 << 20
    /// Largest single string.
    public static let maxStringBytes = 64 << 10
    /// Highest string id.
    public static let maxStringID: UInt32 = 1 << 22
    /// Total bytes of all strings in a trace.
    public static let maxTotalStringBytes = 64 << 20
    /// Longest producer name in the file header.
    public static let maxProducerBytes = 256
    /// Largest proc count the file header may declare. Analyses report every declared P,
    /// idle or not, so a forged count would otherwise cost memory and time per P.
    public static let maxDeclaredProcs: UInt32 = 1 << 16
    /// Memory the reader may hold for the decoded chunks being merged in one generation.
    public static let maxMergeBytes = 256 << 20
}
