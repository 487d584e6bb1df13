/// A problem the Go importer found and survived, named so that it can be counted, looked
/// up in docs/IMPORT-GO.md, and made fatal with `--strict`.
public struct GoImportDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        /// Something was left out on purpose or could not be known (no effect on the events kept).
        case info
        /// Events were lost or guessed: results near it may be off.
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .info && rhs == .warning }
    }

    /// The diagnostics' names (docs/IMPORT-GO.md lists them with what each means).
    public enum Name: String, Sendable, CaseIterable {
        /// The file ends inside a generation; that generation is dropped.
        case truncated
        /// A batch header or a table entry does not decode (bad varint, forged length).
        case malformedBatch = "malformed-batch"
        /// An event batch holds an event type this reader does not know; the rest of that
        /// batch cannot be delimited and is dropped.
        case unknownEvent = "unknown-event"
        /// A generation lacks its frequency (sync batch): its timestamps cannot be converted; dropped.
        case missingClock = "missing-clock"
        /// No M could advance under the ordering rules (sequence numbers, states): the
        /// earliest event was applied anyway.
        case unorderedEvent = "unordered-event"
        /// A status event contradicts what the importer knew, or an event names a goroutine
        /// or P in the wrong state.
        case inconsistentState = "inconsistent-state"
        /// A string or stack id that the generation's tables do not define.
        case unknownReference = "unknown-reference"
        /// A generation number out of sequence (a batch of an older generation after a newer one).
        case outOfOrderGeneration = "out-of-order-generation"
        /// An id beyond the importer's caps (P ids, table sizes); the event is dropped.
        case limitExceeded = "limit-exceeded"
    }

    public var name: Name
    public var severity: Severity
    /// Byte offset in the Go trace where the problem is (the batch or event that has it).
    public var byteOffset: UInt64
    /// Bytes of the file whose events were dropped because of it.
    public var bytesLost: UInt64
    public var message: String

    public init(_ name: Name, severity: Severity, byteOffset: UInt64, bytesLost: UInt64 = 0, _ message: String) {
        self.name = name
        self.severity = severity
        self.byteOffset = byteOffset
        self.bytesLost = bytesLost
        self.message = message
    }

    public var description: String { "byte \(byteOffset): \(name.rawValue): \(message)" }
}
