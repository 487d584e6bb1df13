/// The part of a trace an analysis reports on: `[from, to)` in nanoseconds since the trace
/// start (`--from`, `--to`).
///
/// Analyses see the events before `from` too, so that they know what state every task and
/// P was in when the window opens; time sums are clipped to the window, counts count the
/// events inside it (docs/ANALYSES.md, "Windows").
public struct AnalysisWindow: Sendable, Equatable {
    /// The window's start (default: the trace start, 0).
    public var from: UInt64
    /// The window's end; nil: the last event of the trace.
    public var to: UInt64?

    public init(from: UInt64 = 0, to: UInt64? = nil) {
        self.from = from
        self.to = to
    }

    /// The whole trace.
    public static let whole = AnalysisWindow()

    /// The window's end once the last timestamp is known: `to`, or the last event.
    @inlinable
    public func end(last: UInt64) -> UInt64 { max(from, to ?? last) }

    /// The window's length once the last timestamp is known.
    @inlinable
    public func duration(last: UInt64) -> UInt64 { end(last: last) - from }

    /// Whether an event at `time` counts (it is inside the window).
    @inlinable
    public func contains(_ time: UInt64) -> Bool {
        time >= from && (to.map { time < $0 } ?? true)
    }

    /// `contains(_:)` for the time of an event an analysis was handed: no analysis is handed
    /// events at or after `to` (each `consume` stops there), so only `from` needs a test —
    /// one compare on the per-event path instead of two and a test of the optional.
    @inline(__always)
    func containsHanded(_ time: UInt64) -> Bool { time >= from }

    /// The length of `[begin, end)` that lies at or after `from` (`end` is never past `to`,
    /// since no event after `to` is seen).
    @inlinable
    public func clipped(_ begin: UInt64, _ end: UInt64) -> UInt64 {
        let start = max(begin, from)
        return end > start ? end - start : 0
    }
}
