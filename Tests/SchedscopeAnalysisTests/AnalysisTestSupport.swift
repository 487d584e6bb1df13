import SchedscopeAnalysis
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// Reads a builder's trace back, checks that the validator finds it a legal history (the
/// ground truth of a test must be a possible trace), and streams it through `body`.
func stream(_ builder: TraceBuilder, validate: Bool = true, sourceLocation: SourceLocation = #_sourceLocation,
            _ body: (Event) -> Void) throws {
    let bytes = builder.bytes()
    if validate {
        let trace = try readTrace(bytes)
        #expect(trace.violations.isEmpty, "the test's trace breaks a rule: \(trace.violations.prefix(3))", sourceLocation: sourceLocation)
    }
    _ = try streamTrace(bytes) { event, _ in body(event) }
}

/// Streams a builder's trace and also returns its string table.
func streamWithStrings(_ builder: TraceBuilder, _ body: (Event) -> Void) throws -> StringTable {
    let bytes = builder.bytes()
    let trace = try readTrace(bytes)
    #expect(trace.violations.isEmpty, "the test's trace breaks a rule: \(trace.violations.prefix(3))")
    for event in trace.events { body(event) }
    return trace.strings
}

extension Double {
    /// Equal within a relative 1e-12 (figures computed two ways round differently).
    func isClose(to other: Double) -> Bool {
        abs(self - other) <= 1e-12 * max(1, abs(self), abs(other))
    }
}
