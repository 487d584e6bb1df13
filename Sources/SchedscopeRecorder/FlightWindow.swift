import SchedscopeModel

/// The generations a flight recording keeps in memory: the longest run of newest
/// generations that ended at most `maxAgeNanoseconds` ago and fit in `maxBytes`.
struct FlightWindow {
    struct Generation {
        var summary: GenerationSummary
        /// The generation's events chunks, headers included, in write order.
        var bytes: [UInt8]
        /// When it started (the previous generation's end), nanoseconds since the trace start.
        var startNanoseconds: UInt64
        /// The ranges open when it started.
        var openAtStart: OpenRanges
    }

    private(set) var generations: [Generation] = []
    private(set) var totalBytes = 0
    let maxBytes: Int
    let maxAgeNanoseconds: UInt64

    init(maxBytes: Int, maxAgeNanoseconds: UInt64) {
        self.maxBytes = maxBytes
        self.maxAgeNanoseconds = maxAgeNanoseconds
    }

    /// Adds the generation that just ended and drops what falls out of the window.
    mutating func append(_ generation: Generation, now: UInt64) {
        generations.append(generation)
        totalBytes += generation.bytes.count
        prune(now: now)
    }

    /// Drops the oldest generations while the window is over its size, or they ended more
    /// than `maxAgeNanoseconds` before `now`.
    mutating func prune(now: UInt64) {
        var dropped = 0
        var bytes = totalBytes
        while dropped < generations.count {
            let oldest = generations[dropped]
            let age = now >= oldest.summary.endNanoseconds ? now - oldest.summary.endNanoseconds : 0
            guard bytes > maxBytes || age > maxAgeNanoseconds else { break }
            bytes -= oldest.bytes.count
            dropped += 1
        }
        generations.removeFirst(dropped)
        totalBytes = bytes
    }
}
