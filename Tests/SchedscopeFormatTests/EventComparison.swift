import SchedscopeModel
import Testing

/// Expects two event sequences to be equal, reporting the lengths and the first difference
/// rather than thousands of events.
func expectSameEvents(
    _ actual: [Event], _ expected: [Event], _ context: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let index = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
    let got = index < actual.count ? "\(actual[index])" : "nothing"
    let wanted = index < expected.count ? "\(expected[index])" : "nothing"
    Issue.record(
        "\(context()) events differ: \(actual.count) delivered, \(expected.count) expected; first difference at #\(index): got \(got), expected \(wanted)",
        sourceLocation: sourceLocation)
}

/// Expects each thread's events to come back in the order they were written.
func expectSamePerThreadOrder(
    _ actual: [Event], _ expected: [Event], _ context: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let actualByThread = Dictionary(grouping: actual, by: \.thread)
    let expectedByThread = Dictionary(grouping: expected, by: \.thread)
    #expect(Set(actualByThread.keys) == Set(expectedByThread.keys), sourceLocation: sourceLocation)
    for (thread, events) in expectedByThread {
        expectSameEvents(actualByThread[thread] ?? [], events, "\(context()) thread \(thread):", sourceLocation: sourceLocation)
    }
}
