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
