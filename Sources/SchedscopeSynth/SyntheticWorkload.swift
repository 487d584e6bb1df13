import SchedscopeFormat
import SchedscopeModel

/// A deterministic synthetic scheduler workload: a discrete-event simulation of a P:M:N
/// work-stealing scheduler running a test suite, written as a Schedscope trace.
///
/// Test cases run `procs` at a time; each is a root task inside a region named after the
/// test that fans out children (some with children of their own). Tasks run slices of
/// log-uniform length (100 ns – 20 ms, so a few exceed the 10 ms quantum and are
/// preempted), park on channels, mutexes, sleeps and continuations, are woken by running
/// tasks or timers onto the waker's P, yield, and end. Idle Ps stop, are restarted when
/// work appears, and steal half of a random victim's run queue. Garbage collections stop
/// the world twice per cycle. One test in `leakEvery` leaks a child parked forever on a
/// channel receive. The same configuration and seed give the same bytes.
///
/// A few knobs inject regressions (for `schedscope diff`'s tests): longer GC pauses, a
/// constant extra scheduling delay, a P that runs nothing for a while, extra leaked tasks.
/// They leave the random draws unchanged where they can, so the same seed with and without
/// a knob gives the same schedule up to what the knob changes.
public struct SyntheticWorkload: Sendable {
    /// A P that holds its thread but runs no task from `from` until `to` (ns since the
    /// trace start), as if it were stuck: the other Ps must steal its work.
    public struct Starvation: Sendable, Equatable {
        public var proc: Int
        public var from: UInt64
        public var to: UInt64

        public init(proc: Int, from: UInt64, to: UInt64) {
            self.proc = proc
            self.from = from
            self.to = to
        }
    }

    /// Number of Ps (each runs on its own thread).
    public var procs: Int
    /// Stop starting test cases once this many tasks exist (nil: no task limit).
    public var taskLimit: UInt64?
    /// Stop starting test cases once this many events are written (nil: no event limit).
    /// Running tests finish, so the trace ends a little past the limit.
    public var eventLimit: UInt64?
    public var seed: UInt64
    /// One test in this many leaks a task (0: none).
    public var leakEvery: Int
    /// Mean time between GC cycles, in nanoseconds (0: no GC).
    public var gcInterval: UInt64
    /// Events per generation (the generator ends generations itself, at points where no
    /// thread has written ahead of simulated time).
    public var generationEvents: UInt64
    /// Start at most this many test cases (nil: no limit). A fixed number of tests makes
    /// the number of leaked tasks the same for every seed, as re-running a suite does.
    public var testLimit: Int?
    /// Every GC pause lasts this many times longer than drawn (1: as drawn).
    public var gcPauseScale: Double = 1
    /// Added to every task's wait between runnable and running, in nanoseconds.
    public var extraStartDelay: UInt64 = 0
    /// A P that runs nothing for a while (nil: none).
    public var starvation: Starvation?
    /// The first this many tests each leak one task more, labelled `extraLeakLabel`
    /// (parked forever on a channel receive, like the usual leak).
    public var extraLeaks: Int = 0
    /// The label of the extra leaked tasks: the usual leak's label puts them in its group,
    /// another label makes a new group.
    public var extraLeakLabel = "Subscriber.listen()"

    public init(
        procs: Int = 4, taskLimit: UInt64? = nil, eventLimit: UInt64? = nil, seed: UInt64 = 1,
        leakEvery: Int = 40, gcInterval: UInt64 = 2_000_000, generationEvents: UInt64 = 1 << 20,
        testLimit: Int? = nil
    ) {
        self.procs = max(1, procs)
        self.taskLimit = taskLimit ?? (eventLimit == nil && testLimit == nil ? 10_000 : nil)
        self.testLimit = testLimit.map { max(0, $0) }
        self.eventLimit = eventLimit
        self.seed = seed
        self.leakEvery = leakEvery
        self.gcInterval = gcInterval
        self.generationEvents = max(1, generationEvents)
    }

    /// The header a synthetic trace carries.
    public var traceInfo: TraceInfo {
        TraceInfo(
            producer: "schedscope synth (seed \(seed))", procCount: UInt32(procs),
            startWallTimeNanoseconds: 1_767_225_600_000_000_000, clock: .synthetic)
    }

    /// Writer options suited to the generator (it ends generations itself).
    public static var writerOptions: TraceWriter.Options {
        TraceWriter.Options(generationBytes: 0)
    }

    /// Runs the simulation, appending every event to `writer`, and finishes the writer.
    /// - Returns: the ground truth of what was written.
    public func write(to writer: TraceWriter) throws(TraceFormatError) -> SyntheticTruth {
        let simulation = SchedulerSimulation(workload: self, writer: writer)
        try simulation.run()
        var truth = simulation.truth
        truth.written = try writer.finish()
        return truth
    }

    /// Writes the workload to a new trace file at `path`, in event chunks of about
    /// `chunkBytes` decoded bytes.
    @discardableResult
    public func write(toPath path: String, chunkBytes: Int = 64 << 10) throws(TraceFormatError) -> SyntheticTruth {
        var options = Self.writerOptions
        options.chunkBytes = chunkBytes
        let writer = try TraceWriter(path: path, info: traceInfo, options: options)
        return try write(to: writer)
    }
}
