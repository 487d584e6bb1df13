import SchedscopeModel

/// Writes a Schedscope trace: header, string chunks, and per-thread event chunks grouped
/// in generations (docs/FORMAT.md).
///
/// Events are appended one at a time; each thread's events must be appended in time order
/// (a step backwards costs a `time` record but is kept as given). A thread's chunk is
/// compressed and written once its payload reaches `Options.chunkBytes`; `endGeneration()`
/// (automatic every `Options.generationBytes`) flushes every thread so that a reader can
/// merge generation by generation.
///
/// Not thread-safe: one writer, one thread.
public final class TraceWriter {
    public struct Options: Sendable {
        /// Target decoded payload size of an event chunk.
        public var chunkBytes = 64 << 10
        /// Decoded event bytes after which a generation ends by itself (0: never).
        public var generationBytes = 16 << 20
        /// zlib level, 0 (store) to 9; level 1 is the format's recommendation.
        public var compressionLevel: Int32 = 1
        /// Which library compresses (the stream is a zlib stream either way). Default zlib,
        /// so that a trace written from the same events is the same file byte for byte on
        /// every machine (the fixtures are checked that way); `.automatic` takes libdeflate
        /// when present: faster, but its bytes depend on its version.
        public var deflateLibrary: DeflateLibrary = .zlib

        public init(
            chunkBytes: Int = 64 << 10, generationBytes: Int = 16 << 20, compressionLevel: Int32 = 1,
            deflateLibrary: DeflateLibrary = .zlib
        ) {
            self.chunkBytes = min(max(chunkBytes, 256), FormatLimits.maxChunkPayloadBytes - 64)
            self.generationBytes = generationBytes
            self.compressionLevel = compressionLevel
            self.deflateLibrary = deflateLibrary
        }
    }

    /// What a finished writer produced.
    public struct Summary: Sendable {
        public var events: UInt64
        public var chunks: Int
        public var generations: Int
        /// Event payload bytes before compression.
        public var decodedEventBytes: UInt64
        /// Event payload bytes as stored.
        public var storedEventBytes: UInt64
        /// The whole file.
        public var fileBytes: UInt64
    }

    public let info: TraceInfo
    private let sink: ByteSink
    private let options: Options
    private let deflater: Deflater?
    private var encoders: [ThreadChunkEncoder] = []
    private var encoderIndex: [ThreadID: Int] = [:]
    /// The thread of the previous event and its encoder (a one-entry cache in front of `encoderIndex`).
    private var lastEncoder: (thread: ThreadID, index: Int)?
    private var generation: UInt32 = 0
    private var generationDecodedBytes = 0
    private var interned: [String: StringID] = [:]
    private var pendingStrings: [(StringID, String)] = []
    private var definedStrings = Set<UInt32>([0])
    private var nextStringID: UInt32 = 1
    private var stringChunkSequence: UInt32 = 0
    private var summary = Summary(events: 0, chunks: 0, generations: 0, decodedEventBytes: 0, storedEventBytes: 0, fileBytes: 0)
    private var finished = false

    /// Starts a trace in `sink` (the header is written at once).
    public init(sink: ByteSink, info: TraceInfo, options: Options = Options()) throws(TraceFormatError) {
        self.sink = sink
        self.info = info
        self.options = options
        deflater = options.compressionLevel > 0 ? Deflater(level: options.compressionLevel, library: options.deflateLibrary) : nil
        interned[""] = .empty
        try sink.write(FileHeader.encode(info))
    }

    /// Starts a trace file at `path` (created or truncated).
    public convenience init(path: String, info: TraceInfo, options: Options = Options()) throws(TraceFormatError) {
        try self.init(sink: ByteSink(path: path), info: info, options: options)
    }

    /// The id of `value`, defining it on first use. Strings longer than
    /// `FormatLimits.maxStringBytes` are cut at that length.
    public func intern(_ value: String) -> StringID {
        if let id = interned[value] { return id }
        while definedStrings.contains(nextStringID) { nextStringID += 1 }
        let id = StringID(rawValue: nextStringID)
        nextStringID += 1
        interned[value] = id
        definedStrings.insert(id.rawValue)
        pendingStrings.append((id, value))
        return id
    }

    /// Defines a string under a given id (to copy another trace's table verbatim).
    /// - Returns: false if the id was already defined.
    @discardableResult
    public func defineString(_ id: StringID, _ value: String) -> Bool {
        guard id.rawValue <= FormatLimits.maxStringID, !definedStrings.contains(id.rawValue) else { return false }
        definedStrings.insert(id.rawValue)
        if interned[value] == nil { interned[value] = id }
        pendingStrings.append((id, value))
        return true
    }

    /// Appends one event to its thread's chunk, writing the chunk when it is full.
    public func append(_ event: Event) throws(TraceFormatError) {
        let index: Int
        if let last = lastEncoder, last.thread == event.thread {
            index = last.index
        } else if let known = encoderIndex[event.thread] {
            index = known
        } else {
            index = encoders.count
            encoders.append(ThreadChunkEncoder(thread: event.thread))
            encoderIndex[event.thread] = index
        }
        lastEncoder = (event.thread, index)
        summary.events += 1
        if encoders[index].append(event) >= options.chunkBytes {
            try flushChunk(of: index)
            if options.generationBytes > 0 && generationDecodedBytes >= options.generationBytes {
                try endGeneration()
            }
        }
    }

    /// Writes every thread's pending events and starts the next generation.
    public func endGeneration() throws(TraceFormatError) {
        try flushStrings()
        var wroteAny = false
        for index in encoders.indices where !encoders[index].isEmpty {
            try flushChunk(of: index)
            wroteAny = true
        }
        if wroteAny || generationDecodedBytes > 0 {
            generation += 1
            summary.generations += 1
        }
        generationDecodedBytes = 0
    }

    /// Writes everything pending and closes the sink.
    @discardableResult
    public func finish() throws(TraceFormatError) -> Summary {
        guard !finished else { return summary }
        try endGeneration()
        finished = true
        // Last of all: the end chunk says the trace is complete (FORMAT.md §4).
        try sink.write(EndChunk.encode(generation: generation, eventsWritten: summary.events))
        summary.chunks += 1
        try sink.close()
        summary.fileBytes = sink.bytesWritten
        return summary
    }


    private func flushStrings() throws(TraceFormatError) {
        for batch in ChunkFraming.stringBatches(pendingStrings) {
            // (`withUnsafeBytes` rethrows untyped errors: the Result keeps the type.)
            let written = StringsCodec.encode(Array(batch)).withUnsafeBytes { payload in
                Result { () throws(TraceFormatError) in
                    try ChunkFraming.frame(
                        payload, type: .strings, generation: generation, sequence: stringChunkSequence,
                        itemCount: UInt32(batch.count), deflater: deflater, write)
                }
            }
            try written.get()
            stringChunkSequence += 1
        }
        pendingStrings.removeAll(keepingCapacity: true)
    }

    private func flushChunk(of index: Int) throws(TraceFormatError) {
        // Strings precede their first use: flush them before any event chunk.
        try flushStrings()
        let decodedCount = encoders[index].payload.count
        try ChunkFraming.frame(encoders[index], generation: generation, deflater: deflater) { (header, stored) throws(TraceFormatError) in
            try write(header, stored)
            summary.storedEventBytes += UInt64(stored.count)
        }
        summary.decodedEventBytes += UInt64(decodedCount)
        generationDecodedBytes += decodedCount
        encoders[index].startNextChunk()
    }

    private func write(_ header: ChunkHeader, _ stored: UnsafeRawBufferPointer) throws(TraceFormatError) {
        try sink.write(header.encode())
        try sink.write(stored)
        summary.chunks += 1
    }
}
