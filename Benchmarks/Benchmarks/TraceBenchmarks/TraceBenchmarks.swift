import Benchmark
import Foundation
import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeSynth

// One synthetic trace (SCHEDSCOPE_BENCH_EVENTS events, default 10 million; 8 Ps; seed 1),
// written once to the temporary directory and reused, so that inflate-only and
// decode+merge are measured on the same chunks in the same run.
private let eventTarget = UInt64(ProcessInfo.processInfo.environment["SCHEDSCOPE_BENCH_EVENTS"] ?? "") ?? 10_000_000

private let benchTrace: (path: String, events: UInt64) = {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("schedscope-bench-\(eventTarget).sctrace").path
    let workload = SyntheticWorkload(procs: 8, eventLimit: eventTarget, seed: 1)
    if let reader = try? TraceReader(path: path), reader.info.producer == workload.traceInfo.producer {
        var count: UInt64 = 0
        if (try? reader.forEachBatch({ count += UInt64($0.count) })) != nil, count >= eventTarget {
            return (path, count)
        }
    }
    let truth = try! workload.write(toPath: path)
    return (path, truth.events)
}()

/// Events per second of one pass (in thousands, so the table's integers keep precision).
private let eventsPerSecond = BenchmarkMetric.custom("k events/s", polarity: .prefersLarger, useScalingFactor: false)

/// Runs `pass` once, timed, and records its events/s.
private func measurePass(_ benchmark: Benchmark, _ pass: () throws -> UInt64) rethrows {
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    let events = try pass()
    let elapsed = clock.now - start
    benchmark.stopMeasurement()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    benchmark.measurement(eventsPerSecond, Int(Double(events) / seconds / 1000))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, eventsPerSecond],
        timeUnits: .milliseconds,
        maxDuration: .seconds(30),
        maxIterations: 5
    )

    Benchmark("inflate only (zlib ceiling)") { benchmark in
        let inspector = try ChunkInspector(path: benchTrace.path)
        try measurePass(benchmark) { try inspector.inflateAll().events }
    }

    for parallel in [false, true] {
        Benchmark("read: inflate + decode + merge, \(parallel ? "parallel" : "1 thread")") { benchmark in
            let reader = try TraceReader(path: benchTrace.path)
            try measurePass(benchmark) {
                var count = 0
                try reader.forEachBatch(parallel: parallel) { batch in count &+= batch.count }
                return UInt64(count)
            }
        }

        Benchmark("summary: read + summary analysis, \(parallel ? "parallel" : "1 thread")") { benchmark in
            let reader = try TraceReader(path: benchTrace.path)
            try measurePass(benchmark) {
                var summary = SummaryAnalysis()
                try reader.forEachBatch(parallel: parallel) { batch in
                    for event in batch { summary.consume(event) }
                }
                let report = summary.finish(info: reader.info, read: reader.report)
                blackHole(report)
                return report.events
            }
        }
    }

    // Segments on every core the process may use, a reader and a summary each
    // (`schedscope summary`'s path); one segment per thread when there is one core.
    Benchmark("summary: segments, read + summary analysis each") { benchmark in
        let reader = try TraceReader(path: benchTrace.path)
        try measurePass(benchmark) {
            let joined = try reader.reduceSegments(read: { segment, index in
                var part = SummaryAnalysis(followsEarlierSegment: index > 0)
                try segment.forEachBatch { part.consume($0) }
                return part
            }, merge: { $0.append($1) })
            guard let joined else { throw SegmentsDeclined() }
            let report = joined.finish(info: reader.info, read: reader.report)
            blackHole(report)
            return report.events
        }
    }

    // The memory of a segmented read on a machine with 8 cores: 8 threads, each with its
    // reader and summary (on fewer cores they take turns; the peak RSS is what counts).
    Benchmark("summary: segments on 8 threads (memory)") { benchmark in
        let reader = try TraceReader(path: benchTrace.path)
        try measurePass(benchmark) {
            let joined = try reader.reduceSegments(threads: 8, read: { segment, index in
                var part = SummaryAnalysis(followsEarlierSegment: index > 0)
                try segment.forEachBatch { part.consume($0) }
                return part
            }, merge: { $0.append($1) })
            guard let joined else { throw SegmentsDeclined() }
            return joined.finish(info: reader.info, read: reader.report).events
        }
    }

    // A ceiling, not a result: each segment analysed from scratch by its own FullAnalysis
    // and the reports thrown away, not joined — how fast `analyze` could read in segments
    // if its analyses could be joined (docs/BENCHMARKS.md, "Reading in segments").
    Benchmark("analyze ceiling: segments analysed apart, not joined") { benchmark in
        let reader = try TraceReader(path: benchTrace.path)
        try measurePass(benchmark) {
            let count = try reader.reduceSegments(read: { segment, _ in
                var analysis = FullAnalysis(procCount: segment.info.procCount, leakOptions: LeakOptions(byRegion: true))
                var count: UInt64 = 0
                try segment.forEachBatch { batch in
                    analysis.consume(batch)
                    count &+= UInt64(batch.count)
                }
                blackHole(analysis.finish(strings: segment.strings))
                return count
            }, merge: { $0 += $1 })
            guard let count else { throw SegmentsDeclined() }
            return count
        }
    }

    for parallel in [false, true] {
        Benchmark("analyze: read + all analyses in one pass, \(parallel ? "parallel" : "1 thread")") { benchmark in
            let reader = try TraceReader(path: benchTrace.path)
            try measurePass(benchmark) {
                var analysis = FullAnalysis(procCount: reader.info.procCount, leakOptions: LeakOptions(byRegion: true))
                var count: UInt64 = 0
                // Whole batches, as `schedscope analyze` hands them over.
                try reader.forEachBatch(parallel: parallel) { batch in
                    analysis.consume(batch)
                    count &+= UInt64(batch.count)
                }
                blackHole(analysis.finish(strings: reader.strings))
                return count
            }
        }
    }

    Benchmark("write: encode + deflate, 1M events") { benchmark in
        let events = try readEvents(limit: 1_000_000)
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: TraceInfo(producer: "bench", procCount: 8, startWallTimeNanoseconds: 0, clock: .synthetic))
        try measurePass(benchmark) {
            for event in events { try writer.append(event) }
            blackHole(try writer.finish())
            return UInt64(events.count)
        }
    }
}

/// The trace did not split (one core): the segmented pass has nothing to measure.
private struct SegmentsDeclined: Error {}

private func readEvents(limit: Int) throws -> [Event] {
    let reader = try TraceReader(path: benchTrace.path)
    var events: [Event] = []
    events.reserveCapacity(limit)
    struct Enough: Error {}
    do {
        try reader.forEachBatch { batch in
            for event in batch {
                if events.count == limit { throw Enough() }
                events.append(event)
            }
        }
    } catch is Enough {}
    return events
}
