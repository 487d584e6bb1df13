import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Versioning: newer minors are read, newer majors are refused")
struct VersioningTests {
    /// A trace whose header is replaced by a forged one of the given version.
    static func trace(major: UInt16, minor: UInt16) throws -> (bytes: [UInt8], sample: SampleTrace, layout: TraceLayout) {
        let sample = try SampleTrace.small(seed: 41, compressionLevel: 1)
        let layout = try TraceLayout(parsing: sample.bytes)
        let header = ChunkForge.fileHeader(major: major, minor: minor, producer: "a future producer")
        return (header + sample.bytes[layout.headerLength...], sample, layout)
    }

    @Test("a newer minor version is read, and reported")
    func newerMinorIsRead() throws {
        let (bytes, sample, layout) = try Self.trace(major: 1, minor: 7)
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(outcome.formatVersion == (1, 7))
        #expect(outcome.info.producer == "a future producer")
        #expect(!outcome.report.isDamaged)
        expectSameEvents(outcome.events, ExpectedEvents(layout: layout, events: sample.events).merged())
    }

    @Test("a 1.0 trace has no end chunk and needs none; a 1.1 trace without one was not finished", arguments: [UInt16(0), 1])
    func endChunkExpectedFromMinorOne(minor: UInt16) throws {
        let sample = try SampleTrace.small(seed: 43, compressionLevel: 1)
        let layout = try TraceLayout(parsing: sample.bytes)
        let end = try #require(layout.chunks.last)
        #expect(end.isEnd && layout.eventsWritten == UInt64(sample.events.count))
        // The same chunks without the end chunk, under a forged header of the given minor.
        let header = ChunkForge.fileHeader(major: 1, minor: minor, producer: "old or killed")
        let bytes = header + sample.bytes[layout.headerLength..<end.offset]
        let outcome = try ReadOutcome.readAccepting(bytes)
        expectSameEvents(outcome.events, ExpectedEvents(layout: layout, events: sample.events).merged())
        #expect(outcome.report.end == nil)
        if minor == 0 {
            #expect(!outcome.report.isDamaged, "\(outcome.report.damages)")
        } else {
            #expect(outcome.report.truncated)
            #expect(outcome.report.damages.map(\.kind) == [.truncated])
            #expect(outcome.report.damages.first?.byteOffset == UInt64(bytes.count))
            #expect(outcome.report.damages.first?.message.contains("no end chunk") == true)
            #expect(outcome.report.bytesLost == 0)
        }
    }

    @Test("a different major version is refused before anything else is read", arguments: [UInt16(0), 2, 0xFFFF])
    func otherMajorIsRefused(major: UInt16) throws {
        let (bytes, _, _) = try Self.trace(major: major, minor: 3)
        let error = try #require(throws: TraceFormatError.self) {
            try TraceReader(source: ByteSource(bytes: bytes, name: "future.sctrace"))
        }
        #expect(error.code == .unsupportedVersion)
        #expect(error.byteOffset == 8)
        #expect(error.description == "Cannot read 'future.sctrace': format version \(major).3 is not supported (this reader reads 1.x).")
    }

    @Test("a major version change may change everything after byte 10")
    func majorVersionIsCheckedBeforeTheHeaderLayout() throws {
        // A version-2 header that is only 12 bytes long: refused as a version, not as damage.
        var bytes = FileHeaderLayout.magic
        bytes.appendLittleEndian(UInt16(2))
        bytes.appendLittleEndian(UInt16(0))
        bytes += [UInt8](repeating: 0xEE, count: 200)
        let error = try #require(throws: TraceFormatError.self) { try ReadOutcome.read(bytes) }
        #expect(error.code == .unsupportedVersion)
    }

    @Test("a file cut just after another major version is refused, not read as truncated", arguments: [10, 12, 20])
    func shortFileOfAnotherMajor(length: Int) throws {
        let (bytes, _, _) = try Self.trace(major: 2, minor: 0)
        let error = try #require(throws: TraceFormatError.self) { try ReadOutcome.read(Array(bytes.prefix(length))) }
        #expect(error.code == .unsupportedVersion)
    }

    enum UnknownChunk: CaseIterable, Sendable {
        case unknownType, unknownEncoding

        var typeAndEncoding: (type: UInt8, encoding: UInt8) {
            switch self {
            case .unknownType: (9, ChunkLayout.storedEncoding)
            case .unknownEncoding: (ChunkLayout.eventsType, 7)
            }
        }
    }

    @Test("a chunk of an unknown type or encoding with a valid CRC is skipped whole", arguments: UnknownChunk.allCases)
    func unknownChunkIsSkipped(kind: UnknownChunk) throws {
        let sample = try SampleTrace.small(seed: 42, compressionLevel: 1)
        let layout = try TraceLayout(parsing: sample.bytes)
        let position = layout.chunks[3].offset
        // The payload even carries a sync marker and a valid header: skipping must not look inside.
        let decoy = layout.chunks[1]
        let payload = [1, 2, 3] + Array(sample.bytes[decoy.offset..<decoy.endOffset])
        let (type, encoding) = kind.typeAndEncoding
        let unknown = ChunkForge.chunk(type: type, encoding: encoding, itemCount: 1, payload: payload)
        let bytes = Array(sample.bytes[0..<position]) + unknown + sample.bytes[position...]
        let outcome = try ReadOutcome.readAccepting(bytes)

        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1)
        #expect(damage.kind == .unknownChunk)
        #expect(damage.byteOffset == UInt64(position))
        #expect(damage.chunkIndex == 3)
        #expect(damage.bytesLost == UInt64(unknown.count))
        #expect(outcome.report.chunksCorrupt == 0)
        #expect(outcome.report.chunksRead == layout.chunks.count)
        expectSameEvents(outcome.events, ExpectedEvents(layout: layout, events: sample.events).merged())
    }

    @Test("an unknown chunk cut by the end of the file is truncation")
    func unknownChunkCutShort() throws {
        let sample = try SampleTrace.small(seed: 43, compressionLevel: 1)
        let unknown = ChunkForge.chunk(type: 9, itemCount: 0, payload: [UInt8](repeating: 0xAB, count: 100))
        let bytes = sample.bytes + unknown.prefix(ChunkLayout.headerSize + 40)
        let outcome = try ReadOutcome.readAccepting(bytes)
        #expect(outcome.report.truncated)
        #expect(outcome.report.damages.map(\.kind) == [.truncated])
        #expect(outcome.report.damages.first?.byteOffset == UInt64(sample.bytes.count))
        #expect(outcome.report.damages.first?.bytesLost == UInt64(ChunkLayout.headerSize + 40))
        #expect(outcome.events.count == sample.events.count)
    }
}
