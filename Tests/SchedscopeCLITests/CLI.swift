import Foundation
import SchedscopeTestSupport

/// Runs the built `schedscope` in the package root (so `Fixtures/…` paths print the same
/// everywhere) or in `directory`.
func schedscope(_ arguments: String..., in directory: URL = CLIRunner.packageRoot) async throws -> CLIResult {
    try await schedscope(arguments, in: directory)
}

func schedscope(_ arguments: [String], in directory: URL = CLIRunner.packageRoot) async throws -> CLIResult {
    try await CLIRunner.product("schedscope").run(arguments, in: directory)
}

/// The fixture traces, as paths relative to the package root (Fixtures/README.md).
enum Fixture {
    static let demo = "Fixtures/demo.sctrace"
    static let tiny = "Fixtures/tiny.sctrace"
    static let truncated = "Fixtures/damaged/truncated.sctrace"
    static let corruptChunk = "Fixtures/damaged/corrupt-chunk.sctrace"
    static let notATrace = "Fixtures/damaged/not-a-trace.txt"
    /// `tiny.sctrace` as the format 1.1 writer wrote it (events chunks of type 1).
    static let legacyTiny = "Fixtures/legacy/tiny-format-1.1.sctrace"

    /// The fixture's absolute path, for commands run in another directory.
    static func absolute(_ path: String) -> String {
        CLIRunner.packageRoot.appendingPathComponent(path).path
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: CLIRunner.packageRoot.appendingPathComponent(path)))
    }
}

/// A fresh directory for files a test writes; removed by `remove()`.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("schedscope-cli-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
