import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Forged fields: hostile values give a damage, not an allocation, and the rest is read")
struct ForgedFieldTests {
    /// A stored (uncompressed) multi-generation trace and the events chunk that gets forged.
    struct Victim {
        let trace: SampleTrace
        let layout: TraceLayout
        let expected: ExpectedEvents
        let chunk: TraceLayout.Chunk

        init() throws {
            trace = try SampleTrace.small(seed: 31, compressionLevel: 0)
            layout = try TraceLayout(parsing: trace.bytes)
            expected = ExpectedEvents(layout: layout, events: trace.events)
            chunk = layout.eventChunks[layout.eventChunks.count / 2]
        }

        /// The trace with `chunk` inserted right after the file header.
        func inserting(_ chunk: [UInt8]) -> [UInt8] {
            Array(trace.bytes[0..<layout.headerLength]) + chunk + trace.bytes[layout.headerLength...]
        }
    }

    // MARK: - Chunk header fields

    enum HeaderForgery: CaseIterable, Sendable {
        case storedLengthAboveCap, storedLengthMaximal, decodedLengthAboveCap, itemCountAboveCap
        case itemCountBeyondPayload, storedLengthsDisagree, timestampsReversed

        /// Forges the field and returns the rule the reader must name.
        func apply(to bytes: inout [UInt8], chunk: TraceLayout.Chunk) -> String {
            let cap = FormatLimits.maxChunkPayloadBytes
            switch self {
            case .storedLengthAboveCap:
                ChunkForge.forge(UInt32(cap + 1), atField: ChunkLayout.storedLengthOffset, in: &bytes, chunkAt: chunk.offset)
                return "stored length \(cap + 1) exceeds the \(cap)-byte cap"
            case .storedLengthMaximal:
                ChunkForge.forge(UInt32.max, atField: ChunkLayout.storedLengthOffset, in: &bytes, chunkAt: chunk.offset)
                return "stored length \(UInt32.max) exceeds the \(cap)-byte cap"
            case .decodedLengthAboveCap:
                ChunkForge.forge(UInt32(cap + 1), atField: ChunkLayout.decodedLengthOffset, in: &bytes, chunkAt: chunk.offset)
                return "decoded length \(cap + 1) exceeds the \(cap)-byte cap"
            case .itemCountAboveCap:
                ChunkForge.forge(UInt32.max, atField: ChunkLayout.itemCountOffset, in: &bytes, chunkAt: chunk.offset)
                return "item count \(UInt32.max) exceeds the cap"
            case .itemCountBeyondPayload:
                ChunkForge.forge(chunk.decodedLength + 1, atField: ChunkLayout.itemCountOffset, in: &bytes, chunkAt: chunk.offset)
                return "\(chunk.decodedLength + 1) items cannot fit in \(chunk.decodedLength) decoded bytes"
            case .storedLengthsDisagree:
                ChunkForge.forge(chunk.decodedLength + 1, atField: ChunkLayout.decodedLengthOffset, in: &bytes, chunkAt: chunk.offset)
                return "stored chunk with stored length \(chunk.storedLength) ≠ decoded length \(chunk.decodedLength + 1)"
            case .timestampsReversed:
                ChunkForge.forge(chunk.firstTimestamp - 1, atField: ChunkLayout.lastTimestampOffset, in: &bytes, chunkAt: chunk.offset)
                return "first timestamp \(chunk.firstTimestamp) is after last timestamp \(chunk.firstTimestamp - 1)"
            }
        }
    }

    @Test("a header that breaks a cap or a rule is skipped up to the next chunk", arguments: HeaderForgery.allCases)
    func forgedHeaderField(forgery: HeaderForgery) throws {
        let victim = try Victim()
        let chunk = victim.chunk
        var bytes = victim.trace.bytes
        let rule = forgery.apply(to: &bytes, chunk: chunk)
        let outcome = try ReadOutcome.readAccepting(bytes)

        let damage = try #require(outcome.report.damages.count == 1 ? outcome.report.damages.first : nil, "\(outcome.report.damages)")
        #expect(damage.kind == .corruptChunkHeader)
        #expect(damage.byteOffset == UInt64(chunk.offset))
        #expect(damage.chunkIndex == chunk.index)
        #expect(damage.bytesLost == UInt64(chunk.endOffset - chunk.offset))
        #expect(damage.message == "chunk header is invalid: \(rule); skipped \(chunk.endOffset - chunk.offset) bytes to the next chunk at byte \(chunk.endOffset)")
        #expect(outcome.report.chunksCorrupt == 1)
        #expect(outcome.report.chunksRead == victim.layout.chunks.count - 1)
        expectSameEvents(outcome.events, victim.expected.merged { $0.index != chunk.index })
    }

    @Test("an item count below the events present delivers the declared events and flags the rest")
    func itemCountTooSmall() throws {
        let victim = try Victim()
        let chunk = victim.chunk
        var bytes = victim.trace.bytes
        ChunkForge.forge(chunk.itemCount - 1, atField: ChunkLayout.itemCountOffset, in: &bytes, chunkAt: chunk.offset)
        let outcome = try ReadOutcome.readAccepting(bytes)

        #expect(outcome.report.damages.map(\.kind) == [.malformedPayload])
        #expect(outcome.report.damages.first?.byteOffset == UInt64(chunk.offset))
        #expect(outcome.report.damages.first?.message.contains("more records than the \(chunk.itemCount - 1) events the chunk header declares") == true)
        #expect(outcome.report.damages.first?.message.hasSuffix("kept the \(chunk.itemCount - 1) events before it") == true)
        #expect(outcome.report.chunksCorrupt == 1)
        let kept = Array(victim.expected.eventsByChunk[chunk.index]!.dropLast())
        expectSameEvents(outcome.events, victim.expected.merged(overriding: [chunk.index: kept]))
    }

    @Test("an item count above the events present delivers them all and flags the chunk")
    func itemCountTooLarge() throws {
        let victim = try Victim()
        let chunk = victim.chunk
        try #require(chunk.decodedLength > chunk.itemCount + 1)
        var bytes = victim.trace.bytes
        ChunkForge.forge(chunk.itemCount + 1, atField: ChunkLayout.itemCountOffset, in: &bytes, chunkAt: chunk.offset)
        let outcome = try ReadOutcome.readAccepting(bytes)

        #expect(outcome.report.damages.map(\.kind) == [.malformedPayload])
        #expect(outcome.report.damages.first?.byteOffset == UInt64(chunk.offset))
        #expect(outcome.report.damages.first?.message.contains("\(ChunkDecoder.Failure.tooFewEvents(declared: Int(chunk.itemCount + 1), decoded: Int(chunk.itemCount)))") == true)
        #expect(outcome.report.chunksCorrupt == 1)
        expectSameEvents(outcome.events, victim.expected.merged())
    }

    @Test("a chunk of an earlier generation after a later one is skipped")
    func outOfOrderGeneration() throws {
        let victim = try Victim()
        try #require(victim.layout.generations.count >= 2)
        let early = victim.layout.eventChunks[0]
        let bytes = victim.trace.bytes + victim.trace.bytes[early.offset..<early.endOffset]
        let outcome = try ReadOutcome.readAccepting(bytes)

        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1)
        #expect(damage.kind == .outOfOrderChunk)
        #expect(damage.byteOffset == UInt64(victim.trace.bytes.count))
        #expect(damage.chunkIndex == victim.layout.chunks.count)
        #expect(damage.bytesLost == UInt64(early.endOffset - early.offset))
        #expect(outcome.report.chunksCorrupt == 1)
        expectSameEvents(outcome.events, victim.expected.merged())
    }

    // MARK: - File header fields

    @Test("a header declaring more Ps than the cap reads as 0 Ps, with a damage, and every event is read",
          arguments: [FormatLimits.maxDeclaredProcs + 1, UInt32.max])
    func procCountAboveCap(declared: UInt32) throws {
        let victim = try Victim()
        var bytes = victim.trace.bytes
        bytes.setLittleEndian(declared, at: FileHeaderLayout.procCountOffset)
        // The header's CRC made good again: the count itself is what the reader must refuse.
        let crcOffset = victim.layout.headerLength - 4
        bytes.setLittleEndian(ReferenceCRC32.checksum(bytes[0..<crcOffset]), at: crcOffset)
        let outcome = try ReadOutcome.readAccepting(bytes)

        #expect(outcome.info.procCount == 0)
        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1)
        #expect(damage.kind == .limitExceeded)
        #expect(damage.byteOffset == UInt64(FileHeaderLayout.procCountOffset))
        #expect(damage.chunkIndex == nil && damage.bytesLost == 0)
        #expect(damage.message.contains("declares \(declared) Ps"))
        expectSameEvents(outcome.events, victim.expected.merged())
    }

    @Test("the cap itself is a legal count, and a writer clamps a larger one to it")
    func procCountAtCap() throws {
        for (given, written) in [(FormatLimits.maxDeclaredProcs, FormatLimits.maxDeclaredProcs), (UInt32.max, FormatLimits.maxDeclaredProcs)] {
            let sink = ByteSink()
            let writer = try TraceWriter(sink: sink, info: TraceInfo(producer: "p", procCount: given, startWallTimeNanoseconds: 0, clock: .synthetic))
            try writer.append(Event(kind: .procStart, timestamp: 5, thread: ThreadID(rawValue: 1), proc: ProcID(0)))
            _ = try writer.finish()
            let outcome = try ReadOutcome.readAccepting(sink.memory)
            #expect(outcome.info.procCount == written)
            #expect(outcome.report.damages.isEmpty)
        }
    }

    // MARK: - Strings payloads

    enum StringsForgery: CaseIterable, Sendable {
        case idAboveCap, lengthAboveCap, lengthBeyondPayload, overlongVarint, countMismatch

        /// Id 900 takes two LEB128 bytes, so the entry is 7 bytes long.
        static let kept = (id: UInt64(900), value: "kept")

        /// The payload, its declared count, the strings that must survive, and the failure the damage names.
        var forged: (payload: [UInt8], declared: UInt32, kept: [(id: UInt64, value: String)], failure: String) {
            let kept = Self.kept
            var payload = ChunkForge.stringsPayload([kept])
            switch self {
            case .idAboveCap:
                let beyond = UInt64(FormatLimits.maxStringID) + 1
                payload += ChunkForge.stringsPayload([(beyond, "beyond"), (901, "after")])
                return (payload, 3, [kept], "\(StringsCodec.Failure.idOutOfRange(beyond, offset: 7))")
            case .lengthAboveCap:
                payload.appendUnsignedLEB128(901)
                payload.appendUnsignedLEB128(UInt64(FormatLimits.maxStringBytes) + 1)
                payload += Array("abc".utf8)
                return (payload, 2, [kept], "\(StringsCodec.Failure.stringTooLong(UInt64(FormatLimits.maxStringBytes + 1), offset: 7))")
            case .lengthBeyondPayload:
                payload.appendUnsignedLEB128(901)
                payload.appendUnsignedLEB128(1_000)
                payload += Array("abc".utf8)
                return (payload, 2, [kept], "\(StringsCodec.Failure.truncated(offset: 11))")
            case .overlongVarint:
                payload += [UInt8](repeating: 0x80, count: 9) + [0x02]
                payload += [3] + Array("abc".utf8)
                return (payload, 2, [kept], "\(StringsCodec.Failure.varintOverflow(offset: 16))")
            case .countMismatch:
                payload += ChunkForge.stringsPayload([(901, "also kept")])
                return (payload, 3, [kept, (901, "also kept")], "\(StringsCodec.Failure.countMismatch(declared: 3, found: 2))")
            }
        }
    }

    @Test("a strings chunk with a forged id, length or count keeps the strings before the fault", arguments: StringsForgery.allCases)
    func forgedStrings(forgery: StringsForgery) throws {
        let victim = try Victim()
        let forged = forgery.forged
        let bytes = victim.inserting(ChunkForge.chunk(type: ChunkLayout.stringsType, itemCount: forged.declared, payload: forged.payload))
        let outcome = try ReadOutcome.readAccepting(bytes)

        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1, "\(outcome.report.damages)")
        #expect(damage.kind == .malformedPayload)
        #expect(damage.byteOffset == UInt64(victim.layout.headerLength))
        #expect(damage.chunkIndex == 0)
        #expect(damage.message == "strings payload is malformed (\(forged.failure)); kept the \(forged.kept.count) string\(forged.kept.count == 1 ? "" : "s") before it")
        #expect(outcome.report.chunksCorrupt == 1)
        for entry in forged.kept {
            #expect(outcome.strings[StringID(rawValue: UInt32(entry.id))] == entry.value)
        }
        #expect(outcome.strings.definedEntries.count == victim.trace.strings.count + 1 + forged.kept.count)
        for (value, id) in victim.trace.strings { #expect(outcome.strings[id] == value) }
        expectSameEvents(outcome.events, victim.expected.merged())
    }

    // MARK: - zlib payloads

    enum ZlibDefect: CaseIterable, Sendable {
        case bomb, inflatesShort, streamCut, notZlib

        static let declaredLength: UInt32 = 1_000

        /// The stored payload and what the damage must say.
        var forged: (payload: [UInt8], message: String) {
            let declared = Self.declaredLength
            switch self {
            case .bomb:
                // 64 MiB of zeros in a chunk that declares 1000 decoded bytes.
                return (Self.deflate([UInt8](repeating: 0, count: 64 << 20)),
                        "payload inflates past its declared \(declared) bytes (decompression bomb or forged length); chunk skipped")
            case .inflatesShort:
                return (Self.deflate([UInt8](repeating: 7, count: 600)), "payload inflates to 600 bytes, header says \(declared); chunk skipped")
            case .streamCut:
                let stream = Self.deflate([UInt8](repeating: 7, count: 600))
                return (Array(stream.dropLast(4)), "header says \(declared); chunk skipped")
            case .notZlib:
                return (Array("this is not a zlib stream".utf8), "payload does not inflate (zlib: incorrect header check); chunk skipped")
            }
        }

        static func deflate(_ bytes: [UInt8]) -> [UInt8] {
            bytes.withUnsafeBytes { Deflater(level: 9).compress($0)! }
        }
    }

    @Test("a zlib payload that does not inflate to exactly its declared size is skipped", arguments: ZlibDefect.allCases)
    func zlibDefect(defect: ZlibDefect) throws {
        let victim = try Victim()
        let forged = defect.forged
        try #require(forged.payload.count < 1 << 20, "the bomb itself is small")
        let chunk = ChunkForge.chunk(
            type: ChunkLayout.eventsType, encoding: ChunkLayout.zlibEncoding, thread: 77, itemCount: 10,
            decodedLength: ZlibDefect.declaredLength, payload: forged.payload)
        let outcome = try ReadOutcome.readAccepting(victim.inserting(chunk))

        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1, "\(outcome.report.damages)")
        #expect(damage.kind == .malformedPayload)
        #expect(damage.byteOffset == UInt64(victim.layout.headerLength))
        #expect(damage.bytesLost == UInt64(chunk.count))
        #expect(damage.message.hasSuffix(forged.message), "\(damage.message)")
        #expect(outcome.report.chunksCorrupt == 1)
        expectSameEvents(outcome.events, victim.expected.merged())
    }

    // MARK: - Event records

    enum RecordDefect: CaseIterable, Sendable {
        case unknownCode, recordCut, procOutOfRange, varintOverflow, taskIDOverflow

        /// A payload whose first record is a good `proc_start` of P 3, then the defect, in an
        /// events chunk of `type` (docs/FORMAT.md §6: type 4 heads have short codes, type 1
        /// heads 5-bit codes).
        func payload(type: UInt8) -> (bytes: [UInt8], failure: String) {
            let legacy = type == ChunkLayout.legacyEventsType
            // The head (delta 0) of a record that has no short code.
            func head(_ code: UInt64) -> [UInt8] {
                var head: [UInt8] = []
                head.appendUnsignedLEB128(legacy ? code : code << 3 | 7)
                return head
            }
            var bytes: [UInt8] = head(0) + [3]
            switch self {
            case .unknownCode:
                bytes += head(20)
                return (bytes, "\(ChunkDecoder.Failure.unknownCode(20, offset: 2))")
            case .recordCut:
                bytes += head(3)  // task_create without its arguments
                return (bytes, "\(ChunkDecoder.Failure.truncatedRecord(offset: 3))")
            case .procOutOfRange:
                bytes += head(24)  // context: proc + 1 = 2^32 is no P
                let argumentOffset = bytes.count
                bytes.appendUnsignedLEB128(1 << 32)
                bytes.append(0)
                return (bytes, "\(ChunkDecoder.Failure.valueOutOfRange("proc", offset: argumentOffset))")
            case .varintOverflow:
                bytes += [UInt8](repeating: 0xFF, count: 9) + [0x02]
                return (bytes, "\(ChunkDecoder.Failure.valueOutOfRange("varint", offset: 11))")
            case .taskIDOverflow:
                bytes.append(legacy ? 4 : 0)  // task_start whose task id has bits past 66
                bytes += [UInt8](repeating: 0xFF, count: 9) + [0x08]
                return (bytes, "\(ChunkDecoder.Failure.valueOutOfRange("task id", offset: 12))")
            }
        }
    }

    @Test("a malformed record keeps the events before it, in either layout of record heads",
          arguments: RecordDefect.allCases, [ChunkLayout.eventsType, ChunkLayout.legacyEventsType])
    func malformedRecord(defect: RecordDefect, type: UInt8) throws {
        let victim = try Victim()
        let payload = defect.payload(type: type)
        let thread = ThreadID(rawValue: 99)
        let bytes = victim.inserting(ChunkForge.chunk(
            type: type, thread: thread.rawValue, firstTimestamp: 5_000, lastTimestamp: 5_000,
            itemCount: 2, payload: payload.bytes))
        let outcome = try ReadOutcome.readAccepting(bytes)

        let damage = try #require(outcome.report.damages.first)
        #expect(outcome.report.damages.count == 1)
        #expect(damage.kind == .malformedPayload)
        #expect(damage.byteOffset == UInt64(victim.layout.headerLength))
        #expect(damage.message == "events payload is malformed (\(payload.failure)); kept the 1 event before it")
        #expect(outcome.events.filter { $0.thread == thread } == [
            Event(kind: .procStart, timestamp: 5_000, thread: thread, proc: ProcID(3)),
        ])
        expectSameEvents(outcome.events.filter { $0.thread != thread }, victim.expected.merged())
    }
}
