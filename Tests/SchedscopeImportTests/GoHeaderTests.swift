import Testing
@testable import SchedscopeImport

@Suite struct GoHeaderTests {
    @Test func sniffsGoTraces() {
        #expect(GoTraceImporter.looksLikeGoTrace(Array("go 1.26 trace\0\0\0".utf8)))
        #expect(!GoTraceImporter.looksLikeGoTrace(Array("SCTRACE\0".utf8)))
    }
}
