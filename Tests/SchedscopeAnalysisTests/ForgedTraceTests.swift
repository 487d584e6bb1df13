import SchedscopeAnalysis
import SchedscopeFormat
import SchedscopeModel
import SchedscopeTestSupport
import Testing

/// Seeded random forgeries: well-encoded traces whose contents break every rule — ids,
/// counts and times near 2⁶⁴, threads whose next generation starts far earlier than the
/// last ended, ends without begins, any kind with any argument. Every analysis must get
/// through them; an overflow or an out-of-range trap crashes the test process, which
/// fails the run loudly. (`HostileNumberTests` runs the CLI on hand-made shapes; this
/// found the cases they now cover, and keeps looking.)
@Suite("Forged traces: every analysis gets through random forgeries")
struct ForgedTraceTests {
    static func forge(seed: UInt64, events: Int) throws -> [UInt8] {
        var random = SplitMix64(seed: seed)
        func below(_ n: UInt64) -> UInt64 { random.next() % n }
        func wild() -> UInt64 {
            switch below(6) {
            case 0: UInt64.max - below(4)
            case 1: below(4)
            case 2: 1 << 63 | below(100)
            default: below(50)
            }
        }
        let sink = ByteSink()
        let writer = try TraceWriter(sink: sink, info: TraceInfo(
            producer: "forged", procCount: UInt32(below(5)), startWallTimeNanoseconds: wild(), clock: .synthetic))
        let strings = (0..<4).map { writer.intern("s\($0) \u{7}\"") }
        var times: [UInt64: UInt64] = [:]
        for _ in 0..<events {
            let thread = below(4) == 0 ? wild() : below(4) + 1
            let step = below(10) == 0 ? wild() : below(1_000)
            let time = (times[thread] ?? 0).addingReportingOverflow(step)
            times[thread] = time.overflow ? .max : time.partialValue
            let kind = EventKind(rawValue: UInt8(below(UInt64(EventKind.allCases.count))))!
            var first = below(3) == 0 ? wild() : below(10)
            var second = below(3) == 0 ? wild() : below(10)
            // String arguments mostly name defined strings.
            if [.taskPark, .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd].contains(kind), below(4) != 0 {
                first = UInt64(strings[Int(below(4))].rawValue)
            }
            if kind == .taskCreate, below(4) != 0 { second = UInt64(strings[Int(below(4))].rawValue) }
            try writer.append(Event(
                kind: kind, timestamp: times[thread]!, thread: ThreadID(rawValue: thread),
                proc: below(5) == 0 ? ProcID(UInt32(truncatingIfNeeded: wild())) : ProcID(UInt32(below(4))),
                task: TaskID(rawValue: below(4) == 0 ? wild() : below(20)),
                argument1: first, argument2: second, flags: UInt8(below(2))))
            if below(200) == 0 { try writer.endGeneration() }
        }
        _ = try writer.finish()
        return sink.memory
    }

    @Test("analyze, the single analyses, stats by every key, summary and validate", arguments: Array(UInt64(1)...24))
    func everyAnalysisGetsThrough(seed: UInt64) throws {
        let bytes = try Self.forge(seed: seed, events: seed % 4 == 0 ? 3_000 : 400)
        let reader = try TraceReader(source: ByteSource(bytes: bytes, name: "forged"))
        var events: [Event] = []
        try reader.forEach { events.append($0) }
        let strings = reader.strings
        let procs = reader.info.procCount
        events.withUnsafeBufferPointer { batch in
            var full = FullAnalysis(procCount: procs, leakOptions: LeakOptions(byRegion: true))
            full.consume(batch)
            _ = full.finish(strings: strings)
            var tiny = ImbalanceAnalysis(procCount: procs, windowSize: 1)
            var latency = LatencyAnalysis(includeRuntime: true)
            var preemption = PreemptionAnalysis()
            var gc = GCAnalysis()
            var leaks = LeakAnalysis(options: LeakOptions(minAge: 0, byRegion: true))
            var summary = SummaryAnalysis()
            var validator = TraceValidator()
            for event in batch {
                tiny.consume(event)
                latency.consume(event)
                preemption.consume(event)
                gc.consume(event)
                leaks.consume(event)
            }
            summary.consume(batch)
            validator.consume(batch, strings: strings)
            _ = (tiny.finish(), latency.finish(), preemption.finish(strings: strings), gc.finish(strings: strings))
            _ = leaks.finish(strings: strings)
            validator.finish()
            _ = summary.finish(info: reader.info, read: reader.report)
            for key in StatsKey.allCases {
                var stats = StatsAnalysis(by: key)
                stats.consume(batch)
                _ = stats.finish(strings: strings)
            }
        }
        #expect(!events.isEmpty)
    }
}
