import CSchedscopeRecorder
import SchedscopeFormat
import SchedscopeModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide recorder of scheduler events.
///
/// A scheduler interns its strings once (`intern(_:)`), then calls the event methods
/// (`taskStart(_:on:)`, `taskPark(_:reason:)`, …) from any thread, on its hottest paths.
/// Each call costs one clock read plus a few stores into a buffer of the calling thread:
/// no lock, no allocation, no system call. With no recording in progress a call returns
/// after one load.
///
/// A background flusher thread encodes, compresses and writes the buffered events in
/// chunks, ending a *generation* at least every `RecorderOptions.generationInterval`, so a
/// process killed at any moment leaves a readable trace of all but its last moments.
/// A thread that emits faster than the flusher drains loses events; the loss is counted
/// and written as a `lost` event.
///
/// ```swift
/// try Recorder.start(path: "run.sctrace")
/// let label = Recorder.intern("worker loop")
/// Recorder.procStart(ProcID(0))
/// Recorder.taskCreate(TaskID(1), parent: .none, label: label)
/// Recorder.taskStart(TaskID(1), on: ProcID(0))
/// Recorder.taskEnd(TaskID(1))
/// let summary = try Recorder.stop()
/// ```
///
/// Emit an event before the action it describes becomes visible to other threads (emit
/// `taskUnpark` before pushing the task on a run queue): then whatever another thread
/// does in reaction is stamped later, and the trace's order follows causality.
public enum Recorder {
    // MARK: - Starting and stopping

    /// Starts recording to a new trace file at `path` (created or truncated).
    ///
    /// - Parameters:
    ///   - path: the trace file (`.sctrace`).
    ///   - options: buffering, generation interval, compression and clock.
    /// - Throws: `RecorderError` `.alreadyRecording`, `.invalidOptions`, `.cannotCreateFile`,
    ///   `.writeFailed` (the header), `.cannotStartThread`.
    public static func start(path: String, options: RecorderOptions = RecorderOptions()) throws(RecorderError) {
        try options.validate()
        try control.withLock { (control: inout Control) throws(RecorderError) in
            try control.prepareToStart()
            try control.begin(output: .file(TraceFile(creating: path)), options: options, flight: nil)
        }
    }

    /// Starts recording to an open file descriptor, which the recorder writes from its
    /// current position and does not close.
    ///
    /// - Throws: as `start(path:options:)`.
    public static func start(fileDescriptor: Int32, options: RecorderOptions = RecorderOptions()) throws(RecorderError) {
        try options.validate()
        try control.withLock { (control: inout Control) throws(RecorderError) in
            try control.prepareToStart()
            try control.begin(output: .file(TraceFile(descriptor: fileDescriptor)), options: options, flight: nil)
        }
    }

    /// Starts a flight recording: events are kept in memory, only the most recent window
    /// (`FlightRecorderOptions.maxBytes`, `maxAge`), and written only by `dump(to:)`.
    ///
    /// - Throws: `RecorderError` `.alreadyRecording`, `.invalidOptions`, `.cannotStartThread`.
    public static func startFlightRecording(options: FlightRecorderOptions = FlightRecorderOptions()) throws(RecorderError) {
        try options.validate()
        try control.withLock { (control: inout Control) throws(RecorderError) in
            try control.prepareToStart()
            let window = FlightWindow(maxBytes: options.maxBytes, maxAgeNanoseconds: options.maxAge.nanosecondsClamped)
            try control.begin(output: .flight(window), options: options.recording, flight: options)
        }
    }

    /// Stops the recording: every buffered event is written, and the file is closed.
    ///
    /// Events emitted concurrently with `stop()` may or may not be in the trace. A flight
    /// recording's window is discarded (call `dump(to:)` first to keep it).
    /// - Returns: what the recording wrote.
    /// - Throws: `RecorderError` `.notRecording`; or the write error that stopped the
    ///   recording (`.writeFailed`), after cleaning up.
    @discardableResult
    public static func stop() throws(RecorderError) -> RecordingSummary {
        try control.withLock { (control: inout Control) throws(RecorderError) in
            guard let session = control.session else {
                throw RecorderError(code: .notRecording, reason: "stop() was called with no recording in progress")
            }
            control.session = nil
            return try session.finish()
        }
    }

    /// Ends the current generation now: every event emitted before the call is written
    /// (to the file, or to a flight recording's window) before it returns. A backlog larger
    /// than a generation's budget (the flusher fell behind a burst) is cut into several
    /// generations first, as the flusher cuts one.
    ///
    /// - Returns: the generation that ended (the last, when the backlog was cut).
    /// - Throws: `RecorderError` `.notRecording`, or the write error that stopped the recording.
    @discardableResult
    public static func flush() throws(RecorderError) -> GenerationSummary {
        try control.withLock { (control: inout Control) throws(RecorderError) in
            guard let session = control.currentSession() else {
                throw RecorderError(code: .notRecording, reason: "flush() was called with no recording in progress")
            }
            guard let ended = session.perform({ (state: inout sending FlusherState) throws(RecorderError) in
                try state.endGenerationNow()
            }) else {
                throw session.failure ?? RecorderError(code: .notRecording, reason: "the recording has stopped")
            }
            return ended
        }
    }

    /// Writes a flight recording's window to a new trace file at `path`, and goes on recording.
    ///
    /// The current generation ends first, so the dump holds every event up to the call that
    /// is still inside the window: whole generations, newest first, that ended at most
    /// `maxAge` ago and fit in `maxBytes`.
    /// - Returns: the generations written.
    /// - Throws: `RecorderError` `.notRecording`, `.notFlightRecording`, `.cannotCreateFile`,
    ///   `.writeFailed` (the dump file; the flight recording goes on).
    @discardableResult
    public static func dump(to path: String) throws(RecorderError) -> FlightDump {
        try control.withLock { (control: inout Control) throws(RecorderError) in
            guard let session = control.currentSession() else {
                throw RecorderError(code: .notRecording, reason: "dump(to:) was called with no recording in progress")
            }
            guard session.isFlight else {
                throw RecorderError(
                    code: .notFlightRecording,
                    reason: "dump(to:) needs a flight recording (startFlightRecording), this one writes to a file")
            }
            return try session.flusher.withLock { (state: inout sending FlusherState) throws(RecorderError) in
                try state.dump(to: path)
            }
        }
    }

    /// Whether a recording is taking events now.
    public static var isRecording: Bool { schedscope_recording_epoch_load_relaxed() != 0 }

    /// The error that stopped the latest recording (a failed write), or nil. A new
    /// recording clears it.
    public static var failure: RecorderError? { lastFailure.withLock { $0 } }

    // MARK: - Strings

    /// The id of `string`, interning it on first use. Ids are valid for the life of the
    /// process, in every recording. Call it once per string, off the hot path (it locks).
    ///
    /// - Complexity: one hash lookup; amortized O(1).
    public static func intern(_ string: String) -> StringID {
        internedStrings.withLock { $0.intern(string) }
    }

    /// The string interned as `id`, if any (for in-process reports such as leak checks,
    /// which name tasks by label without reading a trace back). Locks: off the hot path.
    package static func string(for id: StringID) -> String? {
        internedStrings.withLock { $0.string(for: id) }
    }

    // MARK: - Clock

    /// One raw reading of the clock the recorder stamps events with (time-stamp counter
    /// ticks or `CLOCK_MONOTONIC` nanoseconds), for measuring the emit path against it.
    @inlinable
    public static func readClock() -> UInt64 {
        schedscope_has_tsc_instruction() != 0 ? schedscope_rdtsc() : schedscope_monotonic_ns()
    }
}

/// The control side of the recorder: the session in progress. Held across `start`, `stop`,
/// `flush` and `dump`, which may wait for the disk; the emit path never takes it.
struct Control: ~Copyable {
    var session: Session?
    var nextEpoch: UInt64 = 1
    var exitHookInstalled = false

    /// The recording in progress, if this process started it. A forked child inherits its
    /// parent's session without the flusher thread: it forgets it (without touching its
    /// locks or its file) and may start its own.
    mutating func currentSession() -> Session? {
        if let session, session.ownerProcess != getpid() {
            self.session = nil
            ThreadSlots.releaseAll()
        }
        return session
    }

    /// Throws if a recording is in progress; cleans up one that failed and was never stopped.
    mutating func prepareToStart() throws(RecorderError) {
        guard let session = currentSession() else { return }
        if session.failure == nil {
            throw RecorderError(code: .alreadyRecording, reason: "start was called while a recording is in progress")
        }
        self.session = nil
        _ = try? session.finish()
    }

    mutating func begin(
        output: sending FlusherState.Output, options: RecorderOptions, flight: FlightRecorderOptions?
    ) throws(RecorderError) {
        let clock = try RecorderClock(choice: options.clock)
        let info = TraceInfo(
            producer: options.producer, procCount: options.procCount,
            startWallTimeNanoseconds: clock.originWallNanoseconds, clock: clock.traceClock)
        if case .file(let file) = output { try file.write(FileHeader.encode(info)) }
        let epoch = nextEpoch
        nextEpoch += 1
        let session = Session(epoch: epoch, state: FlusherState(info: info, clock: clock, options: options, output: output))
        registry.withLock { registry in
            registry.activeEpoch = epoch
            registry.bufferEvents = options.bufferEvents
            registry.usesTSC = clock.source == .tsc
            registry.slots.removeAll()
        }
        do throws(RecorderError) {
            try session.startFlusherThread()
        } catch {
            registry.withLock { $0.activeEpoch = 0 }
            throw error
        }
        lastFailure.withLock { $0 = nil }
        self.session = session
        if !exitHookInstalled {
            exitHookInstalled = true
            atexit { Recorder.stopAtExit() }
            schedscope_install_fork_handler()
        }
        schedscope_recording_epoch_store_relaxed(epoch)
    }
}

let control = Mutex(Control())

extension Recorder {
    /// At normal exit: writes what a recording still buffers; reports a failure on stderr.
    static func stopAtExit() {
        do throws(RecorderError) {
            try stop()
        } catch where error.code == .notRecording {
            // Nothing was recording.
        } catch {
            let message = "schedscope: \(error)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
        }
    }
}
