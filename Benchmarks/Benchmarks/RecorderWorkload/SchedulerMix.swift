#if canImport(Glibc)
import Glibc
#endif
import SchedscopeFormat
import SchedscopeModel
import SchedscopeRecorder
import SchedscopeSynth

/// The synthetic scheduler workload's events (8 Ps), grouped by emitting thread, with its
/// strings interned in the recorder and the events' string arguments mapped to those ids:
/// what the recorder benchmarks replay through its emit path and flusher.
public func recorderSchedulerMix(eventLimit: UInt64) -> [[Event]] {
    let workload = SyntheticWorkload(procs: 8, eventLimit: eventLimit, seed: 1)
    let sink = ByteSink()
    _ = try! workload.write(to: TraceWriter(sink: sink, info: workload.traceInfo, options: SyntheticWorkload.writerOptions))
    let reader = try! TraceReader(source: ByteSource(bytes: sink.memory))
    var events: [Event] = []
    try! reader.forEach { events.append($0) }
    var ids: [StringID: StringID] = [.empty: .empty]
    for (id, value) in reader.strings.definedEntries { ids[id] = Recorder.intern(value) }
    func mapped(_ raw: UInt64) -> UInt64 { UInt64(ids[StringID(rawValue: UInt32(raw))]?.rawValue ?? 0) }
    for index in events.indices {
        switch events[index].kind {
        case .taskCreate, .log: events[index].argument2 = mapped(events[index].argument2)
        default: break
        }
        switch events[index].kind {
        case .taskPark, .gcPauseBegin, .gcPauseEnd, .regionBegin, .regionEnd, .log:
            events[index].argument1 = mapped(events[index].argument1)
        default: break
        }
    }
    return Dictionary(grouping: events, by: \.thread).sorted { $0.key < $1.key }.map(\.value)
}

/// Emits a recorded event through the recorder's API, as the thread that recorded it would.
public func replay(_ event: Event) {
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

/// Runs `body` on `count` new threads (each given its index) and waits for them: the
/// recorder keeps one stream per thread, so each replayed thread needs a thread of its own.
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Start: @unchecked Sendable {
        // Invariant: set before the thread starts, read only by it.
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let start = Unmanaged.passRetained(Start { body(index) }).toOpaque()
        pthread_create(&thread, nil, { raw in
            Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, start)
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
