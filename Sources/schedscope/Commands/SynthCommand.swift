import ArgumentParser
import SchedscopeFormat
import SchedscopeSynth
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a deterministic synthetic scheduler trace (for demos, tests and benchmarks).",
        discussion: """
            Simulates a work-stealing scheduler running a test suite: test cases as \
            regions, tasks that fan out, park, get woken, yield and end, preemption at \
            a 10 ms quantum, idle Ps that stop and steal, stop-the-world GC pauses, and \
            one leaked task per --leak-every tests. The same options give the same bytes.

              schedscope synth -o demo.sctrace
              schedscope synth -o big.sctrace --procs 8 --events 50000000 --seed 7
              schedscope synth -o run3.sctrace --tests 200 --seed 3
            """
    )

    @Option(name: .shortAndLong, help: "The trace to write.") var output: String
    @Option(help: "Number of Ps.") var procs = 4
    @Option(help: "Stop starting test cases once this many tasks exist (default 10000 unless --events or --tests is given).")
    var tasks: UInt64?
    @Option(help: "Stop starting test cases once this many events are written.") var events: UInt64?
    @Option(name: .customLong("tests"), help: "Run this many test cases (a fixed suite: the same leaks for every seed).")
    var testCount: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "One test case in this many leaks a task (0: no leaks).") var leakEvery = 40
    @Option(help: "Mean time between GC cycles; \(Duration.help); 0s disables GC.") var gcInterval = Duration(nanoseconds: 2_000_000)

    @Option(help: "Target size of an event chunk before compression, in bytes.") var chunkBytes = 65536

    func validate() throws {
        guard (256...(4 << 20)).contains(chunkBytes) else {
            throw ValidationError("--chunk-bytes must be between 256 and 4194304, not \(chunkBytes).")
        }
        guard (1...4096).contains(procs) else { throw ValidationError("--procs must be between 1 and 4096, not \(procs).") }
        guard leakEvery >= 0 else { throw ValidationError("--leak-every must be 0 or more.") }
        if tasks == 0 || events == 0 { throw ValidationError("--tasks and --events must be positive.") }
        if let testCount, testCount <= 0 { throw ValidationError("--tests must be positive.") }
    }

    func run() throws {
        let workload = SyntheticWorkload(
            procs: procs, taskLimit: tasks, eventLimit: events, seed: seed, leakEvery: leakEvery,
            gcInterval: gcInterval.nanoseconds, testLimit: testCount)
        do {
            let truth = try workload.write(toPath: output, chunkBytes: chunkBytes)
            var sizes = ""
            if let written = truth.written, truth.events > 0 {
                let events = Double(truth.events)
                sizes = String(
                    format: "; %.2f bytes/event encoded, %.2f compressed, %.2f in the file",
                    Double(written.decodedEventBytes) / events, Double(written.storedEventBytes) / events,
                    Double(written.fileBytes) / events)
            }
            Diagnostics.note("wrote \(formatCount(truth.events)) events, \(formatCount(truth.tasksCreated)) tasks (\(truth.leakedTasks.count) leaked) over \(formatDuration(truth.endTimestamp)) to '\(output)'\(sizes)")
        } catch {
            Diagnostics.error(error.description.replacingOccurrences(of: "Cannot read", with: "Cannot write"))
            throw ExitCode(1)
        }
    }
}
