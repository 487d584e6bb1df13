import SchedscopeFormat
import SchedscopeModel

/// Writes traces event by event for tests: valid scheduler histories with known ground
/// truth, and invalid ones (it writes exactly what it is told, in the order told).
///
/// Each call names the P; the thread defaults to `proc + 1`. Times are nanoseconds.
public final class TraceBuilder {
    private let sink = ByteSink()
    private let writer: TraceWriter
    public private(set) var events: [Event] = []

    public init(procs: UInt32 = 2, producer: String = "TraceBuilder", options: TraceWriter.Options = .init(chunkBytes: 512)) {
        let info = TraceInfo(producer: producer, procCount: procs, startWallTimeNanoseconds: 1_700_000_000_000_000_000, clock: .synthetic)
        // Writing to memory cannot fail.
        writer = try! TraceWriter(sink: sink, info: info, options: options)
    }

    public func string(_ value: String) -> StringID { writer.intern(value) }

    private func thread(_ proc: UInt32, _ thread: UInt64?) -> ThreadID {
        ThreadID(rawValue: thread ?? UInt64(proc) + 1)
    }

    /// Appends any event as given.
    @discardableResult
    public func append(_ event: Event) -> Self {
        // Writing to memory cannot fail.
        try! writer.append(event)
        events.append(event)
        return self
    }

    @discardableResult
    public func procStart(_ proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .procStart, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc)))
    }

    @discardableResult
    public func procStop(_ proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .procStop, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc)))
    }

    @discardableResult
    public func steal(_ proc: UInt32, from victim: UInt32, count: UInt64, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .procSteal, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     argument1: UInt64(victim), argument2: count))
    }

    @discardableResult
    public func create(
        _ task: UInt64, parent: UInt64 = 0, label: String = "task", runtime: Bool = false,
        proc: UInt32, at time: UInt64, thread: UInt64? = nil
    ) -> Self {
        append(Event(kind: .taskCreate, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     task: TaskID(task), argument1: parent, argument2: UInt64(string(label).rawValue),
                     flags: runtime ? Event.Flags.runtimeTask : 0))
    }

    @discardableResult
    public func start(_ task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        taskEvent(.taskStart, task, proc, time, thread)
    }

    @discardableResult
    public func yield(_ task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        taskEvent(.taskYield, task, proc, time, thread)
    }

    @discardableResult
    public func preempt(_ task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        taskEvent(.taskPreempt, task, proc, time, thread)
    }

    @discardableResult
    public func end(_ task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        taskEvent(.taskEnd, task, proc, time, thread)
    }

    @discardableResult
    public func park(_ task: UInt64, reason: String, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .taskPark, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     task: TaskID(task), argument1: UInt64(string(reason).rawValue)))
    }

    @discardableResult
    public func unpark(_ task: UInt64, by waker: UInt64 = 0, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .taskUnpark, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     task: TaskID(task), argument1: waker))
    }

    @discardableResult
    public func gcPause(from begin: UInt64, to end: UInt64, reason: String = "stop the world", thread: UInt64 = 100) -> Self {
        let id = UInt64(string(reason).rawValue)
        append(Event(kind: .gcPauseBegin, timestamp: begin, thread: ThreadID(thread), argument1: id))
        return append(Event(kind: .gcPauseEnd, timestamp: end, thread: ThreadID(thread), argument1: id))
    }

    @discardableResult
    public func regionBegin(_ name: String, task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .regionBegin, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     task: TaskID(task), argument1: UInt64(string(name).rawValue)))
    }

    @discardableResult
    public func regionEnd(_ name: String, task: UInt64, proc: UInt32, at time: UInt64, thread: UInt64? = nil) -> Self {
        append(Event(kind: .regionEnd, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc),
                     task: TaskID(task), argument1: UInt64(string(name).rawValue)))
    }

    @discardableResult
    public func lost(_ count: UInt64, at time: UInt64, thread: UInt64 = 100) -> Self {
        append(Event(kind: .lost, timestamp: time, thread: ThreadID(thread), argument1: count))
    }

    /// Ends the current generation (all threads' pending chunks are written).
    @discardableResult
    public func endGeneration() -> Self {
        try! writer.endGeneration()
        return self
    }

    /// Finishes the trace and returns its bytes.
    public func bytes() -> [UInt8] {
        try! writer.finish()
        return sink.memory
    }

    private func taskEvent(_ kind: EventKind, _ task: UInt64, _ proc: UInt32, _ time: UInt64, _ thread: UInt64?) -> Self {
        append(Event(kind: kind, timestamp: time, thread: self.thread(proc, thread), proc: ProcID(proc), task: TaskID(task)))
    }
}
