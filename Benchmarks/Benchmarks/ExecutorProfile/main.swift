import Foundation
import SchedscopeExecutor
import SchedscopeRecorder

// One executor workload, once, for profilers (`perf record`, `valgrind --tool=callgrind`),
// where the Benchmark harness's iterations and statistics would be noise. Usage:
//   ExecutorProfile fan-out|fan-out-batched|ping-pong|yield|imbalanced COUNT off|track|on|default [TRACE] [--procs N] [--whole hook|factory]
// "default": Swift's default global executor (no preference), the reference the executor is
// held to; "off": tracking off, no recording; "track": tracking on (the task table and its probes),
// no recording, so the table's cost is told from the recorder's; "on": tracking on,
// recording to TRACE (default: a file in the temporary directory). Prints the CPU time of the workload alone (process CPU time
// before and after; the executor's threads are created, and parked, before).
// `--whole hook|factory`: whole-process mode instead of a task executor preference — the
// global hook (`installGlobally`) or the `ExecutorFactory` SPI (`installAsDefaultExecutor`);
// the workload then runs on plain tasks.

@inline(never) func work(_ value: Int) -> Int { value &* 31 &+ 7 }
@inline(never) func keep(_ value: Int) { if value == 42 { print("") } }

func fanOut(_ count: Int) async {
    await withDiscardingTaskGroup { group in
        for index in 0..<count { group.addTask { keep(work(index)) } }
    }
}

/// The fan-out in groups of 1,000 children: the runtime removes a finished child from its
/// group by walking the group's list of children, so a fan-out of N children all created
/// before the first one runs (one P, or a loaded machine) costs O(N²) in
/// `TaskGroup::removeChildTask`, which would hide the executor's own per-task cost.
func fanOutBatched(_ count: Int) async {
    for batch in stride(from: 0, to: count, by: 1_000) {
        await withDiscardingTaskGroup { group in
            for index in batch..<min(batch + 1_000, count) { group.addTask { keep(work(index)) } }
        }
    }
}

@inline(never) func lcgStep(_ x: UInt64) -> UInt64 { x &* 6364136223846793005 &+ 1442695040888963407 }

/// ExecutorBenchmarks' imbalanced fan-out: COUNT tasks of about 20 µs, all spawned by one
/// task (`spawn`, so it starts on one P from outside); the other Ps must steal.
func imbalanced(_ count: Int, on executor: SchedscopeExecutor) async {
    await executor.spawn {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask {
                    var x = UInt64(index)
                    for _ in 0..<8_000 { x = lcgStep(x) }
                    keep(Int(truncatingIfNeeded: x))
                }
            }
        }
    }.value
}

actor Pong {
    var hits = 0
    func hit() -> Int {
        hits += 1
        return hits
    }
}

func pingPong(_ rounds: Int) async {
    let pong = Pong()
    var last = 0
    for _ in 0..<rounds { last = await pong.hit() }
    keep(last)
}

func yields(_ total: Int) async {
    let tasks = ProcessInfo.processInfo.activeProcessorCount
    await withDiscardingTaskGroup { group in
        for _ in 0..<tasks {
            group.addTask { for _ in 0..<(total / tasks) { await Task.yield() } }
        }
    }
}

func processCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

var arguments = CommandLine.arguments
// `--procs N` anywhere: the executor's P count (default: the CPUs of the process). One P
// makes the order of a fan-out's children independent of the machine's load.
var procs: Int?
if let flag = arguments.firstIndex(of: "--procs"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]) {
    procs = value
    arguments.removeSubrange(flag...flag + 1)
}
// `--whole hook|factory` anywhere: whole-process mode.
var whole: String?
if let flag = arguments.firstIndex(of: "--whole"), flag + 1 < arguments.count, ["hook", "factory"].contains(arguments[flag + 1]) {
    whole = arguments[flag + 1]
    arguments.removeSubrange(flag...flag + 1)
}
guard arguments.count >= 4, ["fan-out", "fan-out-batched", "ping-pong", "yield", "imbalanced"].contains(arguments[1]),
      let count = Int(arguments[2]), ["off", "track", "on", "default"].contains(arguments[3]) else {
    FileHandle.standardError.write("usage: ExecutorProfile fan-out|fan-out-batched|ping-pong|yield|imbalanced COUNT off|track|on|default [TRACE] [--procs N] [--whole hook|factory]\n".data(using: .utf8)!)
    exit(64)
}
let recording = arguments[3] == "on"
if recording {
    var options = RecorderOptions()
    options.bufferEvents = 1 << 20
    let path = arguments.count > 4 ? arguments[4]
        : FileManager.default.temporaryDirectory.appendingPathComponent("schedscope-executor-profile.sctrace").path
    try Recorder.start(path: path, options: options)
}
let configuration = ExecutorConfiguration(
    procCount: procs, name: "profile", taskTracking: arguments[3] == "off" ? .off : .on, recordsEvents: recording)
let executor = switch whole {
case "hook": SchedscopeExecutor.installGlobally(configuration)
case "factory": SchedscopeExecutor.installAsDefaultExecutor(configuration)
default: SchedscopeExecutor(configuration)
}
let workload: @Sendable () async -> Void = switch arguments[1] {
case "fan-out": { await fanOut(count) }
case "fan-out-batched": { await fanOutBatched(count) }
case "ping-pong": { await pingPong(count) }
case "imbalanced": { await imbalanced(count, on: executor) }
default: { await yields(count) }
}
let cpuBefore = processCPUNanoseconds()
let wallBefore = DispatchTime.now().uptimeNanoseconds
if arguments[3] == "default" || whole != nil {
    await workload()
} else {
    await withTaskExecutorPreference(executor) { await workload() }
}
let wall = DispatchTime.now().uptimeNanoseconds - wallBefore
let cpu = processCPUNanoseconds() - cpuBefore
executor.shutdown()
if recording {
    let summary = try Recorder.stop()
    print("events \(summary.events) lost \(summary.lostEvents)")
}
print("\(arguments[1]) \(count) \(arguments[3])\(whole.map { " " + $0 } ?? "") \(executor.procCount) Ps: wall \(wall / 1_000_000) ms, cpu \(cpu / 1_000_000) ms")
