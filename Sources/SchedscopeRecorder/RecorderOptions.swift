import SchedscopeFormat
import SchedscopeModel
#if canImport(Glibc)
import Glibc
#endif

/// How a recording runs: buffer sizes, how often data reaches the file, compression.
public struct RecorderOptions: Sendable {
    /// Each thread's ring, in events (32 bytes each); a power of two, at least 64. When a
    /// thread fills it faster than the flusher drains it, its further events are dropped and
    /// counted until space returns. Default 32768 (1 MiB per emitting thread).
    public var bufferEvents: Int
    /// The longest time between two generation ends: every thread's buffered events are
    /// written at least this often, so a killed process loses at most this much. Default 1 s.
    public var generationInterval: Duration
    /// How often the flusher drains the threads' rings between generation ends (it is also
    /// woken when a ring is half full). Default 10 ms.
    public var drainInterval: Duration
    /// Decoded event bytes after which a generation ends early, so that a reader's merge
    /// stays small. Default 16 MiB.
    public var generationBytes: Int
    /// zlib level of the chunks, 0 (store) to 9. Default 1, the format's recommendation.
    public var compressionLevel: Int
    /// Which library compresses the chunks: by default libdeflate when the system has it
    /// (two to three times as fast as zlib; the stream is a zlib stream either way), else zlib.
    /// `SCHEDSCOPE_DEFLATER=zlib` in the environment also forces zlib.
    public var deflateLibrary: DeflateLibrary
    /// The number of Ps the scheduler has, written in the file header. Default: the
    /// processors this process may run on.
    public var procCount: UInt32
    /// The producer name written in the file header.
    public var producer: String
    /// The clock events are stamped with.
    public var clock: ClockChoice

    /// Creates options; every parameter has the default described on its property.
    public init(
        bufferEvents: Int = 1 << 15,
        generationInterval: Duration = .seconds(1),
        drainInterval: Duration = .milliseconds(10),
        generationBytes: Int = 16 << 20,
        compressionLevel: Int = 1,
        procCount: UInt32? = nil,
        producer: String = "SchedscopeRecorder 1",
        clock: ClockChoice = .automatic,
        deflateLibrary: DeflateLibrary = .automatic
    ) {
        self.bufferEvents = bufferEvents
        self.generationInterval = generationInterval
        self.drainInterval = drainInterval
        self.generationBytes = generationBytes
        self.compressionLevel = compressionLevel
        self.procCount = procCount ?? UInt32(clamping: availableProcessorCount())
        self.producer = producer
        self.clock = clock
        self.deflateLibrary = deflateLibrary
    }

    func validate() throws(RecorderError) {
        func invalid(_ reason: String) -> RecorderError { RecorderError(code: .invalidOptions, reason: reason) }
        guard bufferEvents >= 64, bufferEvents <= 1 << 26, bufferEvents.nonzeroBitCount == 1 else {
            throw invalid("bufferEvents is \(bufferEvents), expected a power of two from 64 to 67108864")
        }
        guard generationInterval > .zero else {
            throw invalid("generationInterval is \(generationInterval), expected a positive duration")
        }
        guard drainInterval > .zero else { throw invalid("drainInterval is \(drainInterval), expected a positive duration") }
        guard generationBytes > 0 else { throw invalid("generationBytes is \(generationBytes), expected a positive size") }
        guard (0...9).contains(compressionLevel) else {
            throw invalid("compressionLevel is \(compressionLevel), expected 0 (store) to 9")
        }
    }
}

/// A flight recording: events stay in memory, only the most recent window is kept, and
/// `Recorder.dump(to:)` writes it out on demand.
///
/// The window is made of whole generations: a generation is kept while it ended at most
/// `maxAge` ago and the kept generations, newest first, fit in `maxBytes` of compressed
/// chunks. A generation ends every `recording.generationInterval` and when it reaches an
/// eighth of `maxBytes`, so the window's edge moves in steps of about that size.
public struct FlightRecorderOptions: Sendable {
    /// The most compressed chunk bytes the window holds. Default 16 MiB.
    public var maxBytes: Int
    /// The oldest a generation may have ended and still be kept. Default 10 s.
    public var maxAge: Duration
    /// Buffering, generations, compression and clock, as for a file recording.
    public var recording: RecorderOptions

    /// Creates options; every parameter has the default described on its property.
    public init(maxBytes: Int = 16 << 20, maxAge: Duration = .seconds(10), recording: RecorderOptions = RecorderOptions()) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.recording = recording
    }

    func validate() throws(RecorderError) {
        try recording.validate()
        guard maxBytes >= 4096 else {
            throw RecorderError(code: .invalidOptions, reason: "maxBytes is \(maxBytes), expected at least 4096")
        }
        guard maxAge > .zero else {
            throw RecorderError(code: .invalidOptions, reason: "maxAge is \(maxAge), expected a positive duration")
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (product, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        return product.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000)).overflow
            ? .max : product + UInt64(attoseconds / 1_000_000_000)
    }
}
