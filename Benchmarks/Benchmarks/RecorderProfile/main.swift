import Foundation
import SchedscopeFormat
import SchedscopeModel
import RecorderWorkload
import SchedscopeRecorder
import SchedscopeSynth

// The recorder's flusher, once, for profilers (`perf record`) and for CPU-time comparisons
// between builds, where the Benchmark harness's iterations would be noise. Usage:
//   RecorderProfile [EVENTS] [RUNS]
// The synthetic scheduler mix (`SyntheticWorkload(procs: 8, …)`, as RecorderBenchmarks'
// flusher benchmark) is replayed through the recorder's API, one OS thread per emitting
// thread, while the flusher sleeps; `Recorder.stop()` then drains, encodes, compresses and
// writes everything on the calling thread, and its thread CPU time is the flusher's cost.
// SCHEDSCOPE_DEFLATER=zlib forces zlib, as for any recording. To profile `stop()` alone:
//   mkfifo /tmp/ctl; PERF_CTL_FIFO=/tmp/ctl perf record --control fifo:/tmp/ctl -D -1 -g RecorderProfile
// (perf starts disabled; the program enables it around each `stop()`).

let arguments = CommandLine.arguments
let eventLimit = arguments.count > 1 ? UInt64(arguments[1]) ?? 1_000_000 : 1_000_000
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5

/// Emits a recorded event through the recorder's API.
func replay(_ event: Event) {
    switch event.kind {
    case .procStart: Recorder.procStart(event.proc)
    case .procStop: Recorder.procStop(event.proc)
    case .procSteal: Recorder.procSteal(event.proc, from: event.victim, count: event.stealCount)
    case .taskCreate: Recorder.taskCreate(event.task, parent: event.parent, label: event.label, isRuntime: event.isRuntimeTask)
    case .taskStart: Recorder.taskStart(event.task, on: event.proc)
    case .taskYield: Recorder.taskYield(event.task)
    case .taskPreempt: Recorder.taskPreempt(event.task)
    case .taskPark: Recorder.taskPark(event.task, reason: event.reason)
    case .taskUnpark: Recorder.taskUnpark(event.task, by: event.waker)
    case .taskEnd: Recorder.taskEnd(event.task)
    case .gcBegin: Recorder.gcBegin(cycle: event.cycle)
    case .gcEnd: Recorder.gcEnd(cycle: event.cycle)
    case .gcPauseBegin: Recorder.gcPauseBegin(reason: event.reason)
    case .gcPauseEnd: Recorder.gcPauseEnd(reason: event.reason)
    case .regionBegin: Recorder.regionBegin(event.regionName, task: event.task)
    case .regionEnd: Recorder.regionEnd(event.regionName, task: event.task)
    case .log: Recorder.log(event.logMessage, category: event.logCategory)
    case .lost: break
    }
}

/// Runs `body` on a new thread and waits for it.
func onThread(_ body: @escaping @Sendable () -> Void) {
    final class Start: @unchecked Sendable {
        // Invariant: set before the thread starts, read only by it.
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let start = Unmanaged.passRetained(Start(body)).toOpaque()
    pthread_create(&thread, nil, { raw in
        Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, start)
    pthread_join(thread, nil)
}

/// perf's control fifo, if given: profiling is switched on around `stop()` only.
let perfControl: Int32? = ProcessInfo.processInfo.environment["PERF_CTL_FIFO"].map { open($0, O_WRONLY) }
func perf(_ command: String) {
    guard let fd = perfControl, fd >= 0 else { return }
    _ = command.withCString { write(fd, $0, strlen($0)) }
}

func nanoseconds(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

let mix = recorderSchedulerMix(eventLimit: eventLimit)
let path = FileManager.default.temporaryDirectory.appendingPathComponent("schedscope-recorder-profile.sctrace").path
for _ in 0..<runs {
    // Rings large enough for every thread's events: nothing is dropped, the flusher sleeps.
    try Recorder.start(path: path, options: RecorderOptions(
        bufferEvents: 1 << 20, generationInterval: .seconds(3600), drainInterval: .seconds(3600)))
    for events in mix { onThread { for event in events { replay(event) } } }
    perf("enable\n")
    let cpuBefore = nanoseconds(CLOCK_THREAD_CPUTIME_ID)
    let wallBefore = nanoseconds(CLOCK_MONOTONIC)
    let summary = try Recorder.stop()
    let cpu = nanoseconds(CLOCK_THREAD_CPUTIME_ID) - cpuBefore
    let wall = nanoseconds(CLOCK_MONOTONIC) - wallBefore
    perf("disable\n")
    let events = max(summary.events, 1)
    print(String(
        format: "flusher %d events: cpu %.1f ms (%.1f ns/event), wall %.1f ms, raw %.2f B/event, stored %.2f B/event, lost %d",
        summary.events, Double(cpu) / 1e6, Double(cpu) / Double(events), Double(wall) / 1e6,
        Double(summary.decodedEventBytes) / Double(events), Double(summary.storedEventBytes) / Double(events),
        summary.lostEvents))
}
