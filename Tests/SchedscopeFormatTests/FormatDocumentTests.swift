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

    @Test("every event record is named after its event kind, and every kind has one")
    func recordNamesAreEventNames() {
        let eventRecords = WireSpec.records.filter { $0.kind != nil }
        #expect(eventRecords.map { $0.kind!.name } == eventRecords.map(\.name))
        #expect(Set(eventRecords.compactMap(\.kind)) == Set(EventKind.allCases))
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
