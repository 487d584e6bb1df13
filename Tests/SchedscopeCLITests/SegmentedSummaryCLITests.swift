import Foundation
import SchedscopeTestSupport
import Testing

/// `summary` of a whole trace reads it in segments on every core the process may use
/// (`TraceReader.reduceSegments`), and with a selection (`--from 0s`, which selects every
/// event too) in one pass: the two must print the same, damage warnings included. On a
/// one-core machine both take the one-pass path and the test checks nothing more.
@Suite("summary in segments, from the command line")
struct SegmentedSummaryCLITests {
    @Test("a trace of two generations, intact and with a damaged chunk: the same report as one pass")
    func sameAsOnePass() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let made = try await schedscope("synth", "--procs", "4", "--events", "1200000", "--seed", "3", "-o", scratch.path("big.sctrace"))
        #expect(made.status == 0, "\(made)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path("big.sctrace"))))
        bytes[bytes.count * 3 / 4] ^= 0x5A
        let damaged = try scratch.write(bytes, to: "damaged.sctrace")
        for trace in [scratch.path("big.sctrace"), damaged] {
            let segmented = try await schedscope("summary", trace, "--format", "json")
            let onePass = try await schedscope("summary", trace, "--from", "0s", "--format", "json")
            #expect(segmented.status == 0, "\(segmented)")
            #expect(segmented.stdout == onePass.stdout)
            #expect(segmented.stderr == onePass.stderr)
            #expect(segmented.stdout.contains("\"generations\": 2"), "\(segmented.stdout)")
        }
        let damagedRun = try await schedscope("summary", damaged)
        #expect(damagedRun.stderr.contains("corrupt"), "\(damagedRun)")
    }
}
