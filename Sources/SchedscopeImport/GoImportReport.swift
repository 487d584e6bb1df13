/// What the Go importer read, what it made of it, and what it survived.
public struct GoImportReport: Sendable {
    /// The trace format version from the header (22, 23, 25 or 26 for "go 1.NN trace").
    public var formatVersion = 0
    /// Total size of the file.
    public var fileSize: UInt64 = 0
    /// Generations imported completely.
    public var generations = 0
    /// Generations dropped (truncated, or without a clock).
    public var generationsDropped = 0
    /// Batches read (event and table batches of imported generations).
    public var batchesRead = 0
    /// Batches dropped with their generation or because they were malformed.
    public var batchesDropped = 0
    /// Go wire events decoded from event batches.
    public var goEventsRead: UInt64 = 0
    /// Schedscope events produced.
    public var eventsRead: UInt64 = 0
    /// Go events with no counterpart in DESIGN.md §4, by Go event name (docs/IMPORT-GO.md says why).
    public var goEventsDropped: [String: UInt64] {
        var counts: [String: UInt64] = [:]
        for (type, count) in droppedByType.enumerated() where count > 0 { counts[GoWire.name(UInt8(type))] = count }
        counts.merge(droppedBatches) { $0 + $1 }
        return counts
    }
    /// Dropped events by wire type (a counter per event: cheaper than a dictionary of names).
    var droppedByType = [UInt64](repeating: 0, count: 256)
    /// Dropped batches by kind ("CPUSamples", "ExperimentalBatch").
    var droppedBatches: [String: UInt64] = [:]
    /// Whether the file ends inside a generation.
    public var truncated = false
    /// Bytes of the file whose events were not imported.
    public var bytesLost: UInt64 = 0
    /// The first `maxRecordedDiagnostics` diagnostics, in the order found.
    public var diagnostics: [GoImportDiagnostic] = []
    /// How many diagnostics of each name were found (recorded or not).
    public var diagnosticCounts: [GoImportDiagnostic.Name: Int] = [:]
    /// Diagnostics beyond `maxRecordedDiagnostics`, counted only.
    public var unrecordedDiagnostics = 0

    public static let maxRecordedDiagnostics = 100

    public init() {}

    /// Whether any warning was found (what `--strict` turns into an error).
    public var hasWarnings: Bool { diagnostics.contains { $0.severity == .warning } || unrecordedWarnings > 0 }
    /// Warnings beyond the recorded ones.
    public private(set) var unrecordedWarnings = 0

    mutating func record(_ diagnostic: GoImportDiagnostic) {
        diagnosticCounts[diagnostic.name, default: 0] += 1
        bytesLost += diagnostic.bytesLost
        if diagnostic.name == .truncated { truncated = true }
        if diagnostics.count < Self.maxRecordedDiagnostics {
            diagnostics.append(diagnostic)
        } else {
            unrecordedDiagnostics += 1
            if diagnostic.severity == .warning { unrecordedWarnings += 1 }
        }
    }
}
