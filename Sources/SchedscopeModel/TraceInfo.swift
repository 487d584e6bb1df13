/// What a trace says about itself in its header.
public struct TraceInfo: Hashable, Sendable {
    /// The program or library that wrote the trace (`schedscope-synth 1`, `SchedscopeRecorder`, …).
    public var producer: String
    /// The number of Ps the scheduler had.
    public var procCount: UInt32
    /// Wall-clock time of the trace start, nanoseconds since the Unix epoch (UTC).
    public var startWallTimeNanoseconds: UInt64
    /// Which clock the timestamps come from.
    public var clock: TraceClock

    public init(producer: String, procCount: UInt32, startWallTimeNanoseconds: UInt64, clock: TraceClock) {
        self.producer = producer
        self.procCount = procCount
        self.startWallTimeNanoseconds = startWallTimeNanoseconds
        self.clock = clock
    }
}

/// The clock behind a trace's timestamps. Timestamps are nanoseconds in every case.
public enum TraceClock: UInt8, Sendable, CaseIterable {
    /// `CLOCK_MONOTONIC`.
    case monotonic = 0
    /// The CPU's time-stamp counter, calibrated to nanoseconds against `CLOCK_MONOTONIC`.
    case calibratedTSC = 1
    /// Invented time (synthetic traces, test builders).
    case synthetic = 2
    /// Converted from a foreign trace's clock (imports).
    case imported = 3

    public var name: String {
        switch self {
        case .monotonic: "monotonic"
        case .calibratedTSC: "tsc"
        case .synthetic: "synthetic"
        case .imported: "imported"
        }
    }
}
