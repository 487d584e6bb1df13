import SchedscopeModel
#if canImport(Glibc)
import Glibc
#endif

/// Reads a Schedscope trace as a stream of events in time order.
///
/// The reader walks the file one generation at a time: it scans the generation's chunk
/// headers (loading string chunks as it meets them), then merges the generation's
/// per-thread event chunks by timestamp, decoding each thread's chunks lazily in small
/// windows. Damage is survived: a chunk that fails a check is skipped and recorded in
/// `report`, and reading goes on with the next chunk.
///
/// - Complexity: O(n log t) time for n events over t threads; memory O(t · chunk size +
///   string table), independent of the trace's length.
public final class TraceReader {
    /// What the header says.
    public let info: TraceInfo
    /// The format version the file declares.
    public let formatVersion: (major: UInt16, minor: UInt16)
    /// The strings defined so far (all of them once reading has finished). While a parallel
    /// `forEachBatch` runs, those of the batches delivered so far.
    public var strings: StringTable { streaming ? published : building }
    /// What was read and what damage was survived. Complete once reading has finished
    /// (while a parallel `forEachBatch` runs, its producing thread owns it).
    public internal(set) var report = ReadReport()
    /// The byte source being read.
    public let source: ByteSource

    private let dataStart: UInt64
    /// Where the first chunk starts (just past the file header).
    package var dataStartOffset: UInt64 { dataStart }
    /// The part of the file this reader reads: from `dataStart` (whose chunk has ordinal
    /// `firstChunkIndex`) up to `dataEnd` (nil: the end of the file). A whole-file reader
    /// reads it all; a segment's reader (`TraceReader+Segments`) one part.
    private var firstChunkIndex = 0
    private var dataEnd: UInt64?
    /// A segment's reader reads on its own thread (the other segments have the other cores).
    private var isSegment = false
    var totalStringBytes = 0
    var consumed = false
    /// Whether an end chunk was met, even one whose payload is damaged.
    var endChunkFound = false
    /// The string table as chunks define it (on the producing thread while streaming).
    var building = StringTable()
    /// Whether `building` changed since the consumer last got a snapshot of it.
    private var stringsChanged = false
    /// The consumer's view while a parallel read runs: the snapshot that came with the
    /// latest batch taken. Touched only by the consuming thread, as is `streaming`.
    var published = StringTable()
    var streaming = false

    /// Events handed to the consumer at a time. A three-stage read holds four batches in
    /// flight (3 MB), a split read up to `SplitReadLimits.slots` (96 MB). With 4,096-event
    /// batches `analyze` on two cores ran about 4 % slower (four times the
    /// hand-overs between its threads), and one core was the same (docs/BENCHMARKS.md).
    public static let batchSize = 16_384

    /// Whether a parallel read may split a trace of several segments between two threads
    /// (`readSplit`; up to 96 MB of events in flight). False keeps the three-stage read,
    /// which holds 3 MB in flight but is slower on this kind of machine (docs/BENCHMARKS.md,
    /// "Reading in shared segments").
    public var splitsSegments = true
    /// How a parallel read splits the trace between two threads (`readSplit`).
    package var splitLimits = SplitReadLimits()
    /// After a parallel read that split the trace: its segments, and how many of them the
    /// calling thread read itself (tests).
    package internal(set) var lastSplit: (segments: Int, readByCaller: Int)?

    /// Starts a parallel read's background thread. When it fails (the system's thread
    /// limit), the read falls back to fewer threads, down to the calling one alone, with the
    /// same events and report (tests make it fail).
    package var threadStarter: ThreadStarter = startThread

    /// Bytes the merge of one generation may hold (`FormatLimits.maxMergeBytes`; tests lower it).
    package var mergeBudget = FormatLimits.maxMergeBytes
    /// Generation starts a segmented read's planning keeps as split candidates, and the
    /// bytes of string copies its segments may start with (`TraceReader+Segments`; tests
    /// lower them).
    package var segmentCandidateLimit = TraceReader.defaultCandidateLimit
    package var segmentStringBudget = TraceReader.defaultSnapshotStringBudget

    /// Opens `path` and reads its header.
    /// - Throws: `TraceFormatError` if the file is missing, unreadable, or not a trace.
    public convenience init(path: String) throws(TraceFormatError) {
        try self.init(source: ByteSource(path: path))
    }

    /// `info` with a proc count over the cap read as 0, and the damage recorded: analyses
    /// report every declared P, so a forged count would cost memory and time per P.
    private static func withinCaps(_ info: TraceInfo, _ report: inout ReadReport) -> TraceInfo {
        guard info.procCount > FormatLimits.maxDeclaredProcs else { return info }
        report.record(TraceDamage(
            kind: .limitExceeded, byteOffset: UInt64(FileHeader.procCountOffset), chunkIndex: nil, bytesLost: 0,
            message: "the file header declares \(info.procCount) Ps, more than the \(FormatLimits.maxDeclaredProcs) a trace may declare; read as 0 (the Ps seen in events are still reported)"))
        var capped = info
        capped.procCount = 0
        return capped
    }

    /// A reader of one segment of `whole`'s file: from `start` to `end` (nil: the file's
    /// end), with the strings, string bytes and end-chunk flag a whole-file read has when
    /// it reaches `start` (`TraceReader+Segments`).
    init(segmentOf whole: TraceReader, start: TraceSegmentStart, end: UInt64?) {
        source = whole.source
        info = whole.info
        formatVersion = whole.formatVersion
        dataStart = start.offset
        firstChunkIndex = start.chunkIndex
        dataEnd = end
        isSegment = true
        building = start.strings
        totalStringBytes = start.stringBytes
        endChunkFound = start.endChunkFound
        mergeBudget = whole.mergeBudget
        report.fileSize = source.size
    }

    /// Reads the header of `source`.
    public init(source: ByteSource) throws(TraceFormatError) {
        self.source = source
        report.fileSize = source.size
        var headerBytes = [UInt8](repeating: 0, count: FileHeader.maxSize)
        let available = try source.read(at: 0, count: FileHeader.maxSize, into: &headerBytes)
        let path = source.path
        let result = headerBytes.withUnsafeBytes { raw in
            Result { () throws(FileHeader.Failure) in
                try FileHeader.decode(UnsafeRawBufferPointer(rebasing: raw[0..<available]))
            }
        }
        switch result {
        case .success(let decoded):
            formatVersion = (FileHeader.majorVersion, decoded.minorVersion)
            dataStart = UInt64(decoded.length)
            if decoded.checksumMismatch {
                report.record(TraceDamage(
                    kind: .corruptFileHeader, byteOffset: 0, chunkIndex: nil, bytesLost: 0,
                    message: "the file header fails its CRC; producer, proc count and start time may be wrong"))
            }
            info = Self.withinCaps(decoded.info, &report)
        case .failure(.tooShort(let needed, let present)) where present >= FileHeader.magic.count:
            // A trace cut inside its header: nothing survives, but it is a trace.
            info = TraceInfo(producer: "", procCount: 0, startWallTimeNanoseconds: 0, clock: .monotonic)
            formatVersion = (FileHeader.majorVersion, 0)
            dataStart = source.size
            report.record(TraceDamage(
                kind: .truncated, byteOffset: 0, chunkIndex: nil, bytesLost: UInt64(present),
                message: "the file ends inside the file header (\(present) of \(needed) bytes present)"))
        case .failure(.lengthsDisagree(let what, let fixedFields)):
            // One damaged length must not cost the whole trace: the chunks carry their own
            // CRCs, so read from the first chunk header that checks out (FORMAT.md §2).
            var finder = ChunkScanner(source: source, start: UInt64(FileHeader.fixedSize))
            guard let firstChunk = try finder.firstValidHeader(from: UInt64(FileHeader.fixedSize)) else {
                throw Self.headerError(.malformed(what), path: path, size: source.size)
            }
            formatVersion = (FileHeader.majorVersion, fixedFields.minorVersion)
            dataStart = firstChunk
            report.record(TraceDamage(
                kind: .corruptFileHeader, byteOffset: 0, chunkIndex: nil, bytesLost: 0,
                message: "the file header is corrupt (\(what)); read on from the first chunk, at byte \(firstChunk); producer, proc count and start time may be wrong"))
            info = Self.withinCaps(fixedFields.info, &report)
        case .failure(let failure):
            throw Self.headerError(failure, path: path, size: source.size)
        }
    }

    private static func headerError(_ failure: FileHeader.Failure, path: String?, size: UInt64) -> TraceFormatError {
        switch failure {
        case .empty:
            return TraceFormatError(code: .emptyFile, path: path, reason: "the file is empty, expected a Schedscope trace (.sctrace)")
        case .notATrace, .tooShort:
            return TraceFormatError(
                code: .notATrace, path: path, byteOffset: 0,
                reason: "not a Schedscope trace (expected the magic bytes \"SCTRACE\\0\" at byte 0" +
                    (size < 8 ? "; the file has only \(size) bytes)" : ")"))
        case .unsupportedVersion(let major, let minor):
            return TraceFormatError(
                code: .unsupportedVersion, path: path, byteOffset: 8,
                reason: "format version \(major).\(minor) is not supported (this reader reads \(FileHeader.majorVersion).x)")
        case .malformed(let what), .lengthsDisagree(let what, _):
            return TraceFormatError(code: .corruptHeader, path: path, byteOffset: 0, reason: "the file header is corrupt: \(what)")
        }
    }

    /// Streams every event in time order, `batchSize` at a time. Can be called once.
    ///
    /// - Parameter parallel: read on another thread too while this thread runs `body` (the
    ///   default when the process may use more than one core). A trace of several segments
    ///   (generations) is split: a helper thread reads some segments whole and this thread
    ///   the others, consuming all in file order (`readSplit`). Otherwise three stages: a
    ///   background thread merges, and inflating and decoding run ahead of it on a Dispatch
    ///   queue. Either way a heavy consumer (`analyze`) and a light one (`stats`) both keep
    ///   two cores busy.
    /// - Throws: an I/O error from the source, or whatever `body` throws.
    public func forEachBatch(parallel: Bool = TraceReader.defaultParallel, _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        precondition(!consumed, "a TraceReader streams its events once")
        consumed = true
        if parallel && !isSegment {
            // Each parallel read returns false, having read nothing, when its thread does
            // not start.
            if splitsSegments, try readSplit(body) { return }
            if try readPipelined(body) { return }
        }
        let output = UnsafeMutablePointer<Event>.allocate(capacity: Self.batchSize)
        defer { output.deallocate() }
        try readAll(into: output, decodeAhead: false) { batch in
            try body(batch)
            return output
        }
    }

    /// The three-stage read: a background thread merges (`readAll`, decoding ahead on a
    /// Dispatch queue) while this one runs `body`. - Returns: false, with nothing read, if
    /// the background thread could not be started.
    private func readPipelined(_ body: (UnsafeBufferPointer<Event>) throws -> Void) throws -> Bool {
        let pipeline = EventBatchPipeline(slots: Self.pipelineSlots, capacity: Self.batchSize)
        published = building
        streaming = true
        defer { streaming = false }
        // While the producer runs, only its thread touches the reader's scanner state,
        // report and `building`; the consumer reads `published`.
        let producer = UncheckedReader(self)
        return try pipeline.run(starter: threadStarter, produce: { pipeline in
            let reader = producer.value
            try reader.readAll(into: pipeline.acquire(), decodeAhead: true) { batch in
                pipeline.publish(count: batch.count, strings: reader.takeStringsSnapshot())
                return try pipeline.acquire()
            }
        }, consume: { batch, snapshot in
            if let snapshot { published = snapshot }
            try body(batch)
        })
    }

    /// Batches in flight between a parallel read's two threads.
    private static let pipelineSlots = 4

    /// The string table, if it changed since the last call.
    func takeStringsSnapshot() -> StringTable? {
        guard stringsChanged else { return nil }
        stringsChanged = false
        return building
    }

    /// Reads every chunk in order, handing merged batches to `deliver`, which returns the
    /// buffer (of `batchSize` events) to fill next; `first` is the first such buffer.
    /// `decodeAhead`: inflate and decode on a Dispatch queue while this thread merges.
    func readAll(
        into first: UnsafeMutablePointer<Event>, decodeAhead: Bool,
        deliver: (UnsafeBufferPointer<Event>) throws -> UnsafeMutablePointer<Event>
    ) throws {
        var scanner = ChunkScanner(source: source, start: dataStart, index: firstChunkIndex, limit: dataEnd)
        var generationChunks: [ChunkLocation] = []
        var order = GenerationOrder()
        let pipeline = ChunkPipeline(source: source, parallel: decodeAhead)
        var merger = GenerationMerger(output: first, capacity: Self.batchSize, pipeline: pipeline, budget: mergeBudget)

        func mergePending() throws {
            guard !generationChunks.isEmpty else { return }
            try merger.merge(generationChunks, reader: self, deliver: deliver)
            generationChunks.removeAll(keepingCapacity: true)
        }

        while let chunk = try scanner.next(report: &report) {
            switch order.place(chunk) {
            case .end:
                try readEnd(chunk)
                continue
            case .outOfOrder(let current):
                report.record(TraceDamage(
                    kind: .outOfOrderChunk, byteOffset: chunk.offset, chunkIndex: chunk.index,
                    bytesLost: chunk.endOffset - chunk.offset,
                    message: "chunk of generation \(chunk.header.generation) found after generation \(current); skipped"))
                report.chunksCorrupt += 1
                continue
            case .startsGeneration:
                try mergePending()
                report.generations += 1
            case .inGeneration:
                break
            }
            switch chunk.header.type {
            case .strings: try loadStrings(chunk)
            case .events, .legacyEvents: generationChunks.append(chunk)
            case .end: break
            }
        }
        try mergePending()
        try merger.flush(reader: self, deliver: deliver)
        noteMissingEnd()
    }

    // MARK: - The end chunk

    /// Reads the end chunk's count of events written.
    private func readEnd(_ chunk: ChunkLocation) throws {
        var payload = [UInt8](repeating: 0, count: EndChunk.payloadSize)
        let got = try source.read(at: chunk.payloadOffset, count: EndChunk.payloadSize, into: &payload)
        endChunkFound = true
        guard got == EndChunk.payloadSize, crc32(payload) == chunk.header.payloadCRC else {
            recordPayloadDamage(chunk, kind: .corruptPayload, "end chunk payload fails its CRC; the count of events written is unknown")
            return
        }
        let written = payload.withUnsafeBytes { $0.loadLittleEndian(UInt64.self, at: 0) }
        report.end = TraceEnd(byteOffset: chunk.offset, eventsWritten: written)
        report.chunksRead += 1
    }

    /// A trace of format 1.1 or later that ends without its end chunk was not finished: its
    /// producer was killed, crashed, ran out of disk, or is still writing. A cut inside a
    /// chunk has already been reported; a cut exactly between two chunks is reported here.
    private func noteMissingEnd() {
        // Only a read to the file's end can tell that the end chunk is missing.
        guard dataEnd == nil, formatVersion.minor >= FileHeader.firstMinorWithEndChunk, !endChunkFound, !report.truncated else { return }
        report.record(TraceDamage(
            kind: .truncated, byteOffset: report.fileSize, chunkIndex: nil, bytesLost: 0,
            message: "the trace has no end chunk: its producer did not finish it (killed, crashed, out of disk, or still writing); events not yet written out are missing"))
    }

    /// Whether readers read on a background thread by default: when there is a core to spare.
    public static let defaultParallel: Bool = availableProcessorCount() > 1

    /// Streams every event in time order. Can be called once.
    public func forEach(parallel: Bool = TraceReader.defaultParallel, _ body: (Event) throws -> Void) throws {
        try forEachBatch(parallel: parallel) { batch in
            for event in batch { try body(event) }
        }
    }

    // MARK: - Chunk payloads

    func recordPayloadDamage(_ chunk: ChunkLocation, kind: TraceDamage.Kind, _ message: String) {
        report.record(TraceDamage(
            kind: kind, byteOffset: chunk.offset, chunkIndex: chunk.index,
            bytesLost: chunk.endOffset - chunk.offset, message: message))
        report.chunksCorrupt += 1
    }

    /// Records what became of a decoded event chunk (on the merging thread, in order).
    func recordOutcome(_ location: ChunkLocation, _ problem: ChunkProblem?) {
        guard let problem else {
            report.chunksRead += 1
            return
        }
        report.record(TraceDamage(
            kind: problem.kind, byteOffset: location.offset, chunkIndex: location.index,
            bytesLost: problem.wholeChunk ? location.endOffset - location.offset : 0, message: problem.message))
        report.chunksCorrupt += 1
    }

    /// Records that `chunks` were skipped for a resource cap.
    func recordLimit(_ chunks: [ChunkLocation], _ message: String) {
        guard let first = chunks.first else { return }
        let bytes = chunks.reduce(UInt64(0)) { $0 + ($1.endOffset - $1.offset) }
        report.record(TraceDamage(
            kind: .limitExceeded, byteOffset: first.offset, chunkIndex: first.index, bytesLost: bytes, message: message))
    }

    func recordLimit(_ chunk: ChunkLocation, _ message: String) {
        recordLimit([chunk], message)
    }
    func countEvents(_ n: Int) { report.eventsRead += UInt64(n) }

    private lazy var stringLoader = PayloadLoader(source: source)
    private var stringDecoded: [UInt8] = []

    func loadStrings(_ chunk: ChunkLocation) throws {
        if let problem = try stringLoader.load(chunk, into: &stringDecoded) {
            recordPayloadDamage(chunk, kind: problem.kind, problem.message)
            return
        }
        var delivered = 0
        var duplicates = 0
        var overBudget = false
        let result = stringDecoded.withUnsafeBytes { raw in
            Result { () throws(StringsCodec.Failure) in
                try StringsCodec.decode(raw, declaredCount: Int(chunk.header.itemCount)) { id, value in
                    if totalStringBytes + value.utf8.count > FormatLimits.maxTotalStringBytes {
                        overBudget = true
                        return
                    }
                    totalStringBytes += value.utf8.count
                    delivered += 1
                    if building.define(id, value) {
                        stringsChanged = true
                    } else {
                        duplicates += 1
                    }
                }
            }
        }
        if case .failure(let failure) = result {
            report.record(TraceDamage(
                kind: .malformedPayload, byteOffset: chunk.offset, chunkIndex: chunk.index, bytesLost: 0,
                message: "strings payload is malformed (\(failure)); kept the \(delivered) string\(delivered == 1 ? "" : "s") before it"))
            report.chunksCorrupt += 1
        } else {
            report.chunksRead += 1
        }
        if duplicates > 0 {
            report.record(TraceDamage(
                kind: .malformedPayload, byteOffset: chunk.offset, chunkIndex: chunk.index, bytesLost: 0,
                message: "\(duplicates) string ids redefined; the first definitions were kept"))
        }
        if overBudget {
            recordLimit(chunk, "strings beyond the \(FormatLimits.maxTotalStringBytes)-byte string budget were ignored")
        }
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
