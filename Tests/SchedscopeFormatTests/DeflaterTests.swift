import Foundation
import SchedscopeFormat
import SchedscopeModel
import Testing

/// The writers compress with libdeflate when the system has it and with zlib otherwise
/// (`DeflateLibrary`). Both must write standard zlib streams that either inflater reads, so
/// a trace never depends on which library wrote it or which one reads it.
@Suite("Deflater: libdeflate or zlib writes the same format")
struct DeflaterTests {
    /// Both choices; `.automatic` is libdeflate where the library is installed (Debian's
    /// `libdeflate0`, which CI installs) and zlib elsewhere, where the two cases coincide.
    static let libraries: [DeflateLibrary] = [.zlib, .automatic]

    /// A real event-chunk payload: a seeded scheduler script encoded as the writer does.
    static func eventPayload() -> [UInt8] {
        let events = EventScript.events(
            seed: 5, shape: .init(threadCount: 1, eventCount: 6_000, timeGoesBackwards: false), strings: [StringID(1)])
        var encoder = ThreadChunkEncoder(thread: events[0].thread)
        for event in events where event.thread == events[0].thread { encoder.append(event) }
        return encoder.payload.bytes
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Inflates with the given backend into exactly `size` bytes.
    static func inflate(_ stored: [UInt8], size: Int, backend: Inflater.Backend) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        try stored.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { out in try Inflater(backend: backend).inflate(input, into: out) }
        }
        return output
    }

    @Test("a compressible payload becomes a smaller standard zlib stream that both inflaters restore", arguments: libraries)
    func compressibleRoundTrip(library: DeflateLibrary) throws {
        // (Not tiny ones: libdeflate stores inputs of a few dozen bytes without trying.)
        let payloads = [
            Self.eventPayload(), [UInt8](repeating: 7, count: 200_000),
            Array(String(repeating: "task_start task_end ", count: 20).utf8),
        ]
        for payload in payloads {
            let deflater = Deflater(level: 1, library: library)
            let compressed = try #require(payload.withUnsafeBytes { deflater.compress($0) }, "\(payload.count) bytes")
            #expect(compressed.count < payload.count)
            // RFC 1950: CM = 8 (deflate) in the low nibble, and the header is a multiple of 31.
            #expect(compressed[0] & 0x0F == 8)
            #expect((UInt16(compressed[0]) << 8 | UInt16(compressed[1])) % 31 == 0)
            #expect(try Self.inflate(compressed, size: payload.count, backend: .zlib) == payload)
            #expect(try Self.inflate(compressed, size: payload.count, backend: .automatic) == payload)
        }
    }

    @Test("a payload that does not shrink is refused, so the writer stores it", arguments: libraries)
    func incompressibleIsStored(library: DeflateLibrary) {
        let deflater = Deflater(level: 1, library: library)
        for payload in [Self.randomBytes(70_000, seed: 3), Self.randomBytes(40, seed: 4), [0x42], []] {
            #expect(payload.withUnsafeBytes { deflater.compress($0) } == nil, "\(payload.count) bytes")
        }
        // The same deflater still works after refusing (its buffers are reused).
        let again = [UInt8](repeating: 1, count: 1_000)
        #expect(again.withUnsafeBytes { deflater.compress($0) } != nil)
    }

    /// Order-0 entropy of `bytes` in bits: no code that codes each byte on its own (as a
    /// deflate stream without matches does) can be shorter.
    static func entropyBits(_ bytes: [UInt8]) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        return counts.filter { $0 > 0 }.reduce(0.0) { sum, count in
            sum - Double(count) * log2(Double(count) / total)
        }
    }

    @Test("with zlib, events chunks are Huffman-coded without LZ77 matches; strings chunks keep them")
    func zlibStrategyFollowsChunkType() throws {
        let repeated = Array(String(repeating: "task_start task_end ", count: 50).utf8)
        let deflater = Deflater(level: 1, library: .zlib)
        // The stored payload of a chunk of `type` holding `repeated`, as the writers frame it.
        func stored(_ type: ChunkHeader.ChunkType) -> (header: ChunkHeader, bytes: [UInt8]) {
            repeated.withUnsafeBytes { payload in
                ChunkFraming.frame(payload, type: type, generation: 0, sequence: 0, itemCount: 1, deflater: deflater) { header, bytes in
                    (header, Array(bytes))
                }
            }
        }
        let strings = stored(.strings), events = stored(.events)
        #expect(strings.header.encoding == .zlib && events.header.encoding == .zlib)
        // Matches turn the 50 repeats into one copy and a few back-references.
        #expect(strings.bytes.count < 100, "\(strings.bytes.count) bytes")
        // Without matches every byte costs at least its share of the order-0 entropy.
        #expect(Double(events.bytes.count * 8) >= Self.entropyBits(repeated), "\(events.bytes.count) bytes")
        for stream in [strings.bytes, events.bytes] {
            #expect(try Self.inflate(stream, size: repeated.count, backend: .zlib) == repeated)
            #expect(try Self.inflate(stream, size: repeated.count, backend: .automatic) == repeated)
        }
    }

    /// `crc32` (libdeflate's when installed) and zlib's, the fallback.
    static let checksums: [@Sendable (UnsafeRawBufferPointer) -> UInt32] = [{ crc32($0) }, { zlibCRC32($0) }]

    @Test("the CRC-32 every chunk is checked with is the standard one, with or without libdeflate", arguments: [0, 1])
    func crcIsStandard(which: Int) {
        let checksum = Self.checksums[which]
        // The CRC-32/ISO-HDLC check value of "123456789".
        #expect(Array("123456789".utf8).withUnsafeBytes { checksum($0) } == 0xCBF4_3926)
        let random = Self.randomBytes(100_003, seed: 8)
        #expect(random.withUnsafeBytes { checksum($0) } == ReferenceCRC32.checksum(random))
        #expect([UInt8]().withUnsafeBytes { checksum($0) } == 0)
    }

    @Test("the library asked for is the one that compresses")
    func choiceIsHonoured() {
        #expect(!Deflater(level: 1, library: .zlib).usesLibdeflate)
        #expect(Deflater(level: 1, library: .automatic).usesLibdeflate == Deflater.libdeflateIsAvailable)
    }

    @Test("with libdeflate installed, .automatic really takes it: its stream differs from zlib's",
          .enabled(if: Deflater.libdeflateIsAvailable, "libdeflate.so.0 is not installed"))
    func automaticTakesLibdeflate() throws {
        let payload = Self.eventPayload()
        let zlib = try #require(payload.withUnsafeBytes { Deflater(level: 1, library: .zlib).compress($0) })
        let libdeflate = try #require(payload.withUnsafeBytes { Deflater(level: 1, library: .automatic).compress($0) })
        #expect(zlib != libdeflate)
    }

    /// `trace` with every zlib chunk replaced by a stored chunk of its payload as zlib inflates
    /// it: what the reader delivers from it is what a zlib-only reader delivers from `trace`.
    static func inflatedByZlib(_ trace: [UInt8]) throws -> (bytes: [UInt8], zlibChunks: Int) {
        let layout = try TraceLayout(parsing: trace)
        var bytes = Array(trace[0..<layout.headerLength])
        var zlibChunks = 0
        for chunk in layout.chunks {
            let stored = Array(trace[chunk.payloadOffset..<chunk.endOffset])
            guard chunk.encoding == ChunkLayout.zlibEncoding else {
                bytes += trace[chunk.offset..<chunk.endOffset]
                continue
            }
            zlibChunks += 1
            let zlibPayload = try inflate(stored, size: Int(chunk.decodedLength), backend: .zlib)
            #expect(try inflate(stored, size: Int(chunk.decodedLength), backend: .automatic) == zlibPayload)
            bytes += ChunkForge.chunk(
                type: chunk.type, generation: chunk.generation, sequence: chunk.sequence, thread: chunk.thread,
                firstTimestamp: chunk.firstTimestamp, lastTimestamp: chunk.lastTimestamp, itemCount: chunk.itemCount,
                payload: zlibPayload)
        }
        return (bytes, zlibChunks)
    }

    @Test("a trace written with either library reads back event for event, inflated by zlib or by libdeflate",
          arguments: libraries)
    func traceRoundTrip(library: DeflateLibrary) throws {
        for layout in [SampleTrace.Layout.tiny, .standard] {
            let trace = try SampleTrace.make(
                seed: 11, shape: .init(threadCount: 4, eventCount: 20_000, timeGoesBackwards: false), layout: layout,
                compressionLevel: 1, deflateLibrary: library)
            // The framing and every CRC, checked by the tests' own parser.
            let layoutOnDisk = try TraceLayout(parsing: trace.bytes)
            let expected = ExpectedEvents(layout: layoutOnDisk, events: trace.events).merged()

            let direct = try ReadOutcome.read(trace.bytes)
            #expect(!direct.report.isDamaged, "\(direct.report.damages)")
            expectSameEvents(direct.events, expected, "\(layout), as read")

            let (restored, zlibChunks) = try Self.inflatedByZlib(trace.bytes)
            #expect(zlibChunks > 0, "\(layout): the trace has compressed chunks")
            let viaZlib = try ReadOutcome.read(restored)
            #expect(!viaZlib.report.isDamaged, "\(viaZlib.report.damages)")
            expectSameEvents(viaZlib.events, expected, "\(layout), inflated by zlib")
            for (value, id) in trace.strings { #expect(viaZlib.strings[id] == value) }
        }
    }

    @Test("the library changes the compressed bytes only: both traces hold the same chunks and payloads")
    func sameChunksEitherWay() throws {
        let shape = EventScript.Shape(threadCount: 3, eventCount: 10_000, timeGoesBackwards: false)
        let viaZlib = try SampleTrace.make(seed: 12, shape: shape, layout: .standard, compressionLevel: 1, deflateLibrary: .zlib)
        let automatic = try SampleTrace.make(seed: 12, shape: shape, layout: .standard, compressionLevel: 1, deflateLibrary: .automatic)
        let zlibStored = try Self.inflatedByZlib(viaZlib.bytes).bytes
        let automaticStored = try Self.inflatedByZlib(automatic.bytes).bytes
        #expect(zlibStored == automaticStored)
        #expect(viaZlib.summary.events == automatic.summary.events)
        #expect(viaZlib.summary.chunks == automatic.summary.chunks)
        #expect(viaZlib.summary.decodedEventBytes == automatic.summary.decodedEventBytes)
    }
}
