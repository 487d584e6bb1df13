import Foundation
import SchedscopeTestSupport
import Testing

/// Go execution traces through the command line: read directly by every analysis (the
/// format sniffed from the header) and converted by `import go`.
@Suite struct GoTraceCLITests {
    static let leaks = "Fixtures/go/leaks/trace.out"

    static let goldens: [GoldenCase] = [
        GoldenCase("help-import.txt", ["import", "--help"]),
        GoldenCase("help-import-go.txt", ["import", "go", "--help"]),
        GoldenCase("summary-go-leaks.txt", ["summary", leaks]),
        GoldenCase("leaks-go-leaks.txt", ["leaks", leaks]),
        GoldenCase("preemption-go-preempt.json", ["preemption", "Fixtures/go/preempt/trace.out", "--format", "json"]),
        GoldenCase("gc-go-gcheavy.txt", ["gc", "Fixtures/go/gcheavy/trace.out"]),
    ]

    @Test(arguments: goldens) func golden(_ golden: GoldenCase) async throws { try await golden.check() }

    @Test func leaksReadsAGoTraceDirectly() async throws {
        let result = try await schedscope("leaks", Self.leaks, "--format", "json")
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let candidates = try #require(object["candidates"] as? [[String: Any]])
        let labels = Set(candidates.compactMap { $0["label"] as? String })
        // Leaked on purpose by Fixtures/go/leaks/main.go, one start function per kind.
        #expect(labels == ["main.leakChanReceive", "main.leakChanSend", "main.leakSelect", "main.leakMutex",
                           "main.leakWaitGroup", "main.leakSleep"])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test(arguments: ["summary", "imbalance", "preemption", "latency", "gc", "analyze", "validate"])
    func everyReadingCommandAcceptsAGoTrace(_ command: String) async throws {
        let result = try await schedscope(command, "Fixtures/go/preempt/trace.out")
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdout.isEmpty)
    }

    /// The import is the same events as the direct read, in a file smaller than the Go trace.
    @Test(arguments: ["leaks", "preempt", "gcheavy", "syscalls", "fanout", "gotest-context"])
    func importWritesTheSameEventsSmaller(_ program: String) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let goTrace = "Fixtures/go/\(program)/trace.out"
        let output = scratch.path("\(program).sctrace")
        let imported = try await schedscope("import", "go", goTrace, "-o", output)
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.contains("imported"))
        let goSize = try #require(try FileManager.default.attributesOfItem(atPath: Fixture.absolute(goTrace))[.size] as? Int)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int)
        #expect(size < goSize, "\(size) bytes written for a \(goSize)-byte Go trace")
        let direct = try await schedscope("events", goTrace, "--format", "jsonl")
        let converted = try await schedscope("events", output, "--format", "jsonl")
        #expect(direct.status == 0 && converted.status == 0)
        #expect(direct.stdout == converted.stdout)
        #expect(!direct.stdout.isEmpty)
    }

    @Test func aTruncatedGoTraceIsAnalyzedWithAWarningAndFailsUnderStrict() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let bytes = try Fixture.bytes(Self.leaks)
        let cut = try scratch.write(Array(bytes.prefix(bytes.count - 50)), to: "cut.trace")
        let tolerant = try await schedscope("summary", cut)
        #expect(tolerant.status == 0, "\(tolerant)")
        #expect(tolerant.stderr.contains("warning: '\(cut)': the trace is truncated"), "\(tolerant.stderr)")
        #expect(tolerant.stderr.contains("byte "))
        let strict = try await schedscope("summary", cut, "--strict")
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("error: Cannot read '\(cut)'"), "\(strict.stderr)")
        let importStrict = try await schedscope("import", "go", cut, "-o", scratch.path("out.sctrace"), "--strict")
        #expect(importStrict.status == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.sctrace")))
    }

    @Test func importRefusesWhatIsNotAGoTrace() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await schedscope("import", "go", Fixture.demo, "-o", scratch.path("out.sctrace"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("Cannot import '\(Fixture.demo)' at byte 0: not a Go execution trace"), "\(result.stderr)")
        let old = try scratch.write(Array("go 1.21 trace\0\0\0".utf8) + [1, 2, 3], to: "old.trace")
        let oldResult = try await schedscope("summary", old)
        #expect(oldResult.status == 1)
        #expect(oldResult.stderr.contains("Go 1.21 traces use the format before Go 1.22"), "\(oldResult.stderr)")
        let usage = try await schedscope("import", "go", Self.leaks)
        #expect(usage.status == 64)
    }
}
