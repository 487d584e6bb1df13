import Benchmark
import Foundation
import SchedscopeAnalysis
import SchedscopeExecutor
import SchedscopeFormat
import SchedscopeModel
import SchedscopeRecorder

// SchedscopeExecutor against Swift's default global executor, side by side in one run, on
// the same three workloads: fan-out of 1M (and 200k) small tasks, 300k actor ping-pong round
// trips, 1M Task.yield. "executor" is the task-executor-preference mode with recording off;
// "executor+recording" records every event to a file in the temporary directory. The
// whole-process (hook) mode is process-global and has its own target,
// ExecutorHookBenchmarks. Figures in ../docs/BENCHMARKS.md (## Executor).

let fanOutTasks = 1_000_000
let pingPongRounds = 300_000
let yieldTotal = 1_000_000

/// A tiny task body the optimizer cannot drop.
@inline(never) func work(_ value: Int) -> Int { value &* 31 &+ 7 }

func fanOut(_ tasks: Int = fanOutTasks) async {
    await withDiscardingTaskGroup { group in
        for index in 0..<tasks { group.addTask { blackHole(work(index)) } }
    }
}

actor Pong {
    var hits = 0
    func hit() -> Int {
        hits += 1
        return hits
    }
}

func pingPong() async {
    let pong = Pong()
    var last = 0
    for _ in 0..<pingPongRounds { last = await pong.hit() }
    blackHole(last)
}

/// As many yielding tasks as cores, 1M yields in all.
func yields() async {
    let tasks = ProcessInfo.processInfo.activeProcessorCount
    await withDiscardingTaskGroup { group in
        for _ in 0..<tasks {
            group.addTask { for _ in 0..<(yieldTotal / tasks) { await Task.yield() } }
        }
    }
}

let referenceExecutor = OneThreadTaskExecutor()
let quietExecutor = SchedscopeExecutor(ExecutorConfiguration(name: "bench", taskTracking: .off))
let recordingExecutor = SchedscopeExecutor(ExecutorConfiguration(name: "bench-rec", taskTracking: .on))

func tracePath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("schedscope-executor-bench-\(name).sctrace").path
}

func startRecording(_ name: String) throws {
    var options = RecorderOptions()
    options.bufferEvents = 1 << 20
    try Recorder.start(path: tracePath(name), options: options)
}

private let rampUpMicroseconds = BenchmarkMetric.custom("all Ps busy after (µs)", polarity: .prefersSmaller, useScalingFactor: false)
private let idleWhileRunnableMicroseconds = BenchmarkMetric.custom("idle while runnable (µs)", polarity: .prefersSmaller, useScalingFactor: false)
private let stealCount = BenchmarkMetric.custom("steals", polarity: .prefersLarger, useScalingFactor: false)
private let lastWakeMicroseconds = BenchmarkMetric.custom("last P's thread running after (µs)", polarity: .prefersSmaller, useScalingFactor: false)

/// One step of a linear congruential generator, opaque to the optimizer: inlined, a loop of
/// them was folded (the tasks took 1.5 µs, not the 20 µs intended).
@inline(never) func lcgStep(_ x: UInt64) -> UInt64 { x &* 6364136223846793005 &+ 1442695040888963407 }
let stealTaskSteps = 8_000

/// An imbalanced fan-out: 20,000 tasks of about 20 µs of work each, all spawned by one
/// task on one P; the others must steal. Measured from its own trace: the time from the
/// first task start to the moment every P has started one, and idle_while_runnable. To
/// tell the operating system's share from the executor's, also the moment the last P to
/// start a task had its thread running again (its last `proc_start` before that task,
/// emitted by the woken thread itself; 0 when it was already up at the first task start).
func imbalancedFanOutFromOneProc(_ benchmark: Benchmark) async throws {
    try startRecording("steal")
    await recordingExecutor.spawn {
        await withDiscardingTaskGroup { group in
            for index in 0..<20_000 {
                group.addTask {
                    var x = UInt64(index)
                    for _ in 0..<stealTaskSteps { x = lcgStep(x) }
                    blackHole(x)
                }
            }
        }
    }.value
    _ = try Recorder.stop()
    let reader = try TraceReader(path: tracePath("steal"))
    var imbalance = ImbalanceAnalysis(procCount: UInt32(recordingExecutor.procCount))
    var firstStart: UInt64?
    var procsStarted: Set<UInt32> = []
    var allBusyAt: UInt64?
    var lastProcStart: [UInt32: UInt64] = [:]
    var lastProcAwakeAt: UInt64 = 0
    var steals = 0
    try reader.forEach { event in
        imbalance.consume(event)
        if event.kind == .procSteal { steals += 1 }
        if event.kind == .procStart, allBusyAt == nil { lastProcStart[event.proc.rawValue] = event.timestamp }
        guard event.kind == .taskStart, allBusyAt == nil else { return }
        if firstStart == nil { firstStart = event.timestamp }
        procsStarted.insert(event.proc.rawValue)
        if procsStarted.count == recordingExecutor.procCount {
            allBusyAt = event.timestamp
            lastProcAwakeAt = lastProcStart[event.proc.rawValue] ?? 0
        }
    }
    let report = imbalance.finish()
    let start = firstStart ?? 0
    benchmark.measurement(rampUpMicroseconds, Int(((allBusyAt ?? .max) - start) / 1_000))
    benchmark.measurement(lastWakeMicroseconds, Int((max(lastProcAwakeAt, start) - start) / 1_000))
    benchmark.measurement(idleWhileRunnableMicroseconds, Int(report.idleWhileRunnableNanoseconds / 1_000))
    benchmark.measurement(stealCount, steals)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 7
    )

    Benchmark("fan-out 1M: default executor") { _ in await fanOut() }
    Benchmark("fan-out 1M: executor") { _ in
        await withTaskExecutorPreference(quietExecutor) { await fanOut() }
    }
    Benchmark("fan-out 1M: executor+recording", closure: { _ in
        await withTaskExecutorPreference(recordingExecutor) { await fanOut() }
    }, setup: { try startRecording("fan-out") }, teardown: { _ = try Recorder.stop() })

    Benchmark("fan-out 200k: default executor") { _ in await fanOut(200_000) }
    Benchmark("fan-out 200k: executor") { _ in
        await withTaskExecutorPreference(quietExecutor) { await fanOut(200_000) }
    }

    Benchmark("ping-pong 300k: default executor") { _ in await pingPong() }
    Benchmark("ping-pong 300k: executor") { _ in
        await withTaskExecutorPreference(quietExecutor) { await pingPong() }
    }
    Benchmark("ping-pong 300k: one-thread TaskExecutor (runtime floor)") { _ in
        await withTaskExecutorPreference(referenceExecutor) { await pingPong() }
    }
    Benchmark("ping-pong 300k: executor+recording", closure: { _ in
        await withTaskExecutorPreference(recordingExecutor) { await pingPong() }
    }, setup: { try startRecording("ping-pong") }, teardown: { _ = try Recorder.stop() })

    Benchmark("yield 1M: default executor") { _ in await yields() }
    Benchmark("yield 1M: executor") { _ in
        await withTaskExecutorPreference(quietExecutor) { await yields() }
    }
    Benchmark("yield 1M: executor+recording", closure: { _ in
        await withTaskExecutorPreference(recordingExecutor) { await yields() }
    }, setup: { try startRecording("yield") }, teardown: { _ = try Recorder.stop() })

    Benchmark("steal: imbalanced fan-out from one P",
              configuration: .init(metrics: [.wallClock, rampUpMicroseconds, lastWakeMicroseconds, idleWhileRunnableMicroseconds, stealCount], maxIterations: 10)) { benchmark in
        try await imbalancedFanOutFromOneProc(benchmark)
    }
}
