import SchedscopeFormat
import SchedscopeModel
import Testing

@Suite("docs/FORMAT.md agrees with the code")
struct FormatDocumentTests {
    @Test("the record table lists every record of WireSpec.records, with its code, name and arguments, in order")
    func recordTable() throws {
        let rows = try FormatDocument.load().tableRows(in: "### Records")
        #expect(rows.map { $0[0] } == WireSpec.records.map { String($0.code.rawValue) }, "the table's codes, in order")
        for record in WireSpec.records {
            let row = try #require(rows.first { $0[0] == String(record.code.rawValue) }, "code \(record.code.rawValue)")
            #expect(row[1] == "`\(record.name)`")
            let arguments = record.arguments.map { "`\($0.name)` (\($0.encoding.rawValue))" }
            #expect(row[2] == (arguments.isEmpty ? "–" : arguments.joined(separator: ", ")), "arguments of \(record.name)")
            #expect(row[3].hasPrefix("no event") == (record.kind == nil), "\(record.name): state records make no event")
        }
    }

    @Test("the rows are written as `| <code> | `<name>` |` so they can be found by text")
    func recordRowsAreFindableByText() throws {
        let text = try FormatDocument.load().lines
        for record in WireSpec.records {
            #expect(text.contains { $0.hasPrefix("| \(record.code.rawValue) | `\(record.name)` |") }, "\(record.name)")
        }
    }

    @Test("every event kind has one record named after it; other event records are its shorter forms")
    func recordNamesAreEventNames() {
        let eventRecords = WireSpec.records.filter { $0.kind != nil }
        let namedAfterKind = eventRecords.filter { $0.kind!.name == $0.name }
        #expect(namedAfterKind.map(\.kind!) == EventKind.allCases.filter { kind in namedAfterKind.contains { $0.kind == kind } })
        #expect(Set(namedAfterKind.map(\.kind!)) == Set(EventKind.allCases))
        #expect(namedAfterKind.count == EventKind.allCases.count)
        for variant in eventRecords where variant.kind!.name != variant.name {
            #expect(variant.name.hasPrefix(variant.kind!.name + "_"), "\(variant.name) is a form of \(variant.kind!.name)")
        }
    }

    @Test("the short-code table of §6 is the code's, and the packed table the decoder reads agrees")
    func shortCodes() throws {
        let rows = try FormatDocument.load().tableRows(in: "### Record heads")
        #expect(rows.map { $0[0] } == RecordLayout.shortCodeRecords.indices.map { String($0) })
        for (short, code) in RecordLayout.shortCodeRecords.enumerated() {
            let name = try #require(WireSpec.records.first { $0.code == code }?.name)
            #expect(rows[short][1] == "`\(name)` (\(code.rawValue))")
            #expect(UInt8(truncatingIfNeeded: RecordLayout.packedShortCodes >> (8 * UInt64(short))) == code.rawValue)
            // Both layouts split the heads they make back into delta and code.
            let delta: UInt64 = 123_456
            #expect(RecordLayout.shortCodes.split(RecordLayout.compactHead(delta: delta, code)) == (delta, code.rawValue))
        }
        #expect(RecordLayout.packedShortCodes >> (8 * UInt64(RecordLayout.shortCodeRecords.count)) == 0)
        for code in WireCode.allCases where !RecordLayout.shortCodeRecords.contains(code) {
            let head = RecordLayout.compactHead(delta: RecordLayout.maxDelta, code)
            #expect(head & 7 == RecordLayout.longForm, "\(code) has the long form")
            #expect(RecordLayout.shortCodes.split(head) == (RecordLayout.maxDelta, code.rawValue))
        }
    }

    @Test("every argument encoding is explained")
    func argumentEncodings() throws {
        let rows = try FormatDocument.load().tableRows(in: "### Argument encodings")
        let encodings = Set(WireSpec.records.flatMap { $0.arguments.map(\.encoding.rawValue) })
        #expect(Set(rows.map { $0[0] }) == Set(encodings.map { "`\($0)`" }))
    }

    @Test("the hard caps stated are the code's")
    func hardCaps() throws {
        let rows = try FormatDocument.load().tableRows(in: "## 8. Hard caps")
        let limits: [(name: String, value: Int)] = [
            ("maxChunkPayloadBytes", FormatLimits.maxChunkPayloadBytes),
            ("maxEventsPerChunk", FormatLimits.maxEventsPerChunk),
            ("maxStringBytes", FormatLimits.maxStringBytes),
            ("maxStringID", Int(FormatLimits.maxStringID)),
            ("maxTotalStringBytes", FormatLimits.maxTotalStringBytes),
            ("maxProducerBytes", FormatLimits.maxProducerBytes),
            ("maxDeclaredProcs", Int(FormatLimits.maxDeclaredProcs)),
            ("maxMergeBytes", FormatLimits.maxMergeBytes),
        ]
        #expect(rows.map { $0[0] } == limits.map { "`\($0.name)`" })
        for (name, value) in limits {
            let row = try #require(rows.first { $0[0] == "`\(name)`" })
            let stated = row[1].prefix { $0.isNumber }
            #expect(Int(stated) == value, "\(name): the document says \(row[1])")
        }
    }

    @Test("the chunk header table adds up to the code's header and sync marker")
    func chunkHeaderTable() throws {
        let rows = try FormatDocument.load().tableRows(in: "## 3. Chunk header")
        var offset = 0
        for row in rows {
            #expect(Int(row[0]) == offset, "field \(row[2]) starts where the previous one ends")
            offset += Int(row[1]) ?? 0
        }
        #expect(offset == ChunkHeader.size)
        let marker = ChunkHeader.syncMarker.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        #expect(rows.first?[3] == "`\(marker)`")
    }

    @Test("the file header table adds up to the fixed part the code reads")
    func fileHeaderTable() throws {
        let rows = try FormatDocument.load().tableRows(in: "## 2. File header")
        var offset = 0
        for row in rows.prefix(while: { $0[0] != "32" }) {
            #expect(Int(row[0]) == offset, "field \(row[2])")
            offset += Int(row[1]) ?? 0
        }
        #expect(offset == FileHeader.fixedSize)
        #expect(rows.first?[3].hasPrefix("`53 43 54 52 41 43 45 00`") == true)
        #expect(FileHeader.magic == [0x53, 0x43, 0x54, 0x52, 0x41, 0x43, 0x45, 0x00])
    }

    @Test("the document's title names the version the code writes")
    func version() throws {
        let title = try #require(FormatDocument.load().lines.first)
        #expect(title.hasSuffix("version \(FileHeader.majorVersion).\(FileHeader.minorVersion)"))
    }
}
