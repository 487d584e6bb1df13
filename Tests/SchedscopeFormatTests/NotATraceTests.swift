import SchedscopeModel
import Foundation
import SchedscopeFormat
import Testing

@Suite("Not a trace: files that cannot be read at all say why, in the house style")
struct NotATraceTests {
    static func openError(_ path: String) throws -> TraceFormatError {
        try #require(throws: TraceFormatError.self) { try TraceReader(path: path) }
    }

    @Test("random bytes are not a trace", arguments: [UInt64(1), 2, 3])
    func randomBytes(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let bytes = (0..<4_096).map { _ in UInt8.random(in: 0...255, using: &random) }
        try #require(bytes[0] != UInt8(ascii: "S"))
        let directory = try TemporaryDirectory()
        let path = try directory.write(bytes, to: "noise.bin")
        let error = try Self.openError(path)
        #expect(error.code == .notATrace)
        #expect(error.byteOffset == 0)
        #expect(error.description == "Cannot read '\(path)': not a Schedscope trace (expected the magic bytes \"SCTRACE\\0\" at byte 0).")
    }

    @Test("a text file that starts like the magic but differs is not a trace")
    func nearMiss() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("SCTRACEX and some more text".utf8), to: "near.sctrace")
        #expect(try Self.openError(path).code == .notATrace)
    }

    @Test("a file shorter than the magic says how short it is")
    func tooShort() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("SCT".utf8), to: "short.sctrace")
        let error = try Self.openError(path)
        #expect(error.code == .notATrace)
        #expect(error.description == "Cannot read '\(path)': not a Schedscope trace (expected the magic bytes \"SCTRACE\\0\" at byte 0; the file has only 3 bytes).")
    }

    @Test("an empty file")
    func emptyFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([], to: "empty.sctrace")
        let error = try Self.openError(path)
        #expect(error.code == .emptyFile)
        #expect(error.description == "Cannot read '\(path)': the file is empty, expected a Schedscope trace (.sctrace).")
    }

    @Test("a directory")
    func directory() throws {
        let directory = try TemporaryDirectory()
        let error = try Self.openError(directory.url.path)
        #expect(error.code == .isDirectory)
        #expect(error.description == "Cannot read '\(directory.url.path)': it is a directory, expected a trace file.")
    }

    @Test("a missing path")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.sctrace")
        let error = try Self.openError(path)
        #expect(error.code == .fileNotFound)
        #expect(error.description == "Cannot read '\(path)': no such file.")
    }

    @Test("a file header whose lengths disagree, with no chunk after it, is refused as corrupt")
    func headerLengthsDisagree() throws {
        var bytes = ChunkForge.fileHeader(producer: "p")
        bytes.setLittleEndian(UInt32(bytes.count + 1), at: FileHeaderLayout.headerLengthOffset)
        let error = try #require(throws: TraceFormatError.self) { try ReadOutcome.read(bytes, name: "odd.sctrace") }
        #expect(error.code == .corruptHeader)
        #expect(error.description == "Cannot read 'odd.sctrace': the file header is corrupt: header length \(bytes.count + 1) and producer length 1 disagree.")
    }
}
