import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("Truncation: a trace cut at any byte yields every complete chunk before the cut")
struct TruncationTests {
    @Test("cut at every byte offset", arguments: [Int32(0), 1])
    func cutAtEveryByte(compressionLevel: Int32) throws {
        let trace = try SampleTrace.small(seed: 11, compressionLevel: compressionLevel)
        let layout = try TraceLayout(parsing: trace.bytes)
        try #require(layout.eventChunks.count >= 4 && layout.generations.count >= 2, "the sample must span chunks and generations")
        let expected = ExpectedEvents(layout: layout, events: trace.events)
        let boundaries = Set([layout.headerLength] + layout.chunks.map(\.endOffset))
        // What survives changes only when a cut passes a chunk's end.
        var expectedByCompleteCount: [Int: [Event]] = [:]

        for cut in 0...trace.bytes.count {
            let prefix = Array(trace.bytes[0..<cut])
            if cut < FileHeaderLayout.magic.count {
                expectRejection(of: prefix, cut: cut)
                continue
            }
            let outcome = try ReadOutcome.readAccepting(prefix)
            let report = outcome.report
            if cut < layout.headerLength {
                #expect(outcome.events.isEmpty, "cut \(cut)")
                #expect(report.truncated, "cut \(cut)")
                #expect(report.damages.map(\.kind) == [.truncated], "cut \(cut)")
                #expect(report.damages.first?.byteOffset == 0, "cut \(cut)")
                continue
            }
            let complete = layout.chunks.filter { $0.endOffset <= cut }
            let survivors = expectedByCompleteCount[complete.count] ?? expected.merged { $0.endOffset <= cut }
            expectedByCompleteCount[complete.count] = survivors
            expectSameEvents(outcome.events, survivors, "cut \(cut):")
            #expect(report.chunksRead == complete.count, "cut \(cut)")
            #expect(report.chunksCorrupt == 0, "cut \(cut)")
            #expect(outcome.info == SampleTrace.info, "cut \(cut)")
            if cut == trace.bytes.count {
                #expect(!report.isDamaged, "the whole trace: \(report.damages)")
                #expect(report.end?.eventsWritten == UInt64(trace.events.count))
            } else if boundaries.contains(cut) {
                // A cut between chunks leaves well-formed chunks, but no end chunk: the
                // reader says the trace was not finished (§8, §10), and loses nothing more.
                #expect(report.truncated, "cut \(cut)")
                #expect(report.damages.map(\.kind) == [.truncated], "cut \(cut): \(report.damages)")
                #expect(report.damages.first?.byteOffset == UInt64(cut), "cut \(cut)")
                #expect(report.bytesLost == 0, "cut \(cut)")
                #expect(report.end == nil, "cut \(cut)")
            } else {
                let cutChunk = try #require(layout.chunk(containing: cut))
                #expect(report.truncated, "cut \(cut)")
                #expect(report.damages.count == 1, "cut \(cut): \(report.damages)")
                let damage = try #require(report.damages.first)
                #expect(damage.kind == .truncated, "cut \(cut)")
                #expect(damage.byteOffset == UInt64(cutChunk.offset), "cut \(cut)")
                #expect(damage.chunkIndex == cutChunk.index, "cut \(cut)")
                #expect(damage.bytesLost == UInt64(cut - cutChunk.offset), "cut \(cut)")
                #expect(report.bytesLost == UInt64(cut - cutChunk.offset), "cut \(cut)")
            }
            // Strings chunks read before the cut resolve; nothing else is invented.
            for entry in outcome.strings.definedEntries {
                #expect(trace.strings.contains { $0.id == entry.id && $0.value == entry.value } || entry.id == .empty, "cut \(cut)")
            }
        }
    }

    @Test("the message says where the file ends and how much is missing")
    func truncationMessage() throws {
        let trace = try SampleTrace.small(seed: 12, compressionLevel: 1)
        let layout = try TraceLayout(parsing: trace.bytes)
        let chunk = layout.eventChunks[2]
        let insidePayload = try ReadOutcome.read(Array(trace.bytes[0..<(chunk.payloadOffset + 3)])).report.damages
        #expect(insidePayload.map(\.description) == [
            "chunk \(chunk.index) at byte \(chunk.offset): chunk is truncated (header says \(chunk.storedLength) bytes, 3 remain)",
        ])
        let insideHeader = try ReadOutcome.read(Array(trace.bytes[0..<(chunk.offset + 10)])).report.damages
        #expect(insideHeader.map(\.description) == [
            "chunk \(chunk.index) at byte \(chunk.offset): the file ends inside a chunk header (10 of 60 bytes present)",
        ])
    }

    private func expectRejection(of prefix: [UInt8], cut: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ReadOutcome.read(prefix, name: "cut.sctrace")
            Issue.record("a \(cut)-byte file was accepted", sourceLocation: sourceLocation)
        } catch let error as TraceFormatError {
            #expect(error.code == (cut == 0 ? .emptyFile : .notATrace), "cut \(cut)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("Cannot read 'cut.sctrace': "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}
