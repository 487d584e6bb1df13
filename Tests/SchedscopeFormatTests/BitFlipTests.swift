import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Bit flips: a damaged chunk is skipped and counted, every other chunk is read")
struct BitFlipTests {
    @Test("every bit of a small compressed trace")
    func everyBit() throws {
        let trace = try SampleTrace.small(seed: 21, compressionLevel: 1, eventCount: 110, layout: .generationPerChunk)
        var checker = try FlipChecker(trace)
        try #require(checker.layout.chunks.count >= 5 && checker.layout.generations.count >= 2, "\(trace.bytes.count) bytes")
        for bit in 0..<(trace.bytes.count * 8) {
            try checker.check(flippingBit: bit % 8, ofByte: bit / 8)
        }
    }

    @Test("every byte, one seeded bit each, of larger traces", arguments: [Int32(0), 1])
    func everyByteSeededBit(compressionLevel: Int32) throws {
        let trace = try SampleTrace.small(seed: 22, compressionLevel: compressionLevel, eventCount: 500)
        var checker = try FlipChecker(trace)
        var random = SplitMix64(seed: 22)
        for byte in trace.bytes.indices {
            try checker.check(flippingBit: Int.random(in: 0..<8, using: &random), ofByte: byte)
        }
    }
}

/// Flips one bit of a known-good trace and checks the reader's answer against what the
/// flipped byte's position says must happen (docs/FORMAT.md §10).
private struct FlipChecker {
    let trace: SampleTrace
    let layout: TraceLayout
    let expected: ExpectedEvents
    /// The merged events without each chunk, by chunk index (computed once per chunk).
    private var eventsWithout: [Int: [Event]] = [:]
    private let allEvents: [Event]

    init(_ trace: SampleTrace) throws {
        self.trace = trace
        layout = try TraceLayout(parsing: trace.bytes)
        expected = ExpectedEvents(layout: layout, events: trace.events)
        allEvents = expected.merged()
    }

    mutating func check(flippingBit bit: Int, ofByte byte: Int) throws {
        var bytes = trace.bytes
        bytes[byte] ^= 1 << bit
        let place = "bit \(bit) of byte \(byte)"

        if byte < layout.headerLength {
            try checkFileHeaderFlip(bytes, byte: byte, place: place)
            return
        }
        let chunk = try #require(layout.chunk(containing: byte))
        let outcome = try ReadOutcome.readAccepting(bytes)
        let report = outcome.report
        let inHeader = chunk.headerRange.contains(byte)
        // A corrupt end-chunk header is indistinguishable from a missing end chunk: the
        // reader also says the trace looks unfinished (§8). A corrupt end payload is still
        // an end chunk: no second damage.
        let endHeaderLost = chunk.isEnd && inHeader
        #expect(report.damages.count == (endHeaderLost ? 2 : 1), "\(place): \(report.damages)")
        if endHeaderLost {
            #expect(report.damages.last?.kind == .truncated, "\(place): \(report.damages)")
            #expect(report.damages.last?.byteOffset == UInt64(bytes.count), "\(place)")
        }
        if let damage = report.damages.first {
            #expect(damage.kind == (inHeader ? .corruptChunkHeader : .corruptPayload), "\(place): \(damage)")
            #expect(damage.byteOffset == UInt64(chunk.offset), "\(place)")
            #expect(damage.chunkIndex == chunk.index, "\(place)")
            #expect(damage.bytesLost == UInt64(chunk.endOffset - chunk.offset), "\(place)")
        }
        #expect(report.chunksCorrupt == 1, "\(place)")
        #expect(report.chunksRead == layout.chunks.count - 1, "\(place)")
        #expect(report.truncated == endHeaderLost, "\(place)")
        #expect((report.end != nil) == !chunk.isEnd, "\(place)")
        let survivors = eventsWithout[chunk.index] ?? expected.merged { $0.index != chunk.index }
        eventsWithout[chunk.index] = survivors
        expectSameEvents(outcome.events, survivors, "\(place):")
        expectOnlyWrittenStrings(outcome.strings, place: place)
    }

    /// The magic and the major version decide whether the file is read at all. A header or
    /// producer length that disagrees with the other hides where the chunks start: the
    /// reader finds the first chunk by its sync marker. Any other field is covered by the
    /// header CRC. Either way the reader warns and reads every chunk.
    private func checkFileHeaderFlip(_ bytes: [UInt8], byte: Int, place: String) throws {
        let fatal: TraceFormatError.Code? = switch byte {
        case 0..<FileHeaderLayout.majorVersionOffset: .notATrace
        case FileHeaderLayout.majorVersionOffset..<FileHeaderLayout.minorVersionOffset: .unsupportedVersion
        default: nil
        }
        if let fatal {
            #expect(throws: TraceFormatError.self, "\(place)") { try ReadOutcome.read(bytes) }
            do {
                _ = try ReadOutcome.read(bytes)
            } catch let error as TraceFormatError {
                #expect(error.code == fatal, "\(place): \(error)")
            }
            return
        }
        let outcome = try ReadOutcome.readAccepting(bytes)
        let lengthField = (FileHeaderLayout.headerLengthOffset..<FileHeaderLayout.startWallTimeOffset).contains(byte)
            || (FileHeaderLayout.producerLengthOffset..<FileHeaderLayout.fixedSize).contains(byte)
        if lengthField {
            #expect(outcome.report.damages.first?.message.contains("read on from the first chunk, at byte \(layout.headerLength)") == true, "\(place): \(outcome.report.damages)")
            // The fixed fields are kept; only the producer name, whose length is in doubt, is not.
            #expect(outcome.info.procCount == SampleTrace.info.procCount && outcome.info.clock == SampleTrace.info.clock, "\(place)")
            #expect(outcome.info.startWallTimeNanoseconds == SampleTrace.info.startWallTimeNanoseconds, "\(place)")
        }
        // A flip in the proc count's upper bytes also takes it past its cap: read as 0.
        let countPastCap = (FileHeaderLayout.procCountOffset..<FileHeaderLayout.clockOffset).contains(byte)
            && bytes.littleEndian(UInt32.self, at: FileHeaderLayout.procCountOffset) > FormatLimits.maxDeclaredProcs
        #expect(outcome.report.damages.map(\.kind) == (countPastCap ? [.corruptFileHeader, .limitExceeded] : [.corruptFileHeader]), "\(place)")
        #expect(outcome.report.damages.first?.byteOffset == 0, "\(place)")
        if countPastCap { #expect(outcome.info.procCount == 0, "\(place)") }
        #expect(outcome.report.chunksCorrupt == 0, "\(place)")
        #expect(outcome.report.chunksRead == layout.chunks.count, "\(place)")
        expectSameEvents(outcome.events, allEvents, "\(place):")
    }

    /// A damaged strings chunk may leave ids undefined, but never defines one wrongly.
    private func expectOnlyWrittenStrings(_ strings: StringTable, place: String) {
        for entry in strings.definedEntries where entry.id != .empty {
            #expect(trace.strings.contains { $0.id == entry.id && $0.value == entry.value }, "\(place): id \(entry.id)")
        }
    }
}
