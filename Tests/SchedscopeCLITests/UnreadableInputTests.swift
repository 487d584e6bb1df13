import Foundation
import SchedscopeTestSupport
import Testing

/// Input that is not a trace at all: every reading command exits 1 with one line on stderr
/// that names the file and says what was expected, and prints nothing on stdout.
@Suite("Unreadable input")
struct UnreadableInputTests {
    /// The reading commands, with the arguments each needs besides the trace.
    static let commands: [[String]] = [
        ["summary"], ["events"], ["stats", "--by", "kind"], ["validate"], ["filter", "-o", "out.sctrace"],
    ]

    enum Input: String, CaseIterable, Sendable {
        case missing, directory, empty, randomBytes, text

        /// Creates the input in `scratch` and returns its path relative to `scratch`,
        /// with the sentence fragment its message must contain.
        func make(in scratch: ScratchDirectory) throws -> (path: String, expected: String) {
            switch self {
            case .missing:
                return ("missing.sctrace", "no such file")
            case .directory:
                try FileManager.default.createDirectory(atPath: scratch.path("dir.sctrace"), withIntermediateDirectories: false)
                return ("dir.sctrace", "it is a directory, expected a trace file")
            case .empty:
                _ = try scratch.write([], to: "empty.sctrace")
                return ("empty.sctrace", "the file is empty, expected a Schedscope trace")
            case .randomBytes:
                var state: UInt64 = 0x9E37_79B9_7F4A_7C15
                let bytes = (0..<4096).map { _ -> UInt8 in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: state >> 56)
                }
                _ = try scratch.write(bytes, to: "random.sctrace")
                return ("random.sctrace", #"not a Schedscope trace (expected the magic bytes "SCTRACE\0" at byte 0)"#)
            case .text:
                _ = try scratch.write(try Fixture.bytes(Fixture.notATrace), to: "not-a-trace.txt")
                return ("not-a-trace.txt", "not a Schedscope trace")
            }
        }
    }

    @Test(arguments: commands, Input.allCases)
    func exitsOneWithOneLine(command: [String], input: Input) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (path, expected) = try input.make(in: scratch)
        let result = try await schedscope([command[0], path] + command.dropFirst(), in: scratch.url)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        let line = try #require(result.stderrLines.first)
        #expect(line.hasPrefix("error: Cannot read '\(path)': "), "\(result)")
        #expect(line.contains(expected), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.sctrace")), "a failed filter leaves no output")
    }

    @Test func theTextFixtureIsRejectedInPlace() async throws {
        let result = try await schedscope("summary", Fixture.notATrace)
        #expect(result.status == 1)
        #expect(result.stderr == "error: Cannot read '\(Fixture.notATrace)': not a Schedscope trace (expected the magic bytes \"SCTRACE\\0\" at byte 0).\n")
    }

    @Test func filterReportsAnOutputItCannotCreate() async throws {
        let result = try await schedscope("filter", Fixture.tiny, "-o", "Fixtures/no-such-directory/out.sctrace")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr == "error: Cannot write 'Fixtures/no-such-directory/out.sctrace': cannot create the file (No such file or directory).\n")
    }

    @Test func synthReportsAnOutputItCannotCreate() async throws {
        let result = try await schedscope("synth", "-o", "Fixtures", "--tasks", "10")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderrLines == ["error: Cannot write 'Fixtures': cannot create the file (Is a directory)."])
    }
}
