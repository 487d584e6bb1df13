import CSchedscopeExecutor
import SchedscopeModel

/// What `spawn` tells the executor about the task it is creating. `Task.init` enqueues the
/// new task synchronously on the creating thread, so a thread-local word carries it from
/// `spawn` to `TaskTracker.jobEnqueued`: bit 63 set, label in bits 0–31, region in 32–62.
struct PendingSpawn {
    var label: StringID
    var region: UInt32?

    private static let present: UInt64 = 1 << 63
    private static let hasRegion: UInt64 = 1 << 62

    /// Sets the calling thread's pending spawn; returns the previous word for `restore`.
    /// (Not a closure-taking helper: the task's operation is `sending` and may not be
    /// captured by another closure.)
    static func set(label: StringID, region: UInt32?) -> UInt64 {
        var word = present | UInt64(label.rawValue)
        if let region { word |= hasRegion | (UInt64(region & 0x3FFF_FFFF) << 32) }
        let previous = schedscope_pending_spawn()
        schedscope_set_pending_spawn(word)
        return previous
    }

    static func restore(_ previous: UInt64) { schedscope_set_pending_spawn(previous) }

    /// Takes the calling thread's pending spawn, if any (the first enqueue consumes it).
    static func take() -> PendingSpawn? {
        let word = schedscope_pending_spawn()
        guard word & present != 0 else { return nil }
        schedscope_set_pending_spawn(0)
        let region: UInt32? = word & hasRegion != 0 ? UInt32((word >> 32) & 0x3FFF_FFFF) : nil
        return PendingSpawn(label: StringID(rawValue: UInt32(truncatingIfNeeded: word)), region: region)
    }
}
