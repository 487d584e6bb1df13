import SchedscopeFormat
import SchedscopeModel
import Synchronization

/// The flusher's view of one emitting thread: its encoder, and the P and task the thread
/// holds, which fill in the fields the emit path leaves out.
struct ThreadStream {
    let slot: SlotReference
    var encoder: ThreadChunkEncoder
    var proc = ProcID.none
    var task = TaskID.none
    /// The last timestamp given to this thread's events (timestamps never go backwards).
    var lastNanoseconds: UInt64 = 0

    init(slot: SlotReference) {
        self.slot = slot
        encoder = ThreadChunkEncoder(thread: slot.pointer.pointee.thread)
    }
}

/// Everything the flusher owns: the per-thread encoders, the generation being built, and
/// where chunks go (a file, or a flight recording's window). Guarded by the session's lock,
/// so the flusher thread and `flush()`/`dump(to:)`/`stop()` callers take turns; the emitting
/// threads never take it.
struct FlusherState {
    enum Output {
        case file(TraceFile)
        case flight(FlightWindow)
    }

    /// Decoded payload bytes after which a thread's chunk is written (the format's 64 KiB).
    static let chunkBytes = 64 << 10
    /// Pending file bytes after which a drain pass writes them out.
    static let writeBatchBytes = 1 << 20
    /// Strings per strings-chunk batch (in bytes of UTF-8, roughly).

    let info: TraceInfo
    let clock: RecorderClock
    let options: RecorderOptions
    var output: Output
    private let deflater: Deflater?

    private var streams: [ThreadStream] = []
    private var streamIndex: [SlotReference: Int] = [:]

    private(set) var generation: UInt32 = 0
    private var generationEvents = 0
    private var generationStoredBytes = 0
    private var generationDecodedBytes = 0
    private var generationDeadline: UInt64
    /// Chunk bytes not yet written (file) or of the generation being built (flight).
    private var pending: [UInt8] = []
    /// The next string id to write in a strings chunk (file recordings).
    private var nextStringToWrite = 1
    private var stringChunkSequence: UInt32 = 0
    private(set) var summary = RecordingSummary()
    /// Set when a write failed; recording has stopped.
    var failure: RecorderError?
    /// Flight recordings end a generation when its chunks reach this size.
    private let flightGenerationBytes: Int
    /// Flight recordings: the ranges open now (as far as drained), and at the start of the
    /// generation being built, and when it started.
    private var openRanges = OpenRanges()
    private var openAtGenerationStart = OpenRanges()
    private var generationStartNanoseconds: UInt64 = 0

    init(info: TraceInfo, clock: RecorderClock, options: RecorderOptions, output: Output) {
        self.info = info
        self.clock = clock
        self.options = options
        self.output = output
        deflater = options.compressionLevel > 0
            ? Deflater(level: Int32(options.compressionLevel), library: options.deflateLibrary) : nil
        summary.compressedWithLibdeflate = deflater?.usesLibdeflate ?? false
        generationDeadline = options.generationInterval.nanosecondsClamped
        if case .flight(let window) = output {
            flightGenerationBytes = max(window.maxBytes / 8, 4096)
        } else {
            flightGenerationBytes = .max
        }
        pending.reserveCapacity(Self.writeBatchBytes + (Self.chunkBytes << 1))
    }

    var isFlight: Bool {
        if case .flight = output { return true }
        return false
    }

    /// Nanoseconds until the current generation must end (0 if overdue).
    func nanosecondsUntilGenerationEnd() -> UInt64 {
        let now = clock.nanoseconds(clock.readRaw())
        return generationDeadline > now ? generationDeadline - now : 0
    }

    // MARK: - The flusher's periodic work

    /// Drains every ring, writes what is complete, and ends the generation when it is due.
    ///
    /// A backlog larger than what is left of the generation's budget (`generationBytes`
    /// decoded, or an eighth of a flight window) is first split into generations at time
    /// cuts, so that no generation outgrows its budget however far the flusher fell behind.
    mutating func step() throws(RecorderError) {
        try splitBacklog(atMost: 64)
        try drainAll(cut: nil)
        let now = clock.nanoseconds(clock.readRaw())
        if now >= generationDeadline || generationDecodedBytes >= options.generationBytes
            || generationStoredBytes >= flightGenerationBytes {
            _ = try endGeneration(cut: clock.readRaw())
        } else {
            try writePending()
        }
    }

    /// Ends the generation now (see `endGeneration(cut:)`), after cutting a backlog larger
    /// than its budget into generations first, as `step` does.
    ///
    /// Why: `flush` and `dump(to:)` may come right after a burst the flusher has not drained
    /// yet. As one generation, a flight recording's backlog could outgrow the window, which
    /// then keeps nothing: the dump was empty.
    /// - Returns: the last generation that ended.
    mutating func endGenerationNow() throws(RecorderError) -> GenerationSummary {
        // Bounded, since producers may go on emitting meanwhile: 4,096 generations of a
        // thousand events or more each (a budget is at least 4 KiB) hold more than the rings.
        try splitBacklog(atMost: 4_096)
        return try endGeneration(cut: clock.readRaw())
    }

    /// Ends generations at time cuts while the rings hold more than the current generation
    /// may still take, at most `limit` of them. Each cut drains at least the oldest record.
    private mutating func splitBacklog(atMost limit: Int) throws(RecorderError) {
        var splits = 0
        while splits < limit, let cut = splitCut() {
            _ = try endGeneration(cut: cut)
            splits += 1
        }
    }

    /// Ends the generation at `cut`, a raw clock reading taken before this call: every
    /// thread's events stamped up to the cut are written, later ones stay in the rings for
    /// the next generation. A nil cut drains everything (the recording is ending).
    ///
    /// A cut makes generations a partition in time. An event stamped before the cut but
    /// published after its thread was drained (the thread was between reading the clock and
    /// publishing) lands in the next generation together with everything that happened
    /// because of it, since anything another thread did in reaction is stamped after that
    /// publication, which is after the drain, which is after the cut.
    mutating func endGeneration(cut: UInt64?) throws(RecorderError) -> GenerationSummary {
        let cutRaw = cut ?? clock.readRaw()
        try drainAll(cut: cut)
        let cutNanoseconds = clock.nanoseconds(cutRaw)
        // Drops that no `lost` event reported yet: report them now, at the cut.
        for index in streams.indices {
            // Relaxed: a count published with nothing else (see `ThreadSlot.dropped`).
            let lost = streams[index].slot.pointer.pointee.dropped.exchange(0, ordering: .relaxed)
            if lost > 0 {
                let stream = streams[index]
                let timestamp = max(stream.lastNanoseconds, cutNanoseconds)
                try append(
                    Event(kind: .lost, timestamp: timestamp, thread: stream.encoder.thread, proc: stream.proc,
                          task: stream.task, argument1: lost),
                    to: index)
                streams[index].lastNanoseconds = timestamp
            }
        }
        for index in streams.indices where !streams[index].encoder.isEmpty {
            try emitChunk(of: index)
        }
        let ended = GenerationSummary(
            number: generation, events: generationEvents, bytes: generationStoredBytes,
            endNanoseconds: max(cutNanoseconds, streams.map(\.lastNanoseconds).max() ?? 0))
        switch output {
        case .file:
            try writePending()
        case .flight(var window):
            if ended.events > 0 {
                window.append(
                    FlightWindow.Generation(
                        summary: ended, bytes: pending, startNanoseconds: generationStartNanoseconds,
                        openAtStart: openAtGenerationStart),
                    now: ended.endNanoseconds)
                openAtGenerationStart = openRanges.snapshot()
                generationStartNanoseconds = ended.endNanoseconds
            } else {
                window.prune(now: ended.endNanoseconds)
            }
            pending.removeAll(keepingCapacity: true)
            output = .flight(window)
        }
        if ended.events > 0 {
            generation &+= 1
            summary.generations += 1
        }
        generationEvents = 0
        generationStoredBytes = 0
        generationDecodedBytes = 0
        generationDeadline = clock.nanoseconds(clock.readRaw()) &+ options.generationInterval.nanosecondsClamped
        reapRetiredThreads()
        return ended
    }

    /// Ends the recording: the last generation, then the file is closed.
    mutating func finish() throws(RecorderError) -> RecordingSummary {
        _ = try endGeneration(cut: nil)
        if case .file(let file) = output {
            try file.write(EndChunk.encode(generation: generation, eventsWritten: summary.events))
            try file.close()
            summary.fileBytes = file.bytesWritten
        }
        return summary
    }

    // MARK: - Splitting a backlog

    /// Events the current generation may still take: its budget over the bytes per event
    /// seen so far (4 before there is a history: an uncompressed scheduler mix).
    private func generationEventBudget() -> Int {
        let events = max(summary.events, 1)
        let decodedPerEvent = summary.events >= 4096 ? max(1, Int(summary.decodedEventBytes / events)) : 4
        let storedPerEvent = summary.events >= 4096 ? max(1, Int(summary.storedEventBytes / events)) : 4
        var budget = options.generationBytes / decodedPerEvent
        if flightGenerationBytes != .max { budget = min(budget, flightGenerationBytes / storedPerEvent) }
        return max(1, budget - generationEvents)
    }

    /// A cut (raw clock) below which the rings hold about what the generation may still
    /// take, or nil when the whole backlog fits. The records of each ring are in time order,
    /// so the count below a time is a binary search per ring, and the cut a binary search
    /// over time.
    private func splitCut() -> UInt64? {
        let budget = generationEventBudget()
        let slots = registry.withLock { $0.slots }
        var rings: [(records: UnsafeRawPointer, mask: Int, tail: Int, head: Int)] = []
        var backlog = 0
        for slot in slots {
            let pointer = slot.pointer
            // Acquire: pairs with the producer's release store of `head`.
            let head = pointer.pointee.head.load(ordering: .acquiring)
            // Relaxed: only the flusher (under its lock, which this caller holds) writes `tail`.
            let tail = pointer.pointee.tail.load(ordering: .relaxed)
            guard head != tail else { continue }
            rings.append((UnsafeRawPointer(pointer.pointee.records), pointer.pointee.mask, tail, head))
            backlog += head &- tail
        }
        guard backlog > budget else { return nil }
        func clock(_ ring: (records: UnsafeRawPointer, mask: Int, tail: Int, head: Int), _ index: Int) -> UInt64 {
            ring.records.load(fromByteOffset: (index & ring.mask) &<< RawRecord.sizeShift, as: UInt64.self)
        }
        func countAtOrBefore(_ time: UInt64) -> Int {
            var total = 0
            for ring in rings {
                var low = ring.tail, high = ring.head
                while low < high {
                    let middle = low + (high - low) / 2
                    if clock(ring, middle) <= time { low = middle + 1 } else { high = middle }
                }
                total += low - ring.tail
            }
            return total
        }
        var low = rings.map { clock($0, $0.tail) }.min() ?? 0
        var high = rings.map { clock($0, $0.head &- 1) }.max() ?? 0
        // The latest time whose count fits the budget; at least the oldest record's time.
        while low < high {
            let middle = low + (high - low + 1) / 2
            if countAtOrBefore(middle) <= budget { low = middle } else { high = middle - 1 }
        }
        return low
    }

    // MARK: - Draining

    private mutating func drainAll(cut: UInt64?) throws(RecorderError) {
        let slots = registry.withLock { $0.slots }
        for slot in slots {
            let index: Int
            if let known = streamIndex[slot] {
                index = known
            } else {
                index = streams.count
                streams.append(ThreadStream(slot: slot))
                streamIndex[slot] = index
                summary.threads += 1
            }
            try drain(index, cut: cut)
        }
    }

    /// Moves one thread's published records into its encoder, up to `cut` (raw clock),
    /// writing each chunk as it fills.
    private mutating func drain(_ index: Int, cut: UInt64?) throws(RecorderError) {
        let slot = streams[index].slot.pointer
        // Acquire: pairs with the producer's release store of `head`, so every record
        // before it is completely written.
        let head = slot.pointee.head.load(ordering: .acquiring)
        while true {
            // One access to the thread's stream for a whole batch of records: going through
            // `streams[index]` per event cost a uniqueness check and a bounds check each.
            let batch = Self.drainBatch(
                &streams[index], upTo: head, cut: cut, clock: clock,
                tracksRanges: flightGenerationBytes != .max, ranges: &openRanges)
            generationEvents += batch.events
            summary.events += UInt64(batch.events)
            summary.lostEvents &+= batch.lostReported
            guard batch.chunkIsFull else { return }
            try emitChunk(of: index)
            if pending.count >= Self.writeBatchBytes, case .file = output { try writePending() }
        }
    }

    /// What one `drainBatch` did.
    private struct DrainedBatch {
        var events = 0
        /// The counts of the `lost` events among them.
        var lostReported: UInt64 = 0
        /// It stopped because the thread's chunk reached `chunkBytes` (more may follow).
        var chunkIsFull = false
    }

    /// Decodes and encodes one thread's records from its `tail` up to `head` (or the first
    /// one after `cut`, or a full chunk), then publishes the new `tail`. Static, with the
    /// stream `inout`: a method would borrow `self` while `streams[index]` is modified, and
    /// the copy of `self` that forces would copy the thread's payload at every event.
    private static func drainBatch(
        _ stream: inout ThreadStream, upTo head: Int, cut: UInt64?, clock: RecorderClock,
        tracksRanges: Bool, ranges: inout OpenRanges
    ) -> DrainedBatch {
        let slot = stream.slot.pointer
        // Relaxed: only the flusher (under its lock) writes `tail`.
        var tail = slot.pointee.tail.load(ordering: .relaxed)
        let records = UnsafeRawPointer(slot.pointee.records)
        let mask = slot.pointee.mask
        let cutClock = cut ?? .max
        var batch = DrainedBatch()
        var sinceRelease = 0
        while tail != head {
            let record = RawRecord.load(from: records + ((tail & mask) &<< RawRecord.sizeShift))
            if record.clock > cutClock { break }
            tail &+= 1
            sinceRelease &+= 1
            if sinceRelease >= 4096 {
                // Release: the reads above happen before the producer reuses the space.
                slot.pointee.tail.store(tail, ordering: .releasing)
                sinceRelease = 0
            }
            guard let event = decode(record, clock: clock, stream: &stream) else { continue }
            let payloadBytes = stream.encoder.append(event)
            if tracksRanges { ranges.apply(event) }
            batch.events &+= 1
            if event.kind == .lost { batch.lostReported &+= event.argument1 }
            if payloadBytes >= chunkBytes {
                batch.chunkIsFull = true
                break
            }
        }
        // Release: as above.
        slot.pointee.tail.store(tail, ordering: .releasing)
        return batch
    }

    /// The event a record stands for, with the thread's P and task filled in. (Static: a
    /// method would borrow `self` while `streams[index]` is modified, and the copy of `self`
    /// that forces would make every append copy the thread's payload.)
    private static func decode(_ record: RawRecord.Loaded, clock: RecorderClock, stream: inout ThreadStream) -> Event? {
        guard let kind = EventKind(rawValue: record.kind) else { return nil }
        let timestamp = max(clock.nanoseconds(record.clock), stream.lastNanoseconds)
        stream.lastNanoseconds = timestamp
        var event = Event(kind: kind, timestamp: timestamp, thread: stream.encoder.thread, proc: stream.proc, task: stream.task)
        switch kind {
        case .procStart:
            event.proc = ProcID(rawValue: record.c)
            stream.proc = event.proc
        case .procStop:
            event.proc = ProcID(rawValue: record.c)
            stream.proc = .none
        case .procSteal:
            event.proc = ProcID(rawValue: record.c)
            event.argument1 = record.b
            event.argument2 = record.a
        case .taskCreate:
            event.task = TaskID(rawValue: record.a)
            event.argument1 = record.b
            event.argument2 = UInt64(record.c)
            event.flags = record.flags & RawRecord.Flags.runtimeTask
        case .taskStart:
            event.task = TaskID(rawValue: record.a)
            event.proc = ProcID(rawValue: record.c)
            stream.task = event.task
            if event.proc.isSome { stream.proc = event.proc }
        case .taskYield, .taskPreempt, .taskEnd:
            event.task = TaskID(rawValue: record.a)
            stream.task = .none
        case .taskPark:
            event.task = TaskID(rawValue: record.a)
            event.argument1 = UInt64(record.c)
            stream.task = .none
        case .taskUnpark:
            event.task = TaskID(rawValue: record.a)
            event.argument1 = record.b
        case .gcBegin, .gcEnd, .lost:
            event.argument1 = record.a
        case .gcPauseBegin, .gcPauseEnd:
            event.argument1 = UInt64(record.c)
        case .regionBegin, .regionEnd:
            if record.flags & RawRecord.Flags.explicitTask != 0 { event.task = TaskID(rawValue: record.a) }
            event.argument1 = UInt64(record.c)
        case .log:
            event.argument1 = UInt64(record.c)
            event.argument2 = record.a
        }
        return event
    }

    /// Appends one event the flusher makes itself (a `lost` event at a cut).
    private mutating func append(_ event: Event, to index: Int) throws(RecorderError) {
        let payloadBytes = streams[index].encoder.append(event)
        if flightGenerationBytes != .max { openRanges.apply(event) }
        generationEvents += 1
        summary.events += 1
        if event.kind == .lost { summary.lostEvents &+= event.argument1 }
        if payloadBytes >= Self.chunkBytes {
            try emitChunk(of: index)
            if pending.count >= Self.writeBatchBytes, case .file = output { try writePending() }
        }
    }

    // MARK: - Chunks

    /// Compresses a thread's chunk into `pending` (after the strings it may use).
    private mutating func emitChunk(of index: Int) throws(RecorderError) {
        if case .file = output { appendPendingStrings() }
        let decodedCount = streams[index].encoder.payload.count
        let stored = Self.appendChunk(of: streams[index].encoder, generation: generation, deflater: deflater, to: &pending)
        streams[index].encoder.startNextChunk()
        summary.eventChunks += 1
        summary.decodedEventBytes += UInt64(decodedCount)
        summary.storedEventBytes += UInt64(stored)
        generationDecodedBytes += decodedCount
        generationStoredBytes += stored + ChunkHeader.size
    }

    /// Strings interned since the last strings chunk, as strings chunks (file recordings:
    /// they precede, in the file, every chunk whose events use them).
    private mutating func appendPendingStrings() {
        let total = internedStrings.withLock { $0.count }
        guard nextStringToWrite < total else { return }
        let entries = internedStrings.withLock { $0.entries(nextStringToWrite..<total) }
        nextStringToWrite = total
        appendStringChunks(entries, generation: generation)
    }

    mutating func appendStringChunks(_ entries: [(StringID, String)], generation: UInt32) {
        for batch in ChunkFraming.stringBatches(entries) {
            StringsCodec.encode(Array(batch)).withUnsafeBytes { payload in
                ChunkFraming.frame(
                    payload, type: .strings, generation: generation, sequence: stringChunkSequence,
                    itemCount: UInt32(batch.count), deflater: deflater
                ) { header, stored in Self.append(header, stored, to: &pending) }
            }
            stringChunkSequence += 1
            summary.stringChunks += 1
        }
    }

    /// Appends an encoder's events chunk to `output`; returns the stored payload size.
    /// (Static, taking `output` inout: see `drainBatch`.)
    private static func appendChunk(
        of encoder: ThreadChunkEncoder, generation: UInt32, deflater: Deflater?, to output: inout [UInt8]
    ) -> Int {
        ChunkFraming.frame(encoder, generation: generation, deflater: deflater) { header, stored in
            append(header, stored, to: &output)
            return stored.count
        }
    }

    private static func append(_ header: ChunkHeader, _ stored: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(contentsOf: header.encode())
        output.append(contentsOf: stored)
    }

    /// Writes `pending` to the file (file recordings; flight recordings keep it).
    private mutating func writePending() throws(RecorderError) {
        guard case .file(let file) = output, !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        try file.write(pending)
    }

    // MARK: - Threads that exited

    /// Frees the slots of exited threads whose events are all written.
    private mutating func reapRetiredThreads() {
        let finished = streams.indices.filter { index in
            let slot = streams[index].slot.pointer
            // Relaxed `tail`: the flusher's own. Acquire `head`: pairs with the producer's
            // release, so "no unread record" also means none is half-written.
            return streams[index].encoder.isEmpty
                && slot.pointee.tail.load(ordering: .relaxed) == slot.pointee.head.load(ordering: .acquiring)
        }
        guard !finished.isEmpty else { return }
        let freed: Set<SlotReference> = registry.withLock { registry in
            var freed = Set<SlotReference>()
            for index in finished {
                let slot = streams[index].slot
                // Retired (under this lock) means the thread is gone; look at `head` again,
                // since it may have published a last record after the check above.
                guard slot.pointer.pointee.retired,
                      slot.pointer.pointee.tail.load(ordering: .relaxed) == slot.pointer.pointee.head.load(ordering: .acquiring)
                else { continue }
                registry.slots.removeAll { $0 == slot }
                ThreadSlot.free(slot.pointer)
                registry.liveSlots -= 1
                freed.insert(slot)
            }
            return freed
        }
        guard !freed.isEmpty else { return }
        streams.removeAll { freed.contains($0.slot) }
        streamIndex = Dictionary(uniqueKeysWithValues: streams.enumerated().map { ($1.slot, $0) })
    }

    // MARK: - Flight recordings

    /// Ends the generation and writes the window to `path`: the file header, every string
    /// interned so far, and the window's generations.
    mutating func dump(to path: String) throws(RecorderError) -> FlightDump {
        let ended = try endGenerationNow()
        guard case .flight(var window) = output else {
            throw RecorderError(code: .notFlightRecording, reason: "dump(to:) needs a flight recording")
        }
        window.prune(now: ended.endNanoseconds)
        output = .flight(window)
        let file = try TraceFile(creating: path)
        try file.write(FileHeader.encode(info))
        let strings = internedStrings.withLock { $0.entries(1..<$0.count) }
        let firstGeneration = window.generations.first?.summary.number ?? generation
        let savedPending = pending
        pending.removeAll(keepingCapacity: true)
        appendStringChunks(strings, generation: firstGeneration)
        // Ranges open where the window starts are opened again there, on thread 0.
        var reopened = 0
        if let first = window.generations.first, !first.openAtStart.isEmpty {
            var encoder = ThreadChunkEncoder(thread: .unknown)
            for event in first.openAtStart.prologue(at: first.startNanoseconds) {
                encoder.append(event)
                reopened += 1
            }
            _ = Self.appendChunk(of: encoder, generation: firstGeneration, deflater: deflater, to: &pending)
        }
        let prefixBytes = pending
        pending = savedPending
        try file.write(prefixBytes)
        for kept in window.generations { try file.write(kept.bytes) }
        let dumped = window.generations.reduce(reopened) { $0 + $1.summary.events }
        try file.write(EndChunk.encode(generation: generation, eventsWritten: UInt64(dumped)))
        try file.close()
        return FlightDump(
            generations: window.generations.map(\.summary), nanoseconds: ended.endNanoseconds,
            fileBytes: file.bytesWritten, reopenedRanges: reopened)
    }
}
