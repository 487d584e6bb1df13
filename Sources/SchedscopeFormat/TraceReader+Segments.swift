import SchedscopeModel

/// Where a segment of a trace starts, and what a whole-file read knows on reaching it.
struct TraceSegmentStart: Sendable {
    /// File offset of the segment's first chunk: the first chunk of a generation.
    var offset: UInt64
    /// That chunk's ordinal among the file's chunk headers.
    var chunkIndex: Int
    /// The strings defined before it, the bytes they hold, and whether an end chunk came
    /// before it: a whole-file read's state there, so that the segment reports the same
    /// duplicates, budget overruns and missing end as that read would.
    var strings: StringTable
    var stringBytes: Int
    var endChunkFound: Bool
    /// The events the segment's chunk headers declare (a forged header may lie: a hint for
    /// sizing buffers under a cap, never a bound that reading relies on).
    var declaredEvents: UInt64 = 0
}

/// Reading a trace as consecutive segments on several threads at once.
///
/// Why: a reader's stages (inflate, decode, merge) and a consumer's analysis form one
/// sequence per event, and a pipeline over two cores could not go much past 1.2× one core
/// (docs/BENCHMARKS.md). Generations are independent units of the merge (every event of
/// generation N + 1 is at or after every event of N, FORMAT.md §5), so the file splits at
/// generation starts into segments that threads read whole — each with its own decoder and
/// merger, touching no other thread's data — and a consumer that can join the results of
/// consecutive segments (`SummaryAnalysis.append`) gets one result per segment.
///
/// Exactness: each segment's reader starts with the state a whole-file read has at its
/// first chunk (chunk ordinal, strings, string budget, whether an end chunk was met), so
/// the reports appended in order equal a whole-file read's report — damage, counts and
/// messages alike — and the consumer's joined result equals its whole-file result.
extension TraceReader {
    /// Segments of at most this many events (about): a consumer's state for a later
    /// segment may grow with the segment (`SummaryAnalysis` keeps the ids of the tasks that
    /// ended in it), so segments stay bounded however long the trace.
    public static let defaultMaxEventsPerSegment: UInt64 = 4_000_000

    /// Segments of at least this many events (about): below, starting threads and decoders
    /// costs more than the reading they share, and a trace that does not fill two is read
    /// whole.
    public static let defaultMinEventsPerSegment: UInt64 = 250_000

    /// Threads a segmented read uses by default: the processors this process may run on, at
    /// most 8. Each thread holds a reader (decode blocks, a batch) and its consumer's state,
    /// about 10 MB for `summary` (the benchmark's 8-thread pass peaks at 125 MB against 64 MB
    /// on 2), so memory grows with the threads, and well past 8 it would pass the 256 MB the
    /// analyzer keeps within on a machine with many cores.
    public static var defaultSegmentThreads: Int { min(availableProcessorCount(), 8) }

    /// Reads the trace as segments, `threads` at a time, and joins the results in order.
    ///
    /// `read` gets a reader of one segment and the segment's ordinal (0 for the first; a
    /// consumer's state for a later one must allow for what came before it); it runs on
    /// several threads at once, each on its own segment, and reads that segment on its
    /// own thread. `merge` joins the result of the segment that follows into the results
    /// joined so far, on the calling thread, in file order.
    ///
    /// Afterwards `report` and `strings` are as after a whole-file read.
    ///
    /// - Returns: nil, with nothing read, when the trace does not split (one thread, fewer
    ///   events than fill two segments of `minEventsPerSegment`, or one generation): read
    ///   it with `forEachBatch` then.
    /// - Throws: the first error of a segment (in file order), or `merge`'s.
    public func reduceSegments<Part>(
        threads: Int = TraceReader.defaultSegmentThreads,
        maxEventsPerSegment: UInt64 = TraceReader.defaultMaxEventsPerSegment,
        minEventsPerSegment: UInt64 = TraceReader.defaultMinEventsPerSegment,
        read: @escaping @Sendable (TraceReader, Int) throws -> Part,
        merge: (inout Part, Part) throws -> Void
    ) throws -> Part? {
        precondition(!consumed, "a TraceReader streams its events once")
        guard threads > 1, let starts = try planSegments(
            threads: threads, maxEventsPerSegment: maxEventsPerSegment, minEventsPerSegment: minEventsPerSegment) else {
            return nil
        }
        let whole = UncheckedReader(self)
        let segments = SegmentStarts(starts)
        // Without a thread (the system's limit), the caller reads the trace as usual.
        guard let pool = OrderedWorkPool(count: starts.count, threads: threads, window: threads + 2, work: { index in
            let segment = segments.reader(index, of: whole.value)
            return SegmentOutcome(result: Result { try read(segment, index) }, segment: segment)
        }) else { return nil }
        defer { pool.finish() }
        consumed = true
        var joined: Part?
        for index in starts.indices {
            let outcome = pool.take(index)
            report.append(outcome.segment.report)
            building = outcome.segment.building
            totalStringBytes = outcome.segment.totalStringBytes
            endChunkFound = outcome.segment.endChunkFound
            let part = try outcome.result.get()
            if joined == nil {
                joined = part
            } else {
                try merge(&joined!, part)
            }
        }
        return joined
    }

    /// Where each segment starts, or nil when the trace does not split. Two passes over the
    /// chunk headers (payloads are not read, except string chunks in the second): the first
    /// finds the generations' starts and the events before each; the second loads the
    /// strings up to each chosen start, as a whole-file read would.
    func planSegments(threads: Int, maxEventsPerSegment: UInt64, minEventsPerSegment: UInt64) throws -> [TraceSegmentStart]? {
        let (candidates, total) = try generationStarts()
        // A multiple of the threads, so that they finish together, unless that would make
        // segments smaller than the minimum.
        // Saturating: the arguments are the caller's, the counts the (possibly forged) file's.
        let (product, overflow) = max(1, maxEventsPerSegment).multipliedReportingOverflow(by: UInt64(threads))
        let perRound = overflow ? UInt64.max : product
        let rounds = total / perRound + (total % perRound == 0 ? 0 : 1)
        var segments = min(rounds, Self.maxSegments).multipliedReportingOverflow(by: UInt64(threads)).partialValue
        if segments > 0 && total / segments < minEventsPerSegment { segments = total / max(1, minEventsPerSegment) }
        segments = min(segments, Self.maxSegments)
        guard segments > 1, !candidates.isEmpty else { return nil }
        // The first generation start at or after each equal share of the events.
        var chosen: [(offset: UInt64, index: Int)] = []
        var eventsBefore: [UInt64] = [0]
        var next = 0
        for k in 1..<segments {
            let target = total / segments * k
            while next < candidates.count && candidates[next].eventsBefore < target { next += 1 }
            guard next < candidates.count else { break }
            chosen.append((candidates[next].offset, candidates[next].index))
            eventsBefore.append(candidates[next].eventsBefore)
            next += 1
        }
        guard !chosen.isEmpty, var starts = try segmentStarts(at: chosen) else { return nil }
        eventsBefore.append(max(total, eventsBefore.last!))
        for index in starts.indices { starts[index].declaredEvents = eventsBefore[index + 1] &- eventsBefore[index] }
        return starts
    }

    // Bounds on what planning holds, whatever the file: a forged one may have a generation
    // per tiny chunk, event counts that make any number of segments, and strings up to the
    // string budget (§8) that every segment's reader would start with a copy of.
    static let maxSegments: UInt64 = 256
    static let defaultCandidateLimit = 4_096
    static let defaultSnapshotStringBudget = 64 << 20

    /// Every chunk that begins a generation after the first (as a whole-file read meets
    /// them: a chunk of an older generation is skipped there, so it begins none), and the
    /// events declared before it; and the events declared in all. Past
    /// `segmentCandidateLimit` starts, every other one is dropped, and from then on only
    /// every other one is kept (then every fourth…): the kept ones stay spread over the file.
    private func generationStarts() throws -> ([(offset: UInt64, index: Int, eventsBefore: UInt64)], UInt64) {
        var scanner = ChunkScanner(source: source, start: dataStartOffset)
        var unused = ReadReport()
        var starts: [(offset: UInt64, index: Int, eventsBefore: UInt64)] = []
        var order = GenerationOrder()
        var events: UInt64 = 0
        var seen = 0
        var keepEvery = 1
        while let chunk = try scanner.next(report: &unused) {
            let previous = order.current
            switch order.place(chunk) {
            case .end, .outOfOrder: continue
            case .startsGeneration where previous != nil:
                if seen % keepEvery == 0 { starts.append((chunk.offset, chunk.index, events)) }
                seen += 1
                if starts.count >= 2 * max(1, segmentCandidateLimit) {
                    starts = stride(from: 0, to: starts.count, by: 2).map { starts[$0] }
                    keepEvery *= 2
                }
            case .startsGeneration, .inGeneration: break
            }
            if chunk.header.type == .events || chunk.header.type == .legacyEvents {
                let (sum, overflow) = events.addingReportingOverflow(UInt64(chunk.header.itemCount))
                events = overflow ? .max : sum
            }
        }
        return (starts, events)
    }

    /// The whole-file read's state at each of `chosen` (in file order), from the strings
    /// and end chunks before it; nil if the segments' copies of the strings would hold more
    /// than `segmentStringBudget` (the trace is then read whole).
    private func segmentStarts(at chosen: [(offset: UInt64, index: Int)]) throws -> [TraceSegmentStart]? {
        let head = TraceSegmentStart(offset: dataStartOffset, chunkIndex: 0, strings: StringTable(), stringBytes: 0, endChunkFound: false)
        let planner = TraceReader(segmentOf: self, start: head, end: chosen.last!.offset)
        var starts = [head]
        var scanner = ChunkScanner(source: source, start: dataStartOffset, limit: chosen.last!.offset)
        var order = GenerationOrder()
        var unused = ReadReport()
        var snapshotBytes = 0
        func snapshot(upTo offset: UInt64) {
            while starts.count <= chosen.count && chosen[starts.count - 1].offset <= offset {
                let split = chosen[starts.count - 1]
                snapshotBytes += planner.totalStringBytes
                starts.append(TraceSegmentStart(
                    offset: split.offset, chunkIndex: split.index, strings: planner.building,
                    stringBytes: planner.totalStringBytes, endChunkFound: planner.endChunkFound))
            }
        }
        while let chunk = try scanner.next(report: &unused) {
            snapshot(upTo: chunk.offset)
            // Checked as the copies are made, so that they never add up past it.
            if snapshotBytes > segmentStringBudget { return nil }
            switch order.place(chunk) {
            case .end: planner.endChunkFound = true
            case .outOfOrder: break
            case .startsGeneration, .inGeneration:
                if chunk.header.type == .strings { try planner.loadStrings(chunk) }
            }
        }
        snapshot(upTo: .max)
        return snapshotBytes <= segmentStringBudget ? starts : nil
    }
}

/// What a segment's thread hands back: the consumer's result and the segment's reader
/// (its report and strings). Unchecked: made on that thread, then only read by the caller.
private struct SegmentOutcome<Part>: @unchecked Sendable {
    let result: Result<Part, any Error>
    let segment: TraceReader
}

/// A reader handed to another thread, which uses it only as the handing thread allows: a
/// segmented or split read's workers read only its immutable fields (its byte source reads
/// with `pread`) to make segment readers; a three-stage read's producer owns it while the
/// consumer reads `published`.
struct UncheckedReader: @unchecked Sendable {
    let value: TraceReader
    init(_ value: TraceReader) { self.value = value }
}

extension ReadReport {
    /// Adds what a read of the part of the file after this one found: appending the
    /// reports of consecutive segments in order gives the whole-file read's report.
    package mutating func append(_ later: ReadReport) {
        chunksRead += later.chunksRead
        chunksCorrupt += later.chunksCorrupt
        eventsRead += later.eventsRead
        truncated = truncated || later.truncated
        bytesLost += later.bytesLost
        if let end = later.end { self.end = end }
        generations += later.generations
        for damage in later.damages {
            if damages.count < Self.maxRecordedDamages {
                damages.append(damage)
            } else {
                unrecordedDamages += 1
            }
        }
        unrecordedDamages += later.unrecordedDamages
    }
}

/// Where each segment of a segmented or split read starts; immutable, read by every thread.
struct SegmentStarts: Sendable {
    private let starts: [TraceSegmentStart]
    init(_ starts: [TraceSegmentStart]) { self.starts = starts }
    var count: Int { starts.count }
    subscript(index: Int) -> TraceSegmentStart { starts[index] }

    /// A reader of segment `index` of `whole`.
    func reader(_ index: Int, of whole: TraceReader) -> TraceReader {
        TraceReader(segmentOf: whole, start: starts[index], end: index + 1 < starts.count ? starts[index + 1].offset : nil)
    }
}
