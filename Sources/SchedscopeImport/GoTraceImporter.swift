import SchedscopeModel

/// Imports a Go execution trace (the format Go 1.22+ writes: `go test -trace`,
/// `runtime/trace`) as a stream of Schedscope events.
///
/// The file is read one generation at a time: the tokenizer frames its batches and decodes
/// its tables, then the parser orders its events across Ms and maps them onto DESIGN.md §4
/// (docs/IMPORT-GO.md). Problems become `GoImportDiagnostic`s in `report`; a generation the
/// file ends inside is dropped, so a truncated trace yields its complete generations.
///
/// - Complexity: O(n log m) time for n events over m threads; memory O(one generation's
///   bytes + live goroutines + distinct strings), independent of the trace's length.
public final class GoTraceImporter {
    /// What the trace says about itself: `producer` names the Go trace version, `procCount`
    /// is the number of Ps the first generation shows.
    public private(set) var info: TraceInfo
    /// The strings of the mapped events (labels, block reasons, region names). While a
    /// parallel `forEachBatch` runs: those of the batches delivered so far.
    public var strings: StringTable { streaming ? published : parser.strings }
    private var streaming = false
    private var published = StringTable()
    /// What was read and what was survived.
    public private(set) var report = GoImportReport()
    public let path: String

    private let buffer: GoFileBuffer
    private var reader: GoGenerationReader
    private var parser: GoTraceParser
    private var pending: GoGeneration?
    private var consumed = false
    /// Starts a parallel import's background thread; when it fails (the system's thread
    /// limit), the import runs on the calling thread alone (tests make it fail).
    package var threadStarter: ThreadStarter = startThread

    /// Events handed to the consumer at a time.
    public static let batchSize = 4096

    /// The header every Go 1.22+ trace starts with: `go 1.NN trace` padded with NULs to 16 bytes.
    public static let headerSize = 16

    /// Whether `prefix` (the first bytes of a file) looks like a Go execution trace of any version.
    public static func looksLikeGoTrace(_ prefix: some Sequence<UInt8>) -> Bool {
        Array(prefix.prefix(5)) == Array("go 1.".utf8)
    }

    /// Opens `path`, checks its header and reads its first generation (to learn the Ps).
    /// - Throws: `GoImportError` if the file cannot be read, is not a Go trace, or is of a
    ///   version this importer does not read.
    public convenience init(path: String) throws(GoImportError) {
        try self.init(buffer: GoFileBuffer(path: path))
    }

    /// Imports a Go trace held in memory; `name` stands for its path in messages.
    public convenience init(bytes: [UInt8], name: String) throws(GoImportError) {
        try self.init(buffer: GoFileBuffer(bytes: bytes, name: name))
    }

    private init(buffer: GoFileBuffer) throws(GoImportError) {
        let path = buffer.path
        self.path = path
        self.buffer = buffer
        report.fileSize = buffer.size
        try buffer.fill(to: Self.headerSize)
        let version = try Self.version(buffer, path: path)
        report.formatVersion = version
        reader = GoGenerationReader(version: version, dataStart: Self.headerSize)
        parser = GoTraceParser(version: version)
        info = TraceInfo(producer: "Go execution trace (go 1.\(version) trace)", procCount: 0,
                         startWallTimeNanoseconds: 0, clock: .imported)
        if buffer.size == UInt64(Self.headerSize) { return }
        if case .generation(let first) = try reader.next(buffer, &report) {
            pending = first
            info.procCount = parser.scanFirstGeneration(first, buffer)
            if let clock = first.clock {
                // The wall time at the trace start: the snapshot's wall time, less the
                // monotonic time that passed between the first batch and the snapshot.
                let nanosecondsPerTick = 1e9 / Double(first.frequency)
                let sinceStart = GoWire.nanoseconds(clock.ticks &- min(clock.ticks, first.minTicks), nanosecondsPerTick)
                info.startWallTimeNanoseconds = clock.wall &- sinceStart
            }
        }
    }

    private static func version(_ buffer: GoFileBuffer, path: String) throws(GoImportError) -> Int {
        let header = Array(UnsafeBufferPointer(start: buffer.bytes, count: min(buffer.count, headerSize)))
        guard looksLikeGoTrace(header) else {
            throw GoImportError(.notAGoTrace, path: path, byteOffset: 0,
                                "not a Go execution trace (expected \"go 1.NN trace\" at byte 0)")
        }
        guard header.count == headerSize else {
            throw GoImportError(.notAGoTrace, path: path, byteOffset: UInt64(header.count),
                                "the file ends inside the Go trace header (\(header.count) of \(headerSize) bytes)")
        }
        let text = String(decoding: header.prefix { $0 != 0 }, as: UTF8.self)
        let digits = text.dropFirst(5).prefix { $0.isNumber }
        guard let minor = Int(digits), text == "go 1.\(minor) trace",
              header[text.utf8.count...].allSatisfy({ $0 == 0 }) else {
            throw GoImportError(.notAGoTrace, path: path, byteOffset: 0, "the Go trace header is malformed: \"\(text)\"")
        }
        switch minor {
        case 22, 23, 25, 26: return minor
        case ...21:
            throw GoImportError(.unsupportedVersion, path: path, byteOffset: 0,
                                "Go 1.\(minor) traces use the format before Go 1.22, which this importer does not read (record with Go 1.22 or later)")
        default:
            throw GoImportError(.unsupportedVersion, path: path, byteOffset: 0,
                                "trace format go 1.\(minor) is newer than this importer (it reads go 1.22–1.26)")
        }
    }

    /// Whether imports run on a background thread by default: when there is a core to spare.
    public static let defaultParallel = availableProcessorCount() > 1

    /// Streams every event in order, `batchSize` at a time. Can be called once.
    ///
    /// - Parameter parallel: import on a background thread while this thread runs `body`
    ///   (the default when the machine has more than one core).
    /// - Throws: an I/O error (`GoImportError`), or whatever `body` throws.
    public func forEachBatch(parallel: Bool = GoTraceImporter.defaultParallel,
                             _ body: (UnsafeBufferPointer<Event>) throws -> Void) throws {
        precondition(!consumed, "a GoTraceImporter streams its events once")
        consumed = true
        if parallel, try importPipelined(body) { return }
        try importAll { batch, _ in try body(batch) }
    }

    /// Imports on a background thread while this one runs `body`. - Returns: false, with
    /// nothing imported, if the thread could not be started (the import then runs on the
    /// calling thread alone).
    private func importPipelined(_ body: (UnsafeBufferPointer<Event>) throws -> Void) throws -> Bool {
        let pipeline = EventBatchPipeline(slots: 4, capacity: Self.batchSize)
        published = parser.strings
        streaming = true
        defer { streaming = false }
        let importer = UncheckedImporter(self)
        return try pipeline.run(starter: threadStarter, produce: { pipeline in
            // The table comes with a batch only when strings were added (copied then).
            try importer.value.importAll { batch, strings in try pipeline.put(batch, strings: strings) }
        }, consume: { batch, snapshot in
            if let snapshot { published = snapshot }
            try body(batch)
        })
    }

    /// The importer, handed to the background thread. While it runs, only that thread
    /// touches the importer's parser, reader and report; the consumer reads `published`.
    private struct UncheckedImporter: @unchecked Sendable {
        let value: GoTraceImporter
        init(_ value: GoTraceImporter) { self.value = value }
    }

    private func importAll(_ body: (UnsafeBufferPointer<Event>, StringTable?) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            let sink = GoEventSink(capacity: Self.batchSize, body: body)
            defer { report.eventsRead = sink.delivered }
            while true {
                let generation: GoGeneration
                if let first = pending {
                    pending = nil
                    generation = first
                } else if case .generation(let next) = try reader.next(buffer, &report) {
                    generation = next
                } else {
                    break
                }
                try parser.parse(generation, buffer, sink, &report)
                report.generations += 1
                // The generation's bytes are done with.
                let keep = reader.nextGenerationStart(buffer)
                buffer.discard(before: keep)
                reader.shift(by: keep)
            }
            try sink.flush(parser.strings, stringCount: parser.stringCount)
        }
    }

    /// Streams every event in order. Can be called once.
    public func forEach(_ body: (Event) throws -> Void) throws {
        try forEachBatch { batch in
            for event in batch { try body(event) }
        }
    }
}
