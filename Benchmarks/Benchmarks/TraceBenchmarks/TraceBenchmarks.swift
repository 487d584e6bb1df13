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

/// The writer's revision in the cached trace's name: a writer that compresses differently
/// (2: Huffman-only events chunks) must not be measured on a trace an older one left.
private let writerRevision = 2

private let benchTrace: (path: String, events: UInt64) = {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("schedscope-bench-w\(writerRevision)-\(eventTarget).sctrace").path
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
            let report = try segmentedSummary(reader, threads: TraceReader.defaultSegmentThreads)
            blackHole(report)
            return report.events
        }
    }

    // The memory of a segmented read on a machine with 8 cores: 8 threads, each with its
    // reader and summary (on fewer cores they take turns; the peak RSS is what counts).
    Benchmark("summary: segments on 8 threads (memory)") { benchmark in
        let reader = try TraceReader(path: benchTrace.path)
        try measurePass(benchmark) { try segmentedSummary(reader, threads: 8).events }
    }

    // A ceiling, not a result: each segment analysed from scratch by its own FullAnalysis
    // and the reports thrown away, not joined — how fast `analyze` could read in segments
    // if its analyses could be joined (docs/BENCHMARKS.md, "Reading in segments").
    Benchmark("analyze ceiling: segments analysed apart, not joined") { benchmark in
        let reader = try TraceReader(path: benchTrace.path)
        try measurePass(benchmark) {
            let count = try reader.reduceSegments(read: { segment, _ in
                try analyzeAll(segment, parallel: false, byRegion: true)
            }, merge: { $0 += $1 })
            guard let count else { throw SegmentsDeclined() }
            return count
        }
    }

    // "parallel" splits the trace between two threads when it has several segments; the
    // three-stage read beside it, in the same run, is what it replaced.
    for (name, parallel, splits) in [("1 thread", false, true), ("parallel", true, true), ("parallel, three stages", true, false)] {
        Benchmark("analyze: read + all analyses in one pass, \(name)") { benchmark in
            let reader = try TraceReader(path: benchTrace.path)
            reader.splitsSegments = splits
            try measurePass(benchmark) { try analyzeAll(reader, parallel: parallel, byRegion: true) }
        }
    }

    // A forged shape: 200,000 Ps in 10 s, each with a proc_start and a task started on it
    // that never stops (docs/BENCHMARKS.md, "Traces that name many Ps"). The analyses
    // follow the first 1,024 Ps; before that limit this took 7 GB and 13 s.
    Benchmark("analyze: a trace naming 200,000 Ps") { benchmark in
        let path = try manyProcsTrace(procs: 200_000, span: 10_000_000_000)
        try measurePass(benchmark) { try analyzeAll(TraceReader(path: path), parallel: TraceReader.defaultParallel, byRegion: false) }
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

/// Reads every event of `reader` into one `FullAnalysis`, in whole batches as `schedscope
/// analyze` hands them over, and finishes it. - Returns: the events read.
private func analyzeAll(_ reader: TraceReader, parallel: Bool, byRegion: Bool) throws -> UInt64 {
    var analysis = FullAnalysis(procCount: reader.info.procCount, leakOptions: LeakOptions(byRegion: byRegion))
    var count: UInt64 = 0
    try reader.forEachBatch(parallel: parallel) { batch in
        analysis.consume(batch)
        count &+= UInt64(batch.count)
    }
    blackHole(analysis.finish(strings: reader.strings))
    return count
}

/// The trace did not split (one core): the segmented pass has nothing to measure.
private struct SegmentsDeclined: Error {}

/// A trace in which P `p` starts, creates task `p + 1` and starts it at `p · span / procs`
/// (written once to the temporary directory).
private func manyProcsTrace(procs: Int, span: UInt64) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("schedscope-bench-procs-\(procs).sctrace").path
    if FileManager.default.fileExists(atPath: path) { return path }
    let writer = try TraceWriter(path: path, info: TraceInfo(producer: "many procs", procCount: 8, startWallTimeNanoseconds: 0, clock: .synthetic))
    let thread = ThreadID(rawValue: 1)
    for p in 0..<procs {
        let t = UInt64(p) * (span / UInt64(procs)), proc = ProcID(UInt32(p)), task = TaskID(rawValue: UInt64(p + 1))
        try writer.append(Event(kind: .procStart, timestamp: t, thread: thread, proc: proc))
        try writer.append(Event(kind: .taskCreate, timestamp: t, thread: thread, proc: proc, task: task))
        try writer.append(Event(kind: .taskStart, timestamp: t + 1, thread: thread, proc: proc, task: task))
    }
    _ = try writer.finish()
    return path
}

/// `schedscope summary`'s segmented path: a reader and a summary per segment, on `threads`
/// threads, joined in file order.
private func segmentedSummary(_ reader: TraceReader, threads: Int) throws -> SummaryReport {
    let joined = try reader.reduceSegments(threads: threads, read: { segment, index in
        var part = SummaryAnalysis(followsEarlierSegment: index > 0)
        try segment.forEachBatch { part.consume($0) }
        return part
    }, merge: { $0.append($1) })
    guard let joined else { throw SegmentsDeclined() }
    return joined.finish(info: reader.info, read: reader.report)
}

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
