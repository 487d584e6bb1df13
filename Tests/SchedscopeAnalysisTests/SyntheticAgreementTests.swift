import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth
import SchedscopeTestSupport
import Testing

/// Writes a workload to memory; returns its events (read back and validated) and the
/// generator's ground truth.
private func generate(_ workload: SyntheticWorkload) throws -> (trace: ReadTrace, truth: SyntheticTruth) {
    let sink = ByteSink()
    var options = SyntheticWorkload.writerOptions
    options.chunkBytes = 8192
    let writer = try TraceWriter(sink: sink, info: workload.traceInfo, options: options)
    let truth = try workload.write(to: writer)
    let trace = try readTrace(sink.memory)
    #expect(trace.violations.isEmpty, "\(trace.violations.prefix(3))")
    return (trace, truth)
}

/// Shapes of synthetic runs: Ps, tasks, seed, one leak in this many tests.
private let shapes: [(procs: Int, tasks: UInt64, seed: UInt64, leakEvery: Int)] = [
    (1, 800, 1, 3), (2, 2000, 2, 5), (4, 4000, 3, 4), (8, 6000, 4, 7), (3, 3000, 11, 2),
]

@Suite("synthetic traces: the analyses agree with the generator's own bookkeeping")
struct SyntheticAgreementTests {
    @Test(arguments: shapes.indices)
    func imbalanceMatchesBusyTasksRunAndSteals(shape: Int) throws {
        let s = shapes[shape]
        let (trace, truth) = try generate(SyntheticWorkload(procs: s.procs, taskLimit: s.tasks, seed: s.seed, leakEvery: s.leakEvery))
        var analysis = ImbalanceAnalysis(procCount: trace.info.procCount)
        for event in trace.events { analysis.consume(event) }
        let report = analysis.finish()
        #expect(report.end == truth.endTimestamp)
        #expect(report.procs.map(\.proc) == (0..<s.procs).map { ProcID(UInt32($0)) })
        #expect(report.procs.map(\.busyNanoseconds) == truth.busyNanoseconds)
        #expect(report.procs.map(\.tasksRun) == truth.tasksRun)
        #expect(report.procs.map(\.stealsIn) == truth.stealsIn)
        #expect(report.procs.map(\.stealsOut) == truth.stealsOut)
        let windowBusy = report.worstWindow?.busyNanoseconds ?? []
        #expect(windowBusy.allSatisfy { $0 <= report.windowNanoseconds })
    }
}
