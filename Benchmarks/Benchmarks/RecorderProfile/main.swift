import Foundation
import SchedscopeFormat
import SchedscopeModel
import RecorderWorkload
import SchedscopeRecorder

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
    for events in mix { onThreads(1) { _ in for event in events { replay(event) } } }
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
