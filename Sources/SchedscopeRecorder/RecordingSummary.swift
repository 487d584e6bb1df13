/// What a recording wrote, returned by `Recorder.stop()`.
public struct RecordingSummary: Sendable, Equatable {
    /// Events written to the trace (including `lost` events).
    public var events: UInt64 = 0
    /// Events dropped because a thread's ring was full (each reported by a `lost` event).
    public var lostEvents: UInt64 = 0
    /// Event chunks written.
    public var eventChunks: Int = 0
    /// Strings chunks written.
    public var stringChunks: Int = 0
    /// Generations ended.
    public var generations: Int = 0
    /// Event payload bytes before compression.
    public var decodedEventBytes: UInt64 = 0
    /// Event payload bytes as stored (after compression).
    public var storedEventBytes: UInt64 = 0
    /// Bytes written to the file (0 for a flight recording).
    public var fileBytes: UInt64 = 0
    /// Threads that emitted events.
    public var threads: Int = 0
    /// Whether libdeflate compressed the chunks (false: zlib, or no compression); see
    /// `RecorderOptions.deflateLibrary`.
    public var compressedWithLibdeflate = false

    /// Creates an empty summary.
    public init() {}
}

/// One generation, as `Recorder.flush()` and `Recorder.dump(to:)` report it.
public struct GenerationSummary: Sendable, Equatable {
    /// The generation number in the chunk headers.
    public var number: UInt32
    /// Events in it (including `lost` events).
    public var events: Int
    /// Compressed chunk bytes (headers included; strings chunks not).
    public var bytes: Int
    /// When it ended, in nanoseconds since the trace start (the flusher's cut).
    public var endNanoseconds: UInt64

    /// Creates a summary.
    public init(number: UInt32, events: Int, bytes: Int, endNanoseconds: UInt64) {
        self.number = number
        self.events = events
        self.bytes = bytes
        self.endNanoseconds = endNanoseconds
    }
}

/// What `Recorder.dump(to:)` wrote.
public struct FlightDump: Sendable, Equatable {
    /// The generations in the dump, oldest first.
    public var generations: [GenerationSummary]
    /// The dump's reference time (its last generation's end), nanoseconds since the trace start.
    public var nanoseconds: UInt64
    /// Bytes written.
    public var fileBytes: UInt64
    /// Begin events written at the window's start for ranges (regions, GC cycles, pauses)
    /// that were open there, on thread 0.
    public var reopenedRanges: Int

    /// Events of the dump's generations (`reopenedRanges` not counted).
    public var events: Int { generations.reduce(0) { $0 + $1.events } }
}
