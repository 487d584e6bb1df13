/// What a reader did with a file: how much it used, and every damage it survived.
public struct ReadReport: Sendable {
    /// Event and string chunks read successfully.
    public var chunksRead = 0
    /// Chunks skipped because their header or payload was damaged.
    public var chunksCorrupt = 0
    /// Events delivered.
    public var eventsRead: UInt64 = 0
    /// Whether the file ends inside a chunk.
    public var truncated = false
    /// Bytes of the file that no delivered event came from (damage, truncation).
    public var bytesLost: UInt64 = 0
    /// Total size of the file.
    public var fileSize: UInt64 = 0
    /// What the end chunk says, when the trace has one (format 1.1 producers write it when
    /// they finish; its absence in such a trace is reported as truncation).
    public var end: TraceEnd?
    /// Generations seen.
    public var generations = 0
    /// The damages found, in file order (the first `maxRecordedDamages`).
    public var damages: [TraceDamage] = []
    /// Damages beyond `maxRecordedDamages`, counted only.
    public var unrecordedDamages = 0

    public static let maxRecordedDamages = 100

    public init() {}

    /// Whether the reader skipped or lost anything.
    public var isDamaged: Bool { !damages.isEmpty || unrecordedDamages > 0 }

    package mutating func record(_ damage: TraceDamage) {
        bytesLost += damage.bytesLost
        if damage.kind == .truncated { truncated = true }
        if damages.count < Self.maxRecordedDamages {
            damages.append(damage)
        } else {
            unrecordedDamages += 1
        }
    }
}
