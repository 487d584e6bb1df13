import Foundation
import SchedscopeImport
import SchedscopeModel
import Testing

/// Truncated, corrupted and foreign inputs: the importer keeps what is complete, names
/// what it dropped with a byte offset, and never crashes or hangs.
@Suite struct GoDamageTests {
    /// Cut at every byte offset: each cut yields a prefix of the full import that ends at a
    /// generation boundary (all complete generations, nothing of the one cut into), the
    /// prefixes grow with the cut, and the dropped generation is reported where it starts.
    @Test func everyTruncationKeepsTheCompleteGenerations() throws {
        let source = GoFixture.path("leaks")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        let full = try importGoTrace(source)
        #expect(full.report.generations >= 2, "the fixture should have several generations")
        var previousCount = 0
        var previousGenerations = 0
        var prefixLengths: Set<Int> = []
        for cut in GoTraceImporter.headerSize..<bytes.count {
            let imported = try importGoTrace(bytes: Array(bytes[..<cut]))
            let count = imported.events.count
            #expect(count <= full.events.count)
            #expect(Array(full.events.prefix(count)) == imported.events, "cut at \(cut): not a prefix of the full import")
            #expect(count >= previousCount && imported.report.generations >= previousGenerations, "cut at \(cut): less than a shorter cut")
            #expect(imported.violations.isEmpty, "cut at \(cut): \(imported.violations.prefix(2))")
            #expect(imported.report.generations < full.report.generations)
            for diagnostic in imported.report.diagnostics {
                #expect(diagnostic.byteOffset <= UInt64(cut) && diagnostic.byteOffset >= UInt64(GoTraceImporter.headerSize))
            }
            if imported.report.truncated {
                #expect(imported.report.generationsDropped + imported.report.generations >= imported.report.generations)
                #expect(imported.report.bytesLost > 0)
            }
            prefixLengths.insert(count)
            previousCount = count
            previousGenerations = imported.report.generations
        }
        // One prefix per number of complete generations, no more.
        #expect(prefixLengths.count <= full.report.generations)
    }

    /// A cut inside the last generation is reported as truncation at that generation's start.
    @Test func aCutGenerationIsNamedWithItsOffset() throws {
        let source = GoFixture.path("leaks")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        let imported = try importGoTrace(bytes: Array(bytes[..<(bytes.count - 100)]))
        #expect(imported.report.truncated)
        let diagnostic = try #require(imported.report.diagnostics.first { $0.name == .truncated })
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.byteOffset < UInt64(bytes.count - 100))
        #expect(diagnostic.message.contains("generation"))
    }

    /// Seeded random byte corruption: the importer returns (events or an error), never traps.
    @Test func corruptBytesNeverCrash() throws {
        let source = GoFixture.path("fanout")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for round in 0..<400 {
            var bytes = original
            for _ in 0...random(4) {
                let offset = GoTraceImporter.headerSize + random(bytes.count - GoTraceImporter.headerSize)
                bytes[offset] = round % 3 == 0 ? UInt8(random(256)) : bytes[offset] ^ UInt8(1 << random(8))
            }
            do {
                let imported = try importGoTrace(bytes: bytes)
                for diagnostic in imported.report.diagnostics {
                    #expect(diagnostic.byteOffset < UInt64(bytes.count), "round \(round): \(diagnostic)")
                }
            } catch let error as GoImportError {
                #expect(error.code == .io || error.code == .notAGoTrace, "round \(round): \(error)")
            }
        }
    }

    @Test(arguments: [
        ("", GoImportError.Code.notAGoTrace),
        ("SCTRACE\0 not go", .notAGoTrace),
        ("go 1.26 tr", .notAGoTrace),
        ("go 1.21 trace\0\0\0", .unsupportedVersion),
        ("go 1.11 trace\0\0\0", .unsupportedVersion),
        ("go 1.99 trace\0\0\0", .unsupportedVersion),
        ("go 1.26 trace!\0\0", .notAGoTrace),
    ])
    func headersThatAreRefused(_ header: String, _ code: GoImportError.Code) throws {
        let error = try #require(throws: GoImportError.self) {
            _ = try GoTraceImporter(bytes: Array(header.utf8), name: "header.trace")
        }
        #expect(error.code == code)
        #expect(error.description.contains("'header.trace'"))
    }

    @Test func aHeaderAloneIsAnEmptyTrace() throws {
        let imported = try importGoTrace(bytes: Array("go 1.26 trace\0\0\0".utf8))
        #expect(imported.events.isEmpty)
        #expect(imported.report.diagnostics.isEmpty)
    }

    @Test func aMissingFileIsAnIOError() {
        let error = #expect(throws: GoImportError.self) { _ = try GoTraceImporter(path: "/nonexistent/trace.out") }
        #expect(error?.code == .io)
    }
}
