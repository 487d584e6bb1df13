import Benchmark
import Foundation
import RecorderWorkload
import SchedscopeFormat
import SchedscopeModel
import SchedscopeRecorder
import Synchronization

// The recorder's emit path against one read of its clock, measured in the same iterations;
// recording off; two threads; and the flusher's sustained rate with the bytes per event it
// writes on a scheduler-like mix (the synthetic workload, replayed through the recorder).
// Run pinned to one core for single-thread figures: `taskset -c 1 swift package benchmark
// --target RecorderBenchmarks`. Figures in ../docs/BENCHMARKS.md (## Recorder).

/// Events per measured batch: a quarter of the ring, so the batch runs on the fast path.
private let batch = 16_384
private let ringEvents = 1 << 16

private let psPerEvent = BenchmarkMetric.custom("emit (ps/event)", polarity: .prefersSmaller, useScalingFactor: false)
private let psPerClockRead = BenchmarkMetric.custom("clock read (ps)", polarity: .prefersSmaller, useScalingFactor: false)
private let psAboveClock = BenchmarkMetric.custom("emit - clock (ps)", polarity: .prefersSmaller, useScalingFactor: false)
private let kEventsPerSecond = BenchmarkMetric.custom("flusher (k events/s)", polarity: .prefersLarger, useScalingFactor: false)
private let rawCentibytes = BenchmarkMetric.custom("raw (B/event × 100)", polarity: .prefersSmaller, useScalingFactor: false)
private let storedCentibytes = BenchmarkMetric.custom("stored (B/event × 100)", polarity: .prefersSmaller, useScalingFactor: false)

private func nanosecondsNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

private func scratchPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("schedscope-recorder-bench-\(name).sctrace").path
}

/// Times `count` reads of the recorder's clock and `count` emits, interleaved per iteration.
private func timeEmitAndClock(count: Int) -> (emit: UInt64, clock: UInt64) {
    var sum: UInt64 = 0
    let t0 = nanosecondsNow()
    for _ in 0..<count { sum &+= Recorder.readClock() }
    let t1 = nanosecondsNow()
    for n in 0..<count { Recorder.taskStart(TaskID(UInt64(n)), on: ProcID(0)) }
    let t2 = nanosecondsNow()
    blackHole(sum)
    return (t2 - t1, t1 - t0)
}

/// The synthetic scheduler workload's events (8 Ps), per emitting thread, with the recorder's
/// ids for its strings.
private let schedulerMix = recorderSchedulerMix(eventLimit: 1_000_000)

/// The flusher works only when a batch is over (`flush()`), so that it neither competes for
/// the core nor allocates while the emit path is measured (allocations are counted
/// process-wide).
private let quietFlusher = RecorderOptions(
    bufferEvents: ringEvents, generationInterval: .seconds(3600), drainInterval: .seconds(3600))

/// The emit path's gate: not one allocation in any measured iteration. Checked by
/// `swift package benchmark thresholds check --target RecorderBenchmarks --filter "emit-.*"`
/// against Thresholds/ (gated benchmarks have shell-safe names: the plugin cleans names when
/// it writes threshold files but not when it reads them).
private func zeroAllocations() -> [BenchmarkMetric: BenchmarkThresholds] {
    [.mallocCountTotal: BenchmarkThresholds(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(5),
        maxIterations: 2000
    )

    // -- Clock choices: one read each (the recorder stamps with the first where usable). --

    Benchmark("clock: rdtsc", configuration: .init(metrics: [.wallClock], scalingFactor: .mega)) { benchmark in
        var sum: UInt64 = 0
        for _ in benchmark.scaledIterations { sum &+= Recorder.readClock() }
        blackHole(sum)
    }
    Benchmark("clock: clock_gettime(CLOCK_MONOTONIC)", configuration: .init(metrics: [.wallClock], scalingFactor: .mega)) { benchmark in
        var sum: UInt64 = 0
        var ts = timespec()
        for _ in benchmark.scaledIterations {
            clock_gettime(CLOCK_MONOTONIC, &ts)
            sum &+= UInt64(ts.tv_nsec)
        }
        blackHole(sum)
    }
    Benchmark("clock: ContinuousClock.now", configuration: .init(metrics: [.wallClock], scalingFactor: .mega)) { benchmark in
        let clock = ContinuousClock()
        for _ in benchmark.scaledIterations { blackHole(clock.now) }
    }

    // -- The emit path. --

    Benchmark("emit-recording-off", configuration: .init(
        metrics: [.mallocCountTotal, psPerEvent], thresholds: zeroAllocations())
    ) { benchmark in
        let count = 1 << 20
        benchmark.startMeasurement()
        let start = nanosecondsNow()
        for n in 0..<count { Recorder.taskStart(TaskID(UInt64(n)), on: ProcID(0)) }
        let elapsed = nanosecondsNow() - start
        benchmark.stopMeasurement()
        benchmark.measurement(psPerEvent, Int(elapsed * 1000 / UInt64(count)))
    }

    Benchmark("emit-vs-one-clock-read-1-thread", configuration: .init(
        metrics: [.mallocCountTotal, psPerEvent, psPerClockRead, psAboveClock], thresholds: zeroAllocations(),
        setup: { try Recorder.start(path: scratchPath("emit"), options: quietFlusher) },
        teardown: { try Recorder.stop() })
    ) { benchmark in
        Recorder.taskStart(TaskID(0), on: ProcID(0))  // the slot exists before measuring
        benchmark.startMeasurement()
        let (emit, clock) = timeEmitAndClock(count: batch)
        benchmark.stopMeasurement()
        _ = try? Recorder.flush()
        benchmark.measurement(psPerEvent, Int(emit * 1000 / UInt64(batch)))
        benchmark.measurement(psPerClockRead, Int(clock * 1000 / UInt64(batch)))
        benchmark.measurement(psAboveClock, Int(emit * 1000 / UInt64(batch)) - Int(clock * 1000 / UInt64(batch)))
    }

    Benchmark("emit-vs-one-clock-read-2-threads", configuration: .init(
        metrics: [psPerEvent, psPerClockRead, psAboveClock],
        setup: { try Recorder.start(path: scratchPath("emit2"), options: quietFlusher) },
        teardown: { try Recorder.stop() })
    ) { benchmark in
        let results = Mutex<[(emit: UInt64, clock: UInt64)]>([])
        let ready = Atomic<Int>(0)
        onThreads(2) { _ in
            Recorder.taskStart(TaskID(0), on: ProcID(0))
            // Relaxed: a start line for two threads; nothing is published through it.
            ready.add(1, ordering: .relaxed)
            while ready.load(ordering: .relaxed) < 2 {}
            let result = timeEmitAndClock(count: batch)
            results.withLock { $0.append(result) }
        }
        _ = try? Recorder.flush()
        let measured = results.withLock { $0 }
        let emit = measured.reduce(0) { $0 + $1.emit } / UInt64(measured.count)
        let clock = measured.reduce(0) { $0 + $1.clock } / UInt64(measured.count)
        benchmark.measurement(psPerEvent, Int(emit * 1000 / UInt64(batch)))
        benchmark.measurement(psPerClockRead, Int(clock * 1000 / UInt64(batch)))
        benchmark.measurement(psAboveClock, Int(emit * 1000 / UInt64(batch)) - Int(clock * 1000 / UInt64(batch)))
    }

    // -- The flusher: encode + compress (libdeflate if present, else zlib) + write, on the synthetic scheduler mix. --

    Benchmark("flusher: sustained encode + compress + write, scheduler mix", configuration: .init(
        metrics: [.wallClock, kEventsPerSecond, rawCentibytes, storedCentibytes], timeUnits: .milliseconds,
        maxDuration: .seconds(20), maxIterations: 5,
        setup: { _ = schedulerMix.count })
    ) { benchmark in
        // The flusher stays asleep while the threads fill their rings (no wake below half a
        // ring, no timer within the run); `stop()` then drains, encodes and writes it all.
        try Recorder.start(path: scratchPath("sustained"), options: RecorderOptions(
            bufferEvents: 1 << 19, generationInterval: .seconds(3600), drainInterval: .seconds(3600)))
        for events in schedulerMix {
            onThreads(1) { _ in for event in events { replay(event) } }
        }
        benchmark.startMeasurement()
        let start = nanosecondsNow()
        let summary = try Recorder.stop()
        let elapsed = nanosecondsNow() - start
        benchmark.stopMeasurement()
        benchmark.measurement(kEventsPerSecond, Int(summary.events * 1_000_000 / max(elapsed, 1)))
        benchmark.measurement(rawCentibytes, Int(summary.decodedEventBytes * 100 / max(summary.events, 1)))
        benchmark.measurement(storedCentibytes, Int(summary.storedEventBytes * 100 / max(summary.events, 1)))
    }
}
