import CSchedscopeRecorder
import SchedscopeModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One recording, from `start` to `stop`: its flusher thread and the flusher's state.
final class Session: Sendable {
    let epoch: UInt64
    let isFlight: Bool
    /// What the flusher owns; the flusher thread and the control calls take turns.
    let flusher: Mutex<FlusherState>
    /// Set (release) by `stop()`; the flusher thread acquires it to see the request.
    private let stopRequested = Atomic<Bool>(false)
    private let drainIntervalNanoseconds: UInt64
    /// The flusher thread, once started.
    private let thread = Mutex<pthread_t?>(nil)
    /// The process that started the recording (a forked child inherits the session but not
    /// its flusher thread, and must not write to the parent's file).
    let ownerProcess = getpid()

    init(epoch: UInt64, state: sending FlusherState) {
        self.epoch = epoch
        isFlight = state.isFlight
        drainIntervalNanoseconds = max(state.options.drainInterval.nanosecondsClamped, 100_000)
        flusher = Mutex(state)
    }

    // MARK: - The flusher thread

    func startFlusherThread() throws(RecorderError) {
        switch SchedscopeModel.startThread({ self.runFlusher() }) {
        case .success(let handle):
            thread.withLock { $0 = handle }
        case .failure(let error):
            throw RecorderError(
                code: .cannotStartThread, reason: "cannot start the flusher thread",
                cause: RecorderError.systemMessage(error.errorNumber))
        }
    }

    private func runFlusher() {
        schedscope_name_current_thread("schedscope-flush")
        // Acquire (both loads): pairs with `finish()`'s release store.
        while !stopRequested.load(ordering: .acquiring) {
            let untilGeneration = flusher.withLock { $0.nanosecondsUntilGenerationEnd() }
            _ = schedscope_flusher_wait(max(1, min(drainIntervalNanoseconds, untilGeneration)))
            if stopRequested.load(ordering: .acquiring) { break }
            guard perform({ (state: inout sending FlusherState) throws(RecorderError) in try state.step() }) != nil else { break }
        }
    }

    /// Runs `body` on the flusher state; a failure stops the recording and is kept.
    /// - Returns: nil if the recording has failed (now or before).
    func perform<T: Sendable>(_ body: (inout sending FlusherState) throws(RecorderError) -> T) -> T? {
        let outcome: Result<T, RecorderError>? = flusher.withLock { state in
            if state.failure != nil { return nil }
            do throws(RecorderError) {
                return .success(try body(&state))
            } catch {
                state.failure = error
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let value)?:
            return value
        case .failure(let error)?:
            recordingFailed(error)
            return nil
        case nil:
            return nil
        }
    }

    /// Stops emitting, keeps `error` for the host, and lets the flusher thread end.
    private func recordingFailed(_ error: RecorderError) {
        if schedscope_recording_epoch_load_relaxed() == epoch { schedscope_recording_epoch_store_relaxed(0) }
        registry.withLock { registry in
            if registry.activeEpoch == epoch { registry.activeEpoch = 0 }
        }
        lastFailure.withLock { $0 = error }
    }

    /// The failure that stopped this recording, if any.
    var failure: RecorderError? { flusher.withLock { $0.failure } }

    // MARK: - Ending

    /// Stops emitting, waits for the flusher thread, writes the rest and closes the file.
    func finish() throws(RecorderError) -> RecordingSummary {
        schedscope_recording_epoch_store_relaxed(0)
        guard getpid() == ownerProcess else {
            // A forked child: the flusher thread and the file are the parent's; the threads'
            // slots are free for a recording of the child's own.
            ThreadSlots.releaseAll()
            throw RecorderError(
                code: .notRecording,
                reason: "the recording belongs to process \(ownerProcess); this forked child (\(getpid())) does not record")
        }
        registry.withLock { $0.activeEpoch = 0 }
        // Release: pairs with the flusher thread's acquire load.
        stopRequested.store(true, ordering: .releasing)
        schedscope_flusher_wake()
        if let handle = thread.withLock({ $0 }) {
            pthread_join(handle, nil)
        }
        let outcome: Result<RecordingSummary, RecorderError> = flusher.withLock { state in
            if let failure = state.failure {
                if case .file(let file) = state.output { try? file.close() }
                return .failure(failure)
            }
            do throws(RecorderError) {
                return .success(try state.finish())
            } catch {
                state.failure = error
                return .failure(error)
            }
        }
        ThreadSlots.releaseAll()
        if case .failure(let error) = outcome { lastFailure.withLock { $0 = error } }
        return try outcome.get()
    }
}

/// The failure that stopped the latest recording, if any (cleared by `start`).
let lastFailure = Mutex<RecorderError?>(nil)
