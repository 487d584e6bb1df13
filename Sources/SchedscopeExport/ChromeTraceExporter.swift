import SchedscopeModel

/// Writes events as Chrome trace-event JSON (the JSON Object Format, `{"traceEvents": […]}`),
/// which ui.perfetto.dev and chrome://tracing open. The mapping (docs/EXPORT.md):
///
/// - process 1, "Ps": one track per P (`tid` = P + 1). A task's run (`task_start` until its
///   yield, preempt, park or end on that P) is a complete slice (`X`) named by the task's
///   label; parks, preemptions, wake-ups, steals and logs are instant events (`i`).
/// - process 2, "Threads (M)": one track per OS thread; each time it holds a P
///   (`proc_start` … `proc_stop`) is a slice named after the P.
/// - process 3, "Runtime": GC cycles and GC pauses as slices on their own tracks, regions
///   as async slices (`b`/`e`), lost events as global instants.
///
/// Streaming: a slice is written when it closes, so the exporter holds only what is open
/// (one running task per P, one held P per thread, open GC ranges) and each live task's
/// label; memory grows with live tasks, not with the trace. Slices still open at the end
/// are closed at the last timestamp with `"unfinished": true`.
public final class ChromeTraceExporter {
    /// Process ids of the three groups of tracks.
    public enum Process {
        public static let procs: UInt64 = 1
        public static let threads: UInt64 = 2
        public static let runtime: UInt64 = 3
    }

    /// Track ids (`tid`) are unique across the three processes: Perfetto identifies a
    /// thread by its tid alone and would split a track whose tid shows up under two pids.
    /// P tracks take 1, 2, …; thread tracks start at `threadTrackBase`; these are the
    /// runtime process's.
    public enum RuntimeTrack {
        public static let gcCycles: UInt64 = 1 << 25 | 1
        public static let gcPauses: UInt64 = 1 << 25 | 2
        public static let events: UInt64 = 1 << 25 | 3
    }

    /// The first thread track's tid.
    public static let threadTrackBase: UInt64 = 1 << 24

    private let info: TraceInfo
    private let output: ExportOutput
    private let string: (StringID) -> String
    // The exporter's state is touched by one thread, one short access at a time; the
    // dynamic exclusivity checks are skipped (they cost more than the lookups).
    @exclusivity(unchecked) private var escaped: [StringID: [UInt8]] = [:]

    @exclusivity(unchecked) private var running: [ProcID: (task: TaskID, since: UInt64)] = [:]
    @exclusivity(unchecked) private var held: [ProcID: (thread: ThreadID, since: UInt64)] = [:]
    @exclusivity(unchecked) private var labels: [TaskID: StringID] = [:]
    @exclusivity(unchecked) private var threadTracks: [ThreadID: UInt64] = [:]
    /// Track of each P seen: by P number below `directProcs` (no hashing per event), in a
    /// dictionary above.
    @exclusivity(unchecked) private var procTrackTable: [UInt64] = []
    @exclusivity(unchecked) private var procTracks: [ProcID: UInt64] = [:]
    private var procTrackCount = 0
    private static let directProcs: UInt32 = 1 << 16
    private var gcCycle: (cycle: UInt64, since: UInt64)?
    private var gcPause: (reason: StringID, since: UInt64)?
    private var last: UInt64 = 0
    private var first = true

    /// Trace events written (metadata included).
    public private(set) var written: UInt64 = 0

    /// - Parameter string: resolves the trace's string ids (the reader's table as it grows).
    public init(info: TraceInfo, output: ExportOutput, string: @escaping (StringID) -> String) {
        self.info = info
        self.output = output
        self.string = string
    }

    /// The P's track: P + 1 for the header's Ps (Perfetto reserves tid 0 for the idle
    /// task), the next free number for any other P the trace names.
    @inline(__always)
    private func track(of proc: ProcID) -> UInt64 {
        if proc.rawValue < Self.directProcs {
            let index = Int(proc.rawValue)
            if index < procTrackTable.count, procTrackTable[index] != 0 { return procTrackTable[index] }
        } else if let tid = procTracks[proc] {
            return tid
        }
        return nameProc(proc)
    }

    /// Writes the opening and the names of the processes and of every P's track.
    public func begin() throws {
        output.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":")
        output.append(TextEscaping.json(info.producer))
        output.append(",\"clock\":")
        output.append(TextEscaping.json(info.clock.name))
        output.append(",\"procs\":")
        output.append(decimal: UInt64(info.procCount))
        output.append(",\"exporter\":\"schedscope export chrome/1\"},\n\"traceEvents\":[\n")
        processName(Process.procs, "Ps", sortIndex: 1)
        processName(Process.threads, "Threads (M)", sortIndex: 2)
        processName(Process.runtime, "Runtime", sortIndex: 3)
        threadName(Process.runtime, RuntimeTrack.gcCycles, "GC cycles", sortIndex: 1)
        threadName(Process.runtime, RuntimeTrack.gcPauses, "GC pauses", sortIndex: 2)
        threadName(Process.runtime, RuntimeTrack.events, "Regions, lost events", sortIndex: 3)
        for proc in 0..<info.procCount { nameProc(ProcID(proc)) }
        try output.flushIfFull()
    }

    public func consume(_ event: Event) throws {
        last = max(last, event.timestamp)
        let proc = event.proc
        if proc.isSome { _ = track(of: proc) }
        switch event.kind {
        case .procStart:
            if proc.isSome {
                if let open = held[proc] { procSlice(proc, open, until: event.timestamp, unfinished: true) }
                held[proc] = (event.thread, event.timestamp)
            }
        case .procStop:
            if let open = held.removeValue(forKey: proc) { procSlice(proc, open, until: event.timestamp, unfinished: false) }
        case .procSteal:
            instant(event, name: "proc_steal") {
                self.argument("victim", UInt64(event.victim.rawValue), first: true)
                self.argument("count", event.stealCount)
            }
        case .taskCreate:
            labels[event.task] = event.label
        case .taskStart:
            guard proc.isSome else { break }
            if let open = running[proc] { taskSlice(proc, open, until: event.timestamp, stop: nil, reason: nil) }
            running[proc] = (event.task, event.timestamp)
        case .taskYield, .taskPreempt, .taskPark, .taskEnd:
            if let open = running[proc], open.task == event.task {
                running[proc] = nil
                taskSlice(proc, open, until: event.timestamp, stop: event.kind, reason: event.kind == .taskPark ? event.reason : nil)
            }
            if event.kind == .taskPark {
                instant(event, name: "task_park") {
                    self.argument("task", event.task.rawValue, first: true)
                    self.argument("reason", event.reason)
                }
            } else if event.kind == .taskPreempt {
                instant(event, name: "task_preempt") {
                    self.argument("task", event.task.rawValue, first: true)
                }
            } else if event.kind == .taskEnd {
                labels[event.task] = nil
            }
        case .taskUnpark:
            instant(event, name: "task_unpark") {
                self.argument("task", event.task.rawValue, first: true)
                self.argument("by", event.waker.rawValue)
            }
        case .gcBegin:
            if let open = gcCycle { gcCycleSlice(open, until: event.timestamp, unfinished: true) }
            gcCycle = (event.cycle, event.timestamp)
        case .gcEnd:
            if let open = gcCycle { gcCycleSlice(open, until: event.timestamp, unfinished: false) }
            gcCycle = nil
        case .gcPauseBegin:
            if gcPause == nil { gcPause = (event.reason, event.timestamp) }
        case .gcPauseEnd:
            if let open = gcPause { gcPauseSlice(open, until: event.timestamp, unfinished: false) }
            gcPause = nil
        case .regionBegin, .regionEnd:
            region(event)
        case .log:
            instant(event, name: nil) {
                self.argument("category", event.logCategory, first: true)
                self.argument("message", event.logMessage)
            }
        case .lost:
            instant(event, name: "lost", pid: Process.runtime, tid: RuntimeTrack.events, global: true) {
                self.argument("count", event.lostCount, first: true)
            }
        }
        try output.flushIfFull()
    }

    /// Closes what is still open at the last timestamp and writes the end of the document.
    public func finish() throws {
        for (proc, open) in running.sorted(by: { $0.key < $1.key }) {
            taskSlice(proc, open, until: last, stop: nil, reason: nil)
        }
        running = [:]
        for (proc, open) in held.sorted(by: { $0.key < $1.key }) { procSlice(proc, open, until: last, unfinished: true) }
        held = [:]
        if let open = gcCycle { gcCycleSlice(open, until: last, unfinished: true) }
        if let open = gcPause { gcPauseSlice(open, until: last, unfinished: true) }
        gcCycle = nil
        gcPause = nil
        output.append("\n]}\n")
        try output.flush()
    }

    // MARK: - Events

    private func taskSlice(_ proc: ProcID, _ open: (task: TaskID, since: UInt64), until end: UInt64, stop: EventKind?, reason: StringID?) {
        beginEvent(phase: "X", pid: Process.procs, tid: track(of: proc), at: open.since)
        output.append(",\"dur\":")
        output.append(nanoseconds: end - min(end, open.since), per: 1000, decimals: 3)
        output.append(",\"cat\":\"task\",\"name\":")
        if let label = labels[open.task] {
            appendString(label)
        } else {
            output.append("\"task ")
            output.append(decimal: open.task.rawValue)
            output.append("\"")
        }
        output.append(",\"args\":{")
        argument("task", open.task.rawValue, first: true)
        if let stop {
            output.append(",\"stop\":\"")
            output.append(kind: stop)
            output.append("\"")
        } else {
            output.append(",\"unfinished\":true")
        }
        if let reason { argument("reason", reason) }
        output.append("}}")
    }

    private func procSlice(_ proc: ProcID, _ open: (thread: ThreadID, since: UInt64), until end: UInt64, unfinished: Bool) {
        beginEvent(phase: "X", pid: Process.threads, tid: threadTrack(open.thread), at: open.since)
        output.append(",\"dur\":")
        output.append(nanoseconds: end - min(end, open.since), per: 1000, decimals: 3)
        output.append(",\"cat\":\"proc\",\"name\":\"P")
        output.append(decimal: UInt64(proc.rawValue))
        output.append("\",\"args\":{")
        argument("proc", UInt64(proc.rawValue), first: true)
        if unfinished { output.append(",\"unfinished\":true") }
        output.append("}}")
    }

    private func gcCycleSlice(_ open: (cycle: UInt64, since: UInt64), until end: UInt64, unfinished: Bool) {
        beginEvent(phase: "X", pid: Process.runtime, tid: RuntimeTrack.gcCycles, at: open.since)
        output.append(",\"dur\":")
        output.append(nanoseconds: end - min(end, open.since), per: 1000, decimals: 3)
        output.append(",\"cat\":\"gc\",\"name\":\"gc cycle\",\"args\":{")
        argument("cycle", open.cycle, first: true)
        if unfinished { output.append(",\"unfinished\":true") }
        output.append("}}")
    }

    private func gcPauseSlice(_ open: (reason: StringID, since: UInt64), until end: UInt64, unfinished: Bool) {
        beginEvent(phase: "X", pid: Process.runtime, tid: RuntimeTrack.gcPauses, at: open.since)
        output.append(",\"dur\":")
        output.append(nanoseconds: end - min(end, open.since), per: 1000, decimals: 3)
        output.append(",\"cat\":\"gc\",\"name\":\"gc pause\",\"args\":{")
        argument("reason", open.reason, first: true)
        if unfinished { output.append(",\"unfinished\":true") }
        output.append("}}")
    }

    /// Regions overlap freely (parallel tests), so they are async slices: one id per
    /// (region name, task), the same on the begin and the end.
    private func region(_ event: Event) {
        beginEvent(phase: event.kind == .regionBegin ? "b" : "e", pid: Process.runtime, tid: RuntimeTrack.events, at: event.timestamp)
        output.append(",\"cat\":\"region\",\"id\":\"0x")
        output.append(String(UInt64(event.regionName.rawValue) << 40 ^ event.task.rawValue, radix: 16))
        output.append("\",\"name\":")
        appendString(event.regionName)
        output.append(",\"args\":{")
        argument("task", event.task.rawValue, first: true)
        output.append("}}")
    }

    /// An instant on the track of the event's P, or of its thread when it has no P.
    private func instant(_ event: Event, name: StaticString?, arguments: () -> Void) {
        if event.proc.isSome {
            instant(event, name: name, pid: Process.procs, tid: track(of: event.proc), arguments: arguments)
        } else {
            instant(event, name: name, pid: Process.threads, tid: threadTrack(event.thread), arguments: arguments)
        }
    }

    /// An instant event; `name` nil takes the log category.
    private func instant(_ event: Event, name: StaticString?, pid: UInt64, tid: UInt64, global: Bool = false, arguments: () -> Void) {
        beginEvent(phase: "i", pid: pid, tid: tid, at: event.timestamp)
        output.append(global ? ",\"s\":\"g\"" as StaticString : ",\"s\":\"t\"")
        output.append(",\"cat\":\"")
        output.append(kind: event.kind)
        output.append("\",\"name\":")
        if let name {
            output.append("\"")
            output.append(name)
            output.append("\"")
        } else {
            appendString(event.logCategory)
        }
        output.append(",\"args\":{")
        arguments()
        output.append("}}")
    }

    private func beginEvent(phase: StaticString, pid: UInt64, tid: UInt64, at time: UInt64) {
        if first { first = false } else { output.append(",\n") }
        output.append("{\"ph\":\"")
        output.append(phase)
        output.append("\",\"pid\":")
        output.append(decimal: pid)
        output.append(",\"tid\":")
        output.append(decimal: tid)
        output.append(",\"ts\":")
        output.append(nanoseconds: time, per: 1000, decimals: 3)
        written += 1
    }

    private func argument(_ key: StaticString, _ value: UInt64, first: Bool = false) {
        output.append(first ? "\"" as StaticString : ",\"")
        output.append(key)
        output.append("\":")
        output.append(decimal: value)
    }

    private func argument(_ key: StaticString, _ value: StringID, first: Bool = false) {
        output.append(first ? "\"" as StaticString : ",\"")
        output.append(key)
        output.append("\":")
        appendString(value)
    }

    // MARK: - Metadata

    private func processName(_ pid: UInt64, _ name: StaticString, sortIndex: UInt64) {
        metadata("process_name", pid: pid, tid: 0, name: name)
        metadata("process_sort_index", pid: pid, tid: 0, sortIndex: sortIndex)
    }

    private func threadName(_ pid: UInt64, _ tid: UInt64, _ name: StaticString, sortIndex: UInt64) {
        metadata("thread_name", pid: pid, tid: tid, name: name)
        metadata("thread_sort_index", pid: pid, tid: tid, sortIndex: sortIndex)
    }

    @discardableResult
    private func nameProc(_ proc: ProcID) -> UInt64 {
        // The header's Ps fill tids 1...procCount, so the count of tracks + 1 is free.
        let tid = proc.rawValue < info.procCount ? UInt64(proc.rawValue) + 1 : UInt64(max(Int(info.procCount), procTrackCount)) + 1
        procTrackCount += 1
        if proc.rawValue < Self.directProcs {
            let index = Int(proc.rawValue)
            if index >= procTrackTable.count { procTrackTable.append(contentsOf: repeatElement(0, count: index + 1 - procTrackTable.count)) }
            procTrackTable[index] = tid
        } else {
            procTracks[proc] = tid
        }
        beginMetadata("thread_name", pid: Process.procs, tid: tid)
        output.append(",\"args\":{\"name\":\"P")
        output.append(decimal: UInt64(proc.rawValue))
        output.append("\"}}")
        metadata("thread_sort_index", pid: Process.procs, tid: tid, sortIndex: tid)
        return tid
    }

    /// The thread's track in the threads process, named `M<id>` when first seen.
    private func threadTrack(_ thread: ThreadID) -> UInt64 {
        if let tid = threadTracks[thread] { return tid }
        let tid = Self.threadTrackBase + UInt64(threadTracks.count)
        threadTracks[thread] = tid
        beginMetadata("thread_name", pid: Process.threads, tid: tid)
        output.append(",\"args\":{\"name\":\"M")
        output.append(decimal: thread.rawValue)
        output.append("\"}}")
        metadata("thread_sort_index", pid: Process.threads, tid: tid, sortIndex: tid - Self.threadTrackBase + 1)
        return tid
    }

    private func metadata(_ kind: StaticString, pid: UInt64, tid: UInt64, name: StaticString) {
        beginMetadata(kind, pid: pid, tid: tid)
        output.append(",\"args\":{\"name\":\"")
        output.append(name)
        output.append("\"}}")
    }

    private func metadata(_ kind: StaticString, pid: UInt64, tid: UInt64, sortIndex: UInt64) {
        beginMetadata(kind, pid: pid, tid: tid)
        output.append(",\"args\":{\"sort_index\":")
        output.append(decimal: sortIndex)
        output.append("}}")
    }

    private func beginMetadata(_ kind: StaticString, pid: UInt64, tid: UInt64) {
        if first { first = false } else { output.append(",\n") }
        output.append("{\"ph\":\"M\",\"pid\":")
        output.append(decimal: pid)
        output.append(",\"tid\":")
        output.append(decimal: tid)
        output.append(",\"name\":\"")
        output.append(kind)
        output.append("\"")
        written += 1
    }

    // MARK: - Strings

    /// A trace string as a JSON literal; each string is escaped once.
    private func appendString(_ id: StringID) {
        if let bytes = escaped[id] {
            output.append(bytes: bytes)
            return
        }
        var bytes: [UInt8] = []
        TextEscaping.json(string(id), into: &bytes)
        escaped[id] = bytes
        output.append(bytes: bytes)
    }
}
