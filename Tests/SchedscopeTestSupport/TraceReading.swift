import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel

/// A trace read back completely, with what the validator says about it.
public struct ReadTrace {
    public var events: [Event]
    public var strings: StringTable
    public var report: ReadReport
    public var info: TraceInfo
    public var violations: [Violation]
}

/// Reads every event of a trace in memory and runs the `TraceValidator` over it, as every
/// test that reads or produces a trace should.
public func readTrace(_ bytes: [UInt8]) throws -> ReadTrace {
    let reader = try TraceReader(source: ByteSource(bytes: bytes, name: "test trace"))
    var events: [Event] = []
    var validator = TraceValidator()
    try reader.forEach { event in
        events.append(event)
        validator.consume(event, strings: reader.strings)
    }
    validator.finish()
    return ReadTrace(events: events, strings: reader.strings, report: reader.report, info: reader.info,
                     violations: validator.violations)
}

/// Streams a trace through `body` (for analyses under test).
public func streamTrace(_ bytes: [UInt8], _ body: (Event, StringTable) -> Void) throws -> TraceReader {
    let reader = try TraceReader(source: ByteSource(bytes: bytes, name: "test trace"))
    try reader.forEach { body($0, reader.strings) }
    return reader
}
