// Hooks for the package's own tests: they make drops and slot reclamation observable
// without timing.
extension Recorder {
    /// Runs `body` while the flusher cannot drain (its lock is held), so a test can fill a
    /// ring and drop events deterministically. Emitting threads are not affected.
    package static func withFlusherPaused<T: Sendable>(_ body: () -> T) -> T {
        let session = control.withLock { $0.session }
        guard let session else { return body() }
        return session.flusher.withLock { _ in body() }
    }

    /// Thread slots allocated and not yet freed.
    package static var liveThreadSlots: Int { registry.withLock { $0.liveSlots } }
}

extension Recorder {
    /// Drains every ring once, as the flusher does between generation ends (without ending one).
    package static func drainOnce() {
        let session = control.withLock { $0.session }
        _ = session?.perform { (state: inout sending FlusherState) throws(RecorderError) in try state.step() }
    }
}
