import Foundation
import RecorderTestWorkload
import SchedscopeFormat
import SchedscopeModel
import Testing

/// Runs `RecorderTestChild` (built with the tests, next to the test bundle).
private final class Child {
    let process = Process()
    private let output = Pipe()
    private var buffered = Data()

    /// - Parameter environment: variables set (or replaced) in the child's environment.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("RecorderTestChild")
        let candidates = [executable.path, Self.besideSelf()]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChildError.notBuilt(candidates)
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    private static func besideSelf() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("RecorderTestChild").path
    }

    enum ChildError: Error { case notBuilt([String]), ended }

    /// The child's next line of output; throws if it ends first.
    func readLine() throws -> String {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered.removeSubrange(buffered.startIndex...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw ChildError.ended }
            buffered.append(chunk)
        }
    }

    /// Every remaining line, once the child has exited.
    func remainingLines() -> [String] {
        buffered.append(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        return String(decoding: buffered, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite("Recorder in a child process", .serialized)
struct ChildProcessTests {
    /// The child records two threads' scripts, flushing every ~10 ms and saying how many rounds
    /// each thread had emitted before each flush; it is killed after a random number of flushes.
    @Test("SIGKILL at a random moment: every chunk written before the kill reads back, valid",
          arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func killedMidRecording(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("killed.sctrace")
        let child = try Child(["crash", path, String(seed)])
        var random = seed &* 0x9E37_79B9_7F4A_7C15
        random ^= random >> 29
        let flushes = 1 + Int(random % 8)
        var durable = [0, 0]
        for _ in 0..<flushes {
            let line = try child.readLine()
            let fields = line.split(separator: " ")
            try #require(fields.count == 3 && fields[0] == "flushed", "unexpected output: \(line)")
            durable = [Int(fields[1])!, Int(fields[2])!]
        }
        // A random moment within the next flush period: the flusher may be writing a chunk.
        usleep(UInt32((random >> 8) % 12_000))
        child.kill9()
        #expect(child.process.terminationReason == .uncaughtSignal)

        let trace = try RecordedTrace(path: path)
        let report = trace.trace.report
        #expect(report.chunksCorrupt == 0)
        #expect(report.chunksRead > 0)
        #expect(report.damages.allSatisfy { $0.kind == .truncated }, "\(report.damages)")
        // Killed, the recorder never wrote its end chunk: the reader always says so, even
        // when the kill fell between two chunks.
        #expect(report.truncated && report.end == nil)
        #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(3))")
        #expect(trace.lostEvents == 0)
        // Each thread's events are a prefix of its script, at least as long as what the last
        // completed flush had written.
        #expect(trace.byThread.count == 2)
        for events in trace.byThread.values {
            let index = Int(try #require(events.first).proc.rawValue)
            var script = SchedulerScript(index: index, seed: seed)
            var expected: [SchedulerScript.Step] = []
            var roundEnds: [Int] = []
            while expected.count < events.count {
                expected += script.nextRound()
                roundEnds.append(expected.count)
            }
            for (event, step) in zip(events, expected) where !step.matches(event, table: trace.strings) {
                Issue.record("thread \(index): \(event) does not match \(step)")
                break
            }
            let roundsRead = roundEnds.filter { $0 <= events.count }.count
            #expect(roundsRead >= durable[index], "thread \(index): \(roundsRead) rounds read, \(durable[index]) flushed")
        }
    }

    /// The child's file may not grow past 96 KiB (RLIMIT_FSIZE, as on a full disk).
    @Test("a file that cannot grow: clear error, recording stops, the child goes on; the trace reads up to the limit")
    func fileSizeLimit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("limited.sctrace")
        let limit = 96 << 10
        let child = try Child(["fsize", path, String(limit)])
        let lines = child.remainingLines()
        #expect(child.process.terminationStatus == 0, "\(lines)")
        let failure = try #require(lines.first { $0.hasPrefix("failure: ") })
        #expect(failure.hasPrefix("failure: Cannot write '\(path)': write failed at byte "))
        #expect(failure.hasSuffix("(File too large)."))
        #expect(lines.contains("code: write-failed"))
        #expect(lines.contains("recording: false"))
        #expect(lines.contains("stop: write-failed"))
        #expect(lines.last == "alive")

        let bytes = try readBytes(path)
        #expect(bytes.count <= limit)
        let trace = try RecordedTrace(path: path)
        #expect(trace.events.count > 0)
        #expect(trace.trace.report.chunksCorrupt == 0)
        #expect(trace.trace.violations.isEmpty, "\(trace.trace.violations.prefix(3))")
    }

    @Test("a forked child does not record into its parent's trace, exits without hanging, and can record its own")
    func forkedChild() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("parent.sctrace")
        let child = try Child(["fork", path, "-"])
        let lines = child.remainingLines()
        #expect(child.process.terminationStatus == 0)
        #expect(lines.contains("child recording: false, stop: not-recording"), "\(lines)")
        #expect(lines.contains("parent: child exited 0"), "\(lines)")
        let parent = try RecordedTrace(path: path)
        #expect(parent.events.map(\.kind) == [.procStart, .log, .procStop])
        #expect(parent.trace.violations.isEmpty)
        let own = try RecordedTrace(path: path + ".child")
        #expect(own.events.map(\.kind) == [.procStart])
        #expect(own.events.first?.proc == ProcID(7))
    }

    @Test("SCHEDSCOPE_DEFLATER=zlib makes a recording compress with zlib; without it libdeflate does, where installed",
          arguments: [nil, "zlib"] as [String?])
    func deflaterEnvironment(choice: String?) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("deflater.sctrace")
        // An empty value is "not zlib": the default choice.
        let child = try Child(["compress", path, "-"], environment: ["SCHEDSCOPE_DEFLATER": choice ?? ""])
        let lines = child.remainingLines()
        #expect(child.process.terminationStatus == 0, "\(lines)")
        let expected = choice == nil && Deflater.libdeflateIsAvailable
        #expect(lines.contains("libdeflate: \(expected)"), "\(lines)")
        let eventsLine = try #require(lines.first { $0.hasPrefix("events: ") })
        let trace = try RecordedTrace(path: path)
        #expect(!trace.trace.report.isDamaged)
        #expect(trace.trace.violations.isEmpty)
        #expect("events: \(trace.events.count)" == eventsLine)
    }
}
