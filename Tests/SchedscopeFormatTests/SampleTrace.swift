import SchedscopeFormat
import SchedscopeModel
import Testing

/// A trace written by `TraceWriter` into memory, with everything that went in.
struct SampleTrace {
    /// How the writer cuts chunks and generations.
    struct Layout: Sendable, CustomStringConvertible {
        var name: String
        var chunkBytes: Int
        var generationBytes: Int

        var description: String { name }

        /// The smallest chunks the writer allows and a generation every few chunks.
        static let tiny = Layout(name: "tiny chunks, many generations", chunkBytes: 256, generationBytes: 1_024)
        /// A generation at every chunk flush.
        static let generationPerChunk = Layout(name: "a generation per chunk", chunkBytes: 256, generationBytes: 1)
        static let standard = Layout(name: "default chunks, one generation", chunkBytes: 64 << 10, generationBytes: 16 << 20)
    }

    static let info = TraceInfo(producer: "schedscope-format-tests", procCount: 8, startWallTimeNanoseconds: 1_714_000_000_123_456_789, clock: .synthetic)

    /// Strings interned before the first event: empty-looking, Unicode, long.
    static let initialStrings = [
        "main", "channel receive", "mutex", "sleep", "continuation", "test_leak()",
        "ünïcødé ✓ 🧵", " ", "a\u{0}b", String(repeating: "long label ", count: 120),
    ]

    var bytes: [UInt8]
    var events: [Event]
    /// Every string the writer was given, with the id it returned.
    var strings: [(value: String, id: StringID)]
    var summary: TraceWriter.Summary

    /// Writes `shape`'s seeded events; a fresh string is interned every few hundred events
    /// so that strings chunks also appear between event chunks.
    static func make(
        seed: UInt64, shape: EventScript.Shape, layout: Layout, compressionLevel: Int32,
        deflateLibrary: DeflateLibrary = .zlib
    ) throws -> SampleTrace {
        let sink = ByteSink()
        let options = TraceWriter.Options(
            chunkBytes: layout.chunkBytes, generationBytes: layout.generationBytes, compressionLevel: compressionLevel,
            deflateLibrary: deflateLibrary)
        let writer = try TraceWriter(sink: sink, info: info, options: options)
        var strings = initialStrings.map { (value: $0, id: writer.intern($0)) }
        // An explicitly numbered string far above the interned ones.
        if writer.defineString(StringID(rawValue: 300), "defined at 300") {
            strings.append((value: "defined at 300", id: StringID(rawValue: 300)))
        }
        let events = EventScript.events(seed: seed, shape: shape, strings: strings.map(\.id))
        for (index, event) in events.enumerated() {
            if index % 300 == 299 {
                let value = "late string \(index)"
                strings.append((value: value, id: writer.intern(value)))
            }
            try writer.append(event)
        }
        let summary = try writer.finish()
        return SampleTrace(bytes: sink.memory, events: events, strings: strings, summary: summary)
    }

    /// A small multi-chunk, multi-generation trace for the byte-by-byte robustness tests.
    static func small(seed: UInt64, compressionLevel: Int32, eventCount: Int = 400, layout: Layout = .tiny) throws -> SampleTrace {
        try make(
            seed: seed, shape: .init(threadCount: 3, eventCount: eventCount, timeGoesBackwards: false),
            layout: layout, compressionLevel: compressionLevel)
    }
}

/// What a reader delivered from some bytes.
struct ReadOutcome {
    var info: TraceInfo
    var events: [Event]
    var report: ReadReport
    var strings: StringTable
    var formatVersion: (major: UInt16, minor: UInt16)

    /// Reads `bytes`, decoding on a background thread when `parallel` (the reader's default
    /// on a machine with a core to spare).
    static func read(_ bytes: [UInt8], name: String? = nil, parallel: Bool = TraceReader.defaultParallel) throws -> ReadOutcome {
        let reader = try TraceReader(source: ByteSource(bytes: bytes, name: name))
        var events: [Event] = []
        try reader.forEach(parallel: parallel) { events.append($0) }
        return ReadOutcome(
            info: reader.info, events: events, report: reader.report, strings: reader.strings,
            formatVersion: reader.formatVersion)
    }

    /// Reads bytes that must not be rejected outright.
    static func readAccepting(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> ReadOutcome {
        do {
            return try read(bytes)
        } catch {
            Issue.record("the reader rejected the file: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }
}
