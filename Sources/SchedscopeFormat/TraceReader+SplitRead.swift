import SchedscopeModel

/// Reading a trace in time order on two threads that each read whole segments.
///
/// Why: the three-stage reader splits each event's work between threads (inflate and
/// decode, merge, consume), so every event crosses cores twice, and on this machine each
/// stage then runs 35–45 % slower than on one core (docs/BENCHMARKS.md, "Two cores without
/// segments"). Here a segment (a run of whole generations, `planSegments`) is read start to
/// finish by one thread — inflating, decoding and merging with no hand-over — and only the
/// helper's merged batches cross to the caller, which consumes every segment in file order:
/// its own as it reads them, the helper's from a ring (`SegmentRelay`). Which thread reads
/// which segment follows how long each waited for the other.
///
/// Exactness: as for `reduceSegments`, each segment's reader starts with the state a
/// whole-file read has there, and the caller appends the segments' reports in file order,
/// so the events, their order, the report and the strings are a whole-file read's.
extension TraceReader {
    /// Streams every event in time order as `forEachBatch(parallel: true)` does, when the
    /// trace splits into enough segments. - Returns: false, with nothing read, when it
    /// does not (or its chunk headers cannot be planned from; the read in one piece then
    /// reports why, in place), or when the helper thread cannot be started.
    func readSplit(_ body: (UnsafeBufferPointer<Event>) throws -> Void) throws -> Bool {
        let limits = splitLimits
        guard let plan = try? planSegments(
            threads: 2, maxEventsPerSegment: limits.maxEventsPerSegment, minEventsPerSegment: limits.minEventsPerSegment),
            plan.count >= limits.minSegments else { return false }
        let starts = SegmentStarts(plan)
        let whole = UncheckedReader(self)
        let relay = SegmentRelay(
            segments: starts.count, slots: Self.ringSlots(for: plan, limit: limits.slots), capacity: Self.batchSize,
            callerReads: limits.callerReads.map { callerReads in (0..<starts.count).map(callerReads) })
        guard let helper = BackgroundThread(starter: threadStarter, {
            Self.runHelper(relay, starts: starts, whole: whole.value)
        }) else { return false }
        var failure: (any Error)?
        do {
            try consumeSegments(starts, relay: relay, body)
        } catch {
            failure = error
        }
        relay.stop()
        helper.join()
        if let failure { throw failure }
        return true
    }

    /// Slots enough for the helper to read about two segments ahead (the largest declared),
    /// within `limit`: a trace of small generations costs a small ring.
    static func ringSlots(for plan: [TraceSegmentStart], limit: Int) -> Int {
        let largest = plan.map(\.declaredEvents).max() ?? 0
        let (twice, overflow) = largest.multipliedReportingOverflow(by: 2)
        let wanted = overflow ? UInt64.max : twice / UInt64(batchSize) + 2
        return Int(min(UInt64(max(1, limit)), wanted))
    }

    /// The caller's side: every segment in order, read here or taken from the relay.
    private func consumeSegments(
        _ starts: SegmentStarts, relay: SegmentRelay, _ body: (UnsafeBufferPointer<Event>) throws -> Void
    ) throws {
        streaming = true
        defer { streaming = false }
        let output = UnsafeMutablePointer<Event>.allocate(capacity: Self.batchSize)
        defer { output.deallocate() }
        var readHere = 0
        defer { lastSplit = (starts.count, readHere) }
        for index in 0..<starts.count {
            // The strings as a whole-file read has them at the segment's first chunk.
            published = starts[index].strings
            if relay.claimForCaller(index) {
                readHere += 1
                let segment = starts.reader(index, of: self)
                defer { absorb(segment) }
                try segment.readAll(into: output, decodeAhead: false) { batch in
                    published = segment.building
                    try body(batch)
                    return output
                }
            } else {
                try consumeHelperSegment(relay, body)
            }
        }
    }

    /// Consumes the helper's batches of one segment, then takes over its reader's findings.
    private func consumeHelperSegment(_ relay: SegmentRelay, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        var ended = false
        while !ended {
            let item = relay.take()
            defer { relay.release() }
            switch item {
            case .batch(let batch, let snapshot):
                if let snapshot { published = snapshot }
                try body(batch)
            case .segmentEnd(let segment, let error):
                ended = true
                absorb(segment)
                if let error { throw error }
            }
        }
    }

    /// The helper's side: claims segments and reads them into the relay until none is left,
    /// the caller stops, or a segment fails (its error goes to the caller after its batches).
    private static func runHelper(_ relay: SegmentRelay, starts: SegmentStarts, whole: TraceReader) {
        while let index = relay.claimForHelper() {
            let segment = starts.reader(index, of: whole)
            do {
                try segment.readAll(into: relay.acquire(), decodeAhead: false) { batch in
                    relay.publish(count: batch.count, strings: segment.takeStringsSnapshot())
                    return try relay.acquire()
                }
                try relay.publishEnd(segment, nil)
            } catch is SegmentRelay.Stopped {
                return
            } catch {
                try? relay.publishEnd(segment, error)
                return
            }
        }
    }

    /// Takes over what a segment's read found, as `reduceSegments` does: appended in file
    /// order, the reports and the last strings are a whole-file read's.
    private func absorb(_ segment: TraceReader) {
        report.append(segment.report)
        building = segment.building
        totalStringBytes = segment.totalStringBytes
        endChunkFound = segment.endChunkFound
    }
}

/// How a split read plans and shares its segments. Tests shrink them, so that small traces
/// split, and fix who reads which segment.
package struct SplitReadLimits: Sendable {
    /// Segments of about this many events at most: small enough that the ring holds what
    /// the helper reads while the caller reads a segment of its own. (A segment is whole
    /// generations: the synthetic traces' generations hold about a million events each.)
    package var maxEventsPerSegment: UInt64 = 1_000_000
    package var minEventsPerSegment: UInt64 = TraceReader.defaultMinEventsPerSegment
    /// Fewer segments than this and the threads cannot share the reading evenly; the
    /// three-stage reader does better.
    package var minSegments = 4
    /// At most this many slots of `batchSize` events in the ring (96 MB of events). The ring
    /// holds what the helper reads ahead while the caller reads a segment of its own: about
    /// two of the largest segments (`ringSlots`), mapped only as the helper fills them. With
    /// one segment's worth the helper stalled and `analyze` kept only half its gain
    /// (docs/BENCHMARKS.md, "Reading in shared segments").
    package var slots = 128
    /// Whether the caller reads segment `n` (else the helper): fixed in advance for tests;
    /// nil to decide as the read goes.
    package var callerReads: (@Sendable (Int) -> Bool)?

    package init() {}
}
